"""A share strictly between 0 and 1 never reads as 0% or 100% (`prob_text.percent`).

The IRA tweets under uk-ge2017 gave "165 of 1,653,509 posts (0.0%) belong to the … conversation"
(the template rounded by itself), and the origin headline's Wilson interval for 1,862 of 1,862
accounts printed "100% [100–100%]", whose lower end is 99.8%. A share that is exactly 0 or 1 (all
47 members of a cluster) still reads 0% or 100%.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest

from botwatch.prob_text import percent
from botwatch.report.fmt import interval, pct, pct_ci, wilson
from botwatch.report.svg import _fmt_share, hbars
from botwatch.estimates.reference import fmt_value


@pytest.mark.parametrize(("share", "digits", "text"), [
    (0.0, 0, "0%"), (1.0, 0, "100%"), (0.5, 0, "50%"), (0.125, 1, "12.5%"),
    (0.004, 0, "0.4%"), (0.0004, 0, "<0.1%"), (0.0004, 2, "0.04%"), (0.00004, 2, "<0.01%"),
    (0.994, 0, "99%"), (0.996, 0, "99.6%"), (0.9902, 0, "99%"), (0.9996, 0, ">99.9%"), (0.99996, 2, ">99.99%"), (0.9996, 2, "99.96%"),
    # 0.985 is 98.5% as written: half away from zero, as a spreadsheet rounds, "99%" (it read "98%",
    # from 0.985 * 100 = 98.4999… in binary: `prob_text.fixed`)
    (0.0099, 0, "1.0%"), (0.985, 0, "99%"), (-0.004, 0, "-0.4%"), (1.2, 0, "120%"),
])
def test_percent_keeps_the_ends_for_exact_shares(share: float, digits: int, text: str) -> None:
    assert percent(share, digits) == text


def test_every_share_writer_of_the_report_uses_it() -> None:
    assert pct(0.0001) == _fmt_share(0.0001) == "<0.1%" and fmt_value(0.0001, True) == "<0.1%"
    assert pct(0.9999) == _fmt_share(0.9999) == ">99.9%" and fmt_value(0.9999, True) == ">99.9%"
    assert pct(None) == "—" and fmt_value(1.0, True) == "100.0%"


def test_all_of_many_accounts_is_not_an_interval_of_one_point() -> None:
    p, lo, hi = wilson(1862, 1862)
    assert pct_ci(p, lo, hi) == "100.0% [99.8–100.0%]"  # was "100% [100–100%]"
    assert interval(0.0004, 0.16) == "[<0.1–16.0%]"


def test_a_tiny_election_share_of_the_study_is_not_zero(uk_study_copy: Path) -> None:
    from botwatch import open_study
    from botwatch.elections import load_election
    from botwatch.report.section_parties import parties_section

    with open_study(uk_study_copy, read_only=False) as st:
        keep = st.sql("SELECT min(post_id) FROM post_labels WHERE in_election")[0][0]
        st.sql("UPDATE post_labels SET in_election = (post_id = ?)", [keep])
        n = st.sql("SELECT count(*) FROM post_labels")[0][0]
        st.sql(f"INSERT INTO post_labels SELECT post_labels.* REPLACE (post_id || '-copy' || r AS post_id, false AS in_election) "
               f"FROM post_labels, (SELECT range AS r FROM range({2000 // n + 1}))")
        sec = parties_section(st, {"election": load_election("uk-ge2017")})
    text = html.unescape(str(sec.html)) if sec is not None else ""
    assert "posts (<0.1%) by" in text and "(0.0%)" not in text


@pytest.fixture()
def uk_study_copy(sample_study_path: Path, tmp_path: Path) -> Path:
    from botwatch import open_study
    from botwatch.content.stage import run_content
    from botwatch.elections import load_election
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates

    dst = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, dst)
    uk = load_election("uk-ge2017")
    with open_study(dst, read_only=False) as st:
        run_content(st, uk, log=lambda m: None)
        write_estimates(st, compute_estimates(st, uk, EstimateOptions(reps=20), log=lambda m: None))
    return dst


def test_an_interval_with_width_never_prints_its_two_ends_alike() -> None:
    """The IRA tweets under us-2016: "2% [2–2%] supported" Democrats (a bootstrap interval from
    1.6% to 2.4%) and "1,846 of them, 99% [99–99%]" (Wilson, 98.6% to 99.5%) read as measured
    certainties. The ends now take the decimals that tell them apart, and the share takes the same."""
    assert pct_ci(0.021, 0.016, 0.024) == "2.1% [1.6–2.4%]"
    p, lo, hi = wilson(1846, 1862)
    assert pct_ci(p, lo, hi) == "99.1% [98.6–99.5%]"
    assert pct_ci(0.0213, 0.0212, 0.0214) == "2.13% [2.12–2.14%]"
    assert interval(0.016, 0.024) == "[1.6–2.4%]"
    # Intervals whose ends already differ are as before; one with no width says so (not "[50–50%]").
    assert pct_ci(0.7, 0.58, 0.79) == "70% [58–79%]"
    assert pct_ci(0.5, 0.5, 0.5) == "50% (every resample of the accounts gave 50%: no interval)"
    chart = str(hbars(["Democrats: support"], [0.021], lo=[0.016], hi=[0.024], share=True))
    assert "2.1% [1.6–2.4%]" in chart and "[2–2%]" not in chart
    # The reference table (report and `botwatch estimate`) writes shares at one decimal, and its
    # ends apart the same way.
    from botwatch.estimates.reference import fmt_interval

    assert fmt_interval(0.0201, 0.0204, True) == "2.01% – 2.04%" and fmt_interval(0.016, 0.024, True) == "1.6% – 2.4%"


def test_an_interval_and_its_share_are_written_at_one_precision() -> None:
    """The uk-ge2017 sample's report printed "6% [1.0–26%]": the rule that keeps a decimal under 1%
    (so 0.4% never reads "0%") gave it to the lower end alone. Both ends and the share now take it."""
    assert pct_ci(0.06, 0.0099, 0.26) == "6.0% [1.0–26.0%]"
    assert pct_ci(0.004, 0.001, 0.02) == "0.4% [0.1–2.0%]"
    assert interval(0.0099, 0.26) == "[1.0–26.0%]"
    # An exact bound over the accounts, and the chart's labels, follow the same rule.
    assert pct_ci(0.0, 0.0, 0.0, accounts=1000) == "0.0% [0.0–0.4%: an exact bound over 1,000 accounts]"
    chart = html.unescape(str(hbars(["Labour: support"], [0.06], lo=[0.0099], hi=[0.26], share=True)))
    assert "6.0% [1.0–26.0%]" in chart, chart
    # Nothing near 0% or 100%: as before.
    assert pct_ci(0.7, 0.58, 0.79) == "70% [58–79%]" and interval(0.016, 0.024) == "[1.6–2.4%]"


def test_the_evidence_sentences_write_shares_by_the_same_rule() -> None:
    """Three evidence writers rounded shares themselves: a behaviour pattern ("100% of its posts
    are retweets" for 299 of 300), the bot model's share features ("similarity of display name
    and handle 100%") and the study-prior clause ("the study's mix gives US 100% … moves that only
    to 100%" for a mix share of 99.6%)."""
    import numpy as np

    from botwatch.accounts.bot_behaviour import PATTERNS, _value_text
    from botwatch.accounts.botmodel import _SHOW
    from botwatch.accounts.origin_prior import mix_codes, prior_clause

    amplifier = next(p for p in PATTERNS if p.name == "amplifier")
    assert _value_text(amplifier, 299 / 300) == "99.7%" and _value_text(amplifier, 1.0) == "100%"
    assert _SHOW["pct"](0.997) == "99.7%" and _SHOW["pct"](0.5) == "50%" and _SHOW["pct"](0.0) == "0%"
    codes = mix_codes()
    mix = np.full(len(codes), 0.004 / (len(codes) - 1))
    mix[codes.index("US")] = 0.996
    post = np.full(len(codes), 0.002 / (len(codes) - 1))
    post[codes.index("US")] = 0.998
    clause = prior_clause("US", post, mix, 0.0)
    assert "gives US 99.6% of its accounts not run from Russia before any evidence; this account's own evidence moves that only to 99.8%" in clause, clause
