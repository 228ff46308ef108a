"""The party figures leave out the parties' own official and allied accounts, and say so; a stance
measured no better than the majority baseline is no finding in the headline.

The bundled sample analysed with uk-ge2017 read "Labour: 100% supported", every one of those posts
@UKLabour's own feed (the own-account cue labels a party's own post support, which is right for the
label but no public support). The content stage's labels stay as they are: only the estimates gain
the group 'not_party_accounts' and the report reads its party figures from it.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest

from botwatch.elections import load_election

UK = load_election("uk-ge2017")
US = load_election("us-2016")


def _estimated(src: Path, dst: Path, election, before=None) -> Path:  # type: ignore[no-untyped-def]
    from botwatch import open_study
    from botwatch.content.stage import run_content
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates

    shutil.copy(src, dst)
    with open_study(dst, read_only=False) as st:
        if before is not None:
            before(st)
        run_content(st, election, log=lambda m: None)
        write_estimates(st, compute_estimates(st, election, EstimateOptions(reps=100), log=lambda m: None))
    return dst


@pytest.fixture(scope="module")
def uk_study(sample_study_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _estimated(sample_study_path, tmp_path_factory.mktemp("uk") / "s.duckdb", UK)


@pytest.fixture(scope="module")
def us_with_party_account(sample_study_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample under us-2016, with one busy account renamed @HillaryClinton (an official
    Democrat account): its posts are then the party's own, the other accounts' are not."""
    def rename(st) -> None:  # type: ignore[no-untyped-def]
        st.sql("UPDATE accounts SET handle = 'HillaryClinton' WHERE account_id = 'dorothiebell'")

    return _estimated(sample_study_path, tmp_path_factory.mktemp("us") / "s.duckdb", US, rename)


def test_a_partys_own_feed_is_not_reported_as_its_support(uk_study: Path) -> None:
    from botwatch import open_study
    from botwatch.report.section_parties import parties_section

    with open_study(uk_study, read_only=True) as st:
        got = dict(((g, m), o) for g, m, o in st.sql(
            "SELECT account_group, metric, observed FROM estimates WHERE period = 'campaign' AND party = 'labour' AND metric IN ('posts', 'support_posts')"))
        sec = parties_section(st, {"election": UK})
        # the labels are untouched: every post is still the own-account rule's support
        rules = st.sql("SELECT DISTINCT stance_rule, stance FROM post_party WHERE in_election AND party = 'labour'")
    assert rules == [("own_account", "support")]
    assert got[("all", "posts")] == got[("all", "support_posts")] == 110
    assert got[("not_party_accounts", "posts")] == 0
    assert sec is not None
    heads = [str(h) for h in sec.headline]
    assert not any("100%" in h and "supported" in h for h in heads), heads
    assert "All 110 election posts in the study naming Labour came from the parties' own official or allied accounts (@UKLabour)" in heads[0]
    text = html.unescape(str(sec.html))
    assert "leave out the 110 posts by the parties' own official and allied accounts (@UKLabour)" in text
    assert "Per party, campaign window" not in text  # no table of nobody's figures


def test_own_posts_are_left_out_and_counted_beside_the_others(us_with_party_account: Path) -> None:
    from botwatch import open_study
    from botwatch.report.section_parties import parties_section

    with open_study(us_with_party_account, read_only=True) as st:
        own = st.sql("SELECT count(DISTINCT post_id) FROM post_party WHERE in_election AND party = 'democrat' AND list_contains(signals, 'own_account') "
                     "AND created_at >= (SELECT min(period_start) FROM estimates WHERE period = 'campaign') "
                     "AND created_at < (SELECT min(period_end) FROM estimates WHERE period = 'campaign')")[0][0]
        every, rest = (st.sql("SELECT observed FROM estimates WHERE period = 'campaign' AND party = 'democrat' AND metric = 'posts' AND account_group = ?", [g])[0][0]
                       for g in ("all", "not_party_accounts"))
        sec = parties_section(st, {"election": US})
    assert own > 0 and every - rest == own
    assert sec is not None
    dem = next(str(h) for h in sec.headline if "naming Democrats" in str(h))
    assert f"Of the {int(rest):,} election posts in the study naming Democrats (Clinton) by accounts other than the parties' own ({int(own):,} more" in dem
    assert "(@HillaryClinton), are left out: a party's feed speaks for that party, not for the public)" in dem
    # Another party's feed naming it is left out too: "a party's own feed is not public support"
    # read, under Republicans, as if @HillaryClinton were theirs (a UK study: @UKLabour's 27 posts
    # naming the Conservatives, left out "as a party's own feed").
    rep = next(str(h) for h in sec.headline if "naming Republicans" in str(h))
    assert "(@HillaryClinton), are left out: a party's feed speaks for that party, not for the public)" in rep
    assert "own feed is not public support" not in rep
    assert "Per party, campaign window, all accounts but the parties' own" in html.unescape(str(sec.html))


