"""The time stages of `botwatch analyze`: timeline, bursts, creation, circadian.

Each stage reads the canonical tables plus whatever the other feature stages have written, and
degrades when those are absent: it writes what it can and records why the rest is missing in
`timeline_notes`, which the report shows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache, partial
from typing import Any

import pyarrow as pa

from botwatch.accounts.circadian import MIN_ACTIVE_CELLS  # distinct (day, hour) cells an account must be seen in for a circadian fit
from botwatch.count_text import counted
from botwatch.platform_names import TWITTER_PLATFORMS, platform_name
from botwatch.pipeline import Context, register
from botwatch.schema import register_output
from botwatch.stats import bh_adjusted
from botwatch.study import Study
from botwatch.timeline import bursts as bursts_mod
from botwatch.timeline import circadian_fit, creation as creation_mod, series, zones
from botwatch.timeline.groups import AUTOMATED, GROUPS_TABLE, build_groups
from botwatch.timeline.labelled import require_labels_for

NOTES = "timeline_notes"
BURST_DIMENSIONS = ("all", "party", "party_stance", "sentiment", "automated", "origin", "cluster", "party_group")
MIN_SERIES_POSTS = 30
EVENT_WINDOW_H = 24
# The event test's permutations run over a dense hourly series of the window's posts: 20 years is
# 175,320 hours, far past any campaign. A window of centuries (a hand-written preset, posts with
# broken dates) made it an hourly array of millions per group and per permutation, and the stage
# was killed for memory without a word; past this span the test is not run and a note says why.
EVENT_TEST_MAX_HOURS = 20 * 8766
BATCH_MIN = {"hour": 3, "day": 5}


def set_notes(study: Study, stage: str, notes: list[str]) -> None:
    """Replace this stage's notes (plain sentences the report shows about what is missing)."""
    # The (small) table is read at the driver and written once, with the rows a DELETE of this
    # stage's notes and an INSERT of the new ones left, in that order, on either engine. On a lake
    # the CREATE, DELETE and INSERT were a Spark write job each, two or three a stage (timeline,
    # bursts, creation, circadian, impact), around a stage of a few jobs.
    import pyarrow.compute as pc

    schema = pa.schema([("stage", pa.string()), ("note", pa.string())])
    held = study.driver_arrow(NOTES, schema.names).cast(schema) if NOTES in study.tables() else schema.empty_table()
    kept = held.filter(pc.fill_null(pc.not_equal(held["stage"], stage), True))  # as DELETE: a NULL stage is kept
    if notes or kept.num_rows != held.num_rows or NOTES not in study.tables():
        study.write_table(NOTES, pa.concat_tables([kept, pa.table({"stage": [stage] * len(notes), "note": notes}, schema=schema)]))


def election_tz(ctx: Context) -> str:
    return getattr(ctx.election, "timezone", None) or "UTC"


# -- timeline ---------------------------------------------------------------------------------
def timeline_expr(study: Study, tz: str) -> Any:
    """The Ibis expression of the `timeline` table for this study (also used by the Spark test)."""
    hours = [r[0] for r in study.sql("SELECT DISTINCT date_trunc('hour', created_at) FROM posts WHERE created_at IS NOT NULL")]
    study.write_table("_tl_offsets", zones.offsets_table(hours, tz))
    tables = set(study.tables())
    db = study.ibis
    labels = db.table("post_labels") if "post_labels" in tables and "sentiment" in set(study.columns("post_labels")) else None
    party = db.table("post_party") if "post_party" in tables and {"party", "stance", "sentiment"} <= set(study.columns("post_party")) else None
    groups = db.table(GROUPS_TABLE) if GROUPS_TABLE in tables else None
    # The posts with local time and sentiment, stored once: every dimension and all four
    # aggregates read them, and left as an expression the engine re-scanned posts and re-ran
    # both joins per dimension (about a fifth of the stage's CPU at 1M posts, measured).
    study.write_expr("_tl_base", series.base_posts(db.table("posts"), db.table("_tl_offsets"), labels), temp=True)
    tagged = series.tag_base(db.table("_tl_base"), groups=groups, post_party=party, sentiment=labels is not None)
    if study.engine != "duckdb":
        # Spark runs the tagging (a union of every dimension, three of them joins) once per
        # frequency and clock, four times; stored once, the stage's largest statement took a
        # third of its time on a 20,000-post lake. DuckDB plans the shared input itself.
        study.write_expr("_tl_tagged", tagged, temp=True)
        tagged = db.table("_tl_tagged")
    return series.timeline(tagged)


