"""A generated stream in which a network amplifies only the most popular posts (tests, benchmark).

`coordination_synth.py` hides its network on posts nobody else shares. Real operations also push the posts
everyone shares: the official party accounts' posts, retweeted by thousands. There the shared
item says nothing; only the *timing* can (the members act within seconds of each other while the
crowd's retweets of the same post spread over hours). This generator builds that case:

- `originals` posts by ordinary accounts, retweeted by a heavy-tailed crowd (account index drawn
  log-uniformly, so a few accounts are hyperactive) after exponential delays;
- `top_posts` party posts with the most retweets (`top_max` down to `top_min` ordinary
  retweeters, Zipf-like), retweeted after the same delays;
- `superfans`: accounts that retweet most of the party posts (probability `superfan_p`) at the
  crowd's delays, the trap for a test that counts shared items without looking at time;
- the network: `network` accounts that retweet *only* the party posts, each joining with
  probability `network_join_p`, all within `network_spread_s` seconds of a trigger that comes
  up to `network_lag_max_s` after the post.

The small sparse stream of the issue is the same generator with a small crowd, one party and no
superfans (`sparse_spec`). Everything is DuckDB SQL with hash-based random numbers, as in
`coordination_synth.py`: the same seed gives the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from botwatch.study import Study
from testsupport.coordination_synth import _u


@dataclass(frozen=True)
class PopularSpec:
    """Size and shape of the stream and of the network that amplifies its most popular posts."""

    retweets: int = 220_000  # ordinary retweets (the crowd's), besides superfans and network
    accounts: int = 20_000
    originals: int = 5_000
    parties: int = 3
    days: int = 7
    top_posts: int = 12
    top_max: int = 7_700
    top_min: int = 1_400
    mean_delay_s: int = 2 * 3600
    superfans: int = 200
    superfan_p: float = 0.7
    network: int = 60
    network_join_p: float = 0.9
    network_spread_min_s: int = 5
    network_spread_s: int = 25
    network_lag_max_s: int = 3600
    seed: int = 11


def sparse_spec(seed: int = 11) -> PopularSpec:
    """The issue's small, sparse stream: 20 accounts retweeting one party within 5–25 s."""
    return PopularSpec(
        retweets=1_000, accounts=1_000, originals=1_000, parties=1, days=10, top_posts=30, top_max=15, top_min=5,
        superfans=0, network=20, network_join_p=0.8, network_lag_max_s=0, seed=seed,
    )


def network_accounts(spec: PopularSpec) -> list[str]:
    """The ground truth: the ids of the network's members."""
    return [f"amp{i:03d}" for i in range(spec.network)]


def generate_popular(study: Study, spec: PopularSpec = PopularSpec()) -> dict[str, int]:
    """Append the stream to `study.posts`; returns row counts by part."""
    s = spec.seed
    start = "TIMESTAMP '2017-05-01 00:00:00'"
    span = spec.days * 86400
    acct = lambda expr, salt: f"'fan' || lpad(CAST(CAST(floor(exp({_u(expr, s, salt)} * ln({spec.accounts}))) AS BIGINT) - 1 AS VARCHAR), 6, '0')"  # noqa: E731
    delay = lambda expr, salt: f"to_seconds(CAST(floor(-ln(1 - {_u(expr, s, salt)}) * {spec.mean_delay_s}) AS BIGINT) + 1)"  # noqa: E731
    study.sql("SET enable_progress_bar = false")
    _crowd_and_superfans(study, spec, start, span, acct, delay)
    _network(study, spec)
    counts = {
        "posts": int(study.sql("SELECT count(*) FROM posts")[0][0]),
        "retweets": int(study.sql("SELECT count(*) FROM posts WHERE kind = 'retweet'")[0][0]),
        "network_actions": int(study.sql("SELECT count(*) FROM _pop_net")[0][0]),
        "top_min_retweeters": int(study.sql("SELECT min(c) FROM (SELECT count(DISTINCT account_id) c FROM posts WHERE ref_post_id LIKE 'party-post%' GROUP BY ref_post_id)")[0][0] or 0),
        "top_max_retweeters": int(study.sql("SELECT max(c) FROM (SELECT count(DISTINCT account_id) c FROM posts WHERE ref_post_id LIKE 'party-post%' GROUP BY ref_post_id)")[0][0] or 0),
        "accounts": int(study.sql("SELECT count(DISTINCT account_id) FROM posts")[0][0]),
    }
    for t in ("_pop_orig", "_pop_rt", "_pop_net"):
        study.sql(f"DROP TABLE IF EXISTS {t}")
    return counts


