"""A lone UTF-16 surrogate escape ("\\ud800" without its partner) costs one character, not the post:
the string gets U+FFFD, the record is stored, and the repair is noted beside the original."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from botwatch import open_study
from botwatch.ingest.runner import ingest
from botwatch.ingest.sink import REPAIRED
from botwatch.ingest.surrogates import loads_repairing


def status(i: int, name: str = "Ann", text: str = "hello", description: str = "about me") -> dict:
    return {
        "id_str": str(1000 + i),
        "created_at": "Wed May 10 20:19:24 +0000 2017",
        "text": text,
        "user": {"id_str": str(40 + i), "screen_name": f"user{i}", "name": name, "description": description,
                 "created_at": "Tue Apr 18 10:00:00 +0000 2017", "lang": "en", "url": None},  # null as the API writes it: an absent one sends the line to the Python readers
        "entities": {"hashtags": [{"text": "GE2017"}], "user_mentions": [], "urls": []},
        "source": '<a href="http://twitter.com" rel="nofollow">Twitter Web Client</a>',
    }


def line(obj: dict) -> bytes:
    # json.dumps writes a lone surrogate as the escape "\udXXX" (ensure_ascii), as a cutting client would
    return json.dumps(obj).encode()


LINES = [
    line(status(0)),
    line(status(1, name="Bob \ud800 Smith")),  # 2: a lone high surrogate in the display name
    line(status(2, text="cut emoji \ud83d")),  # 3: the first half of an emoji at the end of the text
    line(status(3, description="\udc00 bio")),  # 4: a lone low surrogate in the description
    line(status(4, text="whole emoji \ud83d\ude00")),  # 5: a valid pair, untouched
    b'{"id_str": "77", "text": "\\ud800 tru',  # 6: truncated JSON stays rejected
]


@pytest.mark.parametrize("as_array", [False, True])
def test_a_lone_surrogate_is_mended_and_noted_and_the_post_is_kept(tmp_path: Path, as_array: bool) -> None:
    if as_array:
        f = tmp_path / "posts.json"
        f.write_bytes(b"[" + b",\n".join(LINES[:5]) + b"]")
    else:
        f = tmp_path / "posts.jsonl"
        f.write_bytes(b"\n".join(LINES) + b"\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        res = ingest(st, [str(f)]).files[0]
        assert res.stored == 5 and res.repaired == 3
        assert res.rejected == (0 if as_array else 1)
        texts = dict(st.sql("SELECT post_id, text FROM posts"))
        assert texts["1002"] == "cut emoji \ufffd" and texts["1004"] == "whole emoji \U0001F600"
        names = dict(st.sql("SELECT account_id, display_name FROM accounts"))
        assert names["41"] == "Bob \ufffd Smith"
        bios = dict(st.sql("SELECT account_id, description FROM accounts"))
        assert bios["43"] == "\ufffd bio" and bios["40"] == "about me"
        notes = dict(st.sql("SELECT line, error FROM rejected WHERE starts_with(error, ?)", [REPAIRED]))
        assert set(notes) == {2, 3, 4}
        assert "user.name" in notes[2] and "text" in notes[3] and "user.description" in notes[4]
        raw = dict(st.sql("SELECT line, raw FROM rejected WHERE starts_with(error, ?)", [REPAIRED]))
        assert "\\ud800" in raw[2]  # the original record, escape and all, is kept
        assert st.sql("SELECT rejected FROM sources")[0][0] == res.rejected  # a note is not a lost record


def test_a_file_whose_every_line_has_one_is_still_recognised(tmp_path: Path) -> None:
    f = tmp_path / "all.jsonl"
    f.write_bytes(line(status(1, name="\ud800")) + b"\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        res = ingest(st, [str(f)]).files[0]
        assert res.format == "twitter-v1.1" and res.stored == 1 and res.repaired == 1


def test_other_json_faults_keep_orjson_s_verdict() -> None:
    for bad in (b'{"a": NaN, "b": "\\ud800"}', b'{"a": "\\ud800"', b'{"a": "\xff\\ud800"}'):
        with pytest.raises(ValueError):
            loads_repairing(bad)
    obj, paths = loads_repairing(b'{"k\\udc00": ["x", "\\ud800"]}')
    assert obj == {"k\ufffd": ["x", "\ufffd"]} and len(paths) == 2


def test_status_and_report_count_repairs_apart_from_rejections(tmp_path: Path) -> None:
    from botwatch.report.section_overview import study_summary

    f = tmp_path / "posts.jsonl"
    f.write_bytes(b"\n".join(LINES) + b"\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        s = study_summary(st)
        from botwatch.report.build import build_report

        html = build_report(st, tmp_path / "r.html", exports=False).read_text(encoding="utf-8")
    assert s["rejected"] == 1 and s["repaired"] == 3
    assert "1 input record could not be read" in html and "3 records were stored after a repair" in html
    assert "\\ud800" in html  # the kept original, shown as read


def test_spark_tasks_count_repair_notes_apart_too(tmp_path: Path) -> None:
    """The executor side of `--engine spark` (plain Python, no JVM): the file's row counts the note
    among the staged rejected rows it sends, but not in its count of rejected records."""
    from botwatch.engines.spark_stage import stage_one

    f = tmp_path / "posts.jsonl"
    f.write_bytes(b"\n".join(LINES) + b"\n")
    batches = list(stage_one(0, str(f), {}, False, 1 << 20))
    meta = batches[-1].column("meta").to_pylist()[0]
    sent = sum(b.num_rows for b in batches if b.column("_kind")[0].as_py() == "rejected")
    assert sent == 4 and meta["n_rejected"] == 1


def test_the_native_path_hands_such_lines_to_the_same_repair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB's reader (large v1.1 files) cannot parse the line; it is flagged and read by the
    Python reader, so both paths store and note the same."""
    from botwatch.ingest import runner

    f = tmp_path / "posts.jsonl"
    # (the native path declines a file of mostly odd lines: so enough ordinary ones, and no truncated one)
    f.write_bytes(b"\n".join(LINES[:5] + [line(status(i)) for i in range(5, 15)]) + b"\n")
    seen = {}
    loaded: list[object] = []
    real = runner.load_native
    monkeypatch.setattr(runner, "load_native", lambda *a, **k: loaded.append(real(*a, **k)) or loaded[-1])
    for native in (False, True):
        monkeypatch.setattr(runner, "NATIVE_MIN_BYTES", 0 if native else 1 << 62)
        with open_study(tmp_path / f"{native}.duckdb", read_only=False) as st:
            res = ingest(st, [str(f)], workers=1).files[0]
            seen[native] = (res.format, res.stored, res.rejected, res.repaired,
                            st.sql("SELECT post_id, text FROM posts ORDER BY 1"), st.sql("SELECT * FROM rejected ORDER BY line"))
    assert len(loaded) == 1 and loaded[0] is not None  # DuckDB read the file the second time
    assert seen[True] == seen[False]


