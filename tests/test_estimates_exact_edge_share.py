"""A share of exactly 0% or 100% got "every resample of the accounts gave 0%: no interval" from
any number of accounts (a bootstrap over accounts none of which posted a positive post can only
give 0 again), where the accounts do bound it: none of 20 accounts is at most 17% at 95%. The
estimates stage stores the exact binomial (Clopper–Pearson) bound over the share's own accounts
in its place and says so in `method`; `estimate`, the report's table and its tone chart say it is
an exact bound over those accounts."""

from __future__ import annotations

import numpy as np
from scipy.stats import beta

from botwatch.elections import load_election
from botwatch.estimates.compute import EstimateOptions, cell_rows, default_windows
from botwatch.estimates.reference import interval_text
from botwatch.estimates.relational import COUNT_COLUMNS
from botwatch.report.section_parties import _charts, _share

US = load_election("us-2016")


def _rows(n: int, positive: int) -> dict[str, dict]:
    """One party cell of `n` accounts, each with one English post, `positive` of them positive."""
    col = {c: i for i, c in enumerate(COUNT_COLUMNS)}
    v = np.zeros((2, len(COUNT_COLUMNS)))
    v[:, col["posts"]] = v[:, col["scored"]] = v[:, col["measured"]] = v[:, col["neutral"]] = 1
    v[0, col["positive"]] = 1
    vectors, mult = (v[1:], [n]) if positive == 0 else (v[:1], [n]) if positive == n else (v, [positive, n - positive])
    rows = cell_rows(US, default_windows(US), EstimateOptions(reps=200), ("campaign", "all", "democrat"), vectors, np.array(mult))
    return {r["metric"]: r for r in rows}


def test_a_share_of_0_or_1_stores_the_clopper_pearson_bound_over_its_accounts() -> None:
    rows = _rows(20, 0)
    pos, neg = rows["positive_share"], rows["negative_share"]
    assert pos["estimate"] == 0.0 and pos["ci_low"] == 0.0
    assert abs(pos["ci_high"] - beta.ppf(0.975, 1, 20)) < 1e-12  # the exact binomial upper bound for 0 of 20, about 16.8%
    assert "exact Clopper–Pearson 95% interval over the 20 accounts" in pos["method"]
    assert neg["estimate"] == 0.0 and abs(neg["ci_high"] - pos["ci_high"]) < 1e-12
    every = _rows(20, 20)["positive_share"]
    assert every["estimate"] == 1.0 and every["ci_high"] == 1.0 and abs(every["ci_low"] - beta.ppf(0.025, 20, 1)) < 1e-12
    # Other shares keep the bootstrap, and too few accounts still get no interval.
    mixed = _rows(20, 5)["positive_share"]
    assert "Clopper" not in mixed["method"] and mixed["ci_low"] < 0.25 < mixed["ci_high"]
    few = _rows(3, 0)["positive_share"]
    assert few["ci_low"] is None and "too few accounts" in few["method"]


def test_estimate_and_report_say_it_is_an_exact_bound() -> None:
    pos = _rows(20, 0)["positive_share"]
    lo, hi, n = pos["ci_low"], pos["ci_high"], pos["n_accounts"]
    assert interval_text(lo, hi, True, n, 0.0) == "0.0% – 16.8% (an exact bound over 20 accounts)"
    assert _share({"estimate": 0.0, "lo": lo, "hi": hi, "accounts": n}) == "0% [0–17%, exact]"  # a table cell: the section's note says what "exact" is
    row = {"name": "Democrats", "colour": "#00f", "raw": {"support_posts": None, "oppose_posts": None, "positive_share": {"estimate": 0.0, "lo": lo, "hi": hi, "accounts": n},
                                        "negative_share": None}}
    tone = str(_charts([row], scaled=False)[1])
    assert "0% [0–17%]" in tone and "exact (Clopper–Pearson) bound over its accounts" in tone