@register("timeline", needs=("posts",), optional=("post_labels", "post_party", "account_scores", "cluster_members"), writes=("timeline", GROUPS_TABLE, NOTES),
          check=require_labels_for)
def timeline(study: Study, ctx: Context) -> int:
    """Posts per hour and day by platform, kind, party, stance, sentiment and account group, in UTC and local time."""
    require_labels_for(study, ctx, "timeline")
    info = build_groups(study, ctx.election)
    # Recorded for the report, whose own election may be another stage's (`groups_home`).
    ctx.run_params["origin_home"] = info.home
    notes = list(info.notes)
    tables = set(study.tables())
    if "post_labels" not in tables:
        notes.append("No post_labels table: timelines by sentiment are not shown (the content stages have not run).")
    if "post_party" not in tables:
        notes.append("No post_party table: timelines by party and stance are not shown (the content stages have not run).")
    if ctx.election is None:
        notes.append("No election given: the 'local' clock is UTC.")
    expr = timeline_expr(study, election_tz(ctx))
    study.write_expr("timeline", expr)
    study.sql("DROP TABLE IF EXISTS _tl_offsets")
    study.sql("DROP TABLE IF EXISTS _tl_base")
    study.sql("DROP TABLE IF EXISTS _tl_tagged")
    set_notes(study, "timeline", notes)
    return study.count("timeline")


# -- bursts -----------------------------------------------------------------------------------
def _all_series(study: Study, dimensions: Sequence[str]) -> dict[tuple[str, str, str], tuple[list[datetime], list[int]]]:
    """Every UTC hour and day series of `dimensions`, keyed (freq, dimension, value), each its
    buckets in order and their post counts, in one query: bursts read each series with a query of
    its own, 62 Spark jobs of 0.4-1.9 s on a lake for a 20,000-post study (the rows are hours x
    series, small)."""
    names = ", ".join(f"'{d}'" for d in dimensions)
    rows = study.sql(f"SELECT freq, dimension, value, bucket, posts FROM timeline WHERE freq IN ('hour', 'day') AND clock = 'utc' "
                     f"AND dimension IN ({names}) ORDER BY freq, dimension, value, bucket")
    out: dict[tuple[str, str, str], tuple[list[datetime], list[int]]] = {}
    for freq, dimension, value, bucket, posts in rows:
        b, c = out.setdefault((freq, dimension, value), ([], []))
        b.append(bucket)
        c.append(int(posts))
    return out


# (frequency, bucket, period in buckets, look-back in periods) of the burst search.
BURST_STEPS = (("hour", timedelta(hours=1), 24, 7), ("day", timedelta(days=1), 1, 14))


