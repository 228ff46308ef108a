"""An archive of accounts attributed to an operation run from the election's own country: a State
Duma 2016 file over the IRA's Russian tweets (../shared/data/ira, August–October 2016) headlined
"15 expected foreign-origin accounts", 7 of them counted foreign, with no word that every account
in the study was run from Russia, home in that election: each one counted foreign is the origin
model's error, not an account run from abroad. The report's origin caveat and key number now say so."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.report.caveats import home_operation_note
from botwatch.study import open_study

IRA_HEADER = "author_id,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,retweet\n"
IRA_ROWS = [
    "4ever1937,Завтра идем голосовать за яблоко,Unknown,Russian,2016-09-17 17:25:00,2016-09-17 17:25:00,380,4462,523,,0",
    "4ever1937,В России начались выборы в Государственную думу,Unknown,Russian,2016-09-17 20:45:00,2016-09-17 20:45:00,380,4460,588,,0",
    "NewOrleansON,A telling graph of the Duma vote,United States,English,2016-09-19 10:00:00,2016-09-19 10:00:00,10,900,40,,0",
]


def _ingest(study: Path, path: Path, *extra: str) -> None:
    res = CliRunner().invoke(app, ["ingest", str(study), str(path), *extra])
    assert res.exit_code == 0, res.output


def test_every_account_run_from_home_is_said_to_make_the_foreign_count_the_models_errors(tmp_path: Path) -> None:
    ira = tmp_path / "ira.csv"
    ira.write_text(IRA_HEADER + "\n".join(IRA_ROWS) + "\n", encoding="utf-8")
    _ingest(tmp_path / "s.duckdb", ira)
    st = open_study(tmp_path / "s.duckdb")
    try:
        note = home_operation_note(st, "RU")
        assert note is not None and "Internet Research Agency" in note and "this election is Russia's" in note
        assert "places abroad in error" in note
        assert home_operation_note(st, "US") is None  # a US election: the IRA is foreign, the count is the question
        assert home_operation_note(st, None) is None
    finally:
        st.close()


def test_a_study_with_other_accounts_beside_them_gets_no_such_note(tmp_path: Path) -> None:
    """Ordinary accounts beside the IRA's may be run from anywhere: the note would be false."""
    ira = tmp_path / "ira.csv"
    ira.write_text(IRA_HEADER + "\n".join(IRA_ROWS) + "\n", encoding="utf-8")
    own = tmp_path / "own.csv"
    own.write_text("id,user,time,text\n1,u1,2016-09-18T10:00:00Z,Голосую за КПРФ\n", encoding="utf-8")
    _ingest(tmp_path / "s.duckdb", ira)
    _ingest(tmp_path / "s.duckdb", own, "--columns", "post_id=id,account_id=user,created_at=time,text=text")
    st = open_study(tmp_path / "s.duckdb")
    try:
        assert home_operation_note(st, "RU") is None
    finally:
        st.close()


def test_the_event_headline_on_foreign_origin_accounts_says_they_are_the_models_errors(tmp_path: Path, monkeypatch) -> None:
    """The Duma study's When headline read "Posts by foreign-origin accounts … were 18.42× as
    frequent per hour within 24 h of the election's key events … p = 0.013" as a finding."""
    from datetime import datetime
    from types import SimpleNamespace

    from botwatch.report import section_parties
    from botwatch.timeline import report as tr
    from botwatch.timeline.bursts import EventContrast

    ira = tmp_path / "ira.csv"
    ira.write_text(IRA_HEADER + "\n".join(IRA_ROWS) + "\n", encoding="utf-8")
    _ingest(tmp_path / "s.duckdb", ira)
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE event_tests (dimension VARCHAR, value VARCHAR, rate_ratio DOUBLE, null_rate_ratio DOUBLE, p_value DOUBLE, "
               "window_h INTEGER, q_value DOUBLE)")
        st.sql("INSERT INTO event_tests VALUES ('all', 'all', 10.3, 0.99, 0.013, 24, 0.031), ('origin', ?, 18.4, 1.08, 0.013, 24, 0.031)", [tr.FOREIGN])
        monkeypatch.setattr(tr, "event_coverage", lambda study, election: {"partial": False})
        monkeypatch.setattr(tr, "_events", lambda election: [(datetime(2016, 9, 17, 21), None)])
        monkeypatch.setattr(tr, "_contrast", lambda *a: EventContrast(18.4, 10.2, 0.039, 75))
        monkeypatch.setattr(tr, "groups_home", lambda study, election: "RU")
        monkeypatch.setattr(section_parties, "_foreign_weak", lambda study, home: None)
        ru = " ".join(" ".join(tr._event_headlines(st, SimpleNamespace(country="RU"))).split())
        us = " ".join(" ".join(tr._event_headlines(st, SimpleNamespace(country="US"))).split())
    finally:
        st.close()
    assert "Posts by foreign-origin accounts" in ru and "places abroad in error: no finding about accounts run from abroad" in ru
    assert "Posts by foreign-origin accounts" in us and "in error" not in us


def test_the_origin_check_says_no_floor_where_no_account_is_foreign(tmp_path: Path, monkeypatch) -> None:
    """The Duma study's origin check read "the foreign count is a floor for accounts like these, of
    unknown depth" (accounts run from abroad writing Russian, taken for locals) and then "none of
    them is foreign here": a floor and an overcount of one figure. With every account run from
    home, the blind-spot note has nothing to warn of and is left out; elsewhere it stays."""
    from botwatch.report import caveats

    ira = tmp_path / "ira.csv"
    ira.write_text(IRA_HEADER + "\n".join(IRA_ROWS) + "\n", encoding="utf-8")
    _ingest(tmp_path / "s.duckdb", ira)
    floor = "Such an account's language fits RU as well as a local's, so the foreign count is a floor for accounts like these, of unknown depth."
    monkeypatch.setattr(caveats, "origin_blind_spot", lambda study, home: floor)
    st = open_study(tmp_path / "s.duckdb")
    try:
        ru, us = caveats.origin_check(st, "RU"), caveats.origin_check(st, "US")
    finally:
        st.close()
    assert "places abroad in error" in ru and "floor" not in ru
    assert floor in us and "in error" not in us
