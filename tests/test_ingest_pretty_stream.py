"""JSON objects written one after another, not one a line: `jq . a.json b.json > s.json`, `cat` of
pretty-printed files, or objects apart by commas. Such a file was refused with a hint to rewrite
it with `jq -c` (pretty-printed), or had every record after the first rejected (one a line, each
followed by a comma); each object is now a record, numbered by the line it starts on, a broken
one rejected alone. Real records: the committed slices of tests/fixtures/ingest (README there)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from botwatch import open_study
from botwatch.ingest import json_array
from botwatch.ingest.json_array import top_level_values
from botwatch.ingest.runner import ingest

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
STATUSES = [json.loads(l) for l in (FIX / "v1_uklabour.jsonl").read_text().splitlines()]
IDS = {s["id_str"] for s in STATUSES}


def _ingest(tmp_path: Path, f: Path, name: str = "s.duckdb", **kw):
    st = open_study(tmp_path / name, read_only=False)
    return st, ingest(st, [str(f)], workers=1, **kw)


@pytest.mark.parametrize("packed", [False, True])
def test_pretty_printed_statuses_one_after_another_are_each_a_record(tmp_path: Path, packed: bool) -> None:
    text = "".join(json.dumps(s, indent=2) + "\n" for s in STATUSES).encode()
    f = tmp_path / ("out.json.gz" if packed else "out.json")
    f.write_bytes(gzip.compress(text) if packed else text)
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].format == "twitter-v1.1" and summary.files[0].read == len(STATUSES)
    assert set(st.pandas("posts")["post_id"]) == IDS and st.pandas("rejected").empty


def test_a_broken_object_among_them_is_rejected_at_its_first_line_and_the_rest_read(tmp_path: Path) -> None:
    pretty = [json.dumps(s, indent=2) for s in STATUSES]
    broken = '{\n  "id_str": "5",\n  "text": "a" "b"\n}'
    text = "\n".join(pretty[:2] + [broken] + pretty[2:]) + "\n"
    f = tmp_path / "out.json"
    f.write_text(text)
    st, summary = _ingest(tmp_path, f)
    rej = st.pandas("rejected")
    starts = 1 + sum(p.count("\n") + 1 for p in pretty[:2])
    assert list(rej["line"]) == [starts] and text.splitlines()[starts - 1] == "{" and '"a" "b"' in rej["raw"][0]
    assert set(st.pandas("posts")["post_id"]) == IDS
    assert summary.files[0].read == len(STATUSES) + 1  # read = stored + rejected: nothing lost unsaid


def test_twarc2_pages_pretty_printed_count_as_the_same_pages_one_a_line(tmp_path: Path) -> None:
    lines = gzip.decompress((FIX / "twarc2_stream_with_error.jsonl.gz").read_bytes()).decode().splitlines()
    good, cut = lines[:-1], lines[-1]  # the fixture's last record is cut short
    pretty = tmp_path / "pages.json"
    pretty.write_text("".join(json.dumps(json.loads(l), indent=2) + "\n" for l in good) + cut + "\n")
    one_a_line = tmp_path / "pages.jsonl"
    one_a_line.write_text("\n".join(lines) + "\n")
    st, summary = _ingest(tmp_path, pretty)
    ref, ref_summary = _ingest(tmp_path, one_a_line, "ref.duckdb")
    assert summary.files[0].format == ref_summary.files[0].format
    assert summary.files[0].read == ref_summary.files[0].read == len(lines)
    assert sorted(st.pandas("posts")["post_id"]) == sorted(ref.pandas("posts")["post_id"])
    assert len(st.pandas("rejected")) == len(ref.pandas("rejected")) == 1


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("trailing", [False, True])
def test_objects_apart_by_commas_are_each_a_record(tmp_path: Path, indent: int | None, trailing: bool) -> None:
    """One a line with a comma after each (a JSON array without its brackets) rejected every
    record after the first as invalid JSON; with a comma after the last, or pretty-printed, the
    file was refused."""
    body = ",\n".join(json.dumps(s, indent=indent) for s in STATUSES) + (",\n" if trailing else "\n")
    f = tmp_path / "out.json"
    f.write_text(body)
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].read == len(STATUSES)
    assert set(st.pandas("posts")["post_id"]) == IDS and st.pandas("rejected").empty


def test_reading_them_again_stores_nothing_new(tmp_path: Path) -> None:
    f = tmp_path / "out.json"
    f.write_text("".join(json.dumps(s, indent=2) + "\n" for s in STATUSES) + "{\n  \"broken\": \n}\n")
    st, _ = _ingest(tmp_path, f)
    posts, rejected = len(st.pandas("posts")), len(st.pandas("rejected"))
    again = ingest(st, [str(f)], workers=1, force=True)
    assert again.files[0].read == len(STATUSES) + 1
    assert (len(st.pandas("posts")), len(st.pandas("rejected"))) == (posts, rejected) == (len(IDS), 1)


def _cut_alike_at_every_read_size(monkeypatch: pytest.MonkeyPatch, text: bytes, blocks: tuple[int, ...]) -> list[tuple[int, bytes]]:
    """`top_level_values` of `text` as (line number, bytes), read in blocks of each size in turn
    (`json_array._BLOCK`); asserts every size cuts the same values at the same lines."""
    want: list[tuple[int, bytes]] | None = None
    for block in blocks:
        monkeypatch.setattr(json_array, "_BLOCK", block)
        got = [(v.number, v.data) for v in top_level_values(io.BytesIO(text), 1 << 20)]
        want = want or got
        assert got == want, block
    assert want is not None
    return want


def test_values_are_cut_alike_whatever_the_read_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings holding brackets, quotes and commas, a stray word and closing bracket between
    values, and reads that end anywhere: the same values, at the same lines."""
    objs = [{"n": i, "s": 'x}{"],' * i, "deep": {"a": [1, {"b": "]"}]}} for i in range(4)]
    text = (json.dumps(objs[0], indent=2) + "\njunk }\n" + json.dumps(objs[1]) + json.dumps(objs[2])
            + " ,\n\n" + json.dumps(objs[3], indent=1) + ",").encode()
    want = _cut_alike_at_every_read_size(monkeypatch, text, (1 << 20, 5, 1))
    first = json.dumps(objs[0], indent=2).count("\n") + 1
    assert [n for n, _ in want] == [1, first + 1, first + 2, first + 2, first + 4]
    assert [json.loads(d) for n, d in want if n != first + 1] == objs and want[1][1] == b"junk }"


