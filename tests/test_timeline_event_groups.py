"""The event test's headline and null on a review's referendum archive: "Posts by foreign origin
accounts were 9.10× as frequent per hour within 24 h of the election's key events … p = 0.022"
led the report while the section's own table gave all posts 8.87× and the other accounts 8.78×,
and the archive held posts on only 55 of the window's 92 days, so events moved onto empty days
made the null small. A group now leads only when it rose more than the rest of its dimension, a
rise of everyone is said once, and the null moves the events onto covered days only."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import numpy as np

from botwatch.pipeline import Context, analyze
from botwatch.study import open_study
from botwatch.timeline import bursts
from botwatch.timeline.report import _headlines, time_section

from test_timeline import diurnal_posts, election as small_election, write_posts, write_table

EVENTS = (datetime(2017, 5, 22, 20, 31), datetime(2017, 5, 16, 11, 0))
START, DAYS = datetime(2017, 2, 1), 128  # enough days for the null to reach p < 0.05 after the BH adjustment


def election():  # type: ignore[no-untyped-def]
    return dataclasses.replace(small_election(), window_start=date(2017, 2, 1), window_end=date(2017, 6, 8))


def _study(path, *, bots_only: bool, skip_days: int = 0, all_foreign: bool = False, bots_automated: bool = False):  # type: ignore[no-untyped-def]
    """30 'h' accounts (GB) and 10 'b' accounts (RU) posting daily; after each event a burst by
    the bots only, or by everyone in proportion. With `skip_days`, every day but each
    `skip_days`-th one away from the events holds no post (a patchy archive)."""
    rng = np.random.default_rng(11)
    humans, bots = [f"h{i}" for i in range(30)], [f"b{i}" for i in range(10)]
    posts = diurnal_posts(rng, humans, DAYS, START, 1.0, "h") + diurnal_posts(rng, bots, DAYS, START, 1.0, "b")
    for ev in EVENTS:
        who = bots if bots_only else humans + bots
        for i in range(160):
            posts.append(dict(post_id=f"e{ev.day}-{i}", platform="twitter", account_id=who[i % len(who)], created_at=ev + timedelta(minutes=30 + i // 2),
                              kind="original", text="y"))
    if skip_days:
        near = {(ev + timedelta(days=d)).date() for ev in EVENTS for d in (-1, 0, 1)}
        posts = [p for p in posts if p["created_at"].date() in near or (p["created_at"] - START).days % skip_days == 0]
    st = open_study(path, read_only=False)
    write_posts(st, posts)
    write_table(st, "account_scores", [dict(platform="twitter", account_id=a, bot_probability=0.9 if bots_automated and a.startswith("b") else 0.1, origin_country="RU" if a.startswith("b") or all_foreign else "GB",
                                            origin_probability=0.8, origin_probabilities='{"RU": 0.8, "GB": 0.2}' if a.startswith("b") or all_foreign else '{"GB": 0.8, "RU": 0.2}')
                                       for a in humans + bots])
    analyze(st, Context(election=election(), log=lambda m: None), only=["timeline", "bursts"])
    return st


def _heads(st) -> str:  # type: ignore[no-untyped-def]
    return " ".join(" ".join(str(h).split()) for h in _headlines(st, election(), None, None, []))


def test_a_group_that_rose_more_than_the_rest_leads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    st = _study(tmp_path / "a.duckdb", bots_only=True)
    try:
        heads = _heads(st)
    finally:
        st.close()
    # The group's rule beside it, as every other headline gives it ("foreign origin accounts" read as known foreign).
    assert "Posts by foreign-origin accounts (probability of being run from outside " in heads and " ≥ 0.5) were " in heads
    assert "for the other accounts (the group against the rest: p = " in heads


def test_the_automated_group_is_said_to_be_set_against_the_other_scored_accounts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The likely automated group's contrast is with the accounts scored below 0.5 (the automated
    dimension holds no unscored account), so "the other accounts" claimed more than it measured."""
    st = _study(tmp_path / "e.duckdb", bots_only=True, bots_automated=True)
    try:
        heads = _heads(st)
    finally:
        st.close()
    assert "Posts by likely automated accounts (bot probability ≥ 0.5) were" in heads
    assert ("for the other scored accounts (bot probability below 0.5; accounts without one are in neither group) (the group against the rest: p = "
            in heads)


def test_a_rise_of_everyone_says_the_automated_group_was_set_against_scored_accounts_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    st = _study(tmp_path / "f.duckdb", bots_only=False, bots_automated=True)
    try:
        heads = _heads(st)
    finally:
        st.close()
    assert "All posts were" in heads and "no account group (" in heads
    assert ("was shown to rise more than the rest of the conversation (likely automated accounts were set against the other scored accounts only: "
            "accounts without a bot probability are in neither group)") in heads


def test_a_rise_of_every_group_is_no_group_finding(tmp_path) -> None:  # type: ignore[no-untyped-def]
    st = _study(tmp_path / "b.duckdb", bots_only=False)
    try:
        rows = dict(((d, v), (rr, p)) for d, v, rr, p in st.sql("SELECT dimension, value, rate_ratio, p_value FROM event_tests WHERE dimension IN ('all', 'origin')"))
        heads = _heads(st)
    finally:
        st.close()
    assert rows[("origin", "foreign origin")][1] < 0.05  # the group's own test passes, as on the referendum archive
    assert "Posts by foreign-origin accounts" not in heads and "Posts by foreign origin accounts" not in heads
    assert "All posts were" in heads and "no account group (foreign origin) was shown to rise more than the rest of the conversation" in heads


