"""`export … -o x.jsonl` (or .json, or `-o -`) wrote a NaN share as a bare `NaN`: the demo study's
`creation` table of a group with no accounts holds NaN shares, and `jq`, JavaScript and any strict
JSON reader refused the whole file. A NaN or infinite float is now written as null there; Parquet
and CSV keep it as it is."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import Study

runner = CliRunner()


def _strict(text: str) -> object:
    def refuse(word: str) -> None:
        raise ValueError(f"not JSON: {word}")

    return json.loads(text, parse_constant=refuse)


def test_nan_and_infinity_are_null_in_json_exports(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    st = Study(path)
    st.sql("CREATE TABLE creation AS SELECT * FROM (VALUES ('a', 'nan'::DOUBLE, 'inf'::DOUBLE, 0.25::DOUBLE, 3), "
           "('b', 0.5::DOUBLE, '-inf'::DOUBLE, NULL::DOUBLE, 4)) t(value, share, diff, low, n)")
    st.close()
    lines = tmp_path / "c.jsonl"
    assert runner.invoke(app, ["export", str(path), "creation", "-o", str(lines)]).exit_code == 0
    rows = [_strict(x) for x in lines.read_text().splitlines()]
    assert rows == [{"value": "a", "share": None, "diff": None, "low": 0.25, "n": 3}, {"value": "b", "share": 0.5, "diff": None, "low": None, "n": 4}]
    array = tmp_path / "c.json"
    assert runner.invoke(app, ["export", str(path), "creation", "-o", str(array)]).exit_code == 0
    assert _strict(array.read_text()) == rows
    res = runner.invoke(app, ["export", str(path), "creation", "-o", "-"])
    assert res.exit_code == 0 and [_strict(x) for x in res.stdout.splitlines() if x.startswith("{")] == rows
    # The types the sidecar gives stay the table's: a float column is still DOUBLE.
    side = json.loads((tmp_path / "c.jsonl.schema.json").read_text())
    assert {c["name"]: c["type"] for c in side["columns"]}["share"] == "DOUBLE"
