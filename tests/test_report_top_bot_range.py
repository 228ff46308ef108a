"""The report's "Accounts with the highest bot probability" table showed a bare "Bot p" where
`botwatch explain` gives the plausible range beside it: an election observer read 0.58 as sure
where explain said "0.31 to 0.79". The table now gives the same range, written by the same
function (`prob_text.plausible_range`), so the two never round apart."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app


def test_the_top_table_gives_the_range_explain_gives(analysed_sample_path: Path) -> None:
    from botwatch.report.context import report_context
    from botwatch.report.section_accounts import _top_accounts, accounts_section

    with open_study(analysed_sample_path, read_only=True) as st:
        top = _top_accounts(st)
        sec = accounts_section(st, report_context(st))
    assert sec is not None and top
    first = top[0]
    assert first["handle"], first  # the sample's accounts have handles: explain finds it by one
    res = CliRunner().invoke(app, ["explain", str(analysed_sample_path), f"@{first['handle']}"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    said = re.search(r"Plausible range: (.+? to \S+)", res.output)
    assert said is not None, res.output
    assert first["range"] == said.group(1), (first["range"], said.group(1))
    html = str(sec.html)
    assert "Bot p (plausible range)" in html
    row = html[html.index(f"@{first['handle']}"):]
    assert f"<br><small>{escape(said.group(1))}</small>" in row[:row.index("</tr>")], row[:400]


def test_a_study_scored_before_the_range_columns_shows_none(tmp_path: Path) -> None:
    """An older study's `account_scores` has no low/high columns: no range, and no error."""
    import pyarrow as pa

    from botwatch.report.section_accounts import _top_accounts
    from botwatch.study import Study

    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("accounts", pa.table({"platform": ["twitter"], "account_id": ["1"], "handle": ["old"]}))
        st.write_table("account_scores", pa.table({
            "platform": ["twitter"], "account_id": ["1"], "bot_probability": [0.6], "origin_country": ["US"],
            "origin_probability": [0.9], "n_posts": pa.array([3], pa.int64()), "bot_evidence": ["[]"], "origin_evidence": ["[]"]}))
        (row,) = _top_accounts(st)
    finally:
        st.close()
    assert row["range"] is None and row["p"] == 0.6


def test_no_range_header_where_no_row_has_a_range(analysed_sample_path: Path, tmp_path: Path) -> None:
    """A study whose ranges are NULL (scored before they were stored) headed its column "Bot p
    (plausible range)" over cells that held none: the header promised what the table lacked."""
    from botwatch.report.context import report_context
    from botwatch.report.section_accounts import accounts_section
    from testsupport.study_copies import copy_study

    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    with open_study(study, read_only=False) as st:
        st.sql("UPDATE account_scores SET bot_probability_low = NULL, bot_probability_high = NULL")
    with open_study(study, read_only=True) as st:
        sec = accounts_section(st, report_context(st))
    assert sec is not None
    html = str(sec.html)
    assert '<th scope="col" class="num">Bot p</th>' in html and "Bot p (plausible range)" not in html
