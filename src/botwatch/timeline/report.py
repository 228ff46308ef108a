"""Report section "When": timelines with events marked, bursts, the event test, creation waves,
circadian origin and the impact tests — each shown only when its table exists, and what could not
be computed is said in words (from `timeline_notes`)."""

from __future__ import annotations

import functools
import math
import re
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from markupsafe import Markup

from botwatch.accounts.circadian import SAME_HOURS
from botwatch.accounts.gazetteer import countries, country_zones
from botwatch.elections import party_name
from botwatch.elections.contest import contest_words, current_contest_words
from botwatch.origin_rule import FOREIGN_THRESHOLD
from botwatch.impact.stage import SERIES_WORDS
from botwatch.report.fmt import pct, pct_ci
from botwatch.report.svg import MAX_BARS, grouped
from botwatch.report.sections import Section, render, section
from botwatch.reshare_words import report_reshare
from botwatch.study import Study
from botwatch.timeline import creation as creation_mod
from botwatch.timeline import bursts as bursts_mod
from botwatch.timeline import svg, zones
from botwatch.timeline.bursts import NEAREST_EVENT_H
from botwatch.timeline.circadian_fit import offset_distance
from botwatch.timeline.groups import AUTOMATED, FOREIGN, largest_clusters
from botwatch.timeline.ordinary_accounts import shared_with_reference
from botwatch.timeline.series import series_label

TIMELINE_PANELS = (("all", "All posts"), ("party", "By party"), ("automated", "Likely automated or not"),
                   ("origin", "Foreign origin or not"), ("cluster", "Largest coordinated clusters"), ("sentiment", "By sentiment"))
MAX_SERIES = 6
# A test result leads the report only when the test supports it: an event effect with p = 0.79
# read as a finding ("0.60× as frequent") at the top of a report a journalist quotes.
HEADLINE_P = 0.05
# The event tests listed (lowest p first); q is adjusted over every test, listed or not.
MAX_TESTS_SHOWN = 25


