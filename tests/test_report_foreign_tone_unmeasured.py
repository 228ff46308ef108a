"""The headline's foreign-origin sentence, where those accounts' party-tagged posts hold no English
one (sentiment is read in English only): it read "— (too few accounts for an interval) of their
party-tagged English posts were positive", too few accounts where there was no share to give.
And the comparison with all accounts printed a share from too few accounts bare ("50%")."""

from __future__ import annotations

import re

from botwatch.estimates.reference import RefRow
from botwatch.report.fmt import num, pct_ci
from botwatch.report.sections import render


def _line(pos: RefRow, neg: RefRow, every: list[RefRow] | None = None) -> str:
    f = RefRow("Posts by foreign-origin accounts, 30 days before polling day", "posts", 40.0, 40.0, 20.0, 60.0, 8, False)
    html = render("parties_headline.html.j2", kind="foreign", country="GB", weak=None, f=f, pos=pos, neg=neg, scaled=False, not_sample=False, rate=None,
                  scope=None, num=num, pct_ci=pct_ci, every=every)
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", str(html)))


def share(label: str, v: float | None, lo: float | None = None, hi: float | None = None, n: int = 0) -> RefRow:
    return RefRow("Foreign-origin accounts' party-tagged posts, 30 days before polling day", label, v, v, lo, hi, n, True)


def test_no_english_party_post_is_said_not_measured_not_too_few_accounts() -> None:
    said = _line(share("positive", None), share("negative", None))
    assert "too few accounts" not in said and "—" not in said, said
    assert "none of their posts naming a party is in English with a sentiment score, so their tone toward the parties is not measured" in said


def test_the_comparison_marks_a_share_from_too_few_accounts() -> None:
    every = [RefRow("For comparison", "posts", 50.0, 50.0, 30.0, 70.0, 12, False), share("positive", 0.5, n=2), share("negative", 0.25, n=2)]
    said = _line(share("positive", 0.4, 0.2, 0.6, 9), share("negative", 0.1, 0.0, 0.3, 9), every)
    assert "40% [20–60%] of their party-tagged English posts were positive" in said, said
    assert "50% of their party-tagged English posts positive and 25% negative (from 2 accounts: too few for 95% intervals)" in said, said
    every[1] = share("positive", None)
    said = _line(share("positive", 0.4, 0.2, 0.6, 9), share("negative", 0.1, 0.0, 0.3, 9), every)
    assert "in the same days, none of their posts naming a party in English with a sentiment score." in said, said
