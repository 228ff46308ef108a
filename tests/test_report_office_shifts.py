"""The When section's circadian headline read "0% [0–39%] fit UTC+3 ± 1 (Moscow)" on IRA accounts
while `botwatch explain` said their hours fit office shifts on the Moscow clock at odds over a
million: the human-day fit leaves shift work out as uninformative. The headline now says that, and
how many accounts the origin model found working Moscow office shifts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from botwatch.report.sections import render
from botwatch.study import open_study
from botwatch.timeline.report import circadian_block

FOR = "office shifts: of 371 posts, … Moscow time; the hours fit an office working shifts on the Moscow clock … odds of Russia against US over ×1,000,000"
AGAINST = "office shifts: of 40 posts, … odds of Russia against US ÷4.10"


def test_the_circadian_headline_says_where_office_shift_accounts_went(tmp_path: Path) -> None:
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        st.sql("INSERT INTO circadian VALUES ('twitter', 'h1', -5, true), ('twitter', 'h2', -5, true), ('twitter', 'o1', 3, false)")
        st.sql("CREATE TABLE account_evidence (platform VARCHAR, account_id VARCHAR, kind VARCHAR, rank BIGINT, feature VARCHAR, value DOUBLE, contribution DOUBLE, sentence VARCHAR)")
        for aid, text in (("o1", FOR), ("o2", FOR), ("h1", AGAINST)):
            st.sql("INSERT INTO account_evidence VALUES ('twitter', ?, 'origin', 1, 'office_hours', NULL, NULL, ?)", [aid, text])
        election = SimpleNamespace(polling_day=date(2016, 11, 8), timezone="America/New_York")
        circ = circadian_block(st, election)
    finally:
        st.close()
    assert circ is not None and circ["office"] == 2  # towards Russia only, each account once
    text = " ".join(str(render("time_headline.html.j2", kind="circadian", c=circ)).split())
    assert "fit UTC+3 ± 1 (Moscow)" in text
    assert "accounts worked in shifts fit none and are left out of it" in text
    assert "office shifts on the Moscow clock in the hours of 2 accounts" in text