@register("bursts", needs=("timeline",), writes=("bursts", "event_tests"), updates=(NOTES,), check=require_labels_for)
def bursts(study: Study, ctx: Context) -> int:
    """Bursts against a robust seasonal baseline, labelled with the nearest event; permutation test of activity around events."""
    require_labels_for(study, ctx, "bursts")
    events = zones.events_utc(ctx.election)
    ends = [e.end for e in ctx.election.events] if events else None  # spans: a burst inside one is nearest to it
    dims = ", ".join(f"'{d}'" for d in BURST_DIMENSIONS)
    candidates = study.sql(
        f"SELECT dimension, value, sum(posts) FROM timeline WHERE freq = 'hour' AND clock = 'utc' AND dimension IN ({dims}) GROUP BY ALL HAVING sum(posts) >= ? ORDER BY 1, 2",
        [MIN_SERIES_POSTS],
    )
    span = study.sql("SELECT min(bucket), max(bucket) FROM timeline WHERE freq = 'hour' AND clock = 'utc' AND dimension = 'all'")[0]
    burst_rows: list[dict[str, Any]] = []
    test_rows: list[dict[str, Any]] = []
    notes: list[str] = []
    if not events:
        notes.append("No election events: bursts are not labelled and the event test is not run.")
    # The event test looks at the campaign window when there is one: that is what the claim is about.
    w_lo, w_hi = span
    window = zones.window_utc(ctx.election)
    if window is not None and span[0] is not None:
        # The posts' span in the window, widened to whole local days of the election (never past
        # the window, itself whole local days): the test's days are the days the Methods
        # coverage line counts, not 24-hour blocks from the first post's hour.
        w_lo = max(span[0], window[0])
        w_hi = min(span[1], window[1] - timedelta(hours=1))
        if w_lo < w_hi:
            w_lo = max(window[0], zones.local_midnight_utc(ctx.election, zones.local_date(ctx.election, w_lo)))
            w_hi = min(window[1], zones.local_midnight_utc(ctx.election, zones.local_date(ctx.election, w_hi) + timedelta(days=1))) - timedelta(hours=1)
    local_day = partial(zones.local_date, ctx.election)  # the election's calendar day of a UTC hour
    covered = None  # per hour, whether its local day holds any post: the event test's null moves events only onto those days
    series = _all_series(study, sorted({"all", *BURST_DIMENSIONS}))
    testable = bool(events) and w_lo is not None and w_lo < w_hi
    if testable and (w_hi - w_lo) / timedelta(hours=1) > EVENT_TEST_MAX_HOURS:
        testable = False
        notes.append(f"The event test is not run: the posts in the study window span {w_lo.date().isoformat()} to {w_hi.date().isoformat()}, "
                     f"more than the {EVENT_TEST_MAX_HOURS // 8766} years its hourly permutations are bounded to; "
                     "narrow the election's window (or check the posts' dates) to have it.")
    if testable:
        b_all, c_all = series.get(("hour", "all", "all posts"), ([], []))
        all_times, all_arr = bursts_mod.dense(b_all, c_all, timedelta(hours=1), start=w_lo.replace(minute=0, second=0, microsecond=0), end=w_hi)
        covered = bursts_mod.covered_local_hours(all_times, all_arr, local_day)
    # The baselines read only what the archive collected: hours and days of the election's local
    # days holding a post of the study (an archive that starts, or resumes, mid-campaign is not
    # compared with a week of zeros it never collected). Those days are the timeline's local-clock
    # days with posts: the set `zones.local_days_with_posts` gives, read from a few rows, not the posts.
    days = {b.date() for (b,) in study.sql("SELECT bucket FROM timeline WHERE freq = 'day' AND clock = 'local' AND dimension = 'all' AND posts > 0")}
    # A timeline without local-clock rows (none is written without posts) leaves every bucket as
    # read before: no day is then taken as uncollected.
    collected = {freq: bursts_mod.Collected(days, local_day, step).over(series.get((freq, "all", "all posts"), ([], []))[0], lookback * period)
                 if days else None for freq, step, period, lookback in BURST_STEPS}
    # An hour's baseline is the same local hour of the previous days: across a daylight-saving
    # change that is an hour nearer or further in UTC (`bursts.robust_z`'s `shifts`).
    tz = getattr(ctx.election, "timezone", None) or "UTC"
    hour_shift = lru_cache(maxsize=None)(lambda t: zones.hour_shift(t, tz))
    for dimension, value, _total in candidates:
        for freq, step, period, lookback in BURST_STEPS:
            b, c = series.get((freq, dimension, value), ([], []))
            for bu in bursts_mod.find_bursts_sparse(b, c, step, period=period, lookback=lookback, collected=collected[freq],
                                                    shift_of=hour_shift if freq == "hour" else None):
                # The end stored beside the burst's event: the report says "during it" / "after its
                # end" from it, not from an election file edited since.
                label, ev_at, ev_end, hours = bursts_mod.nearest_event_span(bu.peak_at, events, ends=ends, width=step)
                burst_rows.append(dict(freq=freq, dimension=dimension, value=value, start=bu.start, end=bu.end, peak_at=bu.peak_at,
                                       peak_posts=bu.peak_posts, baseline=bu.baseline, z=bu.z, posts=bu.posts,
                                       event=label, event_at=ev_at, event_end=ev_end, hours_from_event=hours))
            if freq == "hour" and testable:
                times, arr = bursts_mod.dense(b, c, step, start=w_lo.replace(minute=0, second=0, microsecond=0), end=w_hi)
                res = bursts_mod.event_test(times, arr, [e for e, _ in events], window_h=EVENT_WINDOW_H, covered=covered)
                if res is not None:
                    test_rows.append(dict(dimension=dimension, value=value, window_start=times[0], window_end=times[-1], **res.__dict__))
    for row, q in zip(test_rows, bh_adjusted([r["p_value"] for r in test_rows])):
        row["q_value"] = q
    bt = pa.Table.from_pylist(burst_rows, schema=BURSTS_SCHEMA)
    tt = pa.Table.from_pylist(test_rows, schema=EVENT_TESTS_SCHEMA)
    n = study.write_table("bursts", bt) + study.write_table("event_tests", tt)
    set_notes(study, "bursts", notes)
    return n


