"""A file no reader knows is kept aside as one `rejected` row (line 0, "unreadable input: ...") and
counted as a failed input. Counted as a rejected record as well, the summary said "rejected 1"
while every file's own line said "rejected 0" (a walk with a gop-debate-2015 CSV and a damaged
copy of it): the summary's totals must be the sum of the lines above it plus the inputs it names."""

from __future__ import annotations

import json
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


def _text(html: str) -> str:
    """A section's HTML as the words a reader sees, spaces folded."""
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", "", html))


def test_status_and_the_report_count_an_unreadable_file_as_ingest_does(tmp_path: Path) -> None:
    """The ingest summary said "rejected 0, failed 1" for a junk file beside a good one, while
    `status` (and its JSON) said "rejected records 1" and the report's overview "1 input record could
    not be read", Methods "1 could not be read": its row in `rejected` locates a failed input, no
    record. Every place now counts records as the summary does, and names the file as failed."""
    from botwatch.report.section_methods import methods
    from botwatch.report.section_overview import overview

    good = tmp_path / "gop.csv"
    good.write_text("author,created_at,text\nann,2015-08-07T01:00:00Z,one\nbob,2015-08-07T01:00:01Z,two\n")
    (tmp_path / "junk.csv.gz").write_bytes(os.urandom(2000))
    study = tmp_path / "s.duckdb"
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(study), str(tmp_path / "junk.csv.gz"), str(good), "--workers", "1", "--columns", _MAP])
    row = _summary_row(res.output)
    assert (row["rejected"], row["failed"]) == ("0", "1"), row
    said = re.sub(r"\s+", " ", runner.invoke(app, ["status", str(study)]).output)
    assert "rejected records 0; 1 input failed as unreadable" in said, said
    assert "1 file unreadable (failed)" in said, said
    doc = json.loads(runner.invoke(app, ["status", str(study), "--json"]).output)
    assert (doc["counts"]["rejected"], doc["counts"]["unreadable_files"]) == (0, 1), doc["counts"]
    assert [(e["records"], e["unreadable"], e["cut_short"]) for e in doc["rejected_by_error"]] == [(1, True, False)]
    with open_study(study) as st:
        over, how = _text(str(overview(st, {}).html)), _text(methods(st, {}).html)
    assert "No input was rejected." in over and "1 input file failed: not a format botwatch reads" in over, over
    assert "junk.csv.gz" in over and "unreadable (failed input)" in over, over
    assert "and 0 could not be read" in how and "1 input file was not a format botwatch reads: a failed input" in how, how


def test_methods_reason_table_names_an_unreadable_file_as_a_failed_input(tmp_path: Path) -> None:
    """Methods' "Rejected records by reason" table counted an unreadable file's row as 1 record beside
    "and 0 could not be read" in its own sentence and `status`'s "1 file unreadable (failed)": the row is
    said as the file it is, as a cut .gz's break is."""
    from botwatch.report.section_methods import methods

    good = tmp_path / "gop.csv"
    good.write_text("author,created_at,text\nann,2015-08-07T01:00:00Z,one\n")
    (tmp_path / "junk.csv.gz").write_bytes(os.urandom(2000))
    study = tmp_path / "s.duckdb"
    CliRunner().invoke(app, ["ingest", str(study), str(tmp_path / "junk.csv.gz"), str(good), "--workers", "1", "--columns", _MAP])
    with open_study(study) as st:
        html = methods(st, {}).html
    row = re.search(r"<tr><td>unreadable input: .*?</tr>", html)
    assert row is not None, html
    assert "1 file unreadable (a failed input, no record)" in _text(row.group(0)), row.group(0)
