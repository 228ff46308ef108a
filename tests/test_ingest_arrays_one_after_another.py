"""JSON arrays written one after another (`jq . a.json b.json > s.json` of two array files, `cat`
of them): the first array's statuses were read and the whole second array was one rejected
element ("expected a JSON object, got list"). Each array's elements are now records. Real
records: tests/fixtures/ingest/v1_uklabour.jsonl (README there)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from botwatch import open_study
from botwatch.ingest import json_array
from botwatch.ingest.json_array import array_elements
from botwatch.ingest.runner import ingest

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
STATUSES = [json.loads(l) for l in (FIX / "v1_uklabour.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("between", ["\n", ",\n", ""])
def test_each_array_of_a_file_of_several_is_read(tmp_path: Path, between: str) -> None:
    f = tmp_path / "both.json"
    f.write_text(json.dumps(STATUSES[:3], indent=2) + between + json.dumps(STATUSES[3:]) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        summary = ingest(st, [str(f)], workers=1)
        assert summary.files[0].read == len(STATUSES)
        assert set(st.pandas("posts")["post_id"]) == {s["id_str"] for s in STATUSES}
        assert st.pandas("rejected").empty


def test_text_after_an_array_that_is_no_array_is_still_one_rejected_element(monkeypatch: pytest.MonkeyPatch) -> None:
    text = b'[{"a": 1}, {"a": 2}]\n[{"a": 3}] junk {"a": 4}\n[{"a": 5}]'
    for block in (1 << 20, 3, 1):
        monkeypatch.setattr(json_array, "_BLOCK", block)
        got = [(v.number, v.data) for v in array_elements(io.BytesIO(text), 1 << 20)]
        assert got == [(1, b'{"a": 1}'), (2, b'{"a": 2}'), (3, b'{"a": 3}'), (4, b'junk {"a": 4}\n[{"a": 5}]')]


def test_an_array_on_one_line_among_records_is_rejected_with_the_way_to_split_it(tmp_path: Path) -> None:
    """A line holding an array of statuses in a file of one status a line was rejected as "expected
    a JSON object, got list", which named neither the fault nor the mend; no format this reads
    writes such lines, so it stays rejected, saying how many values it held and how to split it."""
    f = tmp_path / "mixed.jsonl"
    f.write_text("\n".join([json.dumps(STATUSES[0]), json.dumps(STATUSES[1:3]), json.dumps(STATUSES[3])]) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        summary = ingest(st, [str(f)], workers=1)
        rej = st.pandas("rejected")
    assert summary.files[0].read == 3 and list(rej["line"]) == [2]
    assert "got an array of 2 values" in rej["error"][0] and """jq -c 'if type == "array" then .[] else . end'""" in rej["error"][0]