TS = pa.timestamp("us")
BURSTS_SCHEMA = pa.schema([
    ("freq", pa.string()), ("dimension", pa.string()), ("value", pa.string()), ("start", TS), ("end", TS), ("peak_at", TS),
    ("peak_posts", pa.int64()), ("baseline", pa.float64()), ("z", pa.float64()), ("posts", pa.int64()),
    ("event", pa.string()), ("event_at", TS), ("hours_from_event", pa.float64()),
    ("event_end", TS),  # None for an instant; added last, after studies were analysed without it
])
EVENT_TESTS_SCHEMA = pa.schema([
    ("dimension", pa.string()), ("value", pa.string()), ("window_start", TS), ("window_end", TS), ("window_h", pa.int64()),
    ("events", pa.int64()), ("posts", pa.int64()), ("in_window_share", pa.float64()), ("rate_ratio", pa.float64()),
    ("null_rate_ratio", pa.float64()), ("p_value", pa.float64()), ("n_null", pa.int64()), ("exact", pa.bool_()),
    ("q_value", pa.float64()),
])


# -- creation ---------------------------------------------------------------------------------
# The label of the creation table's "all" row; the report reads it to tell a study analysed with
# the window population from one analysed before (whose rows counted every posting account).
WINDOW_POPULATION = "all accounts posting in the election window"

# An account's recorded creation date later than it was first seen (else last seen), over `accounts a`:
# the SQL of `accounts.frame_values.created_after_seen` (NULL where either time is unknown).
CREATED_LATE = "a.created_at > coalesce(a.first_seen, a.last_seen)"
# A Mastodon account's creation day only (the API writes it as midnight UTC), with the day holding
# the trigger, over `accounts a` and the parameters (trigger - 1 day, trigger): made before the
# call or after it, the data cannot tell. Read as "before" (its midnight is earlier), an account
# of a US study made on the call's day, 20 of whose 24 UTC hours follow the call, counted as made
# before it (`accounts.features` leaves its signal unknown alike).
DAY_HOLDS_TRIGGER = "(a.platform = 'mastodon' AND a.created_at = date_trunc('day', a.created_at) AND a.created_at > ? AND a.created_at < ?)"


def share_dates_sql(trigger: datetime) -> tuple[str, list[Any]]:
    """The select list, over `accounts a`, of what the creation shares read of an account, and its
    parameters: `created_at` (the date the shares count, NULL where unknown), `created_late`
    (`CREATED_LATE`) and `day_unknown` (`DAY_HOLDS_TRIGGER`, not late). The one rule the stage and
    the report's headline count by: the headline counted a Mastodon creation day holding the call
    as dated, so its dated and undated accounts fell short of the accounts it spoke of."""
    late, day = f"coalesce({CREATED_LATE}, false)", f"coalesce({DAY_HOLDS_TRIGGER}, false)"
    sql = (f"CASE WHEN {late} OR {day} THEN NULL ELSE a.created_at END AS created_at, {late} AS created_late, "
           f"NOT {late} AND {day} AS day_unknown")
    return sql, [trigger - timedelta(days=1), trigger] * 2


def _undated_from(study: Study, platform: str, source_format: str) -> bool:
    """Whether any undated window account of `platform` has posts read from `source_format`."""
    return bool(study.sql(
        "SELECT count(*) FROM _tl_pop t WHERE t.platform = ? AND t.created_at IS NULL AND NOT t.created_late AND NOT t.day_unknown AND EXISTS "
        "(SELECT 1 FROM posts p WHERE p.platform = t.platform AND p.account_id = t.account_id AND p.source_format = ?)",
        [platform, source_format])[0][0])


