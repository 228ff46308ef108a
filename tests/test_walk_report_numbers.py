"""A researcher checks each number the report quotes against the exported tables: the sentence
must name the population it counts, so the export filtered as the sentence says gives the number."""

from __future__ import annotations

from botwatch.pipeline import Context, analyze
from botwatch.timeline.report import time_section

from test_timeline import election, synth_study, write_table  # noqa: F401  (fixture)


def test_the_creation_headline_says_it_counts_posting_accounts_only(synth_study) -> None:  # type: ignore[no-untyped-def]
    """The creation stage counts accounts that posted; the headline said "of the 10 likely
    automated accounts with a known creation date" while the accounts export held 15 likely
    automated accounts with one (5 only retweeted), so the figure could not be found again."""
    st = synth_study
    st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT DISTINCT account_id, platform, TIMESTAMP '2017-04-25 03:00:00' FROM posts WHERE account_id LIKE 'b%'")
    st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT DISTINCT account_id, platform, TIMESTAMP '2012-01-01' FROM posts WHERE account_id LIKE 'h%'")
    # Five likely automated accounts that are only retweeted: scored, dated, but not posting.
    st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT 'q' || i, 'twitter', TIMESTAMP '2017-04-25 03:00:00' FROM range(5) t(i)")
    write_table(st, "account_scores", [*st.query_arrow("SELECT * FROM account_scores").to_pylist(),
                                      *[dict(platform="twitter", account_id=f"q{i}", bot_probability=0.9, origin_country="RU", origin_probability=0.8,
                                             origin_probabilities='{"RU": 0.8, "GB": 0.2}') for i in range(5)]])
    el = election()
    analyze(st, Context(election=el, log=lambda m: None), only=["timeline", "creation"])
    sec = time_section(st, {"election": el})
    assert sec is not None
    heads = " ".join(" ".join(str(h).split()) for h in sec.headline)
    assert "of the 10 likely automated accounts that posted in the election window (2017-04-20 to 2017-06-08) and have a known creation date" in heads
    assert "Accounts that posted in the election window (2017-04-20 to 2017-06-08), created after the election was called" in str(sec.html)


def test_the_creation_headline_says_how_many_of_the_group_have_no_creation_date(synth_study) -> None:  # type: ignore[no-untyped-def]
    """The shares count dated accounts only. With 2 of the 10 likely automated accounts dated, the
    report led with "100% [34–100%] of the 2 likely automated accounts … and have a known creation
    date were created after the election was called", and the only undated count was the section
    note's "8 of 40 accounts posting in the window" (20%), not the group's 8 of 10."""
    st = synth_study
    st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT DISTINCT account_id, platform, CASE WHEN account_id IN ('b0', 'b1') THEN TIMESTAMP '2017-04-25 03:00:00' END FROM posts WHERE account_id LIKE 'b%'")
    st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT DISTINCT account_id, platform, TIMESTAMP '2012-01-01' FROM posts WHERE account_id LIKE 'h%'")
    el = election()
    analyze(st, Context(election=el, log=lambda m: None), only=["timeline", "creation"])
    sec = time_section(st, {"election": el})
    assert sec is not None
    heads = " ".join(" ".join(str(h).split()) for h in sec.headline)
    assert "of the 2 likely automated accounts that posted in the election window" in heads
    assert "8 of the 10 likely automated accounts that posted in the window (80%) have no creation date and are not in these shares." in heads


def test_party_estimates_for_another_election_than_the_labels_are_not_shown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`analyze --election us-2016`, then `analyze --only content --election uk-ge2017`: the report,
    titled for uk-ge2017, showed the us-2016 party table beside "N posts belong to the US
    presidential election 2016 conversation" counted from labels made for uk-ge2017."""
    from pathlib import Path

    from typer.testing import CliRunner

    from botwatch.cli import app

    runner = CliRunner()
    fix = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    study, html_path = tmp_path / "s.duckdb", tmp_path / "r.html"
    assert runner.invoke(app, ["ingest", str(study), str(fix)]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--election", "us-2016", "--only", "estimates", "--with-deps"]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "content"]).exit_code == 0
    res = runner.invoke(app, ["report", str(study), "-o", str(html_path), "--no-exports"])
    assert res.exit_code == 0, res.output
    html = " ".join(html_path.read_text(encoding="utf-8").split())
    assert "The party estimates were made for <strong>us-2016</strong>, but the posts have since been labelled for <strong>uk-ge2017</strong>" in html
    assert "belong to the US presidential election 2016 conversation" not in html


def test_a_creation_difference_whose_interval_holds_zero_is_said_to_be_unshown() -> None:
    """The creation headline led with any group holding a dated account, even 2, with nothing to say
    when the difference from the other accounts' share was within chance of none."""
    from botwatch.report.sections import render

    def said(diff: tuple[float, float, float]) -> str:
        r = ("automated", "likely_automated", 2, 2, 1.0, 0.34, 1.0, 30, 0.5, 0.33, 0.67, *diff)
        return " ".join(str(render("time_headline.html.j2", kind="creation", r=r, trigger="2017-04-18", population="posted in the election window",
                                   undated=None)).split())

    assert "a difference of +50 points [-2, +63], which these accounts do not show to be other than none." in said((0.5, -0.02, 0.63))
    assert "points" not in said((0.5, 0.2, 0.63))  # shown: the shares say it


def test_a_creation_share_with_no_other_dated_accounts_says_there_is_nothing_to_compare() -> None:
    """Where every dated account in the window was likely automated (a Mastodon study, where the
    Twitter-trained model reads every young account so), the headline read "against — of the other
    0 such accounts": a comparison with nothing, printed as if it were one."""
    from botwatch.report.sections import render

    r = ("automated", "likely_automated", 60, 60, 0.28, 0.19, 0.41, 0, None, None, None, None, None, None)
    text = " ".join(str(render("time_headline.html.j2", kind="creation", r=r, trigger="2017-04-18", population="posted in the election window",
                                undated=None)).split())
    assert "of the other 0" not in text and ", against" not in text
    assert "no other account that posted in the election window has a known creation date, so there is no share to set this against." in text