def test_a_group_alone_in_its_dimension_is_not_said_to_have_been_compared(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Every account foreign: the origin dimension holds one group, so there is no rest to set it
    # against, and "no account group (foreign origin) rose more than the rest" would be unfounded.
    st = _study(tmp_path / "d.duckdb", bots_only=False, all_foreign=True)
    try:
        heads = _heads(st)
    finally:
        st.close()
    assert "All posts were" in heads
    assert "no account group" not in heads
    assert "foreign origin accounts could not be compared with the rest" in heads


def test_the_null_moves_events_only_onto_days_with_posts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    st = _study(tmp_path / "c.duckdb", bots_only=False, skip_days=3)
    try:
        n_null, days = st.sql("SELECT max(n_null), max(datediff('day', window_start, window_end)) FROM event_tests")[0]
        sec = time_section(st, {"election": election()})
    finally:
        st.close()
    assert n_null < days - 1  # fewer shifts than days: the empty days were left out
    html = " ".join(str(sec.html).split())
    assert "The data hold posts on only" in html and "the shifts are kept to days with posts" in html
    heads = " ".join(" ".join(str(h).split()) for h in sec.headline)
    assert "Posts by foreign-origin accounts" not in heads and "Posts by foreign origin accounts" not in heads


def test_covered_shifts_unit() -> None:
    n = 24 * 10
    times = [datetime(2020, 1, 1) + timedelta(hours=i) for i in range(n)]
    counts = np.zeros(n)
    covered = np.array([True, False, True, False, True, False, True, False, True, False])
    for d in range(10):
        if covered[d]:
            counts[24 * d: 24 * d + 24] = 5
    counts[24 * 4 + 12] = 200
    full = bursts.event_test(times, counts, [times[24 * 4 + 12]], window_h=2)
    kept = bursts.event_test(times, counts, [times[24 * 4 + 12]], window_h=2, covered=covered)
    assert full is not None and kept is not None
    assert full.n_null == 9 and kept.n_null == 4  # only shifts by 2, 4, 6, 8 days land on covered days
    assert kept.null_rate_ratio > full.null_rate_ratio


def test_the_event_test_and_methods_count_the_same_local_days_with_posts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The event test's days were 24-hour blocks from its first hour (the first post's, 01:00 UTC
    here, and an hour off local days once British Summer Time began): its note read posts on 62 of
    126 days where the Methods coverage line read 57 of 128, on the same study. Both now count the
    election's local days."""
    import html as html_mod
    import re

    from botwatch.report.section_methods import coverage
    from botwatch.timeline import zones

    st = _study(tmp_path / "d.duckdb", bots_only=False, skip_days=3)
    try:
        el = election()
        window = coverage(st, el)["window"]
        sec = time_section(st, {"election": el})
        ws, we = st.sql("SELECT min(window_start), max(window_end) FROM event_tests")[0]
    finally:
        st.close()
    assert window["days"] == 128 and window["days_with_posts"] == 57
    text = " ".join(html_mod.unescape(str(sec.html)).split())
    said = re.search(r"The data hold posts on only (\d+) of the (\d+) days of the window", text)
    assert said is not None and (int(said[1]), int(said[2])) == (57, 128), said
    # the test's series is whole local days: it starts and ends at the election's local midnights
    assert ws == zones.local_midnight_utc(el, zones.local_date(el, ws))
    assert we + timedelta(hours=1) == zones.local_midnight_utc(el, zones.local_date(el, we) + timedelta(days=1))


def test_covered_local_hours_follow_the_local_day() -> None:
    """An hour belongs to its local day: in London summer time 23:00 UTC is the next day."""
    el = election()
    times = [datetime(2017, 5, 1, 20) + timedelta(hours=i) for i in range(6)]  # 21:00 BST .. 02:00 BST
    counts = np.array([0, 0, 0, 1, 0, 0])  # one post at 23:00 UTC = 00:00 on 2 May in London
    from botwatch.timeline import zones

    mask = bursts.covered_local_hours(times, counts, lambda t: zones.local_date(el, t))
    assert mask.tolist() == [False, False, False, True, True, True]


def test_the_event_headline_gives_q_and_the_number_of_tests_beside_p(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The event headline quoted "permutation p = 0.0xx" alone, while the section tests every
    series (the demo: 31) and the headline is given only at q < 0.05; the impact headline already
    says "q = … over the N impact tests". A reader quoting the p now reads its q and the count."""
    st = _study(tmp_path / "q.duckdb", bots_only=True)
    try:
        heads = _heads(st)
        n, q = st.sql("SELECT count(*), max(q_value) FILTER (WHERE dimension = 'origin' AND value = 'foreign origin') FROM event_tests")[0]
    finally:
        st.close()
    assert n > 1
    assert f", q = {q:.3f} over the {n} event tests of the section), against " in heads