def test_the_parties_section_says_which_intervals_are_exact_bounds(labelled_sample_copy) -> None:  # type: ignore[no-untyped-def]
    """The section said "Every interval is a 95% percentile interval from a bootstrap" above shares
    whose brackets are the exact bound over their accounts."""
    import re

    from botwatch import open_study
    from botwatch.estimates.compute import compute_estimates, write_estimates
    from botwatch.report.section_parties import parties_section

    with open_study(labelled_sample_copy, read_only=False) as st:
        write_estimates(st, compute_estimates(st, US, EstimateOptions(reps=50), log=lambda m: None))
        n = st.sql("SELECT count(*) FROM estimates WHERE metric LIKE '%share' AND method LIKE '%Clopper%'")[0][0]
        sec = parties_section(st, {"election": US})
    assert sec is not None and n
    text = " ".join(re.sub("<[^>]+>", " ", str(sec.html)).split())
    assert re.search(r"\b(0|100)% \[\d+–\d+%, exact\]", text), text
    assert "Every interval is a 95% percentile interval from a bootstrap that resamples accounts , not posts, but for a share of 0% or 100%, which every resample gives again: its brackets marked “exact” are the exact (Clopper–Pearson) 95% bound" in text


def test_the_foreign_headline_says_a_shares_exact_bound_is_one() -> None:
    from types import SimpleNamespace as NS

    from botwatch.report import section_parties
    from botwatch.report.sections import render

    pos = _rows(20, 0)["positive_share"]
    share = NS(estimate=0.0, ci_low=pos["ci_low"], ci_high=pos["ci_high"], n_accounts=20)
    other = NS(estimate=0.3, ci_low=0.2, ci_high=0.4, n_accounts=20)
    f = NS(estimate=40.0, observed=40.0, ci_low=20.0, ci_high=60.0, n_accounts=20)
    got = str(render("parties_headline.html.j2", kind="foreign", country="US", weak=None, f=f, pos=share, neg=other, scaled=False, not_sample=None,
                     rate=None, scope=None, num=section_parties.num, pct_ci=section_parties._row_pct_ci, every=None))
    assert "0% [0–17%: an exact bound over 20 accounts] of their party-tagged English posts were positive and 30% [20–40%]" in got


def test_the_stance_headline_says_a_shares_exact_bound_is_one() -> None:
    """The headline quoted the table cell, "0% [0–17%, exact] supported the party", away from the
    note that says what "exact" means and inside "(95% intervals from a bootstrap over accounts)":
    it read as an exact 0%. It says what the brackets are, as the foreign-origin headline does."""
    from botwatch.report.section_parties import _said

    pos = _rows(20, 0)["positive_share"]
    said = _said({"estimate": 0.0, "lo": pos["ci_low"], "hi": pos["ci_high"], "accounts": 20})
    assert said == "0% [0–17%: an exact bound over 20 accounts]"
    assert _said({"estimate": 0.3, "lo": 0.2, "hi": 0.4, "accounts": 20}) == "30% [20–40%]"


def test_a_pasted_headline_bound_names_its_accounts() -> None:
    """A journalist pastes one headline sentence: "0% [0–20%: an exact bound over its accounts] of
    those in English read as positive" (the GE2017 walk) had an "its" naming nothing, and left out
    the count the report's "How to read" note promises beside such a bound ("an exact bound over
    20 accounts") and the reference table gives. The count is the one the stage stored with the
    bound; a row without one (NULL, NaN) still says "its accounts" rather than a wrong number."""
    from botwatch.report.section_parties import _row_pct_ci, _said

    pos = _rows(17, 0)["positive_share"]
    lo, hi = pos["ci_low"], pos["ci_high"]
    assert _said({"estimate": 0.0, "lo": lo, "hi": hi, "accounts": 17}) == "0% [0–20%: an exact bound over 17 accounts]"
    one = _rows(5, 5)["positive_share"]
    assert _row_pct_ci(1.0, one["ci_low"], one["ci_high"], 5).endswith(": an exact bound over 5 accounts]")
    assert _row_pct_ci(0.0, lo, hi, float("nan")) == "0% [0–20%: an exact bound over its accounts]"
    assert _row_pct_ci(0.0, lo, hi) == "0% [0–20%: an exact bound over its accounts]"
