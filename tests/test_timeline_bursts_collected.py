"""Burst baselines read only what the archive collected.

An archive that starts mid-conversation (or resumes after an outage) has no posts on the days
before it: those days were not collected, they were not quiet. Found on the ordinary brexit-2016
tweets (one stray post on 22 February, collection from 1 March): the report's "strongest hourly
bursts" were the first collected days, each against a baseline of seven uncollected days of zeros,
above the night of the referendum result."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from botwatch.timeline import bursts as b

H = timedelta(hours=1)
D = timedelta(days=1)


def utc_day(t: datetime) -> date:
    return t.date()


def steady(days: range, per_hour: int = 6, start: datetime = datetime(2016, 3, 1)) -> dict[datetime, int]:
    """A flat hourly series over these days (offsets from `start`)."""
    return {start + d * D + h * H: per_hour for d in days for h in range(24)}


def hourly_bursts(at: dict[datetime, int], collected: bool) -> list[b.Burst]:
    buckets = sorted(at)
    days = {t.date() for t, n in at.items() if n > 0}
    fn = b.Collected(days, utc_day, H) if collected else None
    return b.find_bursts_sparse(buckets, [at[t] for t in buckets], H, period=24, lookback=7, collected=fn)


def test_the_first_collected_days_after_a_stray_post_are_not_bursts() -> None:
    """One post six days before collection starts, then a flat stream: with the empty days taken
    as quiet, every hour of the first collected days is a "burst" (z = count over a zero
    baseline); with them taken as uncollected, none is, and a real burst later is still found."""
    start = datetime(2016, 3, 1)
    at = {start - 6 * D + 20 * H: 1} | steady(range(0, 30))
    real = start + 20 * D + 13 * H
    at[real] = 90
    old = hourly_bursts(at, collected=False)
    assert any(bu.peak_at < start + 7 * D for bu in old)  # the artefact, as it was
    new = hourly_bursts(at, collected=True)
    assert [bu.peak_at for bu in new] == [real]


def test_a_stream_resuming_after_an_outage_is_not_a_burst_but_quiet_hours_still_count() -> None:
    """Ten days collected, five days lost, then the same flat stream: the hours after the gap are
    compared with the collected days only (no burst). A series that is really quiet on collected
    days (a party nobody named for a week) and then named 30 times in an hour is still a burst:
    its zeros are on days the archive collected."""
    start = datetime(2016, 3, 1)
    everything = steady(range(0, 10)) | steady(range(15, 30))
    assert hourly_bursts(everything, collected=True) == []
    assert hourly_bursts(everything, collected=False) != []  # without coverage: the resumption reads as bursts
    days = {t.date() for t in everything}
    party = {start + 5 * D + 9 * H: 1, start + 20 * D + 13 * H: 30}
    found = b.find_bursts_sparse(sorted(party), list(party.values()), H, period=24, lookback=7,
                                 collected=b.Collected(days, utc_day, H))
    assert [bu.peak_at for bu in found] == [start + 20 * D + 13 * H]


def test_daily_buckets_touch_two_local_days() -> None:
    """A UTC day bucket counts as collected when either local day it touches holds a post (west of
    UTC the bucket's first hours are the previous local day)."""
    days = {date(2016, 3, 2)}
    west = b.Collected(days, lambda t: (t - 5 * H).date(), D)
    assert west(datetime(2016, 3, 2)) and west(datetime(2016, 3, 3))  # 3 March 00:00 UTC is 2 March in UTC-5
    assert not west(datetime(2016, 3, 4)) and not west(datetime(2016, 3, 1))
    hourly = b.Collected(days, lambda t: (t - 5 * H).date(), H)
    assert hourly(datetime(2016, 3, 3, 4)) and not hourly(datetime(2016, 3, 3, 5))


def test_the_last_day_a_datetime_holds_is_no_overflow() -> None:
    fn = b.Collected({date(9999, 12, 31)}, utc_day, D)
    assert fn(datetime(9999, 12, 31)) and not fn(datetime(9999, 12, 30) - D)
    spans = fn.over([datetime(2016, 1, 1), datetime(9999, 12, 31)], 14)
    assert spans.mask(datetime(9999, 12, 31), 1).tolist() == [True]
    assert spans.mask(datetime(9999, 12, 29), 3).tolist() == [False, False, True]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 40)), min_size=1, max_size=60),
       far=st.lists(st.integers(3001, 6000), max_size=3), hourly=st.booleans(), lost=st.lists(st.integers(0, 260), max_size=40),
       extra=st.lists(st.integers(0, 6500), max_size=30))