def _undated_why(study: Study) -> str:
    """Why the window's undated accounts have no creation date, by their platforms: a Bluesky study
    was told "the IRA/FiveThirtyEight files carry none; Twitter v1.1 and v2 data do", when the
    reason is that Bluesky's posts and events carry no account creation date at all."""
    from botwatch.ingest.csv_mapping import FORMAT as MAPPED

    said: list[str] = []
    for (platform,) in study.sql("SELECT DISTINCT coalesce(platform, 'twitter') FROM _tl_pop WHERE created_at IS NULL AND NOT created_late AND NOT day_unknown ORDER BY 1"):
        if platform in TWITTER_PLATFORMS and not _undated_from(study, platform, MAPPED):
            said.append("the IRA/FiveThirtyEight files carry none; Twitter v1.1 and v2 data do")
        elif platform in TWITTER_PLATFORMS and (platform == "x" or not _undated_from(study, platform, "ira-538-tweets")):
            # A user's own CSV layout (`ingest --columns`): the FiveThirtyEight sentence named files they never read.
            said.append("the CSV files read with --columns map no account_created_at column for these accounts")
        elif platform in TWITTER_PLATFORMS:
            said.append("the IRA/FiveThirtyEight files carry none, nor do the CSV files read with --columns without an account_created_at column")
        elif platform == "bluesky":
            said.append("Bluesky's posts and events carry no account creation date")
        else:
            said.append(f"the {platform_name(platform)} data read carry none for these accounts")
    return "; ".join(said)


@register("creation", needs=("posts", "accounts"), optional=(GROUPS_TABLE,), writes=("creation", "creation_batches", "creation_monthly"), updates=(NOTES,), needs_election=True,
          check=require_labels_for)
