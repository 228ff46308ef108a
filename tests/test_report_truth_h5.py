"""Sentences of the report read as a journalist would quote them, on @UKLabour's first week of May
2017 (shared/data/ge2017/UKLabour-May-week1.json.gz, uk-ge2017): each test holds one sentence that
said more than its figures, or disagreed with another part of the report."""

from __future__ import annotations


def _plain(markup: object) -> str:
    """The text a reader sees: tags dropped, entities decoded, white space collapsed."""
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", str(markup))).split())


def test_a_foreign_count_that_prints_as_the_sum_is_not_said_to_be_fewer_than_it() -> None:
    """26 accounts with origin evidence whose probabilities of being run from outside GB summed to
    0.4: "gives about 0 foreign-origin accounts [0–2 …]; 0 of them, 0% [0–13%], are more likely
    than not run from outside GB (probability ≥ 0.5), fewer than the sum of the probabilities"."""
    from botwatch.report.section_accounts import beside_sum
    from botwatch.report.sections import render

    def said(foreign: int, expected: float) -> str:
        return _plain(render("accounts_headline.html.j2", kind="origin", foreign=foreign, n_origin=26, home="GB", share="0% [0–13%]",
                             expected=num(expected), lo="0", hi="2", weak=False, why="", training="", checked="", **beside_sum(foreign, expected)))

    from botwatch.count_text import num

    same = said(0, 0.415)
    assert "gives about 0 foreign-origin accounts" in same
    assert "fewer than the sum" not in same and "overstates" not in same
    assert "are more likely than not run from outside GB (probability ≥ 0.5)." in same
    assert "fewer than the sum of the probabilities" in said(0, 0.6)  # "about 1": 0 is fewer
    assert "a count that overstates" in said(2, 1.4)  # "about 1": 2 is more
    assert "overstates" not in said(1, 1.4) and "fewer than" not in said(1, 1.4)  # both print 1
