"""Generated inputs for testing and measuring the report (never used on real studies).

* `hostile_statuses` writes Twitter v1.1 statuses whose every attacker-controlled field carries a
  script-injection payload, so tests can push them through the real ingest, analysis and report
  and check in a browser that nothing runs.
* `contract_tables` adds score, evidence and cluster tables in the shapes other stages promise
  (docs: the table contracts), for when those stages are absent or to exercise hostile evidence.
* `bulk_study` fills a study with N generated accounts directly (bypassing ingest, which is not
  what the benchmark measures).

All generation is seeded: the same arguments give the same data.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from botwatch.schema import ACCOUNT_SCORES, ACCOUNTS, POSTS
from botwatch.study import Study

# Each payload sets window.__pwned or opens a dialog if it ever runs.
PAYLOADS: list[str] = [
    "<script>window.__pwned=1;alert('script')</script>",
    "<img src=x onerror=\"window.__pwned=2;alert('img')\">",
    "\"><svg onload=window.__pwned=3>",
    "'-alert(4)-'",
    "</script><script>window.__pwned=5;alert(5)</script>",
    "javascript:window.__pwned=6;alert(6)",
    "\u202emoc.elgoog\u202c admin",
    "{{ 7*7 }}{% raw %}x",
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "<a href=javascript:window.__pwned=7>x</a>",
    "\u2028</script>\u2029<!--<script>",
]
HOSTILE_URLS: list[str] = [
    "javascript:window.__pwned=8;alert(8)",
    "JaVaScRiPt:window.__pwned=9",
    "data:text/html,<script>window.__pwned=10</script>",
    " javascript:window.__pwned=11",
    "https://example.org/ok?q=\"><script>window.__pwned=12</script>",
    "vbscript:msgbox(1)",
]


def _tw_time(t: datetime) -> str:
    return t.strftime("%a %b %d %H:%M:%S +0000 %Y")


def hostile_statuses(path: str | Path, *, n_accounts: int = 12, posts_each: int = 4, start: datetime = datetime(2017, 5, 1, 9), seed: int = 7) -> Path:
    """Write a v1.1 JSONL file in which handles, names, descriptions, locations, texts, hashtags,
    mentions, URLs, client names and referenced handles are injection payloads."""
    rng = random.Random(seed)
    path = Path(path)
    lines = []
    pid = 900000000000000000
    for a in range(n_accounts):
        p = PAYLOADS[a % len(PAYLOADS)]
        user = {
            # Ids are strings written by the source: one account's id is itself a payload.
            "id_str": PAYLOADS[4] if a == 5 else str(1000 + a),
            "screen_name": p if a % 2 == 0 else f"acct{a}{p[:12]}",
            "name": PAYLOADS[(a + 1) % len(PAYLOADS)],
            "description": PAYLOADS[(a + 2) % len(PAYLOADS)] + " " + HOSTILE_URLS[a % len(HOSTILE_URLS)],
            "location": PAYLOADS[(a + 3) % len(PAYLOADS)],
            "lang": PAYLOADS[1] if a == 9 else ("ru" if a % 3 == 0 else "en"),
            "time_zone": PAYLOADS[(a + 4) % len(PAYLOADS)],
            "utc_offset": 10800 if a % 3 == 0 else 0,
            "created_at": _tw_time(start - timedelta(days=30 + a)),
            "followers_count": rng.randint(0, 5000),
            "friends_count": rng.randint(0, 5000),
            "statuses_count": rng.randint(10, 90000),
            "verified": False,
            "default_profile": a % 2 == 0,
            "default_profile_image": a % 4 == 0,
            "url": HOSTILE_URLS[a % len(HOSTILE_URLS)],
        }
        for k in range(posts_each):
            pid += 1
            t = start + timedelta(minutes=37 * a + 5 * k, seconds=rng.randint(0, 59))
            text = f"{PAYLOADS[(a + k) % len(PAYLOADS)]} #GE2017 #VoteLabour @UKLabour {HOSTILE_URLS[(a + k) % len(HOSTILE_URLS)]}"
            status: dict[str, Any] = {
                "id_str": str(pid),
                "created_at": _tw_time(t),
                "text": text,
                "lang": PAYLOADS[2] if a == 7 and k == 0 else "en",
                "source": f"<a href=\"javascript:window.__pwned=13\" rel=\"nofollow\">{PAYLOADS[k % len(PAYLOADS)]}</a>",
                "user": user,
                "entities": {
                    "hashtags": [{"text": "GE2017"}, {"text": "VoteLabour"}, {"text": PAYLOADS[(a + k + 1) % len(PAYLOADS)]}],
                    "user_mentions": [{"screen_name": "UKLabour", "id_str": "14291684"}, {"screen_name": PAYLOADS[k % len(PAYLOADS)], "id_str": "77"}],
                    "urls": [{"url": "https://t.co/x", "expanded_url": u} for u in (HOSTILE_URLS[(a + k) % len(HOSTILE_URLS)], "https://example.org/fine")],
                },
            }
            if k == 1:
                status["in_reply_to_status_id_str"] = "123"
                status["in_reply_to_user_id_str"] = "77"
                status["in_reply_to_screen_name"] = PAYLOADS[(a + 5) % len(PAYLOADS)]
            if k == 2:
                status["retweeted_status"] = {
                    "id_str": str(800000000000000000 + a),
                    "created_at": _tw_time(t - timedelta(minutes=3)),
                    "text": PAYLOADS[(a + 6) % len(PAYLOADS)] + " #GE2017",
                    "user": {"id_str": "14291684", "screen_name": "UKLabour", "name": PAYLOADS[(a + 7) % len(PAYLOADS)]},
                    "entities": {"hashtags": [{"text": "GE2017"}], "urls": [{"expanded_url": HOSTILE_URLS[(a + 1) % len(HOSTILE_URLS)]}]},
                }
            lines.append(json.dumps(status, ensure_ascii=False))
    lines.append('{"this is": "not a status", "payload": "' + PAYLOADS[0].replace('"', '\\"') + '"}')
    lines.append(PAYLOADS[1])  # not JSON at all: goes to `rejected` with its raw text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scores_table(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows in the accounts stage's `account_scores` shape (schema.ACCOUNT_SCORES); a column a row
    leaves out is NULL, as for an account the stage could not score on that point."""
    return pa.Table.from_pylist(rows, schema=ACCOUNT_SCORES)