def _crowd_and_superfans(study: Study, spec: PopularSpec, start: str, span: int, acct: Callable[[str, str], str], delay: Callable[[str, str], str]) -> None:
    """The ordinary stream: originals, the party posts, the crowd's retweets and the superfans."""
    s = spec.seed
    # Ordinary originals and the party posts; the party posts come in the first days so their
    # retweets (hours long) stay inside the stream.
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _pop_orig AS
        SELECT i, 'po' || i AS post_id, {acct('i', 'oa')} AS account_id,
               {start} + to_seconds(CAST(floor({_u('i', s, 'ot')} * {span}) AS BIGINT)) AS created_at, 0 AS top_rank
        FROM range({spec.originals}) t(i)
        UNION ALL
        SELECT {spec.originals} + k, 'party-post' || k, 'party' || (k % {spec.parties}),
               {start} + to_seconds(CAST(floor({_u('k', s, 'tt')} * ({span} - 86400)) AS BIGINT)), k + 1
        FROM range({spec.top_posts}) t(k)
        """
    )
    study.sql(
        """
        INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, hashtags, mentions, urls, source_format)
        SELECT post_id, 'twitter', account_id, created_at, 'post ' || i || ' about the campaign and the vote', 'original', [], [], [], 'synthetic'
        FROM _pop_orig
        """
    )
    # Party post k (rank 1..K) gets top_max * rank^-a ordinary retweets by distinct accounts (a
    # stride through the crowd), a chosen so the last has top_min; ordinary posts share the rest
    # log-uniformly among heavy-tailed accounts (Zipf-like, as in coordination_synth.py).
    import math

    a = math.log(spec.top_max / max(spec.top_min, 1)) / math.log(max(spec.top_posts, 2)) if spec.top_posts > 1 else 0.0
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _pop_rt AS
        SELECT o.i AS oi, j AS q, 'fan' || lpad(CAST((j * 7919 + o.i * 104729) % {spec.accounts} AS VARCHAR), 6, '0') AS account_id
        FROM _pop_orig o, range(CAST(round({spec.top_max} * pow(o.top_rank, -{a})) AS BIGINT)) r(j)
        WHERE o.top_rank > 0
        UNION ALL
        SELECT CAST(floor(exp({_u('j', s, 'rp')} * ln({spec.originals}))) AS BIGINT) - 1, j, {acct('j', 'ra')} FROM range({spec.retweets}) r(j)
        """
    )
    study.sql(
        f"""
        INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, ref_post_id, ref_account_id, ref_handle, hashtags, mentions, urls, source_format)
        SELECT 'prt' || r.oi || '-' || r.q, 'twitter', r.account_id,
               o.created_at + {delay('r.oi * 1000003 + r.q', 'rd')},
               'post ' || o.i || ' about the campaign and the vote', 'retweet', o.post_id, o.account_id, o.account_id, [], [], [], 'synthetic'
        FROM _pop_rt r JOIN _pop_orig o ON o.i = r.oi
        """
    )
    # Superfans: most party posts, at the crowd's delays, plus ordinary retweets like anyone.
    study.sql(
        f"""
        INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, ref_post_id, ref_account_id, ref_handle, hashtags, mentions, urls, source_format)
        SELECT 'psf' || f || '-' || o.i, 'twitter', 'superfan' || lpad(CAST(f AS VARCHAR), 3, '0'),
               o.created_at + {delay('f * 7919 + o.i', 'sd')},
               'post ' || o.i || ' about the campaign and the vote', 'retweet', o.post_id, o.account_id, o.account_id, [], [], [], 'synthetic'
        FROM range({spec.superfans}) a(f) JOIN _pop_orig o
          ON (o.top_rank > 0 AND {_u('f * 7919 + o.i', s, 'sj')} < {spec.superfan_p})
          OR (o.top_rank = 0 AND {_u('f * 7919 + o.i', s, 'so')} < 20.0 / {spec.originals})
        """
    )


def _network(study: Study, spec: PopularSpec) -> None:
    """The planted network's retweets of the party posts (`_pop_net`)."""
    s = spec.seed
    # The network: each party post triggers it once (a lag after the post), and each member that
    # joins acts within the spread after the trigger. Nothing else: it amplifies only these.
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _pop_net AS
        SELECT m, o.i, o.post_id, o.account_id AS party, o.created_at
                 + to_seconds(CAST(floor({_u('o.i', s, 'nl')} * {spec.network_lag_max_s}) AS BIGINT))
                 + to_seconds({spec.network_spread_min_s} + CAST(floor({_u('m * 7927 + o.i', s, 'nd')} * ({spec.network_spread_s} - {spec.network_spread_min_s})) AS BIGINT)) AS t
        FROM range({spec.network}) a(m) JOIN _pop_orig o ON o.top_rank > 0
        WHERE {_u('m * 7927 + o.i', s, 'nj')} < {spec.network_join_p}
        """
    )
    study.sql(
        """
        INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, ref_post_id, ref_account_id, ref_handle, hashtags, mentions, urls, source_format)
        SELECT 'pnet' || m || '-' || i, 'twitter', 'amp' || lpad(CAST(m AS VARCHAR), 3, '0'), t,
               'post ' || i || ' about the campaign and the vote', 'retweet', post_id, party, party, [], [], [], 'synthetic'
        FROM _pop_net
        """
    )