def test_a_stance_no_better_than_the_majority_label_is_no_finding(us_with_party_account: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch import open_study
    from botwatch.report import section_parties

    us = dict(section_parties.MEASURED_BY_ELECTION["us-2016"], stance_accuracy=0.40, stance_majority=0.44)
    monkeypatch.setitem(section_parties.MEASURED_BY_ELECTION, "us-2016", us)
    with open_study(us_with_party_account, read_only=True) as st:
        sec = section_parties.parties_section(st, {"election": US})
    assert sec is not None
    stance = [str(h) for h in sec.headline if " opposed " in str(h)]
    assert stance and all("but its accuracy there, 40%, is no better than always answering the commonest label (44%), "
                          "so these shares are no finding about support" in h for h in stance)
    assert "Stance here is no better than a guess" in html.unescape(str(sec.html))


def test_the_measured_us_stance_keeps_its_approximate_wording(us_with_party_account: Path) -> None:
    from botwatch import open_study
    from botwatch.report.section_parties import parties_section, stance_no_better
    from botwatch.content.stance import MEASURED_BY_ELECTION

    assert stance_no_better(MEASURED_BY_ELECTION["uk-ge2017"]) and not stance_no_better(MEASURED_BY_ELECTION["us-2016"])
    with open_study(us_with_party_account, read_only=True) as st:
        sec = parties_section(st, {"election": US})
    assert sec is not None
    assert not any("no better" in str(h) for h in sec.headline)
    assert "Stance here is no better" not in str(sec.html)


def test_estimates_made_before_the_group_say_they_count_own_posts(uk_study: Path, tmp_path: Path) -> None:
    """A study estimated before 'not_party_accounts' existed still reads its all-accounts figures,
    but says they count the party's own posts as support and how to leave them out."""
    from botwatch import open_study
    from botwatch.report.section_parties import parties_section

    dst = tmp_path / "old.duckdb"
    shutil.copy(uk_study, dst)
    with open_study(dst, read_only=False) as st:
        st.sql("DELETE FROM estimates WHERE account_group = 'not_party_accounts'")
        sec = parties_section(st, {"election": UK})
    assert sec is not None
    lab = next(str(h) for h in sec.headline if "naming Labour" in str(h))
    assert "(posts by the parties' own accounts (@UKLabour) included and counted as support" in html.unescape(lab)
    assert "run botwatch analyze STUDY --only estimates again" in html.unescape(str(sec.html)).replace("<code>", "").replace("</code>", "")


def test_the_narrow_brackets_note_counts_the_posts_the_figures_are_of(us_with_party_account: Path) -> None:
    """The note that a party's brackets run narrow counts the posts those brackets were drawn from.

    A UK study (IRA tweets of spring 2017 with @UKLabour's own feed) said "Of the 60 election posts
    ... naming Labour by accounts other than the parties' own ... These brackets are likely too
    narrow: the 5 most active of the 32 accounts naming Labour wrote 76% of those posts": the 76%
    counted @UKLabour's 110 own posts, which the figures leave out (of the 60, the 5 most active
    of 31 accounts wrote 38%). Here @HillaryClinton's own posts about Democrats play that part."""
    import re

    from botwatch import open_study
    from botwatch.report.concentration import concentrated
    from botwatch.report.section_parties import parties_section

    keys = [p.key for p in US.parties]
    with open_study(us_with_party_account, read_only=True) as st:
        every = {c.key: c for c in concentrated(st, keys)}
        public = {c.key: c for c in concentrated(st, keys, without_own=True)}
        sec = parties_section(st, {"election": US})
    dem = public["democrat"]
    # the own account is among the five most active: the two counts differ, so the test can fail
    assert (dem.accounts, round(100 * dem.share)) != (every["democrat"].accounts, round(100 * every["democrat"].share))
    assert sec is not None
    head = next(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(h))).split()) for h in sec.headline if "naming Democrats" in str(h))
    assert (f"the 5 most active of the {dem.accounts:,} accounts naming Democrats (Clinton) wrote {round(100 * dem.share)}% of those posts") in head, head
    body = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(sec.html))).split())
    assert f"{round(100 * dem.share)}% of those naming Democrats (Clinton) (by {dem.accounts:,} accounts in all)" in body or \
        f"{round(100 * dem.share)}% of the posts naming Democrats (Clinton) (by {dem.accounts:,} accounts in all)" in body
    assert "in the campaign window (all accounts but the parties' own): on ordinary Brexit tweets" in body


def test_the_estimate_table_counts_the_narrow_brackets_as_the_report_does(us_with_party_account: Path, tmp_path: Path) -> None:
    """`botwatch estimate --table parties` prints the figures of all accounts but the parties' own,
    and its word on narrow brackets counts the same posts (it counted the own feed too)."""
    from typer.testing import CliRunner

    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.report.concentration import concentrated

    dst = tmp_path / "s.duckdb"
    shutil.copy(us_with_party_account, dst)
    res = CliRunner().invoke(app, ["estimate", str(dst), "--election", "us-2016", "--reps", "50", "--table", "parties"])
    assert res.exit_code == 0, res.output
    with open_study(dst, read_only=True) as st:
        dem = next(c for c in concentrated(st, [p.key for p in US.parties], without_own=True) if c.key == "democrat")
    said = " ".join(res.output.split())
    assert f"Democrats (Clinton) {round(100 * dem.share)}%" in said, said
    assert "of the posts naming the party in the campaign window by all accounts but the parties' own" in said, said
