"""The native (DuckDB read_json) v1.1 path stores exactly what the Python readers store, and
declines — leaving the file to the Python readers — whenever it cannot account for every line."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botwatch import open_study
from botwatch.ingest import native_v1, runner

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def _user(rng: random.Random, uid: int) -> dict:
    pick = rng.choice
    return {
        "id_str": str(uid), "screen_name": pick([f"user{uid}", f" pad{uid} ", "None", ""]),
        "name": pick(["Anna", "  Ольга ", "", None, "null", "Émilie\u00a0"]), "description": pick([None, "bio\twith tab ", "\u2003wide", "nan"]),
        "location": pick(["London", "Москва", "", None]), "lang": pick(["en", "ru", None, ""]),
        "created_at": pick(["Tue Apr 18 10:00:00 +0000 2017", "Wed Jan 04 23:59:59 +0300 2012", None]),
        "followers_count": rng.randrange(5000), "friends_count": pick([1, 2, None]), "statuses_count": rng.randrange(99999),
        "verified": pick([True, False, None]), "default_profile": pick([True, False]), "default_profile_image": pick([False, None]),
        "time_zone": pick(["London", None, "Moscow"]), "utc_offset": pick([3600, 10800, None]),
        # Always there, as the v1.1 API writes it (null: no website); a file whose user objects lack
        # it is left to the Python readers (`native_v1.lacks_profile_link`). Not drawn from `rng`,
        # so every other drawn value stays as it was.
        "url": ("https://t.co/u", None, "")[uid % 3],
    }


def _status(rng: random.Random, i: int) -> dict:
    uid = rng.randrange(1, 60)
    st = {
        "id_str": str(10_000 + i), "created_at": f"Wed May {10 + i % 5:02d} 20:{i % 60:02d}:24 +0000 2017", "lang": rng.choice(["en", "ru", "und", None]),
        "source": rng.choice(['<a href="http://twitter.com" rel="nofollow">Twitter Web Client</a>', '<a href="x">A &amp; B</a>', "", None]),
        "user": _user(rng, uid),
    }
    body = {"text": f"post {i} #GE2017", "entities": {"hashtags": [{"text": "GE2017"}, {"text": ""}], "user_mentions": [{"screen_name": "UKLabour"}],
                                                      "urls": [{"url": "https://t.co/x", "expanded_url": rng.choice(["https://a.org", "", None])}]}}
    if rng.random() < 0.3:
        body = {"text": f"short {i}", "extended_tweet": {"full_text": f"long text {i} \u202e", "entities": {"hashtags": [{"text": "ForTheMany"}]}}}
    st.update(body)
    r = rng.random()
    if r < 0.3:
        inner = {"id_str": str(500 + i % 7), "text": f"orig {i % 7}", "user": _user(rng, 900 + i % 3)}
        if rng.random() < 0.5:
            inner["extended_tweet"] = {"full_text": f"full orig {i % 7}", "entities": {"hashtags": [{"text": "VoteLabour"}]}}
        st["retweeted_status"] = inner
    elif r < 0.45:
        st["is_quote_status"] = True
        st["quoted_status_id_str"] = rng.choice([str(700 + i), ""])
        st["quoted_status"] = {"id_str": str(700 + i), "text": "q", "user": _user(rng, 950)}
    elif r < 0.6:
        st["in_reply_to_status_id_str"] = rng.choice([str(800 + i), None])
        st["in_reply_to_user_id_str"] = str(77)
        st["in_reply_to_screen_name"] = rng.choice(["someone", None])
    return st


def _tables(path: Path, native: bool, monkeypatch: pytest.MonkeyPatch, files: list[Path]) -> dict:
    monkeypatch.setattr(runner, "NATIVE_MIN_BYTES", 0 if native else 1 << 62)
    calls: list[object] = []
    real = native_v1.load_native

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        out = real(*a, **k)
        calls.append(out)
        return out

    monkeypatch.setattr(runner, "load_native", spy)
    with open_study(path, read_only=False) as st:
        results = runner.ingest(st, [str(f) for f in files], workers=1).files
        return {
            "results": [(r.read, r.stored, r.duplicates, r.rejected, r.accounts, r.deleted) for r in results],
            "posts": st.sql("SELECT * FROM posts ORDER BY post_id"),
            "accounts": st.sql("SELECT * FROM accounts ORDER BY account_id"),
            "rejected": st.sql("SELECT * FROM rejected ORDER BY source, line"),
            "native": calls,
        }


def test_native_path_stores_exactly_what_the_python_readers_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    gen = tmp_path / "gen.jsonl"
    gen.write_text("\n".join(json.dumps(_status(rng, i)) for i in range(3000)) + "\n")
    again = tmp_path / "again.jsonl"  # a second file repeating some posts: duplicates across files
    again.write_text("\n".join(json.dumps(_status(random.Random(11), i)) for i in range(1500)))  # no final newline
    files = [FIX / "v1_uklabour.jsonl", gen, again]
    py = _tables(tmp_path / "py.duckdb", False, monkeypatch, files)
    nat = _tables(tmp_path / "nat.duckdb", True, monkeypatch, files)
    assert py["native"] == [] and all(n is not None for n in nat["native"]) and len(nat["native"]) == 3
    assert nat["results"] == py["results"]
    assert len(nat["posts"]) == len(py["posts"]) == 3006  # the second file only repeats posts
    for a, b in zip(nat["posts"], py["posts"]):
        assert a == b
    assert nat["accounts"] == py["accounts"]


@pytest.mark.parametrize(
    ("bad", "taken_natively"),
    [
        # A blank or whitespace-only line (a stream keep-alive): DuckDB skips it and the Python
        # readers pass over it; the line scan knows where it was, so later rows keep their lines.
        (b"", True),
        (b"   \t\r", True),
        # A long whitespace-only line is not looked for: the counts differ and the Python readers
        # read the whole file.
        (b" " * 100, False),
        # Lines DuckDB cannot parse (truncated, trailing garbage, bad UTF-8, not an object) come
        # back as empty rows: the native path keeps the file and hands the line to the Python
        # readers, which reject it with their own error.
        (b'{"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "tru', True),
        (b'{"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}} trailing', True),
        (b'{"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "\xff bad", "user": {"id_str": "1"}}', True),
        (b"5", True),
        (b'["a", "list"]', True),
        # A text or number where an object or a list belongs, which DuckDB reads as empty: flagged
        # where the Python readers would take the line differently.
        (b'{"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": "not an object"}', True),
        (b'{"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}, "entities": {"hashtags": ["bare", {"text": "ok"}], "user_mentions": "x", "urls": [3]}}', True),
        (b'{"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}, "entities": 5, "extended_tweet": "x"}', True),
        (b'{"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}, "is_quote_status": true, "quoted_status": "x"}', True),
        (b'{"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}, "retweeted_status": {"id_str": "3", "text": "o", "user": 4, "entities": {"hashtags": [7]}}}', True),
        (b'{"id_str": "9", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "x", "user": {"id_str": "1"}, "retweeted_status": "x"}', True),
        # Valid JSON that is not a clean status: the native path keeps the file and hands just
        # that line to the Python readers, which reject or coerce it.
        (b'{"delete": {"status": {"id_str": "1"}}}', True),
        (b'{"limit": {"track": 12, "timestamp_ms": "1494447564000"}}', True),
        (b'{"id_str": "9", "created_at": "2017-05-10T20:19:24Z", "text": "iso time", "user": {"id_str": "1"}}', True),
        (b'{"id_str": " 77 ", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "padded id", "user": {"id_str": "5", "screen_name": "x"}}', True),
        (b'{"id_str": "10005", "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "dup of a later id", "user": {"id_str": " 5"}}', True),
    ],
)
def test_bad_lines_end_the_same_whichever_path_reads_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: bytes, taken_natively: bool
) -> None:
    rng = random.Random(3)
    lines = [json.dumps(_status(rng, i)).encode() for i in range(200)]
    lines.insert(100, bad)
    lines.insert(150, b'{"delete": {"status": {"id_str": "2"}}}')
    f = tmp_path / "mixed.jsonl"
    f.write_bytes(b"\n".join(lines) + b"\n")
    py = _tables(tmp_path / "py.duckdb", False, monkeypatch, [f])
    nat = _tables(tmp_path / "nat.duckdb", True, monkeypatch, [f])
    assert (nat["native"][0] is not None) == taken_natively
    assert {k: v for k, v in nat.items() if k != "native"} == {k: v for k, v in py.items() if k != "native"}
    assert py["results"][0][5] >= 1  # the delete notice of line 150, counted apart (not rejected) on both paths


def test_a_capture_cut_off_mid_line_is_still_read_natively(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stream killed while writing leaves a last line cut short and no final newline."""
    rng = random.Random(4)
    whole = [json.dumps(_status(rng, i)) for i in range(300)]
    f = tmp_path / "killed.jsonl"
    f.write_text("\n".join(whole) + "\n" + json.dumps(_status(rng, 300))[:57])
    py = _tables(tmp_path / "py.duckdb", False, monkeypatch, [f])
    nat = _tables(tmp_path / "nat.duckdb", True, monkeypatch, [f])
    assert nat["native"][0] is not None and nat["native"][0].bad == 1
    assert {k: v for k, v in nat.items() if k != "native"} == {k: v for k, v in py.items() if k != "native"}
    assert [r[1] for r in nat["rejected"]] == [301]


