"""A cluster's busiest UTC day of co-actions, with the days tied with it, in the words every output
uses ("2016-11-01 and 2016-11-15, tied at 36 co-actions each").

The coordination stage stores one busiest day per cluster (`clusters.peak_day`, the earliest of a
tie). The report found the tied days and `botwatch coordination` did not, so on the IRA tweets of
November 2016 the report read "busiest day 2016-11-01 and 2016-11-15, tied at 36 co-actions each"
where the command printed "2016-11-01 (36)" for the same cluster. Both now ask this module.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from botwatch.count_text import counted
from botwatch.study import Study

# Tied busiest days named one by one up to this many; beyond it, counted ("and 4 other days").
PEAK_DAYS_NAMED = 3


def daily_co_actions(where: str = "") -> str:
    """The query of each cluster's co-actions per UTC day (cluster_id, day, n): pairs of posts of
    two members of the same cluster, each pair once, dated by its earlier post, as the stage counts
    `peak_day_co_actions`. `where`: a WHERE clause on `m.cluster_id` (its values bound by the caller)."""
    return f"""
        SELECT m.cluster_id, CAST(least(e.t_a, e.t_b) AS DATE) AS day, count(DISTINCT e.post_a || '|' || e.post_b) AS n
        FROM coordination_evidence e JOIN cluster_members m ON m.platform = e.platform AND m.account_id = e.account_a
        JOIN cluster_members mb ON mb.platform = e.platform AND mb.account_id = e.account_b AND mb.cluster_id = m.cluster_id
        {where} GROUP BY ALL"""


def tied_peak_days(study: Study) -> dict[int, list[date]]:
    """cluster -> every UTC day with as many co-actions as its busiest (`clusters.peak_day_co_actions`).
    Empty when the study keeps no co-action evidence or its clusters carry no busiest day (an older
    botwatch built them)."""
    tables = study.tables()
    if "coordination_evidence" not in tables or "clusters" not in tables or "peak_day" not in set(study.columns("clusters")):
        return {}
    rows = study.sql(
        f"WITH daily AS ({daily_co_actions()}) "
        "SELECT d.cluster_id, d.day FROM daily d JOIN clusters c ON c.cluster_id = d.cluster_id AND d.n = c.peak_day_co_actions ORDER BY 1, 2"
    )
    out: dict[int, list[date]] = {}
    for cid, day in rows:
        out.setdefault(int(cid), []).append(day)
    return out


def peak_words(c: dict[str, Any], tied: list[date]) -> str:
    """A cluster's busiest day: "2016-09-12 (5 co-actions)", or, where other days had as many,
    "2016-09-12 and 2016-10-03, tied at 5 co-actions each" (`c`: `peak_day` and
    `peak_day_co_actions`; `tied`: every day at the peak, from `tied_peak_days`). Empty when the
    stage recorded no busiest day."""
    if not c.get("peak_day"):
        return ""
    n = int(c["peak_day_co_actions"])
    first = c["peak_day"].strftime("%Y-%m-%d")
    unit = "co-action" if n == 1 else "co-actions"
    others = [d for d in tied if d != (c["peak_day"].date() if isinstance(c["peak_day"], datetime) else c["peak_day"])]
    if not others:
        return f"{first} ({n:,} {unit})"
    if len(others) + 1 <= PEAK_DAYS_NAMED:
        days = [first, *(d.strftime("%Y-%m-%d") for d in others)]
        named = ", ".join(days[:-1]) + " and " + days[-1]
    else:
        named = f"{first} and {counted(len(others), 'other day')}"
    return f"{named}, tied at {n:,} {unit} each"