def contract_tables(study: Study, *, hostile: bool = True, seed: int = 3, replace: bool = False) -> list[str]:
    """Create `account_scores`, `account_evidence` and `cluster_members` in their contract shapes
    for every account that posted, unless they exist (or `replace`). Returns the tables made."""
    rng = random.Random(seed)
    made = []
    tables = set(study.tables())
    accounts = study.sql("SELECT DISTINCT platform, account_id FROM posts ORDER BY 1, 2")
    if replace or "account_scores" not in tables:
        rows = []
        for i, (plat, acc) in enumerate(accounts):
            p = round(rng.random(), 3)
            ev = [f"handle looks random ({PAYLOADS[i % len(PAYLOADS)]})" if hostile else "handle is 15 random alphanumeric characters", "account language: ru"]
            country = "RU" if i % 3 == 0 else "GB"
            rows.append({"platform": plat, "account_id": acc, "bot_probability": p, "bot_evidence": json.dumps(ev), "origin_country": country,
                         "origin_probability": round(0.5 + rng.random() / 2, 3), "origin_probabilities": json.dumps({country: 0.7}),
                         "origin_evidence": json.dumps([f"posts peak 09:00–18:00 UTC+3 {PAYLOADS[(i + 1) % len(PAYLOADS)] if hostile else ''}"])})
        study.write_table("account_scores", scores_table(rows))
        made.append("account_scores")
    if replace or "account_evidence" not in tables:
        study.sql("CREATE OR REPLACE TABLE account_evidence (platform VARCHAR, account_id VARCHAR, sentence VARCHAR, weight DOUBLE)")
        ev_rows = [(plat, acc, f"retweeted @UKLabour within 30 s of 4 other accounts {PAYLOADS[(i + 2) % len(PAYLOADS)] if hostile else ''}", 0.4) for i, (plat, acc) in enumerate(accounts)]
        if ev_rows:
            study.con.executemany("INSERT INTO account_evidence VALUES (?, ?, ?, ?)", ev_rows)
        made.append("account_evidence")
    if replace or "cluster_members" not in tables:
        study.sql("CREATE OR REPLACE TABLE cluster_members (cluster_id VARCHAR, platform VARCHAR, account_id VARCHAR)")
        cm = [((PAYLOADS[0] if hostile and i % 4 == 0 else f"c{i % 3}"), plat, acc) for i, (plat, acc) in enumerate(accounts) if i % 2 == 0]
        if cm:
            study.con.executemany("INSERT INTO cluster_members VALUES (?, ?, ?)", cm)
        made.append("cluster_members")
    return made


