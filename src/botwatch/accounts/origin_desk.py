"""Desk hours: the `office_hours` item of a short account read on its desk's posts.

Why: many of a desk's accounts post too little (1-29 posts) for their own hours to say anything,
and the other-language desks of the IRA (the Syria desk: Arabic names, English, German and Arabic
retweets) carry no other evidence for Russia: their post language points to India, the Gulf or
France (docs/methods.md, "Fifth pass"). A desk keeps one schedule, so the posts of its accounts
together are the desk's working day, and that day is what `office_hours` reads.

Who is on an account's desk (`desk_sql`, engine queries only, nothing per pair at the driver): its
shared-text neighbours (`origin_textpool.neighbours_expr`) that also posted in at least one of the
same clock hours (an hour of one date) as the account, its *desk-mates*. An account reads its desk's
hours only when

* it has fewer than `MAX_OWN_POSTS` posts of its own (a longer account has a day of its own);
* it has at least `MIN_MATES` desk-mates (one other account is a pair, not a desk);
* at least `MIN_SYNC` of its own clock hours are hours in which a desk-mate posted too (a desk's
  accounts post together; people who retweet the same tweets rarely do in the same hour: at the
  development part's looser neighbour rule, one shared text, the median short ordinary account
  with neighbours shares none of its clock hours with them, the median short IRA handle all);
* the desk's posts (the account's and its desk-mates' together) number at least
  `origin_shifts.MIN_POSTS` over at least `MIN_DESK_HOURS` distinct clock hours (a few accounts
  live-tweeting one debate night are one burst, not a working day).

The account's own posts per UTC hour are then replaced by the desk's (`office_hours` reads them as
for any account, and says in words that they are the desk's), but the desk's hours count at most
`BOUND_POSTS` posts' worth (`weight`): the item's log-likelihood is multiplied by
`BOUND_POSTS / desk posts` when the desk has more. The account did not write the desk's other posts;
an account that merely retweets a desk within the hour (a fan, a news feed) must not get the
evidence of hundreds of posts from it. `BOUND_POSTS` = 50 is a short account's worth, a little over
the 30 posts the rule treats as enough for an account's own day. It was chosen on the development
part scored as a study of its own, as a user's study is scored (docs/methods.md, "Ninth pass";
`scripts/choose_desk_bound.py`, by a rule written before the run and amended, before any test
figure, to bounded values only: as written it picked no bound at all, which the fan test below
forbids): of the bounds tried (10-200), the one placing most Russian-language and posing accounts
in Russia with no more ordinary false alarms and reliability no worse at three decimals; 40,
chosen in the seventh pass in one study holding both parts, lost seven Syria-desk accounts that
50 keeps. Its shared-text pooling still counts its neighbours'
own evidence as one typical neighbour's worth (`origin_textpool`).

All four rules were chosen on the development part only, with the false-alarm check run under the
looser neighbour rule too (docs/methods.md, "Sixth pass"); none is fitted to generated data.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from botwatch.accounts import origin_shifts, origin_textpool
from botwatch.count_text import counted, two_figures

KIND_NOTE = "desk hours"
MAX_OWN_POSTS = 30
MIN_MATES = 2
MIN_SYNC = 0.5
MIN_DESK_HOURS = 20
BOUND_POSTS = 50  # the desk's hours count as at most this many posts (`weight`; chosen on the development part's own study)
PAIRS_TABLE = "_botwatch_text_pairs"  # the shared-text pairs (`origin_textpool.neighbours_expr`), written once per stage run


# A desk big enough to read (`hourly`'s window sums): enough posts and enough distinct clock hours.
BIG = f"desk_posts >= {origin_shifts.MIN_POSTS} AND desk_hours >= {MIN_DESK_HOURS}"
DESK_SELECT = f"""SELECT platform, account_id, list(struct_pack(k := CAST(h AS VARCHAR), n := posts)) AS shift, min(n) AS own_posts
FROM hourly WHERE {BIG} GROUP BY platform, account_id"""
MATES_SELECT = f"""SELECT k.platform, k.account_id, k.other_id FROM kept k
JOIN (SELECT DISTINCT platform, account_id FROM hourly WHERE {BIG}) g ON k.platform = g.platform AND k.account_id = g.account_id"""


SLOT_TABLE = "_botwatch_desk_slot"  # `slot_sql`'s rows, written once per stage run (`desk_sql(slot_table=...)`)


def slot_sql(pairs_table: str = PAIRS_TABLE) -> str:
    """The posts per clock hour (an hour of one date) of every account with a pair: (platform,
    account_id, s, posts). `desk_sql` reads them in four places; Spark inlines a CTE at each place
    that names it, and its physical plan scanned and grouped `posts` about two dozen times, so the
    accounts stage writes these rows once (`SLOT_TABLE`) and passes the table to `desk_sql`."""
    return f"""
