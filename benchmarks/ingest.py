"""Ingest benchmark: botwatch's streaming ingest against DuckDB's own read_json scan of the same file.

Generates N Twitter v1.1-style statuses (a quarter of them retweets with the retweeted status
embedded, realistic user objects and entities), then measures
  - the practical limit: DuckDB `read_json` scanning the fields botwatch extracts (no storing),
  - botwatch ingest into a fresh study (in a child process, so its peak RSS is its own),
and prints posts/s, MB/s, peak RSS and the ratio between the two.

With `--floor` it also measures what DuckDB alone takes to *store* the same file the least it
could be stored: one `read_json` pass into a table of the post columns and the author profiles,
one `arg_max` reducing the profiles to accounts, commit and checkpoint, under the same 1 GB
memory budget that botwatch's ingest keeps to. No hash, no line numbers,
no cleaning, no checks: DuckDB's own simplest way to keep a file's posts and accounts. Every
ingest that keeps them in DuckDB pays at least this much, so its ratio to the scan shows how far
the 40% target is reachable at all on the machine at hand.

Usage: python benchmarks/ingest.py 1000000 [--gzip] [--keep DIR] [--control-every K] [--cut-off] [--floor] [--formats]

`--formats` instead ingests N posts as each input kind (JSON lines plain and gzip, one JSON
array, an IRA CSV in gzip) and prints each one's peak RSS, to hold them all to one budget.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

WORDS = "vote labour tory brexit nhs corbyn may strong stable many few election manifesto debate poll today tonight".split()


def _user(rng: random.Random, uid: int) -> dict:
    created = datetime(2009, 1, 1) + timedelta(days=rng.randrange(3000))
    return {
        "id": uid, "id_str": str(uid), "name": f"User {uid}", "screen_name": f"user_{uid}", "location": rng.choice(["London", "", "Москва", "Texas"]),
        "description": " ".join(rng.choices(WORDS, k=8)), "protected": False, "followers_count": rng.randrange(10_000),
        "friends_count": rng.randrange(5_000), "listed_count": 3, "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "favourites_count": 10, "utc_offset": 3600, "time_zone": "London", "geo_enabled": False, "verified": False,
        "statuses_count": rng.randrange(100_000), "lang": rng.choice(["en", "en", "ru"]), "default_profile": True,
        "default_profile_image": False, "profile_image_url_https": "https://pbs.twimg.com/profile_images/1/x_normal.jpg",
    }


def _status(rng: random.Random, i: int, t0: datetime) -> dict:
    when = t0 + timedelta(seconds=i * 0.5)
    text = " ".join(rng.choices(WORDS, k=14))
    tags = rng.sample(["GE2017", "VoteLabour", "ForTheMany", "StrongAndStable", "Brexit"], k=2)
    st = {
        "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"), "id": 860000000000000000 + i, "id_str": str(860000000000000000 + i),
        "text": text + " #" + " #".join(tags), "source": '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
        "truncated": False, "in_reply_to_status_id": None, "in_reply_to_status_id_str": None, "in_reply_to_user_id_str": None,
        "user": _user(rng, rng.randrange(1, 200_000)), "geo": None, "place": None, "retweet_count": 0, "favorite_count": 0,
        "entities": {"hashtags": [{"text": t, "indices": [0, 1]} for t in tags], "user_mentions": [], "urls": [{"url": "https://t.co/x", "expanded_url": "https://example.org/a"}], "symbols": []},
        "favorited": False, "retweeted": False, "lang": "en", "timestamp_ms": str(int(when.timestamp() * 1000)),
    }
    if i % 4 == 0:
        orig = dict(st, id_str=str(850000000000000000 + i % 5000), user=_user(rng, 1 + i % 300))
        st["retweeted_status"] = orig
        st["text"] = "RT @user_x: " + st["text"][:100]
    return st


def generate(path: Path, n: int, compress: bool, control_every: int = 0, cut_off: bool = False) -> None:
    """Write N lines fast: a pool of rendered templates with ids and times substituted.

    `control_every` > 0 makes every k-th line a stream `delete` notice instead of a status, as in
    a real streaming capture; `cut_off` ends the file with half a status and no newline, as a
    capture killed mid-write does."""
    rng = random.Random(7)
    t0 = datetime(2017, 4, 18)
    templates = []
    for k in range(400):
        st = _status(rng, k, t0)
        raw = json.dumps(st, separators=(",", ":"))
        raw = raw.replace(st["id_str"], "@@ID@@").replace(st["created_at"], "@@TIME@@").replace(f'"id":{st["id"]}', '"id":@@NUM@@')
        raw = raw.replace(st["user"]["id_str"], "@@UID@@").replace(f'"id":{st["user"]["id"]}', '"id":@@UNUM@@')
        templates.append(raw.replace("%", "%%").replace("@@ID@@", "%(id)s").replace("@@TIME@@", "%(t)s").replace("@@NUM@@", "%(id)s")
                         .replace("@@UID@@", "%(u)s").replace("@@UNUM@@", "%(u)s"))
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as f:  # type: ignore[operator]
        buf = []
        for i in range(n):
            when = t0 + timedelta(seconds=i * 0.5)
            if control_every and i % control_every == control_every - 1:
                buf.append(f'{{"delete":{{"status":{{"id":{850000000000000000 + i},"id_str":"{850000000000000000 + i}","user_id":{i},"user_id_str":"{i}"}},"timestamp_ms":"{int(when.timestamp() * 1000)}"}}}}')
            else:
                buf.append(templates[i % 400] % {"id": 860000000000000000 + i, "t": when.strftime("%a %b %d %H:%M:%S +0000 %Y"), "u": 1 + (i * 7919) % 300_000})
            if len(buf) == 10_000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")
        if cut_off:
            whole = templates[0] % {"id": 870000000000000000, "t": t0.strftime("%a %b %d %H:%M:%S +0000 %Y"), "u": 1}
            f.write(whole[: len(whole) // 2])


IRA_HEADER = ["external_author_id", "author", "content", "region", "language", "publish_date", "harvested_date", "following",
              "followers", "updates", "post_type", "account_type", "retweet", "account_category", "new_june_2018", "alt_external_id",
              "tweet_id", "article_url", "tco1_step1", "tco2_step1", "tco3_step1"]


def generate_other(path: Path, n: int, kind: str) -> None:
    """The same kind of posts as another input kind: an IRA-style CSV (gzip), or one JSON array.

    Used by `--formats` to hold every input kind to the one memory budget (issue 17, point 9)."""
    import csv

    rng = random.Random(7)
    t0 = datetime(2017, 4, 18)
    if kind == "ira-csv":
        with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(IRA_HEADER)
            for i in range(n):
                when = t0 + timedelta(seconds=i * 0.5)
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 30)))
                if i % 7 == 0:
                    text += '\nsecond line, with "quotes"'
                w.writerow([str(1 + (i * 7919) % 300_000), f"user{(i * 7919) % 300_000}", text, "United States", "English",
                            when.strftime("%m/%d/%Y %H:%M"), when.strftime("%m/%d/%Y %H:%M"), "120", "340", "5000", "", "Right",
                            "0", "RightTroll", "0", "", str(860000000000000000 + i), "", "", "", ""])
    else:  # one JSON array of statuses
        with open(path, "w", encoding="utf-8") as f:
            f.write("[\n")
            for i in range(n):
                f.write((",\n" if i else "") + json.dumps(_status(rng, i, t0), separators=(",", ":")))
            f.write("\n]\n")


def duckdb_scan_seconds(path: Path) -> float:
    """DuckDB scanning the fields botwatch extracts; `ignore_errors` so that a cut-off file scans too."""
    import duckdb

    con = duckdb.connect()
    columns = {
        "id_str": "VARCHAR", "created_at": "VARCHAR", "text": "VARCHAR", "lang": "VARCHAR", "source": "VARCHAR",
        "in_reply_to_status_id_str": "VARCHAR", "user": "JSON", "entities": "JSON", "retweeted_status": "JSON",
    }
    cols = ", ".join(f"'{k}': '{v}'" for k, v in columns.items())
    t = time.perf_counter()
    con.execute(
        f"SELECT count(id_str), count(text), count(user), count(entities), count(retweeted_status) "
        f"FROM read_json('{path}', format='newline_delimited', columns={{{cols}}}, maximum_object_size=67108864, ignore_errors=true)"
    ).fetchall()
    return time.perf_counter() - t


INGEST_MEMORY = "1GB"  # botwatch's default BOTWATCH_INGEST_MEMORY


def duckdb_floor_seconds(path: Path, folder: Path) -> float:
    """DuckDB storing the file's posts and reduced accounts with nothing else done (see the docstring)."""
    import duckdb

    user = ("STRUCT(id_str VARCHAR, screen_name VARCHAR, name VARCHAR, description VARCHAR, location VARCHAR, lang VARCHAR, "
            "created_at VARCHAR, followers_count BIGINT, friends_count BIGINT, statuses_count BIGINT, verified BOOLEAN, "
            "time_zone VARCHAR, utc_offset INTEGER)")
    entities = "STRUCT(hashtags STRUCT(text VARCHAR)[], user_mentions STRUCT(screen_name VARCHAR)[], urls STRUCT(expanded_url VARCHAR)[])"
    columns = {
        "id_str": "VARCHAR", "created_at": "VARCHAR", "text": "VARCHAR", "lang": "VARCHAR", "source": "VARCHAR",
        "in_reply_to_status_id_str": "VARCHAR", "user": user, "entities": entities, "retweeted_status": f'STRUCT(id_str VARCHAR, "user" {user})',
    }
    cols = ", ".join(f"'{k}': '{v}'" for k, v in columns.items())
    db = folder / "floor.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    t = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute(f"SET memory_limit = '{INGEST_MEMORY}'")  # the budget botwatch ingest keeps to (peak RSS target)
    con.execute("BEGIN")
    con.execute(
        f"""CREATE TABLE posts AS SELECT id_str AS post_id, "user".id_str AS account_id, created_at, text, lang, source,
                   in_reply_to_status_id_str, retweeted_status.id_str AS ref_post_id, entities.hashtags, entities.user_mentions,
                   entities.urls, "user" AS author, retweeted_status."user" AS ref_author
            FROM read_json('{path}', format='newline_delimited', columns={{{cols}}}, maximum_object_size=67108864, ignore_errors=true)"""
    )
    con.execute(
        """CREATE TABLE accounts AS SELECT u.id_str AS account_id, arg_max(u, created_at) AS latest, count(*) AS snapshots
           FROM (SELECT author AS u, created_at FROM posts UNION ALL SELECT ref_author, created_at FROM posts WHERE ref_author IS NOT NULL)
           GROUP BY u.id_str"""
    )
    con.execute("ALTER TABLE posts DROP COLUMN author")
    con.execute("ALTER TABLE posts DROP COLUMN ref_author")
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    con.close()
    elapsed = time.perf_counter() - t
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    return elapsed