@pytest.mark.parametrize("layout", ["pretty", "one a line", "pretty array", "array one a line"])
def test_an_unclosed_string_is_rejected_alone_and_the_values_after_it_read(tmp_path: Path, layout: str) -> None:
    """A string never closed (`"text": "unterminated`) turned every later string inside out: the
    broken value held all the statuses after it, one rejected row. JSON has no raw newline in a
    string, so the string ends at its line's end: the broken value is rejected at its own line."""
    pretty = layout.startswith("pretty")
    values = [json.dumps(s, indent=2 if pretty else None) for s in STATUSES]
    broken = '{\n  "id_str": "5",\n  "text": "unterminated\n}' if pretty else '{"id_str": "5", "text": "unterminated}'
    body = ",\n".join(values[:1] + [broken] + values[1:])
    f = tmp_path / "out.json"
    f.write_text(f"[\n{body}\n]\n" if "array" in layout else body + "\n")
    st, summary = _ingest(tmp_path, f)
    rej = st.pandas("rejected")
    at = 2 if "array" in layout else 1 + values[0].count("\n") + 1  # element number, or the line it starts on
    assert list(rej["line"]) == [at] and rej["raw"][0] == broken + ("" if pretty else ",")  # its comma was in the string
    assert set(st.pandas("posts")["post_id"]) == IDS and summary.files[0].read == len(STATUSES) + 1


def test_an_unclosed_string_is_cut_alike_whatever_the_read_size(monkeypatch: pytest.MonkeyPatch) -> None:
    text = b'{"a": "x\n{"b": 1},\n{\n "c": "y\n,"d": [1]\n}\n[{"e": "z\n{"f": 2}\n'
    want = _cut_alike_at_every_read_size(monkeypatch, text, (1 << 20, 7, 1))
    assert want == [(1, b'{"a": "x'), (2, b'{"b": 1}'), (3, b'{\n "c": "y\n,"d": [1]\n}'), (7, b'[{"e": "z'), (8, b'{"f": 2}')]