SELECT p.platform, p.account_id, date_trunc('hour', p.created_at) AS s, count(*) AS posts FROM posts p
JOIN (SELECT DISTINCT platform, account_id FROM {pairs_table}) q ON p.platform = q.platform AND p.account_id = q.account_id
WHERE p.created_at IS NOT NULL AND p.created_at >= TIMESTAMP '1990-01-01 00:00:00' AND p.created_at < TIMESTAMP '2101-01-01 00:00:00'
GROUP BY p.platform, p.account_id, date_trunc('hour', p.created_at)"""


def desk_sql(pairs_table: str = PAIRS_TABLE, mates: bool = False, slot_table: str | None = None) -> str:
    """One row per account that reads its desk's hours: (platform, account_id, shift), `shift` the
    desk's posts per UTC hour as (k, n) pairs, the same shape as `features.SHIFT_SQL`'s. Reads
    `posts` and the pairs table (columns platform, account_id, other_id; both directions listed).
    Only the posts of accounts with a pair are read (a few thousand of a study's accounts).
    `own_posts` is the account's own dated posts, the count the `MAX_OWN_POSTS` rule used.
    `mates=True` lists each such account's desk-mates instead (platform, account_id, other_id;
    `scripts/measure_origin_desks.py` measures leaving them out of the pooled neighbour mean).
    `slot_table`: a table already holding `slot_sql(pairs_table)`'s rows, read instead of
    computing them within the query (the same rows, so the same answer).

    Each CTE is named once (`slot` aside, a stored table on the stage's way; `kept` twice with
    `mates=True`): Spark plans a CTE again at every name, and the query named `short`, `together`,
    `kept` and a desk's clock hours twice each, 16-19 Spark jobs on the bundled sample's lake.
    So the account's own counts ride along from `short`; a short account's distinct shared hours
    and distinct mates are the largest `dense_rank` of each over its `together` rows (a count
    distinct in one pass that also keeps the rows for the mates); the account's own hours join
    its desk once, on its first mate's row (the `own` row of the two-row VALUES); and the desk's
    posts and distinct clock hours are window sums over its per-hour-of-day counts (a clock hour
    falls in one hour of the day, so the distinct counts add up)."""
    slot = (f"SELECT platform, account_id, s, posts FROM {slot_table}" if slot_table
            else slot_sql(pairs_table).strip().replace("\n", "\n  "))
    return f"""
WITH slot AS (
  {slot}),
short AS (SELECT platform, account_id, sum(posts) AS n, count(*) AS hours FROM slot GROUP BY platform, account_id
          HAVING sum(posts) < {MAX_OWN_POSTS}),
together AS (
  SELECT p.platform, p.account_id, p.other_id, sh.n, sh.hours,
    dense_rank() OVER (PARTITION BY p.platform, p.account_id ORDER BY a.s) AS s_rank,
    dense_rank() OVER (PARTITION BY p.platform, p.account_id ORDER BY p.other_id) AS mate_rank
  FROM {pairs_table} p
  JOIN short sh ON p.platform = sh.platform AND p.account_id = sh.account_id
  JOIN slot a ON a.platform = p.platform AND a.account_id = p.account_id
  JOIN slot b ON b.platform = p.platform AND b.account_id = p.other_id AND b.s = a.s),
