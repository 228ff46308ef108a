"""A generated crowd with a planted network: the ground truth real archives never give us.

Real data has no list of who coordinated, so recovery is measured on a crowd built to look like a
busy election stream: heavy-tailed account activity, heavy-tailed popularity (one post retweeted
by a sizeable share of the crowd within hours, a long tail of posts nobody shares), retweets
following the original with exponential delays, and links in some posts. Hidden in it, a
planted group retweets a leader's campaign posts within seconds of each other (plus cover
traffic, like everyone else), and sometimes posts the same text.

Everything is generated inside DuckDB with hash-based pseudo-random numbers, so 10 million posts
take seconds and the same seed gives the same rows on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from botwatch.study import Study


@dataclass(frozen=True)
class CrowdSpec:
    """Size and shape of the generated crowd and its planted network."""

    posts: int = 100_000
    retweet_share: float = 0.4
    accounts: int = 20_000
    mega_share: float = 0.075  # share of all retweets that go to the single most popular post
    mega_spread_s: int = 3 * 3600  # the mega post's retweets come within a few hours
    mean_delay_s: int = 2 * 3600  # other retweets follow their original after exponential delays
    days: int = 30
    planted: int = 30
    campaign_posts: int = 40
    planted_join_p: float = 0.6  # chance a planted member retweets a given campaign post
    planted_jitter_s: int = 40  # members act within this many seconds of the trigger
    planted_lag_s: int = 5
    copy_text_p: float = 0.3  # chance a planted member also posts the campaign's text itself
    link_share: float = 0.1
    seed: int = 7


def _u(expr: str, seed: int, salt: str) -> str:
    """SQL for a deterministic uniform number in [0, 1) from a row expression."""
    return f"((hash(({expr})::VARCHAR || '|{salt}|{int(seed)}') % 1000000007) / 1000000007.0)"


def planted_accounts(spec: CrowdSpec) -> list[str]:
    """The ground truth: ids of the planted members (the leader is not a member; it only posts)."""
    return [f"planted{i:04d}" for i in range(spec.planted)]


def generate(study: Study, spec: CrowdSpec = CrowdSpec()) -> dict[str, int]:
    """Append a generated crowd to `study.posts`; returns row counts by part."""
    n_rt = int(spec.posts * spec.retweet_share)
    n_orig = spec.posts - n_rt
    start = "TIMESTAMP '2017-05-01 00:00:00'"
    span = spec.days * 86400
    study.sql("SET enable_progress_bar = false")
    _crowd_originals(study, spec, n_orig, start, span)
    _crowd_retweets(study, spec, n_rt, n_orig)
    cover = _planted_network(study, spec, n_rt, n_orig, start, span)
    k, c = spec.planted, spec.campaign_posts
    counts = {
        "originals": n_orig,
        "retweets": n_rt,
        "campaign_posts": c,
        "planted_actions": int(study.sql("SELECT count(*) FROM _synth_planted")[0][0]),
        "planted_cover": k * cover,
    }
    counts["posts"] = int(study.sql("SELECT count(*) FROM posts")[0][0])
    counts["mega_retweets"] = int(study.sql("SELECT count(*) FROM _synth_rt WHERE oi = 0")[0][0])
    for t in ("_synth_orig", "_synth_rt", "_synth_campaign", "_synth_planted"):
        study.sql(f"DROP TABLE IF EXISTS {t}")
    return counts

def _account_sql(spec: CrowdSpec, salt: str) -> str:
    """SQL for a crowd account id: heavy-tailed activity, the index drawn log-uniformly (density ~ 1/x)."""
    return f"'user' || lpad(CAST(CAST(floor(exp({_u('i', spec.seed, salt)} * ln({spec.accounts}))) AS BIGINT) - 1 AS VARCHAR), 7, '0')"


def _crowd_originals(study: Study, spec: CrowdSpec, n_orig: int, start: str, span: int) -> None:
    """The crowd's original posts (kept as `_synth_orig` for the retweets), some with a link."""
    s, acct = spec.seed, (lambda salt: _account_sql(spec, salt))
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _synth_orig AS
        SELECT i, 'o' || i AS post_id, {acct('oa')} AS account_id,
               {start} + to_seconds(CAST(floor({_u('i', s, 'ot')} * {span}) AS BIGINT)) AS created_at,
               {_u('i', s, 'ol')} < {spec.link_share} AS has_link
        FROM range({n_orig}) t(i)
        """
    )
    study.sql(
        f"""
        INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, hashtags, mentions, urls, source_format)
        SELECT post_id, 'twitter', account_id, created_at, 'crowd post number ' || i || ' about the election', 'original',
               [], [], CASE WHEN has_link THEN ['https://news.example/' || (i % 5000)] ELSE [] END, 'synthetic'
        FROM _synth_orig
        """
    )


def _crowd_retweets(study: Study, spec: CrowdSpec, n_rt: int, n_orig: int) -> None:
    """The crowd's retweets (`_synth_rt`)."""
    s, acct = spec.seed, (lambda salt: _account_sql(spec, salt))
    # Retweets: a fixed share go to post 0 (the mega post) within a few hours; the rest pick an
    # original among 1..n-1 log-uniformly (Zipf-like popularity) and follow it after an
    # exponential delay.
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _synth_rt AS
        SELECT i, {acct('ra')} AS account_id,
               CASE WHEN {_u('i', s, 'rm')} < {spec.mega_share} THEN 0
                    ELSE CAST(floor(exp({_u('i', s, 'rp')} * ln({n_orig}))) AS BIGINT) END AS oi
        FROM range({n_rt}) t(i)
        """
    )
    study.sql(
        f"""
        INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, ref_post_id, ref_account_id, ref_handle, hashtags, mentions, urls, source_format)
        SELECT 'r' || r.i, 'twitter', r.account_id,
               o.created_at + to_seconds(CAST(CASE WHEN r.oi = 0 THEN floor({_u('r.i', s, 'rd')} * {spec.mega_spread_s})
                                           ELSE floor(-ln(1 - {_u('r.i', s, 'rd')}) * {spec.mean_delay_s}) END AS BIGINT) + 1),
               'crowd post number ' || o.i || ' about the election', 'retweet', o.post_id, o.account_id, o.account_id,
               [], [], CASE WHEN o.has_link THEN ['https://news.example/' || (o.i % 5000)] ELSE [] END, 'synthetic'
        FROM _synth_rt r JOIN _synth_orig o ON o.i = r.oi
        """
    )


def _planted_network(study: Study, spec: CrowdSpec, n_rt: int, n_orig: int, start: str, span: int) -> int:
    """The leader's campaign posts, the planted members' retweets and copies of them, and the
    members' cover retweets of crowd posts; returns cover retweets per member."""
    # The planted network: a leader posts campaign posts; members retweet each with probability
    # planted_join_p, within planted_jitter_s seconds after a lag, and sometimes copy the text.
    # Members also retweet the crowd's popular posts like anyone (cover traffic).
    s, k, c = spec.seed, spec.planted, spec.campaign_posts
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _synth_campaign AS
        SELECT j, 'campaign' || j AS post_id,
               {start} + to_seconds(CAST(floor({_u('j', s, 'ct')} * {span}) AS BIGINT)) AS created_at
        FROM range({c}) t(j)
        """
    )
    study.sql(
        f"""
        INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, hashtags, mentions, urls, source_format)
        SELECT post_id, 'twitter', 'leader', created_at, 'campaign message ' || j || ': vote for change, the only choice on polling day',
               'original', [], [], [], 'synthetic'
        FROM _synth_campaign
        """
    )
    study.sql(
        f"""
        CREATE OR REPLACE TEMP TABLE _synth_planted AS
        SELECT m, j, 'planted' || lpad(CAST(m AS VARCHAR), 4, '0') AS account_id, c.post_id, c.created_at,
               c.created_at + to_seconds({spec.planted_lag_s} + CAST(floor({_u('m * 100003 + j', s, 'pd')} * {spec.planted_jitter_s}) AS BIGINT)) AS t
        FROM range({k}) a(m) CROSS JOIN _synth_campaign c
        WHERE {_u('m * 100003 + j', s, 'pj')} < {spec.planted_join_p}
        """
    )
    study.sql(
        f"""
        INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, ref_post_id, ref_account_id, ref_handle, hashtags, mentions, urls, source_format)
        SELECT 'p' || m || '-' || j, 'twitter', account_id, t,
               'campaign message ' || j || ': vote for change, the only choice on polling day', 'retweet', post_id, 'leader', 'leader',
               [], [], [], 'synthetic'
        FROM _synth_planted
        UNION ALL
        SELECT 'pc' || m || '-' || j, 'twitter', account_id, t + INTERVAL 20 SECOND,
               'Campaign message ' || j || ': VOTE for change, the only choice on polling day!', 'original', NULL, NULL, NULL,
               [], [], [], 'synthetic'
        FROM _synth_planted WHERE {_u('m * 7 + j', s, 'pc')} < {spec.copy_text_p}
        """
    )
    cover = max(int(n_rt / max(spec.accounts, 1) * 3), 5)
    study.sql(
        f"""
        INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, ref_post_id, ref_account_id, ref_handle, hashtags, mentions, urls, source_format)
        SELECT 'pv' || m || '-' || q, 'twitter', 'planted' || lpad(CAST(m AS VARCHAR), 4, '0'),
               o.created_at + to_seconds(CAST(floor(-ln(1 - {_u('m * 1009 + q', s, 'vd')}) * {spec.mean_delay_s}) AS BIGINT) + 1),
               'crowd post number ' || o.i || ' about the election', 'retweet', o.post_id, o.account_id, o.account_id, [], [], [], 'synthetic'
        FROM range({k}) a(m) CROSS JOIN range({cover}) b(q)
        JOIN _synth_orig o ON o.i = CAST(floor(exp({_u('m * 1009 + q', s, 'vp')} * ln({n_orig}))) AS BIGINT) - 1
        """
    )
    return cover



def recovery(study: Study, truth: list[str]) -> dict[str, float | int]:
    """Precision and recall of the planted members among the accounts in the kept network,
    and of the cluster that holds most planted members (how well one cluster *is* the network)."""
    truth_set = set(truth)
    found = {r[0] for r in study.sql("SELECT account_id FROM cluster_members")} if "cluster_members" in study.tables() else set()
    tp = len(found & truth_set)
    out: dict[str, float | int] = {
        "found": len(found),
        "true_positive": tp,
        "precision": tp / len(found) if found else 0.0,
        "recall": tp / len(truth_set) if truth_set else 0.0,
    }
    best = None
    if found:
        rows = study.sql("SELECT cluster_id, list(account_id) FROM cluster_members GROUP BY 1")
        best = max(rows, key=lambda r: (len(set(r[1]) & truth_set), -r[0]))
    if best is not None:
        members = set(best[1])
        hit = len(members & truth_set)
        out["cluster_precision"] = hit / len(members)
        out["cluster_recall"] = hit / len(truth_set) if truth_set else 0.0
    return out