def bulk_study(study: Study, n_accounts: int, *, posts_each: int = 5, seed: int = 1, scores: bool = True) -> None:
    """Fill an empty study with `n_accounts` generated accounts, their posts and (optionally)
    contract-shaped scores, evidence and clusters, inserted as Arrow tables."""
    rng = random.Random(seed)
    start = datetime(2017, 4, 18)
    acc_cols: dict[str, list[Any]] = {f.name: [] for f in ACCOUNTS}
    post_cols: dict[str, list[Any]] = {f.name: [] for f in POSTS}
    words = ["vote", "labour", "tory", "brexit", "nhs", "may", "corbyn", "strong", "stable", "for", "the", "many", "not", "few"]
    for a in range(n_accounts):
        aid = str(10_000_000 + a)
        handle = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(6, 15)))
        row = {
            "account_id": aid, "platform": "twitter", "handle": handle, "display_name": f"User {a}", "description": " ".join(rng.choices(words, k=8)),
            "location": rng.choice(["London", "Moscow", None, "UK"]), "account_lang": rng.choice(["en", "en", "ru"]),
            "created_at": start - timedelta(days=rng.randint(0, 3000)), "followers": rng.randint(0, 10000), "following": rng.randint(0, 5000),
            "posts_count": rng.randint(1, 100000), "verified": False, "default_profile": rng.random() < 0.3, "default_image": rng.random() < 0.1,
            "time_zone": None, "utc_offset": None, "extra": None, "first_seen": start, "last_seen": start + timedelta(days=50),
        }
        for k, v in row.items():
            acc_cols[k].append(v)
        for k in range(posts_each):
            t = start + timedelta(seconds=rng.randint(0, 50 * 86400))
            post = {
                "post_id": f"{aid}-{k}", "platform": "twitter", "account_id": aid, "created_at": t, "text": " ".join(rng.choices(words, k=12)) + " #GE2017",
                "lang": "en", "kind": rng.choice(["original", "retweet", "reply"]), "ref_post_id": None, "ref_account_id": None, "ref_handle": None,
                "hashtags": ["GE2017"], "mentions": [], "urls": ["https://example.org/a"], "client": "Twitter Web Client", "source": f"bulk:{a}", "source_format": "generated", "warning": None,
            }
            for key, v in post.items():
                post_cols[key].append(v)
    acc_tbl = pa.table(acc_cols, schema=ACCOUNTS)
    post_tbl = pa.table(post_cols, schema=POSTS)
    study.con.register("_bulk_accounts", acc_tbl)
    study.sql("INSERT INTO accounts SELECT * FROM _bulk_accounts")
    study.con.unregister("_bulk_accounts")
    study.con.register("_bulk_posts", post_tbl)
    study.sql("INSERT INTO posts SELECT * FROM _bulk_posts")
    study.con.unregister("_bulk_posts")
    if scores:
        sentences = [
            "handle is {n} random alphanumeric characters", "account language: ru", "posts peak 09:00–18:00 UTC+3", "default profile image",
            "{n} posts per day since the account was created", "retweet share {n}%", "follows {n} times more accounts than follow it",
        ]
        rows = []
        for a in range(n_accounts):
            ev = [s.format(n=rng.randint(2, 99)) for s in rng.sample(sentences, 3)]
            c = rng.choice(["GB", "GB", "RU", "US"])
            rows.append({"platform": "twitter", "account_id": str(10_000_000 + a), "bot_probability": round(rng.betavariate(0.6, 2.0), 3),
                         "bot_evidence": json.dumps(ev), "origin_country": c, "origin_probability": round(rng.uniform(0.3, 1.0), 3),
                         "origin_probabilities": json.dumps({c: 0.6}), "origin_evidence": json.dumps(["account language: en"])})
        study.write_table("account_scores", scores_table(rows))
        study.sql(
            "CREATE OR REPLACE TABLE cluster_members AS SELECT 'c' || (hash(account_id) % 40) AS cluster_id, platform, account_id "
            "FROM account_scores WHERE bot_probability > 0.6"
        )


def build_hostile_report(folder: str | Path, *, election: str = "uk-ge2017") -> Path:
    """The whole path a hostile archive takes: write it, ingest it with the real readers, run every
    registered stage (a stage that fails is skipped, so one stage's bug cannot hide the report's
    behaviour), add contract tables other stages did not make, and build the report (with a
    hostile title). Returns the report's path; the study is `folder/hostile.duckdb`."""
    from botwatch.elections import load_election
    from botwatch.ingest.runner import ingest
    from botwatch.pipeline import Context, analyze, stages
    from botwatch.report.build import build_report
    from botwatch.study import open_study

    folder = Path(folder)
    src = hostile_statuses(folder / "hostile.jsonl")
    path = folder / "hostile.duckdb"
    with open_study(path, read_only=False) as st:
        ingest(st, [str(src)])
        ctx = Context(election=load_election(election), options={"sample_rate": 0.01}, log=lambda m: None)
        for stage in stages():
            try:
                analyze(st, ctx, only=[stage.name])
            except Exception:  # noqa: BLE001 - a broken stage is that stage's test's business
                continue
        contract_tables(st, hostile=True)
    with open_study(path, read_only=True) as st:
        return build_report(st, folder / "report.html", title=PAYLOADS[0] + PAYLOADS[6], export_posts=True)