mates AS (
  SELECT platform, account_id, other_id, min(n) AS n, min(hours) AS hours, min(mate_rank) AS mate_rank,
    max(max(s_rank)) OVER (PARTITION BY platform, account_id) AS shared, max(max(mate_rank)) OVER (PARTITION BY platform, account_id) AS n_mates
  FROM together GROUP BY platform, account_id, other_id),
kept AS (SELECT platform, account_id, other_id, n, mate_rank FROM mates WHERE n_mates >= {MIN_MATES} AND shared >= {MIN_SYNC} * hours),
hourly AS (
  SELECT m.platform, m.account_id, CAST(hour(x.s) AS INTEGER) AS h, sum(x.posts) AS posts, min(m.n) AS n,
    sum(sum(x.posts)) OVER (PARTITION BY m.platform, m.account_id) AS desk_posts,
    sum(count(DISTINCT x.s)) OVER (PARTITION BY m.platform, m.account_id) AS desk_hours
  FROM kept m JOIN (VALUES (TRUE), (FALSE)) AS w(own) ON m.mate_rank = 1 OR NOT w.own
  JOIN slot x ON x.platform = m.platform AND x.account_id = CASE WHEN w.own THEN m.account_id ELSE m.other_id END
  GROUP BY m.platform, m.account_id, CAST(hour(x.s) AS INTEGER))
{MATES_SELECT if mates else DESK_SELECT}
"""


def weight(desk_posts: int) -> float:
    """What the desk's hours count for: 1 up to `BOUND_POSTS` posts, `BOUND_POSTS / desk_posts`
    beyond (a tempered likelihood: the desk's shape of day at the evidence of `BOUND_POSTS` posts).
    Why: the other posts are not the account's own, and the same hours also reach it through the
    shared-text pooling of its neighbours' evidence."""
    return 1.0 if desk_posts <= BOUND_POSTS else BOUND_POSTS / desk_posts


@contextlib.contextmanager
def bound(posts: int) -> Iterator[None]:
    """Score with the desk's hours counted at most `posts` posts' worth instead of `BOUND_POSTS`,
    restored on exit. Why: the bound is chosen by scoring whole studies at several values
    (`scripts/choose_desk_bound.py`, `scripts/measure_origin_desks.py`) with the code users run, and
    `weight` and `note` read `BOUND_POSTS` when an account is scored, so setting it here reaches every
    desk reader of a `run_accounts` run in this process on the DuckDB engine, which scores in the
    process itself. On a lake study (Spark) the Python workers import this module afresh and do
    not see it. A process-wide setting, not per thread. The accounts stage never calls it."""
    if posts < 1:
        raise ValueError(f"a desk bound is at least one post's worth, not {posts}")
    global BOUND_POSTS
    old = BOUND_POSTS
    BOUND_POSTS = posts
    try:
        yield
    finally:
        BOUND_POSTS = old


def note(own_posts: int | None, desk_posts: int) -> str:
    """What the evidence sentence adds for an account that read its desk's hours. `own_posts` is
    the count the "fewer than `MAX_OWN_POSTS`" rule used (dated posts in range), not all posts."""
    own = f"{counted(own_posts, 'dated post')}" if own_posts is not None else "too few posts"
    bound = (f"; counted as {BOUND_POSTS} posts' worth (×{two_figures(weight(desk_posts))} of the item), since the desk's other posts are not "
             f"this account's") if weight(desk_posts) < 1 else ""
    # The desk as `desk_sql` takes it: shared-text neighbours (texts shared at any time) that posted
    # in one of the account's clock hours at least; "the same texts in the same clock hours" said
    # the texts were posted in those hours, which the rule never asks.
    return (f" ({KIND_NOTE}: this account has {own} of its own, fewer than {MAX_OWN_POSTS}, too few for a day; read on the "
            f"{desk_posts:,} posts of its desk: it and the accounts that share at least {origin_textpool.MIN_SHARED} of its texts, "
            f"posted at any time, and posted in at least one of its clock hours (an hour of one date){bound})")