def test_stray_closing_brackets_cost_one_scan_of_the_block_not_one_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each closing bracket with nothing open scanned the rest of the block again: 40,000 of them
    (80 KB) took minutes. Depth is now floored at 0 in the one scan; the values are cut as before."""
    calls = []
    scan = json_array._structure
    monkeypatch.setattr(json_array, "_structure", lambda *a, **k: calls.append(1) or scan(*a, **k))
    text = b'{"a": 1}\n' + b"}\n" * 1000 + b'{"b": [2]}\n} ] x\n{"c": "}"}'
    got = [(v.number, v.data) for v in top_level_values(io.BytesIO(text), 1 << 20)]
    assert len(calls) == 1
    assert got == [(1, b'{"a": 1}'), (2, (b"}\n" * 1000).strip()), (1002, b'{"b": [2]}'), (1003, b"} ] x"), (1004, b'{"c": "}"}')]


@pytest.mark.parametrize("broken", ['{\n  "id_str": "5"\n  "text": "b"\n}', '{\n  "id_str": "5",\n  "text": "unterminated\n}'])
@pytest.mark.parametrize("indent", [None, 2])
def test_a_broken_first_object_is_rejected_alone_and_the_rest_read(tmp_path: Path, broken: str, indent: int | None) -> None:
    """The layout was judged by the first object alone: a broken one (a missing comma, an unclosed
    string) had the whole file refused as "no record in the first lines matches a known format"."""
    values = [json.dumps(s, indent=indent) for s in STATUSES]
    f = tmp_path / "out.json"
    f.write_text((",\n" if indent is None else "\n").join([broken] + values) + "\n")
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].format == "twitter-v1.1" and summary.files[0].read == len(STATUSES) + 1
    rej = st.pandas("rejected")
    assert list(rej["line"]) == [1] and rej["raw"][0].startswith(broken.split("\n")[0] + "\n")
    assert set(st.pandas("posts")["post_id"]) == IDS


@pytest.mark.parametrize("broken", ['{"id_str": "5", "text": {"unclosed": 1', '{"id_str": "5", "text": "unterminated}'])
def test_json_lines_behind_a_broken_first_line_are_still_read_line_by_line(tmp_path: Path, broken: str) -> None:
    f = tmp_path / "out.jsonl"
    f.write_text(broken + "\n" + "".join(json.dumps(s) + "\n" for s in STATUSES))
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].read == len(STATUSES) + 1 and list(st.pandas("rejected")["line"]) == [1]
    assert set(st.pandas("posts")["post_id"]) == IDS


CUT = '{"id_str": "5", "text": "cut here, "entities": {"user_mentions": [{"id": 1}, {"id": 2}]}, "lang": "en"}'


@pytest.mark.parametrize("end", ["\n", ""])  # `json.dump` writes no newline at the end
@pytest.mark.parametrize("block", [1 << 20, 97])
def test_a_compact_array_reads_on_after_an_unclosed_string(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, end: str) -> None:
    """`[{...},{...}]` on one line: an unclosed string ran to the line's end, and the broken element
    held every element after it, all lost as one rejected row. The elements after it are found
    again (not at a comma inside its own later lists)."""
    monkeypatch.setattr(json_array, "_BLOCK", block)
    values = [json.dumps(s) for s in STATUSES]
    f = tmp_path / "out.json"
    f.write_text("[" + ",".join(values[:1] + [CUT] + values[1:]) + "]" + end)
    st, summary = _ingest(tmp_path, f)
    rej = st.pandas("rejected")
    assert list(rej["line"]) == [2] and list(rej["raw"]) == [CUT]
    assert set(st.pandas("posts")["post_id"]) == IDS and summary.files[0].read == len(STATUSES) + 1


def _space_matches_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one at each whitespace match of `json_array` (its `_SPACE`): how many
    places the search for the next value looked at, the cost these tests bound."""
    calls: list[int] = []
    space = json_array._SPACE

    class Counted:
        def match(self, *a: object) -> object:
            calls.append(1)
            return space.match(*a)  # type: ignore[arg-type]

    monkeypatch.setattr(json_array, "_SPACE", Counted())
    return calls


def test_looking_for_the_next_element_costs_one_pass_not_one_per_comma(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where no element is found again (text after the array's bracket), each comma's run of
    values was decoded anew from it: 8,000 elements (80 KB) took 90 s. A value start an earlier
    run failed from is not tried again; the line is one rejected element, as before."""
    calls = _space_matches_counted(monkeypatch)
    n = 8000
    text = b'[{"a": "x' + b',{"b": [{}, {"c": [1]}]}' * n + b"]junk\n"
    got = list(json_array.array_elements(io.BytesIO(text), 1 << 24))
    assert [len(e.data) for e in got] == [len(text) - 2] and len(calls) < 6 * n


def test_a_compact_array_cut_short_inside_a_list_is_not_split_there() -> None:
    """A file cut short in a string ends like an unclosed one: a comma inside the last element's
    own list, whose values run to the cut, is no next element (its items were read as statuses)."""
    first = json.dumps(STATUSES[0])
    last = '{"id_str": "7", "entities": {"urls": [{"u": 1}, {"u": 2}, {"u": "cut sh'
    got = [e.data for e in json_array.array_elements(io.BytesIO(f"[{first},{last}".encode()), 1 << 20)]
    assert got == [first.encode(), last.encode()]


def test_a_compact_array_longer_than_the_head_whose_first_element_is_broken_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The broken first element runs past the head the format is judged by, so no element cut from
    it parsed and the file was refused as matching no format (with the head shrunk to 8 KB here, as
    a real one of 1 MB is for a longer file)."""
    from botwatch.ingest import formats, source

    monkeypatch.setattr(source, "HEAD_BYTES", 8192)
    monkeypatch.setattr(formats, "SNIFF_BYTES", 8192)
    f = tmp_path / "out.json"
    f.write_text("[" + ",".join([CUT] + [json.dumps(s) for s in STATUSES]) + "]")
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].format == "twitter-v1.1" and list(st.pandas("rejected")["line"]) == [1]
    assert set(st.pandas("posts")["post_id"]) == IDS and summary.files[0].read == len(STATUSES) + 1


@pytest.mark.parametrize("at", [0, 2])
@pytest.mark.parametrize("end", ["\n", ",\n", ""])
def test_objects_apart_by_commas_on_one_line_read_on_after_an_unclosed_string(tmp_path: Path, at: int, end: str) -> None:
    """`{"text": "cut}, {...}, {...}` on one line (not in an array): the unclosed string ran to the
    line's end and the broken object held every good one after it, one rejected row (and, first in
    the file, the file was refused as matching no format). The good ones are found again, each
    numbered by the line, and the broken one is rejected alone."""
    values = [json.dumps(s) for s in STATUSES]
    broken = '{"id_str": "5", "text": "cut}'
    f = tmp_path / "out.json"
    f.write_text(", ".join(values[:at] + [broken] + values[at:]) + end)
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].format == "twitter-v1.1" and summary.files[0].read == len(STATUSES) + 1
    rej = st.pandas("rejected")
    assert list(rej["line"]) == [1] and list(rej["raw"]) == [broken]
    assert set(st.pandas("posts")["post_id"]) == IDS


