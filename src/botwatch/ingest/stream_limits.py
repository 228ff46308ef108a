"""What an X v1.1 filtered stream withheld, from the limit notices a study keeps (`stream_limits`),
and how often it warned that the capture was falling behind (`stream_warnings`).

The stream lets through at most about 1% of all posts; when its filter matches more, it sends
`{"limit": {"track": N, ...}}`, N the matching posts withheld since the connection opened. N only
grows within a connection and starts again from 0 on a new one, so the total withheld is the sum
over connections of each one's largest N, a drop in N marking a new connection. Notices are put in
the order they were sent (their time, then file and line), so a connection that runs on across a
capture's hourly files is counted once. Estimates keep their numbers: this only says them plainly.
"""

from __future__ import annotations

from typing import Any

# Each connection's last notice before a drop (or the very last): its N is that connection's total.
# DuckDB's dialect: the lake runs it too (`LakeStudy.sql`). Summed as DECIMAL(38, 0): Spark sums a
# BIGINT into a BIGINT, which wraps (or fails) past 2^63-1, and a study read before tracks were
# bounded (`twitter_v1.MOST_WITHHELD`) may hold two notices of 2^63-1.
_WITHHELD_SQL = """SELECT sum(CAST(track AS DECIMAL(38, 0))) FROM (
    SELECT track, lead(track) OVER (ORDER BY limited_at NULLS LAST, source, line) AS nxt FROM stream_limits
) WHERE nxt IS NULL OR nxt < track"""


def withheld(study: Any, tables: set[str] | None = None) -> int | None:
    """Matching posts the stream withheld, summed over its connections; None when the study holds
    no limit notice (no `stream_limits` table), so nothing is said of a capture that never hit
    the cap, or of one made before the notices were kept."""
    if "stream_limits" not in (tables if tables is not None else set(study.tables())):
        return None
    total = study.sql(_WITHHELD_SQL)[0][0]
    return int(total or 0)


def withheld_sentence(study: Any, tables: set[str] | None = None) -> str | None:
    """The plain sentence for Methods and `botwatch estimate`: how many matching posts the stream
    withheld, what share of what matched the capture holds, and that counts are lower bounds for
    the stream's filter. None without notices, or where they say nothing was withheld."""
    n = withheld(study, tables)
    if not n:
        return None
    held = int(study.sql("SELECT count(*) FROM posts WHERE platform = 'twitter'")[0][0])
    share = 100 * held / (held + n)
    said = "under 1%" if share < 1 else f"about {share:.0f}%"
    return (f"The stream withheld at least {n:,} matching posts (its limit notices): the capture holds {said} of what matched, "
            f"so counts here are lower bounds for the stream's filter.")


def warned_sentence(study: Any, tables: set[str] | None = None) -> str | None:
    """The plain sentence for Methods: how often the stream warned that the capture was falling
    behind (`stream_warnings`, code FALLING_BEHIND) and how full its queue got. Why: at a full
    queue the stream disconnects the client, and the posts sent meanwhile are in no file, a loss no
    other count shows. None without such warnings (or a study made before they were kept)."""
    seen = falling_behind(study, tables)
    if seen is None:
        return None
    n, full = seen
    queue = f" (its queue up to {int(full)}% full)" if full is not None else ""
    times = "once" if n == 1 else f"{int(n):,} times"
    return (f"The stream warned {times} that the capture was falling behind{queue}: "
            "posts may have been lost when it disconnected.")


def falling_behind(study: Any, tables: set[str] | None = None) -> tuple[int, int | None] | None:
    """How many FALLING_BEHIND warnings the study keeps and the fullest queue they gave (None:
    none kept), for Methods' sentence (`warned_sentence`) and `botwatch status` alike."""
    if "stream_warnings" not in (tables if tables is not None else set(study.tables())):
        return None
    n, full = study.sql("SELECT count(*), max(percent_full) FROM stream_warnings WHERE code = 'FALLING_BEHIND'")[0]
    return (int(n), None if full is None else int(full)) if n else None