def creation(study: Study, ctx: Context) -> int:
    """Share of each group's accounts created after the election was called (Wilson 95%), vs all others; creation batches."""
    require_labels_for(study, ctx, "creation")
    trigger = zones.trigger_utc(ctx.election)
    # Only accounts that posted in the election window: "created after the election was called"
    # is an election finding only for accounts that took part in the campaign. Counting every
    # posting account let a study of 2021 posts (or accounts silent in the window) read as one.
    ws, we = zones.window_utc(ctx.election)
    # A creation date later than the account was first seen cannot be right (a clock-skewed or
    # edited export; 2031 counted as "created after the election was called"): left out as
    # unknown, as the accounts stage leaves its age and its signal (frame_values.created_after_seen).
    dates, params = share_dates_sql(trigger)
    study.sql(
        f"""CREATE OR REPLACE TEMP TABLE _tl_pop AS
        SELECT a.platform, a.account_id, {dates},
               CASE WHEN coalesce({CREATED_LATE}, false) THEN NULL ELSE a.created_at END AS made_at FROM accounts a
        WHERE EXISTS (SELECT 1 FROM posts p WHERE p.platform = a.platform AND p.account_id = a.account_id
                      AND p.created_at >= ? AND p.created_at < ?)""",
        [*params, ws, we],
    )
    total, dated, late, day_unknown = study.sql(
        "SELECT count(*), count(created_at), count(*) FILTER (WHERE created_late), count(*) FILTER (WHERE day_unknown) FROM _tl_pop")[0]
    notes: list[str] = []
    if not total:
        notes.append(
            f"No post falls in the election window ({ctx.election.window_start} to {ctx.election.window_end}), so no account "
            "creation date is compared with the day the election was called."
        )
    if total and dated + late + day_unknown < total:
        missing = total - dated - late - day_unknown
        notes.append(
            f"{missing:,} of {counted(total, 'account')} posting in the window {'has' if missing == 1 else 'have'} no creation date and {'is' if missing == 1 else 'are'} left out of the shares "
            f"({_undated_why(study)})."
        )
    if total and late:
        notes.append(
            f"{late:,} of {counted(total, 'account')} posting in the window {'has' if late == 1 else 'have'} a recorded creation date later than "
            f"the study first saw {'it' if late == 1 else 'them'}, which cannot be right, and {'is' if late == 1 else 'are'} left out of the shares."
        )
    if total and day_unknown:
        notes.append(
            f"{day_unknown:,} of {counted(total, 'account')} posting in the window {'is a Mastodon account' if day_unknown == 1 else 'are Mastodon accounts'} "
            f"made on {trigger:%Y-%m-%d} (a UTC day), which holds the start of the day the election was called ({trigger:%Y-%m-%d %H:%M} UTC): Mastodon gives the day an account "
            f"was made, not the hour, so whether {'it was' if day_unknown == 1 else 'they were'} made before or after the call is unknown, "
            f"and {'it is' if day_unknown == 1 else 'they are'} left out of the shares."
        )
    have_groups = GROUPS_TABLE in study.tables()
    groups = study.sql(f"SELECT DISTINCT dimension, value FROM {GROUPS_TABLE} ORDER BY 1, 2") if have_groups else []
    rows: list[dict[str, Any]] = []
    after_all = study.sql("SELECT count(*) FILTER (WHERE created_at >= ?) FROM _tl_pop WHERE created_at IS NOT NULL", [trigger])[0][0]
    cmp_all = creation_mod.compare(int(after_all), int(dated), 0, 0)
    rows.append(dict(dimension="all", value=WINDOW_POPULATION, trigger=trigger, **cmp_all.__dict__))
    # Every group's counts in one grouped query: one query per group was two Spark jobs each on a
    # lake (18 of the stage's 43 on the sample), however small the groups.
    by_group = {
        (d, v): (k, n)
        for d, v, k, n in study.sql(
            f"""SELECT g.dimension, g.value, count(*) FILTER (WHERE p.created_at >= ?), count(*) FROM _tl_pop p
            JOIN {GROUPS_TABLE} g ON g.platform = p.platform AND g.account_id = p.account_id
            WHERE p.created_at IS NOT NULL AND g.dimension IS NOT NULL AND g.value IS NOT NULL GROUP BY 1, 2""",
            [trigger],
        )
    } if groups else {}
    for dim, val in groups:
        k, n = by_group.get((dim, val), (0, 0))
        if not n:
            continue
        cmp = creation_mod.compare(int(k), int(n), int(after_all - k), int(dated - n))
        rows.append(dict(dimension=dim, value=val, trigger=trigger, **cmp.__dict__))
    schema = pa.schema([("dimension", pa.string()), ("value", pa.string()), ("trigger", TS)] + [(f, pa.int64() if f.endswith(("_n", "_after")) else pa.float64()) for f in creation_mod.ShareComparison.__dataclass_fields__])
    n_rows = study.write_table("creation", pa.Table.from_pylist(rows, schema=schema))
    auto_join = (
        f"LEFT JOIN {GROUPS_TABLE} g ON g.platform = p.platform AND g.account_id = p.account_id AND g.dimension = 'automated'"
        if have_groups else ""
    )
    auto_expr = f"count(*) FILTER (WHERE g.value = '{AUTOMATED}')" if have_groups else "CAST(NULL AS BIGINT)"
    # Batches and months read `made_at`: a Mastodon account made on the UTC day holding the call is
    # left out of the shares (before or after the call is unknown), but its day and month are
    # known, and left out here too the call's own day lost its batch and its month's bar fell short.
    parts = []
    for unit, minimum in BATCH_MIN.items():
        # Mastodon gives an account's creation day only (the API writes it as midnight UTC): in
        # hours, every account of a day fell in one "00:00" batch, "created in the same hour".
        day_only = " AND NOT (p.platform = 'mastodon' AND p.made_at = date_trunc('day', p.made_at))" if unit != "day" else ""
        parts.append(
            f"""SELECT '{unit}' AS unit, date_trunc('{unit}', p.made_at) AS bucket, count(*) AS accounts,
                   {auto_expr} AS likely_automated, array_slice(list_sort(list(p.account_id)), 1, 20) AS example_accounts
            FROM _tl_pop p {auto_join} WHERE p.made_at IS NOT NULL{day_only} GROUP BY 1, 2 HAVING count(*) >= {minimum}"""
        )
    study.sql(f"CREATE OR REPLACE TABLE creation_batches AS SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY unit, accounts DESC, bucket")
    study.sql(
        f"""CREATE OR REPLACE TABLE creation_monthly AS
        SELECT 'all' AS dimension, '{WINDOW_POPULATION}' AS value, date_trunc('month', made_at) AS month, count(*) AS accounts
        FROM _tl_pop WHERE made_at IS NOT NULL GROUP BY ALL
        {"UNION ALL SELECT g.dimension, g.value, date_trunc('month', p.made_at), count(*) FROM _tl_pop p JOIN " + GROUPS_TABLE + " g ON g.platform = p.platform AND g.account_id = p.account_id WHERE p.made_at IS NOT NULL GROUP BY ALL" if have_groups else ""}
        ORDER BY 1, 2, 3"""
    )
    study.sql("DROP TABLE IF EXISTS _tl_pop")
    set_notes(study, "creation", notes)
    return n_rows + study.count("creation_batches")


