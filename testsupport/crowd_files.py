"""The generated crowd with its planted network, written as Twitter v1.1 JSON-lines files.

`coordination_synth` builds a crowd straight into a study's `posts` table, which skips ingest
and leaves every account without a profile. Engine benchmarks and engine parity tests need the
whole path a user takes (files → `botwatch ingest` → `botwatch analyze`) on both engines, so here
the same crowd is rendered as the input a user would have: v1.1 statuses, one file per day as a
streaming capture writes them, each with its author's user object, a retweet carrying the
original status and its author, entities with hashtags, the retweeted handle and links.

Ids are numeric and grow with time, as Twitter's snowflake ids do; the crowd's account names
(`user0000123`, `planted0007`, `leader`) become the handles, so the planted truth is found by
handle after ingest (`planted_handles`). Profiles are hash-derived from the handle (same seed,
same file on any machine); the planted members were all created within ten days, as batch-made
accounts are. DuckDB renders the JSON, so 10 million posts take a minute or two, not an hour.

Test and benchmark data only: nothing may be fitted or tuned on it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from testsupport.coordination_synth import CrowdSpec, generate, planted_accounts

POST_ID_BASE = 860_000_000_000_000_000
ACCOUNT_ID_BASE = 40_000_000


@dataclass(frozen=True)
class CrowdFiles:
    """What `write_crowd` wrote: the files, and the counts by part from the generator."""

    files: list[Path]
    counts: dict[str, int]
    bytes: int


def planted_handles(spec: CrowdSpec) -> list[str]:
    """The ground truth as handles (the planted members; the leader only posts)."""
    return planted_accounts(spec)


def _h(expr: str, salt: str, seed: int) -> str:
    """SQL: a deterministic non-negative integer from a row expression."""
    return f"hash(({expr})::VARCHAR || '|{salt}|{int(seed)}')"


def _twitter_time(expr: str) -> str:
    return f"strftime({expr}, '%a %b %d %H:%M:%S +0000 %Y')"


def write_crowd(folder: str | Path, spec: CrowdSpec = CrowdSpec(), *, threads: int = 2) -> CrowdFiles:
    """Generate `spec`'s crowd and write it under `folder` as `crowd-YYYY-MM-DD.jsonl`, one file a day."""
    from botwatch import open_study

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    s = spec.seed
    with tempfile.TemporaryDirectory(prefix="botwatch-crowd-") as scratch:
        with open_study(Path(scratch) / "crowd.duckdb", read_only=False) as st:
            st.sql(f"SET threads = {int(threads)}")
            st.sql("SET preserve_insertion_order = false")
            counts = generate(st, spec)
            # Snowflake-like ids: increasing with time.
            st.sql(
                f"""CREATE TEMP TABLE _ids AS
                    SELECT post_id, {POST_ID_BASE} + row_number() OVER (ORDER BY created_at, post_id) AS nid FROM posts"""
            )
            st.sql(
                f"""CREATE TEMP TABLE _acct AS
                    WITH names AS (SELECT account_id AS name FROM posts UNION SELECT ref_account_id FROM posts WHERE ref_account_id IS NOT NULL)
                    SELECT name, {ACCOUNT_ID_BASE} + row_number() OVER (ORDER BY name) AS uid,
                           CASE WHEN starts_with(name, 'planted')
                                THEN TIMESTAMP '2017-03-01 08:00:00' + to_seconds(({_h('name', 'pc', s)} % (10 * 86400))::BIGINT)
                                ELSE TIMESTAMP '2009-01-01 00:00:00' + to_seconds(({_h('name', 'cr', s)} % (8 * 365 * 86400))::BIGINT) END AS created,
                           ({_h('name', 'fo', s)} % 5000)::BIGINT AS followers,
                           ({_h('name', 'fr', s)} % 2000)::BIGINT AS friends,
                           (100 + {_h('name', 'st', s)} % 50000)::BIGINT AS statuses
                    FROM names"""
            )
            user = """{'id': {p}.uid, 'id_str': {p}.uid::VARCHAR, 'name': 'User ' || {p}.name, 'screen_name': {p}.name,
                       'location': CASE {p}.uid % 4 WHEN 0 THEN 'London' WHEN 1 THEN '' WHEN 2 THEN 'Manchester' ELSE NULL END,
                       'description': 'opinions my own, ' || {p}.name, 'protected': false, 'followers_count': {p}.followers,
                       'friends_count': {p}.friends, 'listed_count': 1, 'created_at': """ + _twitter_time("{p}.created") + """,
                       'favourites_count': 10, 'utc_offset': NULL::INTEGER, 'time_zone': NULL::VARCHAR, 'verified': false,
                       'statuses_count': {p}.statuses, 'lang': 'en', 'default_profile': true, 'default_profile_image': false}"""
            tag = f"CASE {_h('o.post_id', 'ht', s)} % 10 WHEN 0 THEN ['GE2017'] WHEN 1 THEN ['VoteLabour'] WHEN 2 THEN ['StrongAndStable'] ELSE [] END"
            client = (f"CASE {_h('p.account_id', 'cl', s)} % 3 WHEN 0 THEN '<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>' "
                      "WHEN 1 THEN '<a href=\"http://twitter.com\" rel=\"nofollow\">Twitter Web Client</a>' "
                      "ELSE '<a href=\"http://twitter.com/download/iphone\" rel=\"nofollow\">Twitter for iPhone</a>' END")
            # Originals (and the planted copies) carry their own text and tags; a retweet carries the
            # original's, with the original status and its author embedded as v1.1 does.
            st.sql(
                f"""CREATE TEMP TABLE _status AS
                    SELECT p.created_at AS t, i.nid,
                           {{'created_at': {_twitter_time('p.created_at')}, 'id': i.nid, 'id_str': i.nid::VARCHAR,
                             'text': CASE WHEN p.kind = 'retweet' THEN 'RT @' || p.ref_handle || ': ' ELSE '' END || p.text
                                     || coalesce(list_aggregate(list_transform(ht.tags, lambda x: ' #' || x), 'string_agg', ''), ''),
                             'source': {client}, 'truncated': false,
                             'in_reply_to_status_id_str': NULL::VARCHAR, 'in_reply_to_user_id_str': NULL::VARCHAR,
                             'user': {user.replace('{p}', 'a')},
                             'retweeted_status': CASE WHEN p.kind = 'retweet' THEN {{
                                 'created_at': {_twitter_time('o.created_at')}, 'id': oi.nid, 'id_str': oi.nid::VARCHAR,
                                 'text': o.text || coalesce(list_aggregate(list_transform(ht.tags, lambda x: ' #' || x), 'string_agg', ''), ''),
                                 'user': {user.replace('{p}', 'ra')}}} END,
                             'entities': {{'hashtags': list_transform(ht.tags, lambda x: {{'text': x, 'indices': [0, 1]}}),
                                           'user_mentions': CASE WHEN p.kind = 'retweet' THEN [{{'screen_name': p.ref_handle, 'id_str': ra.uid::VARCHAR}}]
                                                                 ELSE [] END,
                                           'urls': list_transform(p.urls, lambda x: {{'url': 'https://t.co/' || (hash(x) % 100000)::VARCHAR, 'expanded_url': x}})}},
                             'lang': 'en', 'timestamp_ms': (epoch_ms(p.created_at))::VARCHAR}} AS status
                    FROM posts p
                    JOIN _ids i USING (post_id)
                    JOIN _acct a ON a.name = p.account_id
                    LEFT JOIN posts o ON o.post_id = p.ref_post_id
                    LEFT JOIN _ids oi ON oi.post_id = p.ref_post_id
                    LEFT JOIN _acct ra ON ra.name = p.ref_account_id
                    CROSS JOIN LATERAL (SELECT {tag.replace('o.post_id', 'coalesce(p.ref_post_id, p.post_id)')} AS tags) ht"""
            )
            days = [r[0] for r in st.sql("SELECT DISTINCT CAST(t AS DATE) FROM _status ORDER BY 1")]
            files = []
            for day in days:
                path = folder / f"crowd-{day.isoformat()}.jsonl"
                st.sql(
                    f"COPY (SELECT unnest(status) FROM _status WHERE CAST(t AS DATE) = DATE '{day.isoformat()}' ORDER BY nid) "
                    f"TO '{path}' (FORMAT JSON)"
                )
                files.append(path)
    return CrowdFiles(files=files, counts=counts, bytes=sum(p.stat().st_size for p in files))