def test_finding_objects_again_after_an_unclosed_string_costs_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """80 KB of objects apart by commas after an unclosed string, with text at the end that no run
    reaches past (so none is found again), and the same with none there (all found again): each is
    looked through once, not once per comma."""
    calls = _space_matches_counted(monkeypatch)
    n = 8000
    tail = b',{"b": [{}, {"c": [1]}]}' * n
    got = list(top_level_values(io.BytesIO(b'{"a": "x' + tail + b" junk\n"), 1 << 24))
    assert [len(v.data) for v in got] == [len(b'{"a": "x' + tail + b" junk")] and len(calls) < 6 * n
    calls.clear()
    got = list(top_level_values(io.BytesIO(b'{"a": "x' + tail + b"\n"), 1 << 24))
    assert [v.data for v in got] == [b'{"a": "x'] + [b'{"b": [{}, {"c": [1]}]}'] * n and len(calls) < 6 * n
    assert {v.number for v in got} == {1}


def test_a_line_of_many_bad_values_after_commas_is_given_up_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each bad value a comma's run met raised an error that counts the lines before it, reading
    the line up to there again: 40,000 of them (360 KB) took 8 s, and a line at the 16 MB record
    limit hours. That reading now counts against the budget of the search, which gives up in time;
    the line is one rejected element, as before."""
    import types

    read: list[int] = []

    class Decoder(json.JSONDecoder):
        def raw_decode(self, s: str, idx: int = 0):  # type: ignore[no-untyped-def, override]
            try:
                return super().raw_decode(s, idx)
            except json.JSONDecodeError as exc:
                read.append(exc.pos)
                raise

    monkeypatch.setattr(json_array, "json", types.SimpleNamespace(JSONDecoder=Decoder, JSONDecodeError=json.JSONDecodeError))
    text = b'[{"a": "x' + b', {"b": "' * 40_000 + b"]\n"
    assert [len(e.data) for e in json_array.array_elements(io.BytesIO(text), 1 << 24)] == [len(text) - 2]  # to the line's end, its bracket in the string
    assert sum(read) < 8 * len(text), (len(read), sum(read))


@pytest.mark.parametrize("at", [0, 1])
@pytest.mark.parametrize("end", ["\n", ""])
def test_objects_apart_by_spaces_on_one_line_read_on_after_an_unclosed_string(tmp_path: Path, at: int, end: str) -> None:
    """`{"text": "cut} {...} {...}` on one line: values apart by whitespace alone, as this layout
    allows. Only a comma was looked for after the unclosed string, so the broken object held the
    good ones after it, one rejected row. Both are now stored, the broken one rejected alone with
    its line, and a following line read as ever."""
    values = [json.dumps(s) for s in STATUSES[:3]]
    broken = '{"id_str": "5", "text": "cut} {'
    f = tmp_path / "out.json"
    f.write_text(" ".join(values[:at] + [broken] + values[at:2]) + "\n" + values[2] + end)
    st, summary = _ingest(tmp_path, f)
    assert summary.files[0].format == "twitter-v1.1" and summary.files[0].read == 4
    rej = st.pandas("rejected")
    assert list(rej["line"]) == [1] and list(rej["raw"]) == [broken]
    assert set(st.pandas("posts")["post_id"]) == {s["id_str"] for s in STATUSES[:3]}

