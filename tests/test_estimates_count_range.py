"""A scaled count's interval printed as whole posts rounded outwards. Its stored bounds are k / rate
(`whole_counts.snap_bounds`), no whole number where 1 / rate is none (a rate between 0.5 and 1):
at 0.8 the stored [0, 2.5] read "[0–2]" and at 0.9 [5.56, 7.78] read "[6–8]", rounded to the
nearest post, so the printed interval was narrower than the one the data support."""

from __future__ import annotations

from botwatch.estimates.reference import interval_text
from botwatch.estimates.whole_counts import snap_bounds
from botwatch.report.section_parties import _count
from botwatch.report.svg import hbars


def test_count_intervals_are_printed_outwards_at_high_rates() -> None:
    lo, hi = snap_bounds(1.1, 2.3, 0.8)
    assert (lo, hi) == (0.0, 2.5)
    assert _count({"estimate": 1.25, "lo": lo, "hi": hi, "accounts": 6, "rate": 0.8}) == "1 [0–3]"
    assert "[0–3]" in str(hbars(["Labour: support"], [1.25], lo=[lo], hi=[hi], share=False))
    lo, hi = snap_bounds(5.7, 7.5, 0.9)  # 5.56 and 7.78
    assert interval_text(lo, hi, False, 6, 6.67, 0.9) == "5 – 8"
    # Whole multiples (a rate of 0.01) are printed as they are, float noise and all.
    assert interval_text(100.0, 29800.0, False, 6, 600.0, 0.01) == "100 – 29,800"
    assert interval_text(3 / 0.003, 9 / 0.003, False, 6, 2000.0, 0.003) == "1,000 – 3,000"


def test_the_scaled_headline_says_one_post_in_the_singular() -> None:
    """At a rate above 2/3 one sampled post scales to about 1: the headline read "about 1 posts
    supported Labour"."""
    from test_estimates_zero_bound import _scaled_headline

    said = _scaled_headline({"estimate": 1.25, "lo": None, "hi": None, "accounts": 1, "rate": 0.8})
    assert "about 1 post supported Labour during the campaign (from 1 account: too few for a 95% interval)." in said
    assert "about 2 posts supported" in _scaled_headline({"estimate": 2.5, "lo": None, "hi": None, "accounts": 1, "rate": 0.8})


def test_the_foreign_headline_prints_its_scaled_interval_outwards() -> None:
    """The foreign-origin headline rounded its bounds to the nearest post too: at 0.9 the stored
    [5.56, 7.78] read "[6–8]"."""
    from types import SimpleNamespace

    from botwatch.report.fmt import num, pct_ci
    from botwatch.report.sections import render

    f = SimpleNamespace(estimate=6.67, ci_low=5 / 0.9, ci_high=7 / 0.9, n_accounts=6, observed=6)
    share = SimpleNamespace(estimate=0.2, ci_low=0.1, ci_high=0.3)
    text = str(render("parties_headline.html.j2", kind="foreign", country="US", f=f, pos=share, neg=share, scaled=True,
                      not_sample=None, rate=0.9, scope=SimpleNamespace(filtered=False), num=num, pct_ci=pct_ci))
    assert "posted 7 election posts [5–8] in the 30 days" in text
