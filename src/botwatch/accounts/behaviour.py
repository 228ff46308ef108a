"""What each account did in the study, aggregated from `posts` with Ibis.

Written once as Ibis expressions so the same aggregation runs on DuckDB (default) and on
PySpark when a study outgrows one machine; the Spark parity test compares the two. Work that is
Python by nature (entropy, the circadian fit) runs afterwards on the small per-account tables.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

KEY = ["platform", "account_id"]

# Character ranges written as literal characters so both RE2 (DuckDB) and Java (Spark) read them.
SCRIPT_PATTERNS: dict[str, str] = {
    "cyrillic": "[\u0400-\u04ff]",
    "arabic": "[\u0600-\u06ff]",
    "cjk": "[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]",
    "greek": "[\u0370-\u03ff]",
    "hebrew": "[\u0590-\u05ff]",
    "devanagari": "[\u0900-\u097f]",
    "thai": "[\u0e00-\u0e7f]",
    "georgian": "[\u10a0-\u10ff]",
    "armenian": "[\u0530-\u058f]",
}


NON_LATIN = "[\u0370-\u10ff\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
COMMON_SCRIPT = "cyrillic"
# Every script of SCRIPT_PATTERNS but the common one, as one character class.
RARE_SCRIPTS = "[" + "".join(p[1:-1] for k, p in SCRIPT_PATTERNS.items() if k != COMMON_SCRIPT) + "]"


def _flag(cond: ir.BooleanValue) -> ir.IntegerValue:
    return cond.fill_null(False).ifelse(1, 0)


# Whole seconds, exactly: 38 digits hold n·Σg² for any account (a gap under 10^10 s, n under 10^9).
_EXACT = ibis.expr.datatypes.Decimal(38, 0)


def exact_pop_std(gaps: ir.IntegerColumn) -> ir.FloatingScalar:
    """Population standard deviation of whole-second gaps, from exact integer sums.

    Why: a float `std` merges the engine's per-thread partial results in whatever order the
    threads finish, so re-running one study stored another last bit for a few accounts (2 of the
    demo's 262 between two runs). n·Σg² − (Σg)² is an integer, computed exactly in a 38-digit
    decimal whatever the order, so one float division and one square root give the same answer
    on every run and on both engines, without the cancellation of Σg²/n − mean². NULL where the
    account has no gap, as `std`; 0 for one gap."""
    g = gaps.cast(_EXACT)
    n = gaps.count().cast(_EXACT)
    spread = n * (g * g).sum() - g.sum() * g.sum()
    return (spread.cast("float64") / (n * n).cast("float64")).sqrt()


def account_activity(posts: ir.Table) -> ir.Table:
    """One row per account: counts, shares, per-post entity rates, gap regularity, script counts."""
    # Only the columns read below, the three lists as their lengths: the window then sorts each
    # post with three integers rather than its lists (a sixth of this query on a 390k-post study).
    # The plan keeps its shape: the gap aggregates see the same rows, in the same window.
    from botwatch.coordination.behaviours import shared_text

    posts = posts.select(
        *KEY, "created_at", "post_id", "text", "kind", "client", "lang",
        _n_hashtags=posts.hashtags.length().fill_null(0), _n_mentions=posts.mentions.length().fill_null(0),
        _n_urls=posts.urls.length().fill_null(0), _own=shared_text(posts),
    )
    ts = posts.created_at.epoch_seconds()
    w = ibis.window(group_by=KEY, order_by=[posts.created_at, posts.post_id])
    # One cheap test for "any character beyond Latin", computed once per post as a column; the
    # nine script patterns then run only on posts that pass it (CASE evaluates a branch only for
    # its rows, on both engines).
    with_gap = posts.mutate(_ts=ts, _gap=(ts - ts.lag().over(w)), _nl=posts.text.re_search(NON_LATIN).fill_null(False))
    # A second gate for the scripts other than the most common one: in election data nearly every
    # non-Latin post is Cyrillic only, and one test for "any rarer script" spares those posts
    # eight searches (a third of this query's time on a 390k-post study). Every script's range
    # lies inside NON_LATIN and inside RARE_SCRIPTS, so the counts are the same.
    t = with_gap.mutate(_rare=with_gap._nl.ifelse(with_gap.text.re_search(RARE_SCRIPTS), False).fill_null(False))
    aggs: dict[str, ir.Value] = {
        "n_posts": t.count(),
        "first_post": t.created_at.min(),
        "last_post": t.created_at.max(),
        "active_days": t.created_at.date().nunique(),
        "active_hours": t.created_at.truncate("h").nunique(),
        "n_retweets": _flag(t.kind == "retweet").sum(),
        "n_replies": _flag(t.kind == "reply").sum(),
        "n_quotes": _flag(t.kind == "quote").sum(),
        # Only posts with words count as texts: a Bluesky repost is stored with the text "", and an
        # account of 40 reposts read "98% repeated text" (39 of its 40 "repeated" the empty one).
        # Nor does a Mastodon content warning alone (`shared_text`): an account that put "nsfw" over
        # six pictures read "83% of its posts repeat a text it already posted".
        "n_distinct_texts": t._own.nullif("").nunique(),
        "n_texts": t._own.nullif("").count(),
        "n_hashtags": t._n_hashtags.sum(),
        "n_mentions": t._n_mentions.sum(),
        "n_urls": t._n_urls.sum(),
        "n_clients": t.client.nunique(),
        "n_langs": t.lang.nunique(),
        "gap_mean_s": t._gap.cast("float64").mean(),
        "gap_std_s": exact_pop_std(t._gap),
        "n_gaps_under_10s": _flag(t._gap < 10).sum(),
        # Under a minute: what a minute-precision archive (the IRA CSV) can still measure (bot_behaviour).
        "n_gaps_under_60s": _flag(t._gap < 60).sum(),
    }
    for name, pattern in SCRIPT_PATTERNS.items():
        gate = t._nl if name == COMMON_SCRIPT else t._rare
        aggs[f"n_script_{name}"] = _flag(gate.ifelse(t.text.re_search(pattern), False)).sum()
    return t.group_by(KEY).aggregate(**aggs)


# The `account_activity` columns that count an account's own posts (or what is in them): 0, not
# unknown, for an account seen only as a retweeted, quoted or replied-to author or looked up (its
# other activity columns, times, gaps and shares, stay NULL: they have no value without a post).
POST_COUNTS = ("n_posts", "active_days", "active_hours", "n_retweets", "n_replies", "n_quotes", "n_distinct_texts", "n_texts",
               "n_hashtags", "n_mentions", "n_urls", "n_clients", "n_langs", "n_gaps_under_10s", "n_gaps_under_60s",
               *(f"n_script_{name}" for name in SCRIPT_PATTERNS))


def account_hours(posts: ir.Table) -> ir.Table:
    """Posts per account and UTC hour of day (for the circadian fit and hour entropy)."""
    return posts.group_by([*KEY, posts.created_at.hour().name("hour")]).aggregate(n=posts.count())


def account_langs(posts: ir.Table) -> ir.Table:
    """Posts per account and language tag (NULL language excluded)."""
    p = posts.filter(posts.lang.notnull())
    return p.group_by([*KEY, "lang"]).aggregate(n=p.count())


def account_clients(posts: ir.Table) -> ir.Table:
    """Posts per account and client application (NULL client excluded)."""
    p = posts.filter(posts.client.notnull())
    return p.group_by([*KEY, "client"]).aggregate(n=p.count())


def all_tables(posts: ir.Table) -> dict[str, ir.Table]:
    """The four relational aggregates, keyed by name (what the parity test compares)."""
    return {
        "activity": account_activity(posts),
        "hours": account_hours(posts),
        "langs": account_langs(posts),
        "clients": account_clients(posts),
    }
