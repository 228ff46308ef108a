"""The time section's headlines wrote counts of one in the plural: "of the 1 likely automated
accounts … and have a known creation date were created", "the other 1 such accounts", "of the 1
account with a clear daily rhythm keep", "1 of the 5 posts … are by accounts"."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from botwatch.report.sections import render
from botwatch.study import open_study
from botwatch.timeline.report import circadian_block


def _words(template: str = "time_headline.html.j2", **kw: object) -> str:
    return " ".join(str(render(template, **kw)).split())


def test_the_creation_headline_with_one_dated_account_is_singular() -> None:
    r = ("automated", "likely_automated", 1, 1, 1.0, 0.2, 1.0, 1, 0.0, 0.0, 0.8, 1.0, -0.1, 1.0)
    text = _words(kind="creation", r=r, trigger="2017-04-18", population="posted in the election window", undated=(1, 2, 0))
    assert ("of the 1 likely automated account that posted in the election window and has a known creation date "
            "was created after the election was called") in text, text
    assert "of the other 1 such account:" in text, text
    assert "1 of the 2 likely automated accounts that posted in the window (50%) has no creation date" in text, text
    r = ("automated", "likely_automated", 7, 2, 0.28, 0.1, 0.6, 30, 0.5, 0.33, 0.67, -0.2, -0.5, 0.1)
    text = _words(kind="creation", r=r, trigger="2017-04-18", population="posted in the election window", undated=None)
    assert "of the 7 likely automated accounts that posted in the election window and have a known creation date were created" in text, text
    assert "of the other 30 such accounts:" in text, text


def test_the_circadian_headline_with_one_informative_account_is_singular(tmp_path: Path) -> None:
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        st.sql("CREATE TABLE circadian (platform VARCHAR, account_id VARCHAR, best_offset INTEGER, informative BOOLEAN)")
        st.sql("INSERT INTO circadian VALUES ('twitter', '1', 3, true)")
        circ = circadian_block(st, SimpleNamespace(polling_day=date(2017, 6, 8), timezone="Europe/London", country="GB"))
    finally:
        st.close()
    assert circ is not None and circ["informative"] == 1
    text = _words(kind="circadian", c=circ)
    # A share of one account is no figure: the headline says what that one account does.
    assert "The 1 account with a clear daily rhythm does not keep the hours" in text and "%" not in text.split("Brexit")[0], text
    assert "it fits UTC+3 ± 1 (Moscow)" in text, text


def test_the_impact_headline_with_one_unscored_post_is_singular() -> None:
    r = ("Labour", "day", "share", "automated", 0, 0, 0, 2, 5.1, 0.01, 0, 0, 0, 0, 0.02, None)
    cov = {"posts_unscored": 1, "posts": 5, "within": "in the window", "share_left_out": 0.2}
    text = _words(kind="impact", r=r, tests=1, cov=cov, party="Labour")
    assert "(20%) is by an account without a bot probability and is in neither group." in text, text
    cov = {"posts_unscored": 2, "posts": 5, "within": "in the window", "share_left_out": 0.4}
    text = _words(kind="impact", r=r, tests=1, cov=cov, party="Labour")
    assert "(40%) are by accounts without a bot probability and are in neither group." in text, text


def test_the_accounts_headlines_with_counts_of_one_are_singular() -> None:
    """On a small Mastodon study: "1 of 2 accounts the bot model could score look automated",
    "gives about 1 automated accounts [0–3]", "about 1 foreign-origin accounts", "1 of them reach"."""
    text = _words("accounts_headline.html.j2", kind="bot", n_likely=1, n_scored=2, share="50% [9–91%]", posting="", expected="1", lo="0", hi="3",
                  training="", tested=False, held_out="", own=None)
    assert "1 of 2 accounts the bot model could score looks automated" in text, text
    assert "gives about 1 automated account [0–3]" in text, text
    text = _words("accounts_headline.html.j2", kind="bot", n_likely=2, n_scored=2, share="100% [34–100%]", posting="", expected="2", lo="0", hi="3",
                  training="", tested=False, held_out="", own=None)
    assert "2 of 2 accounts the bot model could score look automated" in text and "about 2 automated accounts [0–3]" in text, text
    origin = dict(kind="origin", n_origin=2, home="GB", share="50% [9–91%]", expected="1", lo="0", hi="2", training="", checked="")
    text = _words("accounts_headline.html.j2", **origin, foreign=1, weak=True, why="it has GB as its single most likely country")
    assert "gives about 1 foreign-origin account [0–2]; 1 of the 2 reaches probability 0.5" in text, text
    text = _words("accounts_headline.html.j2", **origin, foreign=1, weak=False, why="", same=True)
    assert "1 of the 2, 50% [9–91%], is more likely than not run from outside GB" in text, text