CHILD = """
import resource, sys, time
from botwatch import open_study
from botwatch.ingest.runner import ingest
t = time.perf_counter()
with open_study(sys.argv[1], read_only=False) as st:
    res = ingest(st, [sys.argv[2]]).files[0]
    n = st.count('posts')
el = time.perf_counter() - t
print(el, n, res.rejected, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def run_child(study: Path, path: Path) -> tuple[float, int, str, int, int]:
    """Ingest `path` into a fresh `study` in a child process: seconds, posts, rejected, peak RSS
    of the ingest process and of its largest worker (KB)."""
    for p in (study, Path(str(study) + ".wal")):
        p.unlink(missing_ok=True)
    out = subprocess.run([sys.executable, "-c", CHILD, str(study), str(path)], capture_output=True, text=True, check=True)
    elapsed, stored, rejected, maxrss_kb, workers_kb = out.stdout.strip().splitlines()[-1].split()
    return float(elapsed), int(stored), rejected, int(maxrss_kb), int(workers_kb)


def per_format(n: int, folder: Path) -> None:
    """Peak RSS of ingesting each input kind with N posts: the memory budget holds for all."""
    kinds = [("v1.1 JSON lines", f"v1_{n}.jsonl", None), ("v1.1 JSON lines, gzip", f"v1_{n}.jsonl.gz", None),
             ("v1.1 JSON array", f"v1_{n}_array.json", "array"), ("IRA CSV, gzip", f"ira_{n}.csv.gz", "ira-csv")]
    for label, name, kind in kinds:
        path = folder / name
        if not path.exists():
            if kind is None:
                generate(path, n, name.endswith(".gz"))
            else:
                generate_other(path, n, kind)
        el, stored, rejected, rss, workers = run_child(folder / "bench.duckdb", path)
        print(f"{label:24s}: {path.stat().st_size / 1e6:7,.0f} MB  {el:7.2f} s  {stored / el:9,.0f} posts/s  "
              f"peak RSS {rss / 1024:6,.0f} MB (largest worker {workers / 1024:,.0f} MB)  stored {stored:,}  rejected {rejected}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, nargs="?", default=200_000)
    ap.add_argument("--gzip", action="store_true", help="generate a .jsonl.gz file")
    ap.add_argument("--keep", type=Path, help="folder to keep the generated file and study in")
    ap.add_argument("--control-every", type=int, default=0, metavar="K",
                    help="make every K-th line a stream delete notice, as real streaming captures have (default: none)")
    ap.add_argument("--cut-off", action="store_true", help="end the file with half a status and no newline (a killed capture)")
    ap.add_argument("--floor", action="store_true", help="also time DuckDB alone storing the posts and accounts, with no checks (what storing costs at least)")
    ap.add_argument("--formats", action="store_true", help="peak RSS of ingesting N posts as each input kind (JSON lines, gzip, JSON array, IRA CSV)")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="bw-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    if args.formats:
        per_format(args.n, tmp)
        return
    tag = (f"_ctl{args.control_every}" if args.control_every else "") + ("_cut" if args.cut_off else "")
    path = tmp / f"v1_{args.n}{tag}.jsonl{'.gz' if args.gzip else ''}"
    if not path.exists():
        t = time.perf_counter()
        generate(path, args.n, args.gzip, args.control_every, args.cut_off)
        print(f"generated {args.n:,} statuses ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - t:,.1f} s", flush=True)
    mb = path.stat().st_size / 1e6
    # Best of two: the first read may come from disk, and the ingest after it reads a warm page cache.
    scan = min(duckdb_scan_seconds(path) for _ in range(2))
    print(f"DuckDB read_json scan : {scan:7.2f} s  {args.n / scan:10,.0f} posts/s  {mb / scan:7.1f} MB/s", flush=True)
    if args.floor:
        floor = duckdb_floor_seconds(path, tmp)
        print(f"DuckDB store-only floor: {floor:7.2f} s  {args.n / floor:10,.0f} posts/s  {mb / floor:7.1f} MB/s  "
              f"= {scan / floor:.0%} of the scan (storing alone, nothing checked)", flush=True)
    study = tmp / "bench.duckdb"
    el, stored, rejected, maxrss_kb, _ = run_child(study, path)
    print(f"botwatch ingest       : {el:7.2f} s  {args.n / el:10,.0f} posts/s  {mb / el:7.1f} MB/s  "
          f"peak RSS {maxrss_kb / 1024:,.0f} MB  stored {stored:,}  rejected {rejected}")
    print(f"ratio (botwatch / DuckDB scan throughput): {scan / el:.0%}  (target >= 40%)")
    if args.floor:
        print(f"botwatch / store-only floor: {floor / el:.0%}")
    print(f"cores: {os.cpu_count()}  python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