def test_a_mastodon_stream_payload_is_mended_too(tmp_path: Path) -> None:
    """A WebSocket envelope carries the status as JSON text inside a string: an escape in that
    inner text is mended and noted like one in the line itself."""
    status = {"id": "101", "uri": "https://fake.social/users/u1/statuses/101", "created_at": "2026-11-30T05:00:00.000Z",
              "content": "<p>hi</p>", "language": "en", "tags": [],
              "account": {"id": "1", "acct": "u1", "url": "https://fake.social/@u1", "username": "u1", "display_name": "Ann \ud800"}}
    lines = [json.dumps({"stream": ["public"], "event": "update", "payload": json.dumps(status)}).encode()]
    f = tmp_path / "ws.jsonl"
    f.write_bytes(b"\n".join(lines * 2) + b"\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        res = ingest(st, [str(f)]).files[0]
        assert res.stored == 1 and res.rejected == 0 and res.repaired == 2
        assert st.sql("SELECT display_name FROM accounts")[0][0] == "Ann \ufffd"
        notes = [e for (e,) in st.sql("SELECT error FROM rejected")]
        assert all(e.startswith(REPAIRED) and "payload.account.display_name" in e for e in notes)


def test_a_stream_line_mended_in_envelope_and_payload_is_one_repair(tmp_path: Path) -> None:
    """The envelope (read by the line reader) and the status escaped inside it (read by the stream
    handler) each hold a lone surrogate: still one record stored after one repair, so one note
    (naming both places) and a count of one, not two."""
    status = {"id": "102", "uri": "https://fake.social/users/u2/statuses/102", "created_at": "2026-11-30T05:00:00.000Z",
              "content": "<p>hi</p>", "language": "en", "tags": [],
              "account": {"id": "2", "acct": "u2", "url": "https://fake.social/@u2", "username": "u2", "display_name": "Bo \udc00"}}
    envelope = {"stream": ["hashtag \ud83d"], "event": "update", "payload": json.dumps(status)}
    ordinary = {**envelope, "stream": ["public"], "payload": json.dumps({**status, "id": "103", "uri": status["uri"][:-1] + "3",
                                                                                  "account": {**status["account"], "display_name": "Bo"}})}
    f = tmp_path / "ws.jsonl"
    f.write_bytes(json.dumps(envelope).encode() + b"\n" + json.dumps(ordinary).encode() + b"\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        res = ingest(st, [str(f)]).files[0]
        assert res.stored == 2 and res.rejected == 0 and res.repaired == 1
        notes = st.sql("SELECT line, error FROM rejected")
        assert len(notes) == 1 and notes[0][0] == 1
        assert notes[0][1].startswith(REPAIRED) and "payload.account.display_name" in notes[0][1] and "stream[0]" in notes[0][1]


def test_the_sink_keeps_one_note_per_line_across_a_batch_boundary() -> None:
    """A note that filled a batch stays buffered until the next row, so a second repair of its
    line still joins it rather than becoming a second row."""
    from botwatch.ingest.sink import RowSink

    out: list[tuple[str, int]] = []
    sink = RowSink(lambda name, t: out.extend(zip(t.column("error").to_pylist(), t.column("line").to_pylist())), "f", "x", batch_rows=2)
    sink.reject(1, "bad", b"x")
    sink.repair(2, "inner", b"y")
    sink.repair(2, "outer", b"{y}")
    sink.repair(3, "other", b"z")
    sink.flush()
    assert [line for _, line in out] == [1, 2, 3]
    assert out[1][0] == REPAIRED + "inner; outer" and sink.counts["repaired"] == 2 and sink.counts["rejected"] == 1


def test_the_overview_keeps_a_space_between_the_rejected_and_the_repaired_sentences() -> None:
    """The template's line break after the rejected sentence is trimmed (trim_blocks), so the
    overview read "kept aside (see below).3 records were stored after a repair"."""
    from types import SimpleNamespace

    from botwatch.report.sections import render

    s = dict(posts=1, accounts_posting=1, accounts=1, first="a", last="b", sources=1, rereads=0, rejected=2, repaired=3, breaks=0,
             cut_files=0, by_format=[], by_kind=[], by_lang=[], files=[], rejected_rows=[])
    html = render("overview.html.j2", s=s, chart="", unit="day", rs=SimpleNamespace(known_only_as="x"))
    assert "(see below). 3 records were stored after a repair" in html, html