def test_blank_lines_anywhere_keep_every_line_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep-alive blank lines (as a raw stream capture has) at the start, in runs, and at the end."""
    rng = random.Random(6)
    lines = [json.dumps(_status(rng, i)).encode() for i in range(200)]
    for at in (150, 150, 90, 40, 40, 40, 0, 0):
        lines.insert(at, rng.choice([b"", b"\r", b" "]))
    lines.insert(120, b'{"delete": {"status": {"id_str": "1"}}}')
    f = tmp_path / "keepalive.jsonl"
    f.write_bytes(b"\r\n".join(lines) + b"\r\n\r\n")
    py = _tables(tmp_path / "py.duckdb", False, monkeypatch, [f])
    nat = _tables(tmp_path / "nat.duckdb", True, monkeypatch, [f])
    assert nat["native"][0] is not None and nat["native"][0].blanks
    assert {k: v for k, v in nat.items() if k != "native"} == {k: v for k, v in py.items() if k != "native"}


@settings(max_examples=80, deadline=None)
@given(
    lines=st.lists(st.one_of(st.sampled_from([b"", b" ", b"\t\r", b"x", b"ab"]), st.binary(max_size=80).map(lambda b: b.replace(b"\n", b""))), max_size=30),
    final_newline=st.booleans(),
    block=st.integers(1, 9),
)
def test_count_lines_finds_the_short_blank_lines(lines: list[bytes], final_newline: bool, block: int) -> None:
    from botwatch.ingest.file_scan import _SHORT, count_lines

    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")

    class Trickle(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            return super().read(block)

    counted, clean, blank = count_lines(Trickle(data), 1 << 20)
    parts = data.split(b"\n")
    if data.endswith(b"\n") or not data:
        parts = parts[:-1]
    assert counted == len(parts) and clean
    assert list(blank) == [i for i, part in enumerate(parts, 1) if len(part) <= _SHORT and not part.strip(b" \t\r\x0b\x0c")]


# Values of the wrong JSON type for a scalar leaf. DuckDB's typed reading would cast most of them
# (7 into a text, 3.7 or true into a count); the Python readers refuse or coerce them their own way.
_WRONG_VALUES = [7, 3.7, True, "7", " 7", "true", {"a": 1}, ["x"]]
_USER_LEAVES = ["id_str", "screen_name", "name", "description", "location", "lang", "created_at", "followers_count",
                "friends_count", "statuses_count", "verified", "default_profile", "default_profile_image", "time_zone", "utc_offset"]
_LEAF_PATHS: list[tuple[object, ...]] = [
    *[(k,) for k in ["id_str", "created_at", "text", "lang", "source", "in_reply_to_status_id_str", "in_reply_to_user_id_str",
                     "in_reply_to_screen_name", "is_quote_status", "quoted_status_id_str"]],
    *[("user", k) for k in _USER_LEAVES],
    *[("retweeted_status", "user", k) for k in _USER_LEAVES],
    ("retweeted_status", "id_str"), ("retweeted_status", "text"), ("retweeted_status", "extended_tweet", "full_text"),
    ("entities", "hashtags", 0, "text"), ("entities", "user_mentions", 0, "screen_name"),
    ("entities", "urls", 0, "url"), ("entities", "urls", 0, "expanded_url"),
]


def _well_typed_user(uid: str) -> dict:
    return {"id_str": uid, "screen_name": f"h{uid}", "name": "N", "description": "d", "location": "L", "lang": "en",
            "created_at": "Tue Apr 18 10:00:00 +0000 2017", "followers_count": 5, "friends_count": 6, "statuses_count": 7,
            "verified": False, "default_profile": True, "default_profile_image": False, "time_zone": "London", "utc_offset": 3600,
            "url": "https://t.co/w"}


def _with_wrong_type(k: int, path: tuple[object, ...], value: object) -> bytes:
    """A retweet whose leaf at `path` holds `value`; its ids are its own, so no other line hides what it gives."""
    user = _well_typed_user
    st: dict = {
        "id_str": str(50_000 + k), "created_at": "Wed May 10 20:19:24 +0000 2017", "text": "RT x", "lang": "en", "source": "<a>App</a>",
        "in_reply_to_status_id_str": None, "in_reply_to_user_id_str": None, "in_reply_to_screen_name": None, "is_quote_status": False,
        "quoted_status_id_str": None, "user": user(str(70_000 + k)),
        "entities": {"hashtags": [{"text": "GE2017"}], "user_mentions": [{"screen_name": "x"}], "urls": [{"url": "https://t.co/a", "expanded_url": "https://a.org"}]},
        "retweeted_status": {"id_str": str(60_000 + k), "text": "orig", "extended_tweet": {"full_text": "orig full"}, "user": user(str(90_000 + k))},
    }
    if path[0] == "entities":  # a retweet's entities are the original's: put them where they are read
        st["retweeted_status"].pop("extended_tweet")
        st["retweeted_status"]["entities"] = st.pop("entities")
        path = ("retweeted_status", *path)
    node = st
    for key in path[:-1]:
        node = node[key]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]
    return json.dumps(st).encode()


def test_values_of_the_wrong_json_type_end_the_same_whichever_path_reads_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [(path, value) for path in _LEAF_PATHS for value in _WRONG_VALUES]
    rng = random.Random(9)
    lines = [json.dumps(_status(rng, i)).encode() for i in range(len(cases) + 100)]
    for k, (path, value) in enumerate(cases):
        lines.insert(2 * k + 1, _with_wrong_type(k, path, value))
    f = tmp_path / "typed.jsonl"
    f.write_bytes(b"\n".join(lines) + b"\n")
    py = _tables(tmp_path / "py.duckdb", False, monkeypatch, [f])
    nat = _tables(tmp_path / "nat.duckdb", True, monkeypatch, [f])
    assert nat["native"][0] is not None  # read natively: only the mistyped lines went to the Python readers
    assert nat["native"][0].bad >= len(cases) // 2
    for key in ("results", "rejected", "accounts"):
        assert nat[key] == py[key], key
    assert len(nat["posts"]) == len(py["posts"])
    for a, b in zip(nat["posts"], py["posts"]):
        assert a == b


_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),  # NaN literals: see docs/architecture.md
    st.text(max_size=12), st.sampled_from(["0", "-0", "1e5", "007", " 3", "true", "True", "null", "[1]", '{"a":1}', "nan", "NaN"]),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=12, deadline=None)
@given(planted=st.lists(st.tuples(st.sampled_from(_LEAF_PATHS), _JSON_SCALARS), min_size=1, max_size=25))
def test_any_json_value_in_any_leaf_ends_the_same_whichever_path_reads_the_file(
    tmp_path_factory: pytest.TempPathFactory, planted: list[tuple[tuple[object, ...], object]]
) -> None:
    tmp = tmp_path_factory.mktemp("any")
    rng = random.Random(2)
    lines = [json.dumps(_status(rng, i)).encode() for i in range(2 * len(planted) + 10)]
    for k, (path, value) in enumerate(planted):
        lines.insert(2 * k + 1, _with_wrong_type(k, path, value))
    f = tmp / "any.jsonl"
    f.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.MonkeyPatch.context() as mp:
        py = _tables(tmp / "py.duckdb", False, mp, [f])
        nat = _tables(tmp / "nat.duckdb", True, mp, [f])
    assert nat["native"][0] is not None
    assert {k: v for k, v in nat.items() if k != "native"} == {k: v for k, v in py.items() if k != "native"}


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), min_size=1, max_size=40),
    final_newline=st.booleans(),
    picks=st.data(),
    block=st.integers(1, 9),
)
def test_pick_lines_finds_exactly_the_lines_asked_for(lines: list[bytes], final_newline: bool, picks: st.DataObject, block: int) -> None:
    data = b"\n".join(lines) + (b"\n" if final_newline else b"")
    wanted = sorted(picks.draw(st.sets(st.integers(1, len(lines)))))

    class Trickle(io.BytesIO):  # tiny reads put line ends on every kind of block edge
        def read(self, n: int | None = -1) -> bytes:
            return super().read(block)

    got = [(ln.number, ln.data) for ln in native_v1.pick_lines(Trickle(data), wanted)]
    expected = [(n, lines[n - 1].rstrip(b"\r\n")) for n in wanted if n < len(lines) or lines[n - 1] or final_newline]
    assert got == expected


def test_native_ingest_records_the_hash_and_skips_the_same_file_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.ingest.source import file_sha256

    monkeypatch.setattr(runner, "NATIVE_MIN_BYTES", 0)
    rng = random.Random(5)
    f = tmp_path / "a.jsonl"
    f.write_text("\n".join(json.dumps(_status(rng, i)) for i in range(300)) + "\n")
    copy = tmp_path / "b.jsonl"  # same bytes under another name
    copy.write_bytes(f.read_bytes())
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        first = runner.ingest(st, [str(f)], workers=1).files[0]
        again = runner.ingest(st, [str(f), str(copy)], workers=1).files
        assert first.stored == 300 and first.error is None
        assert [r.skipped is not None for r in again] == [True, True]
        assert st.sql("SELECT sha256 FROM sources")[0][0] == file_sha256(f)
        assert st.count("posts") == 300


@pytest.mark.parametrize("space", [chr(c) for c in (9, 28, 133, 160, 5760, 8192, 8239, 12288)])
def test_unicode_whitespace_around_ids_and_text_ends_the_same_whichever_path_reads_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, space: str
) -> None:
    """Python's str.strip() removes no-break and other Unicode spaces; the native reader trimmed
    only ASCII whitespace, so an id of one no-break space was stored natively and rejected by the
    Python readers (found by the any-value property test)."""
    rng = random.Random(5)
    statuses = [_status(rng, i) for i in range(40)]
    statuses[3]["id_str"] = space
    statuses[5]["user"]["name"] = f"{space}Anna{space}"  # text keeps what each reader keeps, the same both ways
    statuses[9]["user"]["location"] = f"Leeds{space}"
    statuses[11]["user"]["id_str"] = f"{space}42"
    statuses[13]["id_str"] = f"{13 + 10_000}{space}"
    gen = tmp_path / "ws.jsonl"
    gen.write_text("\n".join(json.dumps(s) for s in statuses) + "\n")
    py = _tables(tmp_path / "py.duckdb", False, monkeypatch, [gen])
    nat = _tables(tmp_path / "nat.duckdb", True, monkeypatch, [gen])
    assert len(nat["native"]) == 1 and nat["native"][0] is not None
    assert (nat["results"], nat["posts"], nat["accounts"], nat["rejected"]) == (py["results"], py["posts"], py["accounts"], py["rejected"])


def test_a_path_written_with_dot_slash_still_takes_the_native_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The non-UTF-8 name check once compared the normalised name with the path as typed, so
    "./data/x.jsonl" (or a walk of "./data") went to the slower Python readers, silently."""
    rng = random.Random(5)
    (tmp_path / "d").mkdir()
    gen = tmp_path / "d" / "gen.jsonl"
    gen.write_text("\n".join(json.dumps(_status(rng, i)) for i in range(200)) + "\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runner, "NATIVE_MIN_BYTES", 0)
    calls: list[object] = []
    real = native_v1.load_native
    monkeypatch.setattr(runner, "load_native", lambda *a, **k: calls.append(1) or real(*a, **k))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        runner.ingest(st, ["./d//gen.jsonl"], workers=1)
    assert calls == [1]
