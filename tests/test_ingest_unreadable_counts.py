"""A file no reader knows is kept aside as one `rejected` row (line 0, "unreadable input: ...") and
counted as a failed input. Counted as a rejected record as well, the summary said "rejected 1"
while every file's own line said "rejected 0" (a walk with a gop-debate-2015 CSV and a damaged
copy of it): the summary's totals must be the sum of the lines above it plus the inputs it names."""

from __future__ import annotations

import os
import re
from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

_MAP = "account_id=author,handle=author,created_at=created_at,text=text"


def _summary_row(output: str) -> dict[str, str]:
    """The summary table's header and its one row, as {column: value}."""
    lines = [ln for ln in output.split("Ingest summary")[1].splitlines() if "┃" in ln or "│" in ln]
    head = [c.strip() for c in lines[0].strip("┃").split("┃")]
    row = [c.strip() for c in lines[1].strip("│").split("│")]
    return dict(zip(head, row))


def test_an_unreadable_file_is_failed_not_a_rejected_record(tmp_path: Path) -> None:
    good = tmp_path / "gop.csv"
    good.write_text("author,created_at,text\nann,2015-08-07T01:00:00Z,one\nbob,2015-08-07T01:00:01Z,two\n")
    junk = tmp_path / "gop-damaged.csv.gz"
    junk.write_bytes(os.urandom(2000))
    study = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["ingest", str(study), str(junk), str(good), "--workers", "1", "--columns", _MAP])
    assert res.exit_code == 1, res.output
    out = re.sub(r"\s+", " ", res.output)
    assert "unreadable " in out and "rejected 0, accounts 2" in out, out
    row = _summary_row(res.output)
    assert (row["rejected"], row["failed"], row["stored"]) == ("0", "1", "2"), row
    assert "What was wrong with each failed input is kept in the study" in out and "Rejected records are kept" not in out, out
    with open_study(study) as st:
        message = st.sql("SELECT message FROM runs WHERE stage = 'ingest'")[0][0]
        kept = st.sql("SELECT count(*) FROM rejected WHERE error LIKE 'unreadable input:%'")[0][0]
    assert message == "read 2, stored 2, duplicates 0, rejected 0, failed 1", message
    assert kept == 1  # still located in `rejected`, so the user can see which file and why
