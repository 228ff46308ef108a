"""Sentences of the report read as a journalist would quote them (the truth pass of 2026-12-05 on
the bundled demo and on IRA tweets of Apr–Jun 2017 beside ordinary Brexit tweets, uk-ge2017):
each test holds one sentence that said more than its figures."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


def _plain(markup: object) -> str:
    """The text a reader sees: tags dropped, entities decoded, white space collapsed."""
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", str(markup))).split())


def test_scaling_an_archive_that_holds_attributed_accounts_beside_others_is_no_platform_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    """18,462 IRA posts beside 13,842 ordinary ones, analysed with --sample-rate 0.01: every
    election post was an IRA post, yet the headline read "Scaled to the whole platform (the archive
    holding 1% of posts), about 100 posts supported Labour", because the guard asked whether
    every post was attributed."""
    from botwatch.report import caveats

    prov = [caveats.Provenance("ira-538-tweets", 18462, "IRA", "", caveats.ATTRIBUTED), caveats.Provenance("csv-mapped", 13842, "csv", "", "unknown")]
    monkeypatch.setattr(caveats, "data_provenance", lambda study: prov)
    monkeypatch.setattr(caveats, "_capture_rates_differ", lambda study, rate: None)  # no captures in this stand-in study
    monkeypatch.setattr(caveats, "_one_account", lambda study, rate: None)  # nor posts
    said = caveats.scaling_unsupported(object(), 0.01)
    assert said is not None
    assert "18,462 of this study's 32,304 posts" in said and "not platform figures" in said
    # Only attributed posts: the sentence as before; none attributed, or no rate: nothing to say.
    monkeypatch.setattr(caveats, "data_provenance", lambda study: prov[:1])
    assert "holds only accounts a platform attributed" in caveats.scaling_unsupported(object(), 0.01)
    monkeypatch.setattr(caveats, "data_provenance", lambda study: prov[1:])
    assert caveats.scaling_unsupported(object(), 0.01) is None
    assert caveats.scaling_unsupported(object(), None) is None
    # `--sample-rate 1` counts posts as observed: there is no scaling to warn of.
    monkeypatch.setattr(caveats, "data_provenance", lambda study: prov[:1])
    assert caveats.scaling_unsupported(object(), 1.0) is None


def test_a_party_headline_from_too_few_accounts_says_how_few_and_claims_no_interval() -> None:
    """uk-ge2017 on IRA tweets: one post by one account named Labour, and the headline read "Of
    the 1 election posts in the study naming Labour, 100% (too few accounts) supported the party …
    (95% intervals from a bootstrap over accounts; …)": no interval was given, and how few
    accounts were behind 100% was not said."""
    from botwatch.report.section_parties import _party_rows
    from botwatch.report.sections import render

    def cell(v: float, accounts: int = 1, lo: float | None = None, hi: float | None = None) -> dict:
        return {"observed": v, "estimate": v, "lo": lo, "hi": hi, "accounts": accounts}

    est = {("labour", "posts"): cell(1), ("labour", "accounts"): cell(1), ("labour", "stance_measured_posts"): cell(1), ("labour", "scored_posts"): cell(1),
           ("labour", "support_posts"): cell(1), ("labour", "oppose_posts"): cell(0), ("labour", "support_share"): cell(1.0),
           ("labour", "oppose_share"): cell(0.0), ("labour", "positive_share"): cell(0.0), ("labour", "negative_share"): cell(1.0)}
    (row,) = _party_rows(est, [("labour", "Labour", "#E4003B")])
    said = _plain(render("parties_headline.html.j2", kind="stance", r=row, own_n=0, handles=[], stale_own=False, no_better=False, kin=None,
                         election=None, measured={}, measured_here=False, measured_on="us-2016", lab=None, labs={}, pct=str))
    # The figure, the claim, then why there is no interval: "100% (too few accounts) supported the
    # party" put the reason inside the figure, and said it twice.
    assert said.startswith("Of the 1 election post in the study naming Labour, 100% supported Labour and 0% opposed Labour (from 1 account: too few for 95% intervals; ")
    assert "0% of those in English read as positive and 100% as negative (from 1 account: too few for 95% intervals)." in said, said
    assert "(too few accounts)" not in said
    assert "95% intervals from a bootstrap" not in said
    # With enough accounts for an interval, the sentence is as before.
    many = {k: {**v, "accounts": 40, "lo": v["estimate"], "hi": v["estimate"]} for k, v in est.items()}
    many[("labour", "posts")]["observed"] = 120
    (row,) = _party_rows(many, [("labour", "Labour", "#E4003B")])
    said = _plain(render("parties_headline.html.j2", kind="stance", r=row, own_n=0, handles=[], stale_own=False, no_better=False, kin=None,
                         election=None, measured={}, measured_here=False, measured_on="us-2016", lab=None, labs={}, pct=str))
    assert said.startswith("Of the 120 election posts in the study naming Labour") and "95% intervals from a bootstrap over accounts" in said


def test_the_foreign_count_is_said_to_overstate_only_when_it_is_above_the_expected_count() -> None:
    """IRA tweets beside ordinary Brexit ones (uk-ge2017): "about 1,433 foreign-origin accounts …;
    1,134 of them … are more likely than not run from outside GB …, a count that overstates when
    many probabilities sit just past 0.5": the count at 0.5 was 300 below the sum of the
    probabilities, so the rider pointed the wrong way."""
    from botwatch.report.sections import render

    def said(foreign: int, expected: str, above: bool) -> str:
        return _plain(render("accounts_headline.html.j2", kind="origin", foreign=foreign, n_origin=3734, home="GB", share="30% [29–32%]",
                             expected=expected, lo="1,403", hi="1,463", weak=False, why="", training="", checked="", above=above))

    below = said(1134, "1,433", above=False)
    assert "overstates" not in below
    assert "1,134 of the 3,734, 30% [29–32%], are more likely than not run from outside GB (probability ≥ 0.5), fewer than the sum of the probabilities" in below
    assert "a count that overstates when many probabilities sit just past 0.5" in said(228, "222", above=True)


def test_a_largest_cluster_tied_in_size_is_said_to_be_one_of_the_largest() -> None:
    """IRA tweets of 2017 beside Brexit ones: "the largest, 3 accounts around @SovetnikStatski"
    where another cluster also held 3 accounts (with 32 co-actions to its 5)."""
    from botwatch.report.sections import render

    def said(tied: int, n_clusters: int = 6) -> str:
        return _plain(render("coordination_headline.html.j2", s=SimpleNamespace(edges=8, options=SimpleNamespace(window_s=60, max_fdr=0.05)),
                             big={"size": 3, "label": "@SovetnikStatski", "first_at": None, "last_at": None}, n_clusters=n_clusters, accounts=14,
                             res=None, amplified="", in_window=None, tied=tied))

    assert "one of the 2 largest (each of 3 accounts), the one around @SovetnikStatski" in said(1) and "the largest, 3" not in said(1)
    assert "the largest, 3 accounts around @SovetnikStatski" in said(0)
    # One cluster in all (a study of April-May 2017 IRA tweets under an election of one's own):
    # "the largest" of one is no comparison.
    assert "in 1 cluster acted in unison" in said(0, 1) and "that cluster, 3 accounts around @SovetnikStatski" in said(0, 1)
    assert "the largest" not in said(0, 1)


def test_a_cluster_active_on_one_day_is_said_to_co_act_on_it() -> None:
    """GOP-debate tweets of 7 August 2015: "co-acting from 2015-08-07 to 2015-08-07"."""
    from datetime import datetime

    from botwatch.report.sections import render

    def said(first: datetime, last: datetime) -> str:
        return _plain(render("coordination_headline.html.j2", s=SimpleNamespace(edges=3, options=SimpleNamespace(window_s=3600, max_fdr=0.05)),
                             big={"size": 5, "label": "@dudeinchicago", "first_at": first, "last_at": last}, n_clusters=2, accounts=9,
                             res=None, amplified="", in_window=None, tied=0))

    assert "co-acting on 2015-08-07 (UTC)" in said(datetime(2015, 8, 7, 1), datetime(2015, 8, 7, 3))
    assert "co-acting from 2015-08-07 to 2015-08-08 (UTC)" in said(datetime(2015, 8, 7, 1), datetime(2015, 8, 8, 3))


def test_a_small_sample_rate_is_not_said_to_be_a_zero_percent_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """`estimate --sample-rate 1e-6` on the demo warned that "the archive is a random 0.00% sample":
    the rate was printed at two decimals of a percent, so any rate under 0.005% read as none."""
    from botwatch.report import caveats

    prov = [caveats.Provenance("ira-538-tweets", 100, "IRA", "", caveats.ATTRIBUTED)]
    monkeypatch.setattr(caveats, "data_provenance", lambda study: prov)
    said = caveats.scaling_unsupported(object(), 1e-6)
    assert said is not None and "a random 0.0001% sample" in said and "0.00%" not in said
    assert "a random 1% sample" in caveats.scaling_unsupported(object(), 0.01)


def test_the_counted_foreign_accounts_are_said_of_the_accounts_with_evidence_not_of_the_sum() -> None:
    """IRA tweets of May–June 2017 beside the GE2017 sample, read as a journalist pastes it: "gives
    about 343 foreign-origin accounts [335–351 …]; 358 of them, 95% [92–97%], are more likely than
    not run from outside GB". "Them" reads as the 343 just named, and 358 of 343 is no count; the
    358 are of the 378 accounts with origin evidence, and the sentence says so."""
    from botwatch.report.sections import render

    def said(weak: bool) -> str:
        return _plain(render("accounts_headline.html.j2", kind="origin", foreign=358, n_origin=378, home="GB", share="95% [92–97%]",
                             expected="343", lo="335", hi="351", weak=weak, why="", training="", checked="", above=True))

    assert "gives about 343 foreign-origin accounts [335–351]; 358 of the 378, 95% [92–97%], are more likely than not run from outside GB" in said(False)
    assert "; 358 of the 378 reach probability 0.5 of being run from outside GB" in said(True)
    assert "of them" not in said(False) + said(True)
