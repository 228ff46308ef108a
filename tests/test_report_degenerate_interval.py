"""Headlines printed "0% [0–0%]" supported Clinton from 5 accounts (a bootstrap over a few accounts
whose share is 0 can only return 0), reading as certainty, while 4 accounts got "too few for an
interval". A zero-width bootstrap interval is now said to be no interval, or, where the number of
accounts behind the share is known (`pct_ci(accounts=)`), becomes the exact bound over them. The
party cells' account count is not that number (a share's denominator is its measured or English
posts, whose accounts are not counted), so their shares say "no interval" (a diff review found
"[0–4%: an exact bound over 100 accounts]" for a share of 3 accounts' posts)."""

from __future__ import annotations

from botwatch import stats
from botwatch.estimates.reference import interval_text
from botwatch.report.fmt import pct_ci
from botwatch.report.section_parties import _share


def test_a_zero_share_from_five_accounts_gets_an_exact_bound_not_0_0() -> None:
    text = pct_ci(0.0, 0.0, 0.0, accounts=5)
    assert "[0–0%]" not in text
    assert text == "0% [0–52%: an exact bound over 5 accounts]"  # 1 − 0.025^(1/5) = 0.522
    assert pct_ci(1.0, 1.0, 1.0, accounts=5) == "100% [48–100%: an exact bound over 5 accounts]"
    assert _share({"estimate": 0.0, "lo": 0.0, "hi": 0.0, "accounts": 100}) == "0% (every resample of the accounts gave 0%: no interval)"


def test_without_the_accounts_or_inside_0_1_a_collapsed_interval_is_said_to_be_none() -> None:
    assert pct_ci(0.0, 0.0, 0.0) == "0% (every resample of the accounts gave 0%: no interval)"
    assert "no interval" in pct_ci(0.5, 0.5, 0.5, accounts=9)
    assert pct_ci(0.3, 0.2, 0.4, accounts=9) == "30% [20–40%]"  # ordinary intervals untouched
    assert pct_ci(0.0, *stats.wilson(0, 1)[1:]) == "0% [0–79%]"  # a Wilson interval never collapses


def test_the_estimate_table_uses_the_same_rule() -> None:
    assert interval_text(0.0, 0.0, True, 100, 0.0) == "no interval (every resample gave the same share)"
    assert interval_text(0.1, 0.3, True, 5, 0.2) == "10.0% – 30.0%"
    assert interval_text(0.0, 0.0, False, 5, 0.0) == "0 – 0"  # counts keep their bootstrap interval


def test_the_tone_chart_says_a_collapsed_share_has_no_interval() -> None:
    from botwatch.report.section_parties import _charts

    zero = {"estimate": 0.0, "lo": 0.0, "hi": 0.0, "accounts": 5}
    row = {"name": "Democrats", "colour": "#00f", "raw": {"support_posts": None, "oppose_posts": None, "positive_share": zero,
                                        "negative_share": {"estimate": 0.9, "lo": 0.57, "hi": 1.0, "accounts": 5}}}
    _, tone = _charts([row], scaled=False)
    assert "has no interval" in str(tone) and "exact bound" not in str(tone)
    # The bar itself printed "0% [0–0%]" under that caption (seen on the IRA release under uk-ge2017).
    assert "Democrats: positive: 0%" in str(tone) and "[0–0%]" not in str(tone) and "90% [57–100%]" in str(tone)