def test_island_by_island_equals_the_dense_series_with_coverage(rows: list[tuple[int, int]], far: list[int], hourly: bool, lost: list[int],
                                                                 extra: list[int]) -> None:
    """`find_bursts_sparse` with `collected` finds exactly what `find_bursts` finds on the gap-free
    series with the same mask (some days with posts declared uncollected too)."""
    step, period, lookback = (H, 24, 7) if hourly else (D, 1, 14)
    at = {i: n for i, n in rows} | {i: 9 for i in far}
    t0 = datetime(2016, 1, 1)
    buckets = [t0 + i * step for i in sorted(at)]
    counts = [at[i] for i in sorted(at)]
    gone = {(t0 + d * D).date() for d in lost}
    days = {t.date() for t in buckets} - gone
    fn = b.Collected(days, utc_day, step)
    times, arr = b.dense(buckets, counts, step)
    mask = np.fromiter((fn(t) for t in times), dtype=bool, count=len(times))
    want = b.find_bursts(times, arr, period=period, lookback=lookback, observed=mask)
    assert b.find_bursts_sparse(buckets, counts, step, period=period, lookback=lookback, collected=fn) == want
    # Masks worked out once over a superset series (the study's "all posts"), sliced per part.
    more = sorted(set(buckets) | {t0 + i * step for i in extra})
    spans = b.Collected(days, utc_day, step).over(more, lookback * period)
    assert b.find_bursts_sparse(buckets, counts, step, period=period, lookback=lookback, collected=spans) == want


def test_the_stage_lists_no_burst_on_the_first_collected_days(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """End to end through `analyze`: a stray post, six empty days, then 25 days of steady posting
    by 30 accounts and one planted burst. The bursts table holds the planted one and nothing in
    the first collected week (before the change, the first days' busy hours were listed)."""
    from botwatch import open_study
    from botwatch.pipeline import Context, analyze
    from tests.test_timeline import election, write_posts, write_table

    rng = np.random.default_rng(11)
    start = datetime(2017, 4, 24)
    posts = [dict(post_id="stray", platform="twitter", account_id="h0", created_at=start - 6 * D + 20 * H, kind="original", text="x")]
    for d in range(25):
        for a in range(30):
            for _ in range(rng.poisson(3.0)):
                at = start + d * D + timedelta(minutes=int(rng.integers(24 * 60)))
                posts.append(dict(post_id=f"p{len(posts)}", platform="twitter", account_id=f"h{a}", created_at=at, kind="original", text="x"))
    planted = start + 18 * D + 14 * H
    posts += [dict(post_id=f"burst{i}", platform="twitter", account_id=f"h{i % 30}", created_at=planted + timedelta(seconds=20 * i),
                   kind="original", text="y") for i in range(80)]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_posts(st, posts)
        accounts = sorted({p["account_id"] for p in posts})
        write_table(st, "account_scores", [dict(platform="twitter", account_id=a, bot_probability=0.1, origin_country="GB", origin_probability=0.8,
                                                origin_probabilities='{"GB": 0.8, "RU": 0.2}') for a in accounts])
        write_table(st, "post_party", [dict(platform="twitter", post_id=p["post_id"], account_id=p["account_id"], created_at=p["created_at"], party="labour",
                                            stance="support", stance_rule="test", sentiment=0.3) for p in posts])
        write_table(st, "post_labels", [dict(platform="twitter", post_id=p["post_id"], account_id=p["account_id"], created_at=p["created_at"],
                                             in_election=True, lang="en", sentiment=0.3) for p in posts])
        analyze(st, Context(election=election(), log=lambda m: None), only=["timeline", "bursts"])
        peaks = [r[0] for r in st.sql("SELECT peak_at FROM bursts WHERE freq = 'hour' AND dimension = 'all'")]
    assert planted.replace(minute=0) in peaks
    assert not [p for p in peaks if p < start + 7 * D], peaks
