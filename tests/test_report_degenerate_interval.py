"""Headlines printed "0% [0–0%]" supported Clinton from 5 accounts (a bootstrap over a few accounts
whose share is 0 can only return 0), reading as certainty, while 4 accounts got "too few for an
interval". A zero-width bootstrap interval is now said to be no interval, or, where the number of
accounts behind the share is known (`pct_ci(accounts=)`), becomes the exact bound over them. The
party cells' account count is not that number (a share's denominator is its measured or English
posts, whose accounts are not counted), so their shares say "no interval" (a diff review found
"[0–4%: an exact bound over 100 accounts]" for a share of 3 accounts' posts).

Counts too (2026-12-05): the IRA tweets under uk-ge2017 printed "Conservatives: support 0 [0–0]"
posts from 33 accounts, in the table, the chart and the reference table; a bootstrap of accounts
none of which posted one can only give 0 again, which says nothing of how rare support is."""

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
    assert interval_text(0.0, 0.0, True, 100, 0.0) == "no interval (every resample of the accounts gave 0.0%)"
    assert interval_text(0.1, 0.3, True, 5, 0.2) == "10.0% – 30.0%"
    assert interval_text(0.0, 0.0, False, 5, 0.0) == "no interval (every resample of the accounts gave 0)"
    assert interval_text(3.0, 12.0, False, 5, 7.0) == "3 – 12"


def test_a_count_no_account_posted_has_no_interval_in_table_or_chart() -> None:
    from botwatch.report.section_parties import _charts, _count

    zero = {"estimate": 0.0, "lo": 0.0, "hi": 0.0, "accounts": 33}
    assert _count(zero) == "0 (every resample of the accounts gave 0: no interval)"
    assert _count({"estimate": 23.0, "lo": 11.0, "hi": 37.0, "accounts": 33}) == "23 [11–37]"
    row = {"name": "Conservatives", "colour": "#00f", "raw": {"support_posts": zero, "oppose_posts": {"estimate": 23.0, "lo": 11.0, "hi": 37.0, "accounts": 33},
                                            "positive_share": None, "negative_share": None}}
    stance, _ = _charts([row], scaled=False)
    assert "[0–0]" not in str(stance)
    assert ">23 [11–37]<" in str(stance)
    assert "a count whose bootstrap collapsed has no interval" in str(stance)


def test_the_tone_chart_says_a_collapsed_share_has_no_interval() -> None:
    from botwatch.report.section_parties import _charts

    zero = {"estimate": 0.0, "lo": 0.0, "hi": 0.0, "accounts": 5}
    row = {"name": "Democrats", "colour": "#00f", "raw": {"support_posts": None, "oppose_posts": None, "positive_share": zero,
                                        "negative_share": {"estimate": 0.9, "lo": 0.57, "hi": 1.0, "accounts": 5}}}
    _, tone = _charts([row], scaled=False)
    assert "has no interval" in str(tone) and "exact bound" not in str(tone)
    # The bar itself printed "0% [0–0%]" under that caption (seen on the IRA release under uk-ge2017).
    assert "Democrats: positive: 0%" in str(tone) and "[0–0%]" not in str(tone) and "90% [57–100%]" in str(tone)