# -- circadian --------------------------------------------------------------------------------
def hour_profiles_sql(min_cells: int = MIN_ACTIVE_CELLS) -> str:
    """One row per account active in at least `min_cells` distinct (day, hour) cells: platform,
    account_id, posts and h0..h23, the distinct days active in each UTC hour. Twenty-four
    conditional sums, because an ordered list aggregate has no spelling that DuckDB and Spark SQL
    share (sqlglot drops the ORDER BY); one row per account lets the fit run batch by batch where
    the rows are (`map_arrow`), so no profile comes to the driver."""
    hours = ", ".join(f"sum(CASE WHEN h = {i} THEN days ELSE 0 END) AS h{i}" for i in range(24))
    return f"""WITH cells AS (
            SELECT platform, account_id, hour(created_at) AS h, count(DISTINCT CAST(created_at AS DATE)) AS days, count(*) AS posts
            FROM posts WHERE created_at IS NOT NULL GROUP BY platform, account_id, hour(created_at))
        SELECT platform, account_id, sum(posts) AS posts, {hours}
        FROM cells GROUP BY platform, account_id HAVING sum(days) >= {int(min_cells)}"""


def hour_profiles(study: Study, min_cells: int = MIN_ACTIVE_CELLS) -> list[tuple[str, str, int, list[int]]]:
    """(platform, account_id, posts, 24 counts of distinct days active in each UTC hour), in
    account order: the profiles in Python, for tests and notebooks (the stage fits them in batches)."""
    return _profiles(study.query_arrow(hour_profiles_sql(min_cells) + " ORDER BY 1, 2"))


def _profiles(rows: "pa.Table | pa.RecordBatch") -> list[tuple[str, str, int, list[int]]]:
    """`hour_profiles_sql` rows as (platform, account_id, posts, 24 counts)."""
    cols = rows.to_pydict()
    hours = [cols[f"h{i}"] for i in range(24)]
    return [(p, a, int(n), [int(h[j]) for h in hours]) for j, (p, a, n) in enumerate(zip(cols["platform"], cols["account_id"], cols["posts"]))]


CIRCADIAN_SCHEMA = pa.schema([
    ("platform", pa.string()), ("account_id", pa.string()), ("posts", pa.int64()), ("active_cells", pa.int64()),
    ("hour_counts", pa.list_(pa.int64())), ("best_offset", pa.int64()), ("loglik", pa.float64()),
    ("best_probability", pa.float64()), ("prob_within_1", pa.float64()), ("rhythm_bits", pa.float64()),
    ("informative", pa.bool_()), ("offset_probabilities", pa.string()), ("fitter", pa.string()),
])


def fit_profiles(profiles: list[tuple[str, str, int, list[int]]]) -> pa.Table:
    """Fit every account's hour profile with the shared human-day offset fit."""
    rows = []
    for platform, account_id, posts, counts in profiles:
        f = circadian_fit.fit(counts)
        if f.best_offset is None:
            continue
        rows.append(dict(
            platform=platform, account_id=account_id, posts=posts, active_cells=sum(counts), hour_counts=counts,
            best_offset=f.best_offset, loglik=f.loglik, best_probability=f.probabilities.get(f.best_offset),
            prob_within_1=circadian_fit.mass_near(f.probabilities, f.best_offset), rhythm_bits=f.rhythm_bits,
            informative=f.informative,
            offset_probabilities=json.dumps({str(k): round(v, 6) for k, v in sorted(f.probabilities.items())}),
            fitter=circadian_fit.FITTER,
        ))
    return pa.Table.from_pylist(rows, schema=CIRCADIAN_SCHEMA)


def _fit_batch(batch: pa.RecordBatch) -> pa.Table:
    """`fit_profiles` over one batch of `hour_profiles_sql` rows (run where the batch is: in-process
    on DuckDB, on an executor on Spark)."""
    return fit_profiles(_profiles(batch))


register_output("bursts", BURSTS_SCHEMA)
register_output("event_tests", EVENT_TESTS_SCHEMA)
register_output("circadian", CIRCADIAN_SCHEMA)


@register("circadian", needs=("posts",), writes=("circadian",), updates=(NOTES,))
def circadian(study: Study, ctx: Context) -> int:
    """Each account's posting-hour profile and the UTC offset that best fits a human day, with its probability."""
    n = study.map_arrow(hour_profiles_sql(), _fit_batch, CIRCADIAN_SCHEMA, "circadian")["circadian"]
    set_notes(study, "circadian", [] if n else [f"No account was active in at least {MIN_ACTIVE_CELLS} distinct (day, hour) cells: no circadian fit."])
    return n

