"""Draw the posts for the hand-labelled stance/sentiment set from the IRA tweets.

Two pools of distinct English texts from ../shared/data/ira/tweets.csv.gz: posts whose text has a
UK-party word (deliberately broad: "conservatives", "labour" the noun and "Cameron" are in, so the
set also measures how often the matcher is wrong) and posts with a US-party word and no UK one.
Each pool is ordered by md5(text || salt) and the first N are kept: a fixed, reproducible draw that
no rule or model saw. Writes a 538-layout CSV (what `botwatch ingest` reads) with a stable
`tweet_id`, and the part (dev/test) of each post: md5(tweet_id) decides, 40% test.

Usage: python scripts/sample_stance_posts.py OUT.csv [N_UK N_UK_BROAD N_US]
"""

from __future__ import annotations

import hashlib
import sys

import duckdb

SRC = "../shared/data/ira/tweets.csv.gz"
SALT = "botwatch-stance-v3"
UK = (
    r"(?i)\b(labour|tory|tories|corbyn|theresa may|mrs may|(pm|prime minister) may|ukip|farage|lib ?dems?|snp|sturgeon"
    r"|cameron|boris johnson|nuttall|farron|conservative party|conservative government)\b"
    r"|#(ge2017|generalelection|votelabour|toriesout|jc4pm)"
)
# Posts with only a word a UK study could mistake for a UK party ("conservatives", "liberal
# democrats", "green party"): drawn separately so the matcher's false UK pairs are measured.
UK_BROAD = r"(?i)\b(conservatives?|liberal democrats?|green party)\b"
US = r"(?i)\b(trump|hillary|clinton|democrats?|republicans?|gop|obama|pence|kaine|gary johnson|jill stein|libertarians?|dnc|rnc)\b"


def part_of(tweet_id: str) -> str:
    """'test' for about 40% of posts, by a hash of the id (never by content or label)."""
    return "test" if int(hashlib.md5(tweet_id.encode()).hexdigest(), 16) % 10 < 4 else "dev"


def main(out: str, n_uk: int = 300, n_uk_broad: int = 80, n_us: int = 300) -> None:
    con = duckdb.connect()
    con.sql(f"create table en as select * from read_csv('{SRC}', all_varchar=true) where language = 'English'")
    parts = []
    pools = (
        ("uk", f"regexp_matches(content, '{UK}')", n_uk),
        ("uk_broad", f"regexp_matches(content, '{UK_BROAD}') and not regexp_matches(content, '{UK}')", n_uk_broad),
        ("us", f"regexp_matches(content, '{US}') and not regexp_matches(content, '{UK}') and not regexp_matches(content, '{UK_BROAD}')", n_us),
    )
    for name, where, n in pools:
        parts.append(
            con.sql(
                f"""select '{name}' as pool, min(author_id) as author, content, min(publish_date) as publish_date,
                       min(region) as region, 'English' as language, min(post_type) as post_type, min(retweet) as retweet
                    from en where {where} group by content
                    order by md5(content || '{SALT}') limit {n}"""
            ).fetchall()
        )
    import csv

    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["tweet_id", "pool", "part", "author", "content", "publish_date", "region", "language", "post_type", "retweet"])
        for rows in parts:
            for pool, author, content, date, region, lang, ptype, rt in rows:
                tid = str(10**17 + int(hashlib.md5((content + SALT).encode()).hexdigest()[:14], 16))
                w.writerow([tid, pool, part_of(tid), author, content, date, region, lang, ptype or "", rt or ""])


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
