"""Draw more real posts to hand-label as TRAINING data for the stance and sentiment models.

The first two draws (tests/fixtures/content/ira_stance_posts.csv) hold the frozen test part; a
new training post must never be one of them, nor a near-copy of one (IRA accounts post the same
text with another link, an "RT @x:" prefix or a changed hashtag), or the test part would leak into
training. So every candidate is compared with every labelled text:

- exact: the same key (case-folded, links, "RT @handle:" prefixes, mentions and punctuation
  removed, spaces collapsed);
- near: word-set Jaccard similarity >= 0.6 with any labelled text, or with a post already drawn
  here (so the new set holds no near-copies either).

(`near_copies.NearIndex`, the check the other stance scripts use too.)

Pools (distinct English texts of ../shared/data/ira/tweets.csv.gz, ordered by md5(text || salt),
the first N that pass the checks kept; weighted toward UK parties, the weak figures):
`uk_train` (a UK-party word), `uk_broad_train` (only a word a UK study could mistake for a UK
party), `us_train` (a US-party word only). Plus `uk_twarc2`: the distinct tweets of
../shared/data/twarc2/brexit.jsonl.gz (UK politics 2019, MIT licence) that name a UK party.
Every post is `part = dev`: training only; the frozen test part is unchanged.

Usage: python scripts/sample_stance_train.py OUT.csv [N_UK N_UK_BROAD N_US] [--salt S] [--no-twarc2]

The second training draw (pools `uk_train2`, `uk_broad_train2`, `us_train2`, appended to
train_stance_*.csv) was `... OUT.csv 200 20 110 --salt botwatch-stance-v6-train --no-twarc2`: a
new salt gives a new md5 order, and every post of train_stance_posts.csv joins the excluded texts,
so the second draw holds no copy of the first either.

The third training draw (pools `uk_train3`, `uk_broad_train3`, `us_train3`) was
`... OUT.csv 330 20 110 --salt botwatch-stance-v7-train --no-twarc2 --suffix 3 --brexit 150`
(plus `uk_brexit16`: 150 tweets of ordinary accounts of ordinary/brexit-2016); the second
draw's posts are in train_stance_posts.csv by then, so they are excluded as well.

The fourth training draw (pools `us_train4`, `uk_brexit16_4`) was run twice with the salt
botwatch-stance-v8-train: `... OUT.csv 160 0 60 --no-twarc2 --suffix 4 --brexit 100` (its 60 US and
100 brexit posts were labelled and appended first), then the same with `--brexit 300`, which
excludes those now-labelled posts, of which only brexit-2016 posts were labelled; then, each run
after the previous one's posts were appended, `... OUT.csv 0 0 0 --brexit 150` (150 brexit-2016
posts) and `... OUT.csv 0 0 100` (100 IRA US posts), same salt and suffix. No distinct IRA
UK-party text was left that is not a copy or near-copy of a labelled one (the 160 asked for gave
none), so the draw's UK posts are all ordinary brexit-2016 ones.

The fifth training draw (pools `us_train5`, `uk_brexit16_5`), same salt, `--no-twarc2 --suffix 5`,
each run after the previous one's posts were appended: `... OUT.csv 0 0 80 --brexit 40` (no
brexit post: see brexit_rows), `... 0 0 0 --brexit 60`, then `... 0 0 80 --brexit 40` nine times (the IRA US texts ran out in the last: 22).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
from near_copies import NearIndex  # noqa: E402  (the exact and near checks, shared with the other stance scripts)
from sample_stance_posts import UK, UK_BROAD, US  # noqa: E402

SHARED = REPO.parent / "shared" / "data"
LABELLED = REPO / "tests" / "fixtures" / "content" / "ira_stance_posts.csv"
SALT = "botwatch-stance-v5-train"
COLUMNS = ["external_author_id", "author", "content", "region", "language", "publish_date", "harvested_date", "following",
           "followers", "updates", "post_type", "account_type", "retweet", "account_category", "new_june_2018",
           "alt_external_id", "tweet_id"]


def tweet_id(text: str, salt: str = SALT) -> str:
    return str(10**17 + int(hashlib.md5((text + salt).encode()).hexdigest()[:14], 16))


TRAIN = REPO / "tests" / "fixtures" / "content" / "train_stance_posts.csv"


def brexit_rows(con: "duckdb.DuckDBPyConnection", index: NearIndex, n: int, salt: str, pool: str = "uk_brexit16") -> list[dict[str, str]]:
    """`n` tweets of ordinary accounts about the EU referendum (../shared/data/ordinary/brexit-2016)
    that name a UK party, in md5 order, near-copies skipped (pool `uk_brexit16`).

    UK-party text by people who are not trolls: the UK figures are the weak ones and the IRA's
    distinct UK-party texts run out after three draws. The scraper stripped most hashtags from
    `text` (they survive in the `hashtags` column), so the ones missing from the text are appended,
    as the tweet carried them; mentions and links it stripped are lost. The candidate limit leaves
    room for the posts of earlier draws, which come first in md5 order and are all skipped (with
    `n * 12` alone a fifth draw found none); the order, and so every earlier draw, is unchanged."""
    src = SHARED / "ordinary" / "brexit-2016" / "tweets.csv.gz"
    if not src.exists():
        return []
    cands = con.execute(
        f"""select tweet_id, user_id, text, coalesce(hashtags, ''), created_at from read_csv(?, all_varchar=true)
            where regexp_matches(text, '{UK}') or regexp_matches(coalesce(hashtags, ''), '{UK}')
            order by md5(text || ?) limit ?""", [str(src), salt, n * 12 + 10_000]).fetchall()
    rows: list[dict[str, str]] = []
    for tid, user, text, tags, c in cands:
        if len(rows) >= n:
            break
        have = {w.casefold() for w in re.findall(r"#\w+", text)}
        extra = [t for t in tags.split() if t.startswith("#") and t.casefold() not in have]
        content = " ".join([text.strip(), *extra])
        if index.near(content):
            continue
        index.add(content)
        rows.append({"author": user, "content": content, "region": "", "language": "English",
                     "publish_date": f"{int(c[5:7])}/{int(c[8:10])}/{c[:4]} {int(c[11:13])}:{c[14:16]}", "post_type": "",
                     "retweet": "0", "tweet_id": tid, "pool": pool, "source": "brexit-2016"})
    return rows


def main(out: str, n_uk: int = 170, n_uk_broad: int = 30, n_us: int = 100, salt: str = SALT, twarc2: bool = True, suffix: str | None = None, brexit: int = 0) -> None:
    with LABELLED.open(newline="", encoding="utf-8") as f:
        labelled = list(csv.DictReader(f))
    if salt != SALT and TRAIN.exists():  # a later draw also excludes the earlier training draw
        with TRAIN.open(newline="", encoding="utf-8") as f:
            labelled += list(csv.DictReader(f))
    if suffix is None:
        suffix = "" if salt == SALT else "2"
    index = NearIndex(r["content"] for r in labelled)
    taken_ids = {r["tweet_id"] for r in labelled}
    con = duckdb.connect()
    con.execute("SET threads = 2")
    src = SHARED / "ira" / "tweets.csv.gz"
    con.execute("create table en as select * from read_csv(?, all_varchar=true) where language = 'English'", [str(src)])
    pools = (
        ("uk_train", f"regexp_matches(content, '{UK}')", n_uk),
        ("uk_broad_train", f"regexp_matches(content, '{UK_BROAD}') and not regexp_matches(content, '{UK}')", n_uk_broad),
        ("us_train", f"regexp_matches(content, '{US}') and not regexp_matches(content, '{UK}') and not regexp_matches(content, '{UK_BROAD}')", n_us),
    )
    rows: list[dict[str, str]] = []
    skipped = 0
    for pool, where, n in pools:
        cands = con.sql(
            f"""select min(author_id) as author, content, min(publish_date) as publish_date, min(region) as region,
                       min(post_type) as post_type, min(retweet) as retweet
                from en where {where} group by content order by md5(content || '{salt}') limit {n * 12}"""
        ).fetchall()
        kept = 0
        for author, content, date, region, ptype, rt in cands:
            if kept >= n:
                break
            tid = tweet_id(content, salt)
            if index.near(content) or tid in taken_ids:
                skipped += 1
                continue
            index.add(content)
            taken_ids.add(tid)
            kept += 1
            y, mo, d = date[:10].split("-")
            rows.append({"author": author, "content": content, "region": region or "", "language": "English",
                         "publish_date": f"{int(mo)}/{int(d)}/{y} {int(date[11:13])}:{date[14:16]}", "post_type": ptype or "",
                         "retweet": rt or "", "tweet_id": tid, "pool": pool + suffix, "source": "ira"})
    if brexit:
        # The third draw's pool kept the plain name; later draws carry their suffix, so that each
        # draw's rows can be told apart in train_stance_labels.csv.
        rows += brexit_rows(con, index, brexit, salt, "uk_brexit16" if suffix in ("", "3") else f"uk_brexit16_{suffix}")
    tw = SHARED / "twarc2" / "brexit.jsonl.gz"
    if twarc2 and tw.exists():
        rx = re.compile(UK.replace("(?i)", ""), re.I)
        users: dict[str, str] = {}
        tweets = []
        with gzip.open(tw, "rt", encoding="utf-8") as f:
            for line in f:
                page = json.loads(line)
                users.update({u["id"]: u["username"] for u in page.get("includes", {}).get("users", [])})
                tweets += page.get("data", [])
        for t in sorted(tweets, key=lambda t: hashlib.md5((t["text"] + SALT).encode()).hexdigest()):
            text = t["text"]
            if not rx.search(text) or index.near(text):
                continue
            index.add(text)
            c = t["created_at"]
            rows.append({"author": users.get(t["author_id"], t["author_id"]), "content": text, "region": "", "language": "English",
                         "publish_date": f"{int(c[5:7])}/{int(c[8:10])}/{c[:4]} {int(c[11:13])}:{c[14:16]}", "post_type": "",
                         "retweet": "1" if text.startswith("RT @") else "0", "tweet_id": t["id"], "pool": "uk_twarc2", "source": "twarc2"})
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})
    with open(Path(out).with_suffix(".pools.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["tweet_id", "pool", "source"])
        w.writerows([r["tweet_id"], r["pool"], r["source"]] for r in rows)
    print(f"wrote {len(rows)} posts to {out}; {skipped} candidates skipped as copies or near-copies of labelled texts")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("n", nargs="*", type=int, help="N_UK N_UK_BROAD N_US")
    ap.add_argument("--salt", default=SALT)
    ap.add_argument("--no-twarc2", action="store_true")
    ap.add_argument("--suffix", default=None, help="appended to the pool names (default: '' for the first salt, '2' otherwise)")
    ap.add_argument("--brexit", type=int, default=0, help="also draw N UK-party tweets of ordinary/brexit-2016 (pool uk_brexit16)")
    a = ap.parse_args()
    main(a.out, *a.n, salt=a.salt, twarc2=not a.no_twarc2, suffix=a.suffix, brexit=a.brexit)