def _span(study: Study, election: Any) -> tuple[datetime, datetime] | None:
    lo, hi = study.sql("SELECT min(bucket), max(bucket) FROM timeline WHERE freq='day' AND clock='utc' AND dimension='all'")[0]
    if lo is None:
        return None
    window = zones.window_utc(election)
    if window is not None:
        # UTC days that overlap the window (the daily buckets are UTC midnights).
        ws = window[0].replace(hour=0, minute=0, second=0, microsecond=0)
        we = (window[1] - timedelta(microseconds=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        if not (hi < ws or lo > we):
            return max(lo, ws), min(hi, we)
    return lo, hi


_events = zones.events_utc


def _days_posts(study: Study, span: tuple[datetime, datetime]) -> float:
    """Every post of the days shown (the "all posts" line's sum)."""
    return float(study.sql("SELECT sum(posts) FROM timeline WHERE freq='day' AND clock='utc' AND dimension='all' AND bucket BETWEEN ? AND ?",
                           [span[0], span[1]])[0][0] or 0)


def _automated_coverage(study: Study, span: tuple[datetime, datetime], covered: float) -> str:
    """The share of the days' posts the automated / not-automated lines hold: only accounts with a
    bot probability are in either, and an IRA-heavy study drew both lines from 518 of 28,323 posts
    without saying so. Empty when they hold every post."""
    total = _days_posts(study, span)
    if not total or covered >= total:
        return ""
    return (f"; the two lines hold {covered:,.0f} of the {total:,.0f} posts of these days ({pct(covered / total)}): the other posts' "
            "accounts have no bot probability, so they are in neither line")


def _sentiment_coverage(study: Study, span: tuple[datetime, datetime], covered: float, lines: int) -> str:
    """The share of the days' posts the sentiment lines hold: sentiment is read in English only, and
    a Duma 2016 study on the IRA tweets drew its negative, neutral and positive lines from 26,970 of
    44,194 posts, a reader taking them for all the talk. Empty when they hold every post."""
    total = _days_posts(study, span)
    if not total or covered >= total:
        return ""
    held = "the line holds" if lines == 1 else f"the {lines} lines hold"
    return (f"; {held} {covered:,.0f} of the {total:,.0f} posts of these days ({pct(covered / total)}): sentiment is read in "
            "English only, so posts in other languages (and posts without text) are in none, not counted as neutral")


def chart_range(span: tuple[datetime, datetime]) -> tuple[str, datetime, datetime]:
    """The timelines' bucket and their first and last buckets: UTC days, or the 24 UTC hours of
    a span of one day, which as days has no width (gop-debate-2015, 9,089 posts on 2015-08-07,
    drew "No data in this period" in every timeline)."""
    if span[0] == span[1]:
        return "hour", span[0], span[0] + timedelta(hours=23)
    return "day", span[0], span[1]


def timeline_figures(study: Study, election: Any, span: tuple[datetime, datetime]) -> list[dict[str, Any]]:
    """One line chart per dimension present, over the campaign window (or the study's days), events
    marked: by UTC day, or by UTC hour when the span is one day (`chart_range`)."""
    colours: dict[str, str] = {}
    if election is not None:
        colours = {p.key: p.colour for p in election.parties}
    freq, start, end = chart_range(span)
    step = timedelta(hours=1) if freq == "hour" else timedelta(days=1)
    figs = []
    for dim, title in TIMELINE_PANELS:
        if dim == "party":  # "By side" for a referendum (botwatch.elections.contest)
            title = f"By {contest_words(election).one}"
        rows = study.sql(
            "SELECT value, bucket, posts FROM timeline WHERE freq=? AND clock='utc' AND dimension=? AND bucket BETWEEN ? AND ? ORDER BY value, bucket",
            [freq, dim, start, end],
        )
        if not rows:
            continue
        by: dict[str, dict[datetime, float]] = {}
        for v, b, n in rows:
            by.setdefault(v, {})[b] = float(n)
        # Buckets without posts are zeros, not gaps to draw a line across.
        days = [start + i * step for i in range(int((end - start) / step) + 1)]
        dense = {v: [(d, pts.get(d, 0.0)) for d in days] for v, pts in by.items()}
        if dim == "cluster":
            ordered, caption, title = _largest_cluster_lines(study, dense, days, title)
        else:
            ordered = sorted(dense.items(), key=lambda kv: -sum(n for _, n in kv[1]))[:MAX_SERIES]
            caption = f"the {len(ordered)} largest of {len(dense)} series" if len(dense) > len(ordered) else ("one series" if len(dense) == 1 else f"all {len(dense)} series")
        # A party's line by its name, not its key (the other dimensions' values are words already).
        series = [(party_name(election, v) if dim == "party" else v, colours.get(v), pts) for v, pts in ordered]
        if dim == "automated":
            caption += _automated_coverage(study, span, sum(float(n) for _, _, n in rows))
        if dim == "sentiment":
            caption += _sentiment_coverage(study, span, sum(float(n) for _, _, n in rows), len(dense))
        figs.append({"title": title, "caption": caption, "per": f"UTC {freq}",
                     "svg": svg.time_lines(series, start=start, end=end, events=_events(election), events_until=end + step, title=f"{title}: posts per {freq} (UTC)",
                                           unit=f"posts / {freq}", unit_one=f"post / {freq}",
                                           x_labels=(f"{start:%Y-%m-%d %H:%M}", f"{end:%H:%M} UTC") if freq == "hour" else None)})
    return figs


def _largest_cluster_lines(study: Study, dense: dict[str, list[tuple[datetime, float]]], days: list[datetime],
                           title: str) -> tuple[list[tuple[str, list[tuple[datetime, float]]]], str, str]:
    """The "Largest coordinated clusters" lines, caption and title: the clusters with the most
    members, as the headline, the clusters table and `botwatch timeline -d cluster` rank them
    (`groups.largest_clusters`), not the lines with the most posts, and counted against every
    cluster of the study, not only those the timeline keeps. A large cluster with no post in
    these days is drawn flat at zero rather than replaced by a smaller, busier one.

    Where the study cannot rank the timeline's clusters by members (no `cluster_members`, or a
    coordination run after the timeline renumbered them), the lines are the clusters with the most
    posts in these days and the title says so: it drew the first six by name under "Largest"."""
    # Only clusters the timeline holds: a coordination run after the timeline stage renumbers them.
    kept = {v for (v,) in study.sql("SELECT DISTINCT value FROM timeline WHERE dimension = 'cluster'")}
    ranked = [v for v in largest_clusters(study) if v in kept]
    if not ranked:
        busiest = sorted(dense, key=lambda v: (-sum(n for _, n in dense[v]), v))[:MAX_SERIES]
        why = "the study's clusters are not the timeline's (coordination ran after it)" if "cluster_members" in study.tables() else "the study holds no cluster members"
        shown = f"the {len(busiest)} with the most posts in these days of the timeline's {len(dense):,} clusters" if len(dense) > len(busiest) \
            else ("its one cluster" if len(dense) == 1 else f"all {len(dense)} of the timeline's clusters")
        return [(v, dense[v]) for v in busiest], f"{shown}; not ranked by accounts: {why}", "Busiest coordinated clusters"
    ordered = [(v, dense.get(v) or [(d, 0.0) for d in days]) for v in ranked[:MAX_SERIES]]
    n_all = int(study.sql("SELECT count(DISTINCT cluster_id) FROM cluster_members")[0][0] or 0)
    if n_all > len(ordered):
        caption = f"the {len(ordered)} largest of the study's {n_all:,} clusters, by accounts"
    else:
        caption = "its one cluster" if n_all == 1 else f"all {n_all} clusters"
    return ordered, caption, title


def span_words(span: tuple[datetime, datetime], election: Any) -> dict[str, Any]:
    """What the line over the timelines says of the days shown and the events on them: "Campaign
    window shown" and "Dashed lines mark the preset's key events (18 …)" stood over brexit-2016's
    2016 days under uk-ge2017, outside that window and with none of its events in them."""
    window = zones.window_utc(election) if election is not None else None
    inside = window is not None and not (span[1] < window[0].replace(hour=0, minute=0, second=0, microsecond=0) or span[0] >= window[1])
    freq, start, end = chart_range(span)
    events = _events(election)
    # Through the end of the last day (or hour) shown: polling day's own events (polls open, the
    # exit poll) on the study's last day were left off the charts and out of this count.
    until = end + (timedelta(hours=1) if freq == "hour" else timedelta(days=1))
    return {"in_window": inside, "events_shown": sum(1 for at, _ in events if start <= at < until), "events_all": len(events),
            "one_day": freq == "hour"}


def hour_of_day(study: Study) -> Markup | None:
    """Posts by local hour of day for each account group (or all posts), as shares."""
    rows = study.sql(
        "SELECT value, hour(bucket) AS h, sum(posts) FROM timeline WHERE freq='hour' AND clock='local' AND dimension IN ('automated','origin','all') GROUP BY ALL ORDER BY 1, 2"
    )
    if not rows:
        return None
    by: dict[str, list[float]] = {}
    for v, h, n in rows:
        by.setdefault(v, [0.0] * 24)[int(h)] += float(n)
    base = datetime(2000, 1, 1)
    series = []
    for v, counts in by.items():
        tot = sum(counts) or 1.0
        series.append((v, None, [(base + timedelta(hours=h), 100 * c / tot) for h, c in enumerate(counts)]))
    return svg.time_lines(series, start=base, end=base + timedelta(hours=23), title="Share of posts by local hour of day", unit="% of the group's posts per hour",
                           x_labels=("00:00", "23:00"), x_name="local hour", x_format="%H:00")


def burst_rows(study: Study, span: tuple[datetime, datetime], limit: int = 15, election: Any = None) -> list[tuple[Any, ...]]:
    """The strongest hourly bursts in the window, one row per burst: (labels, peak_at, peak_posts,
    baseline, z, posts, event, hours_from_event, relation), `labels` a list of (dimension, value),
    `relation` where the peak lies against the event (`_event_relation`).

    `span` is the UTC days shown; where they overlap the election's window (`zones.window_utc`)
    the peaks are read inside the window itself, as the table's caption says: the UTC days around
    a window that starts at a local midnight east of UTC begin hours before it (the IRA release
    under uk-ge2017 listed a peak at 2017-04-17 13:00 UTC, ten hours before the window opened,
    as "in the window", 21 hours before the election was called).

    A burst found identically in several series (when every post in the window is by
    foreign-origin accounts, "all: all posts" and "origin: foreign origin" are the same series) is
    listed once with every label, not once per series. `z` is None where the baseline is empty
    (no posts in the same hour of the previous days): the spread is then only the documented floor
    sqrt(baseline + 1) = 1, so z would just repeat the count ("27 posts, baseline 0, z 27"). Those
    are ranked after every burst with a z, among themselves by their posts: ranked by the stored z
    (the count) the demo's two "strongest" were such hours (221 and 185 posts, z "not defined")
    above 273 posts at z 135."""
    have = set(study.columns("bursts"))
    filed = None if "event_end" in have else _filed_event_ends(election)
    rows = study.sql(
        f"""SELECT dimension, value, peak_at, peak_posts, baseline, z, posts, event, hours_from_event, {_stored_event_span(have)} FROM bursts
        WHERE {_BURSTS_LISTED}
        ORDER BY coalesce(baseline, 0) = 0, CASE WHEN coalesce(baseline, 0) = 0 THEN peak_posts ELSE z END DESC, peak_at,
                 dimension <> 'all', dimension, value""",
        list(_burst_bounds(span, election)),
    )
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for dim, val, peak, pp, base, z, posts, ev, hrs, ev_at, ev_end in rows:
        if filed is not None:
            ev_end = filed.get((ev_at, ev))
        key = (peak, pp, base, z, posts)
        if key in merged:
            merged[key][0].append((dim, val))
        elif len(merged) < limit:
            merged[key] = [[(dim, val)], peak, pp, base, None if not base else z, posts, ev, hrs, _event_relation(peak, ev, hrs, ev_at, ev_end)]
    return [tuple(r) for r in merged.values()]


def _stored_event_span(have: set[str]) -> str:
    """The select list of the event's start and end as the bursts stage stored them, NULL for a
    column (of the bursts table's columns, `have`) a study analysed by an earlier botwatch lacks
    (`event_end` before 2026-12-07)."""
    return ", ".join(c if c in have else f"NULL AS {c}" for c in ("event_at", "event_end"))


def _filed_event_ends(election: Any) -> dict[tuple[datetime, str], datetime | None]:
    """(UTC start, label) → end (None: an instant) of the election file's events, the first listed
    of two sharing both: for a study analysed before the stage stored `event_end`, whose table read
    "+109" alone where the report had said "after its end" from this file before the end was stored."""
    spans: dict[tuple[datetime, str], datetime | None] = {}
    for e in election.events if election is not None else ():
        spans.setdefault((e.at, e.label), e.end)
    return spans


def _event_relation(peak: datetime, ev: str | None, hrs: float | None, start: datetime | None, end: datetime | None) -> str | None:
    """Where a burst's peak hour lies against its stored nearest event, which the stage kept by its
    distance from the event's span, not from its start (`bursts.nearest_event`): "during" (inside
    the span, or the event starting in that hour), "after_end" (after a span's end), or None
    (before or after an instant, no event, or an end neither stored nor in the election file).
    The table gives hours from the start, and hid a burst more than 72
    of them after it as "none within 72 h": on uk-ge2017, one 37 h after the end of the three-day
    pause in campaigning after the Manchester attack, 109 hours after it began.

    Read from what the stage stored (`start`, `end`; `start` from the stored hours where a study
    lacks it), not from the election file now: matched there by label and start, a file edited
    since the stage ran lost the event, and the burst read "+109" with no "after its end". Only a
    study analysed before `end` was stored takes it from the file (`burst_rows`)."""
    if ev is None or hrs is None:
        return None
    if start is None:
        start = peak - timedelta(hours=float(hrs))
    if bursts_mod.inside_event(peak, start, end, timedelta(hours=1)):
        return "during"
    return "after_end" if end is not None and peak > end else None


_BURSTS_LISTED = "freq='hour' AND peak_at >= ? AND peak_at < ? AND dimension NOT IN ('party_stance', 'party_group')"


def burst_total(study: Study, span: tuple[datetime, datetime], election: Any = None) -> int:
    """How many distinct hourly bursts `burst_rows` chose its rows from (a burst found identically
    in several series counted once, as it lists them): the table showed 15 of the demo's 615 with
    no word of the rest."""
    return int(study.sql(f"SELECT count(*) FROM (SELECT DISTINCT peak_at, peak_posts, baseline, z, posts FROM bursts WHERE {_BURSTS_LISTED}) t",
                         list(_burst_bounds(span, election)))[0][0])


def burst_chance(study: Study, span: tuple[datetime, datetime], election: Any = None) -> dict[str, Any] | None:
    """How many of the listed hourly bursts have a nearest event, beside how many would by chance:
    {"near": bursts within `NEAREST_EVENT_H` of an event, "total": `burst_total`, "hours": the
    hours of the listed span on local days holding posts, "hours_near": those within that reach of
    an event (the rule `bursts.nearest_event` labels a burst by)}. None without events or bursts.

    Why: us-2016's 9 events within ± 72 h cover about half of its 76-day window, so on the IRA
    tweets 644 of 1,165 hourly bursts named a "nearest event" where half would at random hours;
    the table's event column read as if the bursts were tied to the events."""
    events = zones.events_utc(election)
    total = burst_total(study, span, election)
    if not events or not total:
        return None
    lo, hi = _burst_bounds(span, election)
    near = int(study.sql(f"SELECT count(*) FROM (SELECT DISTINCT peak_at, peak_posts, baseline, z, posts FROM bursts WHERE {_BURSTS_LISTED} "
                         "AND event IS NOT NULL) t", [lo, hi])[0][0])
    days = zones.local_days_with_posts(study, election, lo, hi)
    ends = [e.end for e in election.events]
    first = lo.replace(minute=0, second=0, microsecond=0)
    hours = [first + timedelta(hours=i) for i in range(int((hi - first) / timedelta(hours=1)))]
    hours = [h for h in hours if zones.local_date(election, h) in days]
    hours_near = sum(1 for h in hours if bursts_mod.nearest_event(h, events, ends=ends, width=timedelta(hours=1))[0] is not None)
    return {"near": near, "total": total, "hours": len(hours), "hours_near": hours_near, "events": len(events)} if hours else None


def _burst_bounds(span: tuple[datetime, datetime], election: Any) -> tuple[datetime, datetime]:
    """[start, end) of the peaks `burst_rows` lists: the UTC days shown, cut to the window where
    they overlap it (`span_words`' "in the window")."""
    start, end = span[0], span[1] + timedelta(days=1)
    window = zones.window_utc(election) if election is not None else None
    if window is not None and span_words(span, election)["in_window"]:
        start, end = max(start, window[0]), min(end, window[1])
    return start, end


def dense_months(monthly: list[tuple[datetime, int]]) -> tuple[list[str], list[float]]:
    """Every month from the first to the last, zeros included, so the bars are a time axis.
    (Keys written out, not `strftime("%Y")`: that gives "1-01" for year 1 on Linux, which lost
    the accounts of a year below 1000 from the chart.)"""
    counts = {f"{m.year:04d}-{m.month:02d}": float(n) for m, n in monthly}
    y, mo = monthly[0][0].year, monthly[0][0].month
    end = (monthly[-1][0].year, monthly[-1][0].month)
    labels = []
    while (y, mo) <= end:
        labels.append(f"{y:04d}-{mo:02d}")
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return labels, [counts.get(lab, 0.0) for lab in labels]


def creation_bars(monthly: list[tuple[datetime, int]], election: Any) -> tuple[list[str], list[float], list[tuple[int, str]], str]:
    """(bar labels, accounts, election marks (bar, words), unit) of the accounts-created chart:
    every month from the first creation to the last when they fit in `svg.MAX_BARS`, else every
    year, else spans of N years, zeros included, so the bars stay a time axis.

    Why the limit: a profile created "0001-01-01" (a placeholder some archives write for unknown;
    ingest keeps any time from year 1 to 9999) drew a bar for each of 24,000 months, an 11.8 MB
    report for 25 posts. Marks falling on one bar are joined into one."""
    labels, values = dense_months(monthly)
    unit, bar_of = "month", list(range(len(labels)))
    if len(labels) > MAX_BARS:
        y0, y1 = monthly[0][0].year, monthly[-1][0].year
        yearly = [0.0] * (y1 - y0 + 1)
        for lab, v in zip(labels, values):
            yearly[int(lab[:4]) - y0] += v
        step, values = grouped(yearly)
        unit = "year" if step == 1 else f"{step}-year span"
        bar_of = [(int(lab[:4]) - y0) // step for lab in labels]
        starts = range(y0, y1 + 1, step)
        labels = [f"{y:04d}" if step == 1 else f"{y:04d}–{min(y + step - 1, y1):04d}" for y in starts]
    marks: dict[int, list[str]] = {}
    wanted = [] if election is None else [(election.trigger_date, "election called"), (election.polling_day, "polling day")]
    for day, words in wanted:
        if (pos := _month_index(monthly, day.year, day.month)) is not None:
            marks.setdefault(bar_of[pos], []).append(words)
    return labels, values, [(b, "; ".join(w)) for b, w in sorted(marks.items())], unit


def _month_index(monthly: list[tuple[datetime, int]], year: int, month: int) -> int | None:
    """The position of (year, month) among `dense_months(monthly)`, or None outside them."""
    y0, m0 = monthly[0][0].year, monthly[0][0].month
    pos = (year - y0) * 12 + month - m0
    last = (monthly[-1][0].year - y0) * 12 + monthly[-1][0].month - m0
    return pos if 0 <= pos <= last else None


def creation_block(study: Study, election: Any) -> dict[str, Any] | None:
    tables = set(study.tables())
    if "creation" not in tables:
        return None
    rows = study.sql("SELECT dimension, value, group_n, group_after, share, low, high, others_n, others_share, others_low, others_high, diff, diff_low, diff_high FROM creation ORDER BY dimension <> 'all', dimension, value")
    monthly = study.sql("SELECT month, accounts FROM creation_monthly WHERE dimension='all' ORDER BY month") if "creation_monthly" in tables else []
    chart = None
    if monthly:
        labels, values, marks, unit = creation_bars(monthly, election)
        chart = svg.bars(labels, values, title=f"Accounts created per {unit}", marks=marks, label_every=max(1, len(labels) // 12))
    batches = study.sql("SELECT unit, bucket, accounts, likely_automated FROM creation_batches ORDER BY accounts DESC, bucket, unit LIMIT 10") if "creation_batches" in tables else []
    batches = [(unit, batch_when(unit, b), n, auto) for unit, b, n, auto in batches]
    trigger: Any = getattr(election, "trigger_date", None)
    if trigger is None:  # the election cannot be loaded here: the stage recorded the instant it used (it read "(None)")
        stored = study.sql("SELECT min(trigger) FROM creation")[0][0]
        trigger = f"{stored:%Y-%m-%d %H:%M} UTC" if stored is not None else "date not recorded"
    return {"rows": rows, "chart": chart, "batches": batches, "trigger": trigger, "population": creation_population(rows, election),
            "undated_automated": undated_in_window(study, election, "automated", AUTOMATED)}


def batch_when(unit: str, bucket: datetime) -> str:
    """A creation batch's hour or day in words, with its clock: the table printed the stored UTC
    bucket bare ("2017-04-20 04:00:00"), beside a section whose hour-of-day chart is on the
    election's local clock."""
    return f"{bucket:%Y-%m-%d} (UTC day)" if unit == "day" else f"{bucket:%Y-%m-%d %H:%M} UTC"


def undated_in_window(study: Study, election: Any, dimension: str, value: str) -> tuple[int, int, int, int] | None:
    """(accounts of a group that posted in the election window without a creation date the shares
    count, all the group's accounts that posted there, how many of the first have one later than
    the study first saw them, how many a Mastodon creation day holding the call), or None where it
    cannot be counted. The creation shares count dated accounts only, and the section's note gives
    the undated count of all accounts: a group dated for 2 of its 10 posting accounts headed the
    report as "100% [34–100%] of the 2 likely automated accounts … created after the election was
    called" beside a note of "8 of 40". An account is dated or not by the creation stage's own rule
    (`stages.share_dates_sql`), so the dated and undated add up to the accounts the headline names:
    counted apart, a Mastodon creation day holding the call was in neither."""
    from botwatch.timeline.groups import GROUPS_TABLE
    from botwatch.timeline.stages import share_dates_sql

    window = zones.window_utc(election) if election is not None else None
    if window is None or not {GROUPS_TABLE, "accounts", "posts"} <= set(study.tables()):
        return None
    dates, params = share_dates_sql(zones.trigger_utc(election))
    undated, total, late, day_unknown = study.sql(
        f"""SELECT count(*) FILTER (WHERE created_at IS NULL), count(*), count(*) FILTER (WHERE created_late), count(*) FILTER (WHERE day_unknown)
        FROM (SELECT {dates} FROM {GROUPS_TABLE} g JOIN accounts a ON a.platform = g.platform AND a.account_id = g.account_id
              WHERE g.dimension = ? AND g.value = ? AND EXISTS (SELECT 1 FROM posts p WHERE p.platform = a.platform AND p.account_id = a.account_id
                                                               AND p.created_at >= ? AND p.created_at < ?)) t""",
        [*params, dimension, value, window[0], window[1]],
    )[0]
    return int(undated), int(total), int(late), int(day_unknown)


def creation_population(rows: list[tuple[Any, ...]], election: Any) -> str:
    """Who the creation rows count, in words: accounts that posted in the election window (the
    stage's population since it stopped counting accounts silent in the window), or, for a study
    analysed before, every account that posted in the study."""
    from botwatch.timeline.stages import WINDOW_POPULATION

    if not any(r[0] == "all" and r[1] == WINDOW_POPULATION for r in rows):
        return "posted in the study"
    if election is not None:
        return f"posted in the election window ({election.window_start} to {election.window_end})"
    return "posted in the election window"


def moscow_offset(study: Study, election: Any) -> int:
    """Whole hours east of UTC on Russia's main clock (first zone of RU in countries.tsv) when the
    study's posts were written: the IRA worked office hours on Moscow time, which was UTC+4 in
    2011-2014 and UTC+3 since, so the hour is read from the zone table rather than typed."""
    if election is not None:
        at = datetime.combine(election.polling_day, datetime.min.time())
    else:
        at = study.sql("SELECT max(bucket) FROM timeline WHERE freq='day' AND clock='utc' AND dimension='all'")[0][0] if "timeline" in study.tables() else None
    return round(zones.offset_minutes(at or datetime(2016, 1, 1), countries()["RU"].time_zones[0]) / 60)


HOME_MARGIN_H = 2  # a Moscow-band fit counts only this many hours or more from the election's own zone


def home_hours(minutes: int) -> float:
    """A zone's offset in hours east of UTC, kept exact: 5.5 for India, 5.75 for Nepal, an int
    where whole. Rounded to whole hours, India's UTC+5:30 read "UTC+6" in the report and its
    accounts fitted at UTC+3, 2.5 hours from home, were counted "at least 3 hours away"."""
    return minutes // 60 if minutes % 60 == 0 else minutes / 60


def moscow_band(msk: int, home: float | None) -> set[int]:
    """Best-fit offsets the report counts as "Moscow": Moscow time ± 1 h, leaving out any offset
    within an hour of the election's own zone (`home`, on polling day).

    A person's best-fit offset is only good to about an hour, so a day kept at home fits home ± 1
    as readily as home: on ordinary UK Brexit tweets (no trolls; UK on UTC+1 in summer) the fits
    ran +1: 86, +2: 82, +3: 46, +4: 18, and counting UTC+2 as "Moscow ± 1" made the headline say
    40% fit Moscow, and 100% for @UKLabour alone. An offset within an hour of home is evidence of
    home as much as of Moscow, so it is not counted as Moscow; when every Moscow offset is that
    close (an election in Moscow's own zone or next to it) the band is empty and no Moscow share
    is given. With no election the home zone is unknown and the whole band is kept."""
    band = {(msk + d + 11) % 24 - 11 for d in (-1, 0, 1)}  # offsets on the -11..+12 circle
    if home is None:
        return band
    return {o for o in band if offset_distance(o, home) >= HOME_MARGIN_H}


# How far from home a best-fit offset must lie to count as "away": at least this many hours from
# every time zone of the election's country.
FAR_H = 3


def home_offsets(election: Any, home: float | None) -> list[float]:
    """The UTC offsets, in whole hours at noon on polling day, of every time zone of the election's
    country (tzdata's zone.tab: `gazetteer.country_zones`, with the zones the origin model weighs),
    with the election's own. Why: "at least 3 hours away from the election's own time zone (UTC-5)"
    counted a Californian's day on UTC-8 as away from home, a third of the United States by
    population; and with only the origin model's main zones, a Duma report read "every time zone
    of the election's country (UTC+3 to UTC+7)" for Russia, which runs from UTC+2 to UTC+12, and
    counted a day kept in Vladivostok or Kamchatka as away. Empty without a home zone; the
    election's zone alone for a country the gazetteer does not know."""
    if home is None:
        return []
    out = {home}
    known = countries()
    code = getattr(election, "country", None)
    if code in known:
        noon = datetime.combine(election.polling_day, datetime.min.time()) + timedelta(hours=12)
        tzs = {*known[code].time_zones, *country_zones().get(code, ())}
        out |= {home_hours(zones.offset_minutes(noon, tz)) for tz in tzs}
    return sorted(out)


def far_from_home(offset: int, homes: list[float]) -> bool:
    """Whether a best-fit offset lies at least `FAR_H` hours from every one of `homes`."""
    return bool(homes) and all(offset_distance(offset, h) >= FAR_H for h in homes)


# What ordinary accounts give on the same test: the circadian stage on ../shared/data/ordinary/
# brexit-2016 (a keyword scrape of 2016 Brexit tweets, no archive of attributed accounts; ingested
# per docs/ingest-csv.md, `botwatch analyze brexit.duckdb --election uk-ge2017`: home UTC+1 on
# polling day, Moscow UTC+3): of 379 accounts with 20 or more (day, hour) cells, 273 informative
# fits; 52 at UTC+3 or +4 (the Moscow band at least 2 hours from home) and 53 at least 3 hours
# from UTC+1. Their report headlined "19% [15–24%] fit UTC+3 ± 1 (Moscow)": what a conversation
# of ordinary accounts gives, mostly accounts the origin model places at home (19% of the 254 not
# counted foreign). `tests/test_report_truth.py` holds the figures to the study.
ORDINARY_FITS: dict[str, Any] = {
    "source": "ordinary Brexit tweets of 2016 (a keyword scrape, not an archive of attributed accounts)",
    "home": 1, "msk": 3, "informative": 273, "k_msk": 52, "k_far": 53,
}


def ordinary_reference(circ: dict[str, Any]) -> dict[str, Any] | None:
    """The shares ordinary accounts gave on the same test (`ORDINARY_FITS`), to set beside the
    study's, and whether each of the study's shares is shown to be above the ordinary one: the 95%
    interval of the difference (`stats.difference_interval`) above 0 and Fisher's one-sided exact
    test rejecting at 0.025 (`stats.shown_above`). (Overlapping intervals were
    read as "no more than ordinary accounts give" until 2026-12-05, which the IRA release under
    uk-ge2017 showed false: 27% [24–31%] against 19% [15–24%] is 8 points [2–14] above.) The
    Moscow share is compared only where the study's home and Moscow offsets are the measured ones
    (the band's distance from home decides how many ordinary fits fall in it); the share at least
    3 hours from home is compared everywhere, as a share of fits away from home. `verdict` is the
    clause the report writes after both figures. None without a home zone.

    Accounts the study shares with the reference (`circ["shared"]`, from
    `ordinary_accounts.shared_with_reference`: a study holding posts of the ordinary archive
    itself, or an account that also posted in it, as @UKLabour did in the GE2017 sample) are left
    out of the reference's counts, so the two sets compared are apart, as the exact test takes them
    to be; `shared` says how many, and the report does not say the study holds the archive's posts. Where none of the reference is left, there is
    nothing to compare with: `informative` is 0 and `verdict` None."""
    if circ.get("home") is None or not circ.get("far") or not circ.get("informative"):
        return None
    from botwatch.stats import difference_interval, shown_above, wilson

    shared = circ.get("shared") or {"n": 0, "k_msk": 0, "k_far": 0}
    r = {**ORDINARY_FITS, "shared": shared["n"], "informative": ORDINARY_FITS["informative"] - shared["n"],
         "k_msk": ORDINARY_FITS["k_msk"] - shared["k_msk"], "k_far": ORDINARY_FITS["k_far"] - shared["k_far"]}
    if not r["informative"]:
        return {**r, "far": None, "msk": None, "far_within": False, "msk_within": False, "all_within": False, "verdict": None}
    far = wilson(r["k_far"], r["informative"])
    same = circ["home"] == r["home"] and circ["msk_offset"] == r["msk"]
    msk = wilson(r["k_msk"], r["informative"]) if same else None
    n = int(circ["informative"])
    far_diff = difference_interval(circ["far"], far)
    msk_diff = difference_interval(circ["msk"], msk) if msk and circ.get("msk") else None
    # Above only when the exact test agrees with the interval: at a few accounts the interval alone
    # read 2 of 3 against 52 of 273 as "above theirs by 48 points [1–75]" (Fisher one-sided p = 0.099).
    far_within = far_diff[1] <= 0 or not shown_above(_count(circ, "far", n), n, r["k_far"], r["informative"])
    msk_within = bool(msk_diff and (msk_diff[1] <= 0 or not shown_above(_count(circ, "msk", n), n, r["k_msk"], r["informative"])))
    # Nothing in the circadian headline is shown to be beyond what ordinary accounts give: it leads nothing.
    all_within = far_within and (msk_within or not circ.get("msk"))
    verdict = (_one_account_verdict(circ, r, msk is not None) if circ["informative"] == 1
               else _ordinary_verdict((far_diff, far_within), (msk_diff, msk_within) if msk_diff else None, all_within))
    return {**r, "far": far, "msk": msk, "far_within": far_within, "msk_within": msk_within, "all_within": all_within,
            "verdict": verdict}


def _count(circ: dict[str, Any], key: str, n: int) -> int:
    """The study's count behind its share `key` ("far", "msk"): `k_<key>` where the section stored
    it, else read back from the Wilson share over `n` accounts."""
    k = circ.get(f"k_{key}")
    return int(k) if k is not None else round(circ[key][0] * n)


def _one_account_verdict(circ: dict[str, Any], r: dict[str, Any], with_msk: bool) -> str:
    """What the study's one informative account does, set beside how many ordinary accounts do the
    same. A share of one account is 0% or 100% with an interval spanning most of the range, so a
    difference of shares ("above theirs by 81 percentage points [1–85]", as a study with one
    informative account read) says nothing about the account: the counts say what there is."""
    n = r["informative"]
    far = bool(circ.get("k_far"))
    k = r["k_far"] if far else n - r["k_far"]
    words = f"the one account here keeps its day {'at least' if far else 'less than'} 3 hours from home, as {k:,} of their {n:,} do"
    if with_msk and circ.get("msk"):
        in_band = bool(circ.get("k_msk"))
        k = r["k_msk"] if in_band else n - r["k_msk"]
        words += f", and keeps it {'in' if in_band else 'outside'} the Moscow band, as {k:,} of them do"
    return words + "; one account gives no share to set against theirs"


def _points(d: tuple[float, float, float]) -> str:
    """'8 percentage points [2–14]': a difference of shares with its interval."""
    v, lo, hi = (round(100 * x) for x in d)
    return f"{v} percentage point{'s' if abs(v) != 1 else ''} [{lo}–{hi}]"


Difference = tuple[tuple[float, float, float], bool]  # (difference with its interval, not shown to be above)


def _ordinary_verdict(far: Difference, msk: Difference | None, all_within: bool) -> str:
    """How the study's shares stand against the ordinary ones, in words a reader can quote: a share
    not shown to be above (its difference's interval reaches 0, or the exact test does not reject)
    is said so (never "no more than": the data cannot show two shares alike), one above is said to
    be, by how many points."""
    if all_within:
        return "the shares here are not shown to be above what ordinary accounts give, so they are no sign of accounts kept on another clock"
    parts = []
    for name, pair in (("the share at least 3 hours away", far), ("the Moscow share", msk)):
        if pair is None:
            continue
        d, within = pair
        parts.append(f"{name} here is not shown to be above theirs" if within else f"{name} here is above theirs by {_points(d)}")
    return "; ".join(parts)


def circadian_block(study: Study, election: Any) -> dict[str, Any] | None:
    if "circadian" not in study.tables():
        return None
    rows = study.sql("SELECT best_offset, informative, count(*) FROM circadian GROUP BY ALL")
    if not rows:
        return None
    msk = moscow_offset(study, election)
    counts = {o: 0 for o in range(-11, 13)}
    inf_counts = dict(counts)
    for o, inf, n in rows:
        counts[int(o)] = counts.get(int(o), 0) + int(n)
        if inf:
            inf_counts[int(o)] = inf_counts.get(int(o), 0) + int(n)
    total, informative = sum(counts.values()), sum(inf_counts.values())
    home = None
    if election is not None:
        home = home_hours(zones.offset_minutes(datetime.combine(election.polling_day, datetime.min.time()) + timedelta(hours=12), election.timezone))
    band = moscow_band(msk, home)
    homes = home_offsets(election, home)
    labels = [f"{o:+d}" for o in counts]
    chart = svg.bars(labels, [float(v) for v in inf_counts.values()], title="Accounts by best-fit UTC offset (informative fits)",
                     highlight=[o in band for o in counts])
    k_msk = sum(v for o, v in inf_counts.items() if o in band)
    near = sorted(o for o in inf_counts if offset_distance(o, msk) <= 1 and o not in band)
    # `near` defines the band ("at least 2 hours from the election's zone") whoever sits there; the
    # sentence counting the accounts left out names only the offsets that hold some: "the 1 at
    # UTC+2 or UTC+3" was said where UTC+3 alone held the one.
    held = [o for o in near if inf_counts[o]]
    out: dict[str, Any] = {"chart": chart, "total": total, "informative": informative, "msk": creation_mod.wilson(k_msk, informative) if band else None,
                           "k_msk": k_msk, "home": home, "msk_offset": msk, "msk_band": sorted(band), "msk_left_out": near,
                           "msk_left_out_held": held, "k_msk_left_out": sum(inf_counts[o] for o in held), "homes": homes,
                           # A home east of UTC+12 (New Zealand in summer, Samoa, Tonga) sits at the chart's -11 or -10.
                           "same_hours": [(o, e) for o, e in SAME_HOURS.items() if any(h > 12 and abs(e - h) < 1 for h in homes)]}
    if home is not None:
        k_far = sum(v for o, v in inf_counts.items() if far_from_home(o, homes))
        out["far"] = creation_mod.wilson(k_far, informative)
        out["k_far"] = k_far
    out["shared"] = shared_with_reference(
        (p, a) for p, a in study.sql("SELECT platform, account_id FROM circadian WHERE informative"))
    out["ordinary"] = ordinary_reference(out)
    out["groups"] = circadian_by_group(study, home, msk, homes)
    out["office"] = office_shift_accounts(study, election)
    return out


def office_shift_accounts(study: Study, election: Any = None) -> dict[str, Any]:
    """Accounts whose origin evidence has the office-hours item moving the odds towards Russia:
    their posting hours fit a working day on the Moscow clock better than a person's day at home.
    The human-day fit above leaves shift work out as uninformative, so on IRA accounts the headline
    read "0% fit Moscow" while `explain` gave their hours odds over a million: the report says
    where they went. What it says is what was measured, hours that fit a working day in UTC+3, not
    an office in Moscow: on the GE2017 sample the one such account was @UKLabour, a party's London
    office posting through its working day, with every other piece of its origin evidence placing it
    in GB, and the headline read "office shifts on the Moscow clock".

    Returns {"n": such accounts, "others": those that are not the election's own party accounts,
    "others_foreign": how many of those are counted foreign on all their origin evidence (None when
    the study cannot say), "others_prior": how many of those only the study prior counts (None: unknown), "official": [{"handle", "party", "p_outside", "factor"}] for the party
    accounts (official or allied in the election's preset), "home": the election's country or None}."""
    from botwatch.accounts.json_shape import shown_handle
    from botwatch.accounts.origin_shifts import KIND
    from botwatch.elections.model import party_handle_key, post_handle_key
    from botwatch.origin_rule import home_known, measured_home, p_outside_sql

    out: dict[str, Any] = {"n": 0, "others": 0, "others_foreign": None, "others_prior": None, "official": [], "home": None}
    tables = set(study.tables())
    if "account_evidence" not in tables:
        return out
    home = measured_home(study, election)
    scored = home and home_known(home) and "account_scores" in tables and {"origin_country", "origin_probabilities"} <= set(study.columns("account_scores"))
    p_out = p_outside_sql(home, "s") if scored else "CAST(NULL AS DOUBLE)"
    join = " LEFT JOIN account_scores s ON s.platform = e.platform AND s.account_id = e.account_id" if scored else ""
    if "accounts" in tables and "handle" in study.columns("accounts"):
        handle = "h.handle"
        join += (" LEFT JOIN (SELECT platform, account_id, min(handle) AS handle FROM accounts GROUP BY ALL) h"
                 " ON h.platform = e.platform AND h.account_id = e.account_id")
    else:
        handle = "CAST(NULL AS VARCHAR)"
    # The item's row carries the factor it moved the odds of Russia by (`account_evidence.value`,
    # > 1 towards Russia). Studies scored before the row held it (value NULL) are read from the
    # sentence, which ends "odds of Russia against XX ×N" (towards Russia) or "÷N" (away).
    rows = study.sql(
        f"SELECT e.platform, e.account_id, min({handle}), min(e.sentence), max({p_out}), max(e.value) FROM account_evidence e{join} "
        "WHERE e.kind = 'origin' AND e.feature = ? AND (e.value > 1 OR (e.value IS NULL AND e.sentence LIKE '%odds of Russia against %' "
        "AND e.sentence NOT LIKE '%÷%')) GROUP BY ALL ORDER BY 1, 2",
        [KIND],
    )
    # A listed handle names an account of its own platform only (`handle_platform`): a Mastodon
    # "UKLabour" of any instance was named as Labour's London office.
    own = {party_handle_key(h): p.name for p in getattr(election, "parties", ()) for h in getattr(p, "accounts", ())}
    official, others = [], []
    for platform, aid, h, sentence, p, value in rows:
        key = post_handle_key(platform, shown_handle(platform, h, aid))  # a local Mastodon handle with its instance
        if key in own:
            # A Mastodon handle local to the instance collected is named with it, as the report names
            # accounts (`shown_handle`).
            official.append({"handle": shown_handle(platform, h, aid), "party": own[key], "p_outside": p, "factor": _office_factor(value, sentence)})
        else:
            others.append((platform, aid, p))
    out.update(n=len(rows), others=len(others), official=official, home=home if scored else None)
    if scored:
        out["others_foreign"] = sum(1 for *_, p in others if p is not None and p >= FOREIGN_THRESHOLD)
        # Of those, the ones only the study prior counts (`origin_counted.prior_led_sql`): on the
        # walk's IRA/Brexit study "202 of them are more likely than not run from outside GB" stood
        # with no word that the study prior, not their own evidence, counted some of them.
        out["others_prior"] = _prior_led_among(study, home, {(pl, a) for pl, a, _ in others}) if out["others_foreign"] else 0
    return out


def _prior_led_among(study: Study, home: str, keys: set[tuple[str, str]]) -> int | None:
    """How many of the accounts `keys` are counted foreign only through the study prior; None when
    that cannot be read."""
    from botwatch.origin_counted import prior_led_sql

    led = prior_led_sql(study, home)
    if led is None:
        return None
    try:
        got = study.sql(led[0], led[1])
    except Exception:  # noqa: BLE001 - a clarification of the count; the count stands without it
        return None
    return sum(1 for pl, a in got if (pl, a) in keys)


def _office_factor(value: float | None, sentence: str | None) -> str | None:
    """How far the office-hours item moved an account's odds of Russia, as its sentence words it
    ("×2.4", "×55,000", "nearly ×1,000,000", "over ×1,000,000"): from the row's number, else (a study scored before the
    row carried it) from the sentence, whose "×1.83" is read to the same two significant figures."""
    from botwatch.accounts.origin_shifts import move_words

    if value is not None:
        return move_words(math.log(value)) if value > 0 else None
    found = re.search(r"odds of Russia against \w+ (((?:over|nearly) )?×([0-9.,]+))", sentence or "")
    if not found:
        return None
    try:
        stated = float(found.group(3).replace(",", "").rstrip("."))
    except ValueError:  # a sentence worded otherwise: quoted as it stands
        return found.group(1)
    return found.group(1) if found.group(2) or stated <= 0 else move_words(math.log(stated))


def circadian_by_group(study: Study, home: float | None, msk: int, homes: list[float] | None = None) -> list[dict[str, Any]]:
    """Per account group: informative fits, share in the Moscow band (`moscow_band`) and share ≥ 3 h
    from every zone of the election's country (`homes`, `home_offsets`; the election's zone alone
    when not given)."""
    homes = homes or ([home] if home is not None else [])
    if "timeline_groups" not in study.tables():
        return []
    rows = study.sql(
        """SELECT g.dimension, g.value, list(c.best_offset) FROM circadian c
        JOIN timeline_groups g ON g.platform = c.platform AND g.account_id = c.account_id
        WHERE c.informative GROUP BY ALL ORDER BY 1, 2"""
    )
    band = moscow_band(msk, home)
    out = []
    for dim, val, offs in rows:
        n = len(offs)
        item: dict[str, Any] = {"group": f"{dim}: {val}", "n": n, "msk": creation_mod.wilson(sum(1 for o in offs if o in band), n) if band else None}
        if home is not None:
            item["far"] = creation_mod.wilson(sum(1 for o in offs if far_from_home(o, homes)), n)
        out.append(item)
    return out


def impact_rows(study: Study) -> list[tuple[Any, ...]]:
    """The impact tests, each with its Benjamini-Hochberg q over all of them (last field). Every
    party is tested for volume and sentiment in both directions, so a study of seven parties runs
    28 tests, and a lone p < 0.05 among them headlined "About ukip, the volume of likely automated
    accounts' posts Granger-predicts …" as a finding; q is the adjustment the event test's headlines
    already answer to (`_supported`)."""
    if "impact" not in study.tables():
        return []
    from botwatch.impact.stage import window_span

    # The window a row covers, in words, where it is not the election's (`botwatch impact --start/--end`);
    # None for the election's, and for rows from before the window columns, which only covered it.
    win = _WINDOW_COLUMNS if set(_WINDOW_COLUMNS.split(", ")) <= set(study.columns("impact")) else "NULL, NULL, NULL"
    rows = study.sql("SELECT party, freq, measure, cause, effect, n_obs, differences, lag, f_stat, p_value, irf_peak_h, irf_peak, irf_peak_low, irf_peak_high, "
                     f"{win} FROM impact ORDER BY party, measure, cause")
    tested = [i for i, r in enumerate(rows) if r[9] is not None and math.isfinite(r[9])]
    from botwatch.stats import bh_adjusted

    q = dict(zip(tested, bh_adjusted([rows[i][9] for i in tested]).tolist())) if tested else {}
    return [(*r[:14], q.get(i), window_span(r[14], r[15]) if r[16] else None) for i, r in enumerate(rows)]


def adf_short(rows: list[tuple[Any, ...]]) -> dict[str, int] | None:
    """How many of `impact_rows` rest on fewer buckets than the stationarity test can judge
    (`leadlag.ADF_SHORT_OBS`): {"tests", "fewest", "below", and the test's rejections per 100
    white-noise series: "noise_min" at "min_obs" buckets, "noise_below" at "below"}, or None. Why:
    the caption said the series were differenced until the test rejected a unit root, and near
    MIN_OBS it rejects one in white noise about as seldom as its 5% level would by chance
    (`leadlag.ADF_WHITE_NOISE`), so their differencing, and the note that a series is still not
    stationary, say the series is short, not that it trends. The rates are read from the measured
    table, not written into the caption: written by hand, it said 4 in 100 where 1,000 series give 7."""
    from botwatch.impact.leadlag import ADF_SHORT_OBS, ADF_WHITE_NOISE, MIN_OBS

    short = [int(r[5]) for r in rows if r[5] is not None and r[5] < ADF_SHORT_OBS]
    if not short:
        return None

    def per_100(n: int) -> int:
        rejected, series = ADF_WHITE_NOISE[n]
        return round(100 * rejected / series)

    return {"tests": len(short), "fewest": min(short), "below": ADF_SHORT_OBS,
            "min_obs": MIN_OBS, "noise_min": per_100(MIN_OBS), "noise_below": per_100(ADF_SHORT_OBS)}


_WINDOW_COLUMNS = "window_start, window_end, window_custom"


def impact_row_notes(study: Study, election: Any = None) -> list[str]:
    """What the lead-lag fit said of its own tests (`impact.notes`: series still not stationary
    after two differences, lag selection that failed), one line per party, frequency and measure.
    Why: the rows stored it and neither the report nor `botwatch impact` printed it, under a
    caption saying the series were differenced until the ADF test rejected a unit root; at 48
    hourly buckets of white noise 64 of 100 tests carried "still not stationary"."""
    if "impact" not in study.tables() or "notes" not in study.columns("impact"):
        return []
    rows = study.sql("SELECT DISTINCT party, freq, measure, notes FROM impact WHERE notes IS NOT NULL ORDER BY party, freq, measure")
    return [f"{party_name(election, party)}, {measure} at {freq}: {note}; read its F test with care." for party, freq, measure, note in rows]


def impact_coverage(study: Study, election: Any = None, by_freq: bool = False) -> dict[Any, dict[str, Any]]:
    """Per tested party, what its two series hold and what neither does (the coverage columns of
    `impact`, one set per party and frequency; the widest window's when a party was tested at
    several): {party: {"sentence", "share_left_out", "posts_unscored", "posts", "within"}}, the
    sentence naming the party as `election` does; `by_freq`: keyed (party, freq), each its own
    set, for a headline on one row (the widest set was the election window's at 1h beside a
    headline on a --start/--end test at 3h). Empty for an impact table from before those columns,
    which the section's note then covers in general."""
    return impact_coverages(study, election)[1 if by_freq else 0]


def impact_coverages(study: Study, election: Any = None) -> tuple[dict[Any, dict[str, Any]], dict[Any, dict[str, Any]]]:
    """`impact_coverage` keyed by party and keyed (party, freq), from one read of the `impact`
    table (the section read it once for each)."""
    from botwatch.impact.stage import COVERAGE_COLUMNS, coverage_sentence, window_words

    if "impact" not in study.tables() or not set(COVERAGE_COLUMNS) <= set(study.columns("impact")):
        return {}, {}
    names = (*COVERAGE_COLUMNS, *_WINDOW_COLUMNS.split(", "))
    win = _WINDOW_COLUMNS if set(names) <= set(study.columns("impact")) else "NULL, NULL, NULL"
    rows = study.sql(f"SELECT DISTINCT party, freq, {', '.join(COVERAGE_COLUMNS)}, {win} FROM impact WHERE posts_automated IS NOT NULL ORDER BY party, freq")
    by_party: dict[Any, dict[str, Any]] = {}
    by_freq: dict[Any, dict[str, Any]] = {}
    for party, freq, *vals in rows:
        c = dict(zip(names, vals))
        total = sum(int(c[k] or 0) for k in ("posts_automated", "posts_rest", "posts_unscored"))
        for out, key in ((by_party, party), (by_freq, (party, freq))):
            if key in out and total <= out[key]["posts"]:
                continue
            out[key] = {"sentence": coverage_sentence(party_name(election, party), c), "posts": total, "posts_unscored": int(c["posts_unscored"] or 0),
                        "share_left_out": (int(c["posts_unscored"] or 0) / total) if total else 0.0, "within": window_words(c)}
    return by_party, by_freq


def _hourly(study: Study, dimension: str, values: list[str], start: datetime, end: datetime) -> np.ndarray:
    """The summed hourly UTC series of some values of a dimension, gap-free over [start, end]."""
    marks = ", ".join("?" for _ in values)
    rows = study.sql(
        f"SELECT bucket, sum(posts) FROM timeline WHERE freq='hour' AND clock='utc' AND dimension=? AND value IN ({marks}) AND bucket BETWEEN ? AND ? GROUP BY 1 ORDER BY 1",
        [dimension, *values, start, end],
    )
    return bursts_mod.dense([r[0] for r in rows], [int(r[1]) for r in rows], timedelta(hours=1), start=start, end=end)[1]


def event_coverage(study: Study, election: Any = None) -> dict[str, Any] | None:
    """Days of the event test's window with any post, and whether the stored test's null moved
    events onto days without posts (a study analysed before the null kept to covered days).

    Days are the election's local days, as in the Methods coverage line: `covered` is the count
    `zones.local_days_with_posts` gives it and `days` the window's days, so the report never
    prints two counts of days with posts (24-hour blocks from the test's first hour read 62 of
    126 beside Methods' 57 of 128); `mask` is per hour (`bursts.covered_local_hours`)."""
    if "event_tests" not in study.tables() or "timeline" not in study.tables():
        return None
    ws, we, n_null, exact = study.sql("SELECT min(window_start), max(window_end), max(n_null), bool_and(exact) FROM event_tests")[0]
    if ws is None:
        return None
    arr = _hourly(study, "all", ["all posts"], ws, we)
    times = [ws + timedelta(hours=i) for i in range(len(arr))]
    day = functools.partial(zones.local_date, election)
    mask = bursts_mod.covered_local_hours(times, arr, day)
    k = len(zones.local_days_with_posts(study, election, ws, we + timedelta(hours=1)))
    window = zones.window_utc(election)
    days = (election.window_end - election.window_start).days + 1 if window is not None and window[0] <= ws and we < window[1] else len({day(t) for t in times})
    gaps = 0 < int(mask.sum()) < len(mask)  # days without posts inside the tested span
    return {"start": ws, "end": we, "days": days, "covered": k, "mask": mask, "partial": gaps,
            "unrestricted": bool(exact) and gaps and n_null is not None and int(n_null) >= len(arr) // 24 - 1}


def _contrast(study: Study, cov: dict[str, Any], dimension: str, value: str, events: list[datetime], window_h: int) -> bursts_mod.EventContrast | None:
    """The group against the rest of its dimension, around the same events (see `event_contrast`)."""
    others = [v for (v,) in study.sql("SELECT DISTINCT value FROM timeline WHERE freq='hour' AND clock='utc' AND dimension=? AND value <> ?", [dimension, value])]
    if not others:
        return None
    times = [cov["start"] + timedelta(hours=i) for i in range(int((cov["end"] - cov["start"]) / timedelta(hours=1)) + 1)]
    return bursts_mod.event_contrast(times, _hourly(study, dimension, [value], cov["start"], cov["end"]), _hourly(study, dimension, others, cov["start"], cov["end"]),
                                     events, window_h=window_h, covered=cov["mask"])


def _supported(p: float | None, q: float | None) -> bool:
    # Not supported by the test, or not once the many series tested are allowed for (q, the
    # Benjamini-Hochberg adjustment the section's table gives): its row stays in that table.
    return p is not None and p < HEADLINE_P and (q is None or q < HEADLINE_P)


# What a group is set against in the event contrast, per dimension: the automated dimension holds
# only accounts with a bot probability, so its "rest" is the accounts scored below 0.5, not every
# other account (the impact comparison said "the rest" of the same two groups; the review found
# ~70% of a real study's posts by accounts in neither).
OTHERS_WORDS = {"automated": "the other scored accounts (bot probability below 0.5; accounts without one are in neither group)"}


def _group_words(study: Study, election: Any, val: str) -> str:
    """"Posts by <group> accounts" with the group's rule beside it, as every other headline gives
    it: "Posts by foreign origin accounts were 12.26× as frequent …" read as accounts known to be
    foreign. When the accounts counted foreign are no finding of foreign accounts (most placed at
    home, or on language alone: `section_parties._foreign_weak`), that is said too."""
    if val == AUTOMATED:
        return "Posts by likely automated accounts (bot probability ≥ 0.5)"
    if val == FOREIGN:
        home = groups_home(study, election)
        where = home or "the election's country"
        words = f"Posts by foreign-origin accounts (probability of being run from outside {where} ≥ 0.5"
        if home:
            from botwatch.report.section_parties import _foreign_weak

            if weak := _foreign_weak(study, home):
                words += f"; of the accounts so counted, {weak}"
        return words + ")"
    return f"Posts by {val} accounts"


def _event_headlines(study: Study, election: Any) -> list[Markup]:
    """A group's event effect leads only when the group rose around the events more than the rest
    of its dimension (`event_contrast`); a rise of every group is said once, of all posts. On a
    referendum archive "Posts by foreign origin accounts were 9.10× as frequent … p = 0.022" led
    while all posts were 8.87× and the other accounts 8.78×."""
    tests = study.sql(
        "SELECT dimension, value, rate_ratio, null_rate_ratio, p_value, window_h, q_value FROM event_tests WHERE (dimension='automated' AND value=?) OR (dimension='origin' AND value=?) OR dimension='all' ORDER BY dimension, value",
        [AUTOMATED, FOREIGN],
    )
    cov = event_coverage(study, election)
    events = [e for e, _ in _events(election)]
    # The headline's p is one of the section's many tests: q (and over how many) goes beside it.
    n_tests = study.sql("SELECT count(*) FROM event_tests")[0][0]
    out: list[Markup] = []
    everyone = next((t for t in tests if t[0] == "all"), None)
    all_rr = everyone[2] if everyone is not None else None
    grouped = [t for t in tests if t[0] != "all"]
    # "No group rose more than the rest" is said only of groups set against the rest: a group
    # without a finite ratio, without event coverage, or alone in its dimension (every account
    # foreign, say) was never compared, and is named as such instead.
    compared: list[str] = []
    uncompared: list[str] = []
    for dim, val, rr, null, p, w, q in grouped:
        c = None
        if rr is not None and math.isfinite(rr) and cov is not None and events:
            c = _contrast(study, cov, dim, val, events, int(w))
        if c is None:
            uncompared.append(val)
            continue
        compared.append(val)
        if not _supported(p, q) or not c.p_value < HEADLINE_P or not rr > c.other_rate_ratio or (all_rr is not None and not rr > all_rr):
            continue
        line = render("time_headline.html.j2", kind="events", who=_group_words(study, election, val), rr=rr, null=null, p=p, q=q, n_tests=n_tests, w=w, c=c, cov=cov,
                      others=OTHERS_WORDS.get(dim, "the other accounts"))
        if val == FOREIGN and election is not None:
            from botwatch.report.caveats import home_operation_note

            if home_operation_note(study, getattr(election, "country", None)):
                # Every account run from the election's own country: the group is the origin model's misplacements.
                line = Markup(f"{line} Every account here was attributed to an operation run from this election's own country, so the "
                              "foreign-origin group is the accounts the origin model places abroad in error: no finding about accounts run from abroad.")
        out.append(line)
    if not out and everyone is not None:
        dim, val, rr, null, p, w, q = everyone
        if rr is not None and math.isfinite(rr) and _supported(p, q):
            out.append(render("time_headline.html.j2", kind="events_all", rr=rr, null=null, p=p, q=q, n_tests=n_tests, w=w, groups=compared, uncompared=uncompared, cov=cov,
                              scored_only=AUTOMATED in compared))
    return out


NO_ELECTION_IMPACT = "Not computed: the impact test needs an election, and this study was last analysed with --no-election."


def impact_failed(study: Study) -> str | None:
    """What the impact stage's latest run said when it did not finish (its error, or "" where it
    recorded none), or None where it finished. A whole run drops the impact tables first and
    writes every row at the end, so one that fails part-way leaves no tests at all."""
    from botwatch.report.staleness import cut_off_stages

    cut = cut_off_stages(study)
    return next((m for stage, m in cut.stages if stage == "impact"), None) if cut else None


def impact_missing(study: Study, tables: set[str], notes: list[tuple[Any, ...]], failed: str | None = None) -> str:
    """Why the impact table holds no test, in the words of what actually stopped it: it said
    "needs post_party and account_scores" even when both existed and the stage had run, while the
    real reason (the party posts' accounts have no bot probability) sat in the notes above.
    `failed`: `impact_failed`; a run that failed part-way was said to be one that "has not run"."""
    if "impact" not in tables and failed is not None:
        return ("Not computed: the latest run of the impact stage did not finish" + (f" ({failed})" if failed else "")
                + ", and a run replaces every test, so none from an earlier run is left either; "
                "botwatch analyze STUDY --only impact runs it again.")
    if "impact" in tables:  # the stage ran: its own notes say per party why nothing was tested
        said = [n for stage, n in notes if stage == "impact"]
        if said:
            return "Not computed: " + " ".join(said)
        # In the report's contest words: "no side" for a referendum, as the When section's table head says.
        return f"Not computed: the impact stage ran but no {current_contest_words().one} had enough time buckets with posts from both groups to test."
    missing = [f"posts labelled by party ({t})" if t == "post_party" else f"accounts scored as likely automated or not ({t})"
               for t in ("post_party", "account_scores") if t not in tables]
    if missing:
        return "Not computed: needs " + " and ".join(missing) + "."
    return "Not computed: the impact stage has not run on this study (botwatch analyze STUDY --only impact)."


def _headlines(study: Study, election: Any, creation: dict[str, Any] | None, circ: dict[str, Any] | None, impact: list[tuple[Any, ...]],
               impact_cov: dict[tuple[str, str], dict[str, Any]] | None = None) -> list[Markup]:
    """The section's headlines; `impact_cov` keyed (party, freq) (`impact_coverage(by_freq=True)`),
    so an impact headline gives its own test's coverage."""
    out: list[Markup] = []
    if "event_tests" in study.tables():
        out.extend(_event_headlines(study, election))
    if creation:
        for r in creation["rows"]:
            if r[0] == "automated" and r[1] == AUTOMATED and r[2]:
                out.append(render("time_headline.html.j2", kind="creation", r=r, trigger=creation["trigger"], population=creation["population"],
                                  undated=creation.get("undated_automated")))
    # Shares not shown to be above what ordinary accounts give are said so in the section, beside the reference, and lead nothing;
    # nor do shares with no reference left to set them against (the study holds the whole ordinary archive): a headline
    # "N% fit hours far from home" on the ordinary Brexit tweets themselves read as a finding.
    ordinary = circ.get("ordinary") if circ else None
    if circ and circ["informative"] and circ.get("far") and not (ordinary or {}).get("all_within") \
            and not (ordinary is not None and not ordinary.get("informative")):
        out.append(render("time_headline.html.j2", kind="circadian", c=circ))
    for r in impact:
        if r[3] == "automated" and _supported(r[9], r[14]):
            out.append(render("time_headline.html.j2", kind="impact", r=r, tests=len(impact), cov=(impact_cov or {}).get((r[0], r[1])),
                              party=party_name(election, r[0])))
    return out


def groups_home(study: Study, election: Any) -> str | None:
    """The country the timeline's foreign-origin groups were measured against: the one its latest
    run recorded (`origin_home`: the scoring country, `origin_rule.measured_home`), else, for a run
    recorded before that, its own election's, else the report's `election`'s. The report's election
    may be another stage's: a study analysed for us-2016, then `-e uk-ge2017 --only coordination`,
    defined its timeline groups as "run from outside GB" where they were built against the US."""
    from botwatch.runs_table import latest_of_stage

    run = latest_of_stage(study, "timeline")
    if run is not None and run.params is not None and "origin_home" in run.params:
        home = run.params["origin_home"]
        return home if isinstance(home, str) and home else None
    if run is not None:
        from botwatch.elections.recorded import stage_election

        election = stage_election(study, "timeline") or election
    return getattr(election, "country", None)


def _home_unknown(study: Study, election: Any) -> str | None:
    """The shared "foreign origin is not measured" clause when the origin model cannot name the
    country the groups were measured against (None otherwise): the group's definition would name a
    rule no account meets."""
    from botwatch.origin_rule import home_known, unknown_home_note

    home = groups_home(study, election)
    return unknown_home_note(home) if home and not home_known(home) else None


def timeline_election(study: Study, election: Any) -> Any:
    """The election the timeline was built with (its latest successful run's), else `election`.

    The report's election may be another stage's: a study analysed for us-2016, then
    `analyze -e uk-ge2017 --only coordination`, showed its timeline under the UK campaign window
    and events, and said its local-time hours were Europe/London's where the timeline had counted
    them in America/New_York, under a banner saying each section describes its own stage's
    election."""
    from botwatch.elections.recorded import stage_election

    own = stage_election(study, "timeline")
    return own if own is not None else election


def _impact_notes_apart(notes: list[tuple[Any, ...]], quoted: bool) -> tuple[list[tuple[Any, ...]], list[str]]:
    """The section's notes without the impact stage's, and those to say under Impact.

    The impact notes were printed twice on real studies: in "What this section could not show"
    and again under Impact, where `impact_missing` quotes them. They belong under Impact only;
    `quoted`: `impact_missing` already says them there, so none is left to add."""
    rest = [(stage, n) for stage, n in notes if stage != "impact"]
    return rest, [] if quoted else [n for stage, n in notes if stage == "impact"]


@section("time", order=60)
def time_section(study: Study, ctx: dict[str, Any]) -> Section | None:
    tables = set(study.tables())
    if "timeline" not in tables:
        return None
    election = timeline_election(study, ctx.get("election"))
    span = _span(study, election)
    if span is None:
        return None
    notes = study.sql("SELECT stage, note FROM timeline_notes ORDER BY stage, note") if "timeline_notes" in tables else []
    # After `analyze --no-election` the creation and impact tables are the ones an earlier run made
    # for an election (those stages need one and were skipped): shown, they named it in a report
    # of a study now analysed with none.
    older = bool(ctx.get("no_election"))
    creation = None if older else creation_block(study, election)
    circ = circadian_block(study, election)
    impact = [] if older else impact_rows(study)
    impact_cov, impact_cov_freq = impact_coverages(study, election) if impact else ({}, {})
    if older:  # their notes too: they describe those older tables
        notes = [(stage, n) for stage, n in notes if stage not in ("creation", "impact")]
    failed = None if older or impact else impact_failed(study)
    if failed is not None and "impact" not in tables:  # the notes of the run before it, whose tests it dropped
        notes = [(stage, n) for stage, n in notes if stage != "impact"]
    missing = NO_ELECTION_IMPACT if older else impact_missing(study, tables, notes, failed) if not impact else ""
    notes, impact_notes = _impact_notes_apart(notes, quoted="impact" in tables and not impact)
    impact_notes += impact_row_notes(study, election) if impact else []
    tests = study.sql(f"SELECT dimension, value, events, posts, in_window_share, rate_ratio, null_rate_ratio, p_value, n_null, exact, window_h, q_value FROM event_tests ORDER BY p_value, dimension, value LIMIT {MAX_TESTS_SHOWN}") if "event_tests" in tables else []
    # How many series q was adjusted over: the table lists the lowest p of them only, and the demo's
    # 25 rows read "q is the adjustment across all of them" beside 31 tests, 6 not shown.
    tests_total = study.sql("SELECT count(*) FROM event_tests")[0][0] if tests else 0
    html = render(
        "time.html.j2",
        rs=report_reshare(study, ctx),
        span=span,
        span_words=span_words(span, election),
        election=election,
        unloaded=ctx.get("election_unloaded"),
        events=_events(election),
        max_event_h=NEAREST_EVENT_H,
        figures=timeline_figures(study, election, span),
        hours=hour_of_day(study),
        bursts=burst_rows(study, span, election=election) if "bursts" in tables else [],
        bursts_total=burst_total(study, span, election) if "bursts" in tables else 0,
        bursts_chance=burst_chance(study, span, election) if "bursts" in tables else None,
        tests=tests,
        tests_total=tests_total,
        coverage=event_coverage(study, election) if tests else None,
        home_unknown=_home_unknown(study, election),
        groups_home=groups_home(study, election),
        creation=creation,
        circ=circ,
        impact=impact,
        impact_short=adf_short(impact),
        impact_cov=impact_cov,
        impact_windows=any(r[15] for r in impact),
        series_words=SERIES_WORDS,
        party_name=functools.partial(party_name, election),
        series_label=functools.partial(series_label, election),
        impact_missing=missing,
        impact_notes=impact_notes,
        notes=notes,
        pct=pct,
        pct_ci=pct_ci,
    )
    return Section("time", "When: timelines, bursts, creation waves, circadian origin, impact", html, order=60,
                   headline=_headlines(study, election, creation, circ, impact, impact_cov_freq))
