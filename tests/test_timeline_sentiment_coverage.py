"""The sentiment lines say what share of the days' posts they hold.

Sentiment is read in English only: a Duma 2016 file on the IRA tweets of August and September 2016
drew its negative, neutral and positive lines from 26,970 of 44,194 posts, captioned "all 3
series", a reader taking them for all the talk.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path


def _captions(tmp_path: Path, sentiment_rows: str) -> dict[str, str]:
    from botwatch.study import Study
    from botwatch.timeline.report import timeline_figures

    with Study(tmp_path / "t.duckdb", read_only=False, create=True) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT)")
        st.sql("INSERT INTO timeline VALUES ('day','utc','all','all','2016-09-01',100), ('day','utc','all','all','2016-09-02',300), " + sentiment_rows)
        return {f["title"]: f["caption"] for f in timeline_figures(st, None, (datetime(2016, 9, 1), datetime(2016, 9, 2)))}


def test_the_sentiment_lines_say_they_hold_english_posts_only(tmp_path: Path) -> None:
    got = _captions(tmp_path, "('day','utc','sentiment','negative','2016-09-01',60), ('day','utc','sentiment','neutral','2016-09-02',120), "
                              "('day','utc','sentiment','positive','2016-09-02',60)")
    assert got["By sentiment"] == ("all 3 series; the 3 lines hold 240 of the 400 posts of these days (60%): sentiment is read in English only, "
                                   "so posts in other languages (and posts without text) are in none, not counted as neutral")


def test_lines_holding_every_post_say_nothing_more(tmp_path: Path) -> None:
    got = _captions(tmp_path, "('day','utc','sentiment','negative','2016-09-01',100), ('day','utc','sentiment','neutral','2016-09-02',300)")
    assert got["By sentiment"] == "all 2 series"


def _cli_study(tmp_path: Path, rows: str) -> Path:
    """A study holding only a `timeline` table with `rows` (SQL VALUES), for `botwatch timeline`."""
    from botwatch import open_study

    path = tmp_path / "c.duckdb"
    with open_study(path, read_only=False) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, accounts BIGINT, "
               "sentiment_mean DOUBLE, sentiment_n BIGINT)")
        st.sql("INSERT INTO timeline VALUES " + rows)
    return path


def _timeline_said(path: Path, *more: str) -> str:
    """What `botwatch timeline PATH -d sentiment MORE` prints, its whitespace folded."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    return " ".join(CliRunner().invoke(app, ["timeline", str(path), "-d", "sentiment", *more], env={"COLUMNS": "200"}).output.split())


def test_the_timeline_command_says_it_too(tmp_path: Path) -> None:
    path = _cli_study(tmp_path, "('day','utc','all','all posts','2016-09-01',100,5,NULL,0), ('day','utc','all','all posts','2016-09-02',300,5,NULL,0), "
                                "('day','utc','sentiment','negative','2016-09-01',60,2,NULL,0), ('day','utc','sentiment','positive','2016-09-02',180,2,NULL,0)")
    said = _timeline_said(path)
    assert ("the sentiment columns hold 240 of the 400 posts of these buckets (60%): sentiment is read in English only, so posts in other "
            "languages (and posts without text) are in none, not counted as neutral") in said
    said = _timeline_said(path, "--since", "2016-09-02")
    assert "hold 180 of the 300 posts" in said


def test_the_timeline_command_never_rounds_a_part_to_the_whole(tmp_path: Path) -> None:
    """996 of 1,000 posts read "(100%)" beside the words saying some are in no column, where the
    report's caption of the same lines says 99.6% (`prob_text.percent`)."""
    said = _timeline_said(_cli_study(tmp_path, "('day','utc','all','all posts','2016-09-01',1000,5,NULL,0), ('day','utc','sentiment','negative','2016-09-01',996,2,NULL,0)"))
    assert "hold 996 of the 1,000 posts of these buckets (99.6%)" in said, said


def test_the_automated_columns_say_the_posts_of_unscored_accounts_are_in_neither(tmp_path: Path) -> None:
    """`botwatch timeline -d automated` on the IRA tweets of November 2016 printed the 518 posts of
    accounts with a bot probability and nothing of the 35,465 IRA posts in neither column, where
    the report's chart says how many of the days' posts its two lines hold; over those days alone
    it said only "no day buckets with posts"."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    path = _cli_study(tmp_path, "('day','utc','all','all posts','2016-11-01',100,5,NULL,0), ('day','utc','all','all posts','2016-11-02',300,5,NULL,0), "
                                "('day','utc','automated','likely automated','2016-11-02',30,1,NULL,0), "
                                "('day','utc','automated','not likely automated','2016-11-02',10,1,NULL,0)")

    def said(*more: str) -> str:
        return " ".join(CliRunner().invoke(app, ["timeline", str(path), "-d", "automated", *more], env={"COLUMNS": "200"}).output.split())

    assert ("the automated columns hold 40 of the 400 posts of these buckets (10%): the other posts' accounts have no bot probability "
            "(no profile facts the bot model reads), so they are in neither column and whether they are automated is unknown") in said()
    only_unscored = said("--until", "2016-11-01")
    assert "no day buckets with posts for automated in that range" in only_unscored
    assert "hold 0 of the 100 posts" in only_unscored
