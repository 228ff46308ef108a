"""A zero count of posts by likely automated accounts is never stated over accounts the bot model
could not score (F-RP11): IRA rows carry no profile facts, and beside scored accounts from another
file the report said "No election post in the campaign window came from likely automated
accounts" about election posts none of whose authors had a bot probability."""

from __future__ import annotations

from pathlib import Path

from testsupport.report_text import page_text as _text

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
HEADER = "author_id,content,region,language,publish_date,harvested_date,following,followers,updates,post_type,retweet\n"


def test_no_zero_finding_over_unscored_election_accounts(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    runner = CliRunner()
    ira = tmp_path / "ira.csv"
    rows = [f"troll_{i % 3},Vote Trump on November 8! #MAGA #Trump2016 post {i},United States,English,"
            f"2016-10-{10 + i:02d} 12:00:00,2016-10-{10 + i:02d} 12:00:00,10,10,{i},,0\n" for i in range(9)]
    ira.write_text(HEADER + "".join(rows))
    study, out = tmp_path / "s.duckdb", tmp_path / "r.html"
    # The v1.1 file's accounts carry profiles (scored); the IRA rows are the only election posts.
    res = runner.invoke(app, ["ingest", str(study), str(ira), str(FIX / "v1_uklabour.jsonl")])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["analyze", str(study), "--election", "us-2016"]).exit_code == 0
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    text = _text(out)
    assert "No election post in the campaign window came from likely automated accounts" not in text
    assert ("Whether any election post came from likely automated accounts (bot probability ≥ 0.5) is unknown: the bot model could not "
            "score any of the 3 accounts posting election posts in the campaign window") in text


def test_the_automated_lines_say_what_share_of_posts_they_hold(tmp_path: Path) -> None:
    """Only accounts with a bot probability are in the automated / not-automated lines; the
    chart drew them from 518 of 28,323 posts without saying so."""
    from datetime import datetime

    from botwatch.study import Study
    from botwatch.timeline.report import timeline_figures

    with Study(tmp_path / "t.duckdb", read_only=False, create=True) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT)")
        st.sql("INSERT INTO timeline VALUES ('day','utc','all','all','2016-10-01',100), ('day','utc','all','all','2016-10-02',300), "
               "('day','utc','automated','likely automated','2016-10-01',3), ('day','utc','automated','not likely automated','2016-10-02',5)")
        figs = {f["title"]: f["caption"] for f in timeline_figures(st, None, (datetime(2016, 10, 1), datetime(2016, 10, 2)))}
        assert figs["Likely automated or not"] == ("all 2 series; the two lines hold 8 of the 400 posts of these days (2%): the other "
                                                   "posts' accounts have no bot probability, so they are in neither line")
        assert figs["All posts"] == "one series"


def test_some_election_accounts_unscored_makes_the_table_a_floor() -> None:
    """Some of the accounts posting election posts scored, some not: no bare "No election post …
    came from likely automated accounts", and a table of them is said to be a floor."""
    import re
    from types import SimpleNamespace as N

    from botwatch.report.section_parties import MEASURED
    from botwatch.report.sections import render

    cover = {"accounts": 118, "scored": 20, "posts": 520, "scored_posts": 60}
    row = dict(name="R", posts=1, accounts=1, support="", oppose="", positive="", negative="")
    notes = []
    # One account scored: "None of the 1 account the bot model could score" read badly.
    for rows, cover in (([], cover), ([row], cover), ([], {**cover, "scored": 1, "scored_posts": 3})):
        g = {"label": "likely automated accounts (bot probability ≥ 0.5)", "rows": rows, "unknown": None, "cover": cover}
        html = str(render("parties.html.j2", election=N(parties=[], name="x", key="x", country="US"), rows=[], group_tables=[g], has_groups=True,
                          total=1, in_el=1, accounts=1, no_sentiment=0, detected=0, rules=[], too_few="", min_accounts=5, measured=MEASURED,
                          measured_here=False, lab=None, labs={}, sample_rate=None, scaled=False,
                          scope=N(unscaled=True, filtered=False, population=""), not_sample=None, ref=[], stance_chart="", tone_chart="",
                          own=dict(n=0, handles=[], only=[], stale=False), no_better=False, unmatched=[], unread=0, several=N(posts=0, supporting=0)))
        notes.append(" ".join(m for m in re.findall(r'<p class="notes">(.*?)</p>', html) if "bot" in m or "automated" in m))
    assert notes[0] == ("None of the 20 accounts the bot model could score among the 118 posting election posts in the campaign window is "
                        "likely automated (bot probability ≥ 0.5); the other 98 have no bot probability, so whether their 460 posts came "
                        "from automated accounts is unknown.")
    assert notes[1] == ("The bot model could score 20 of the 118 accounts posting election posts in the campaign window (60 of their 520 "
                        "posts); the others have no bot probability and are in no likely-automated count, so this table is a floor.")
    assert notes[2] == ("The one account the bot model could score among the 118 posting election posts in the campaign window is not "
                        "likely automated (its bot probability is below 0.5); the other 117 have no bot probability, so whether their "
                        "517 posts came from automated accounts is unknown.")


def test_no_campaign_post_is_not_read_as_no_account_scored() -> None:
    """Every account scored, but no post in the campaign window (labelled profiles turned into
    statuses, analysed under us-2016): the Parties section said "the bot model could not score any
    account (this data has none of the profile facts it needs …)" beside the headline's "2,661 of
    2,661 accounts the bot model could score"."""
    from botwatch.report.section_parties import bot_group_unknown

    nobody = {"accounts": 0, "scored": 0, "posts": 0, "scored_posts": 0, "likely": 0}
    assert not bot_group_unknown(False, nobody)  # falls to "no election post in the campaign window … not measured here"
    assert bot_group_unknown(True, nobody)  # no account of the study scored at all
    assert bot_group_unknown(False, {**nobody, "accounts": 3, "posts": 9})
    assert not bot_group_unknown(False, {**nobody, "accounts": 3, "scored": 1, "posts": 9, "scored_posts": 2})
    assert not bot_group_unknown(False, None)
