"""Build the evaluation input for the account prior and retweet propagation.

The hand-labelled posts (tests/fixtures/content/ira_stance_posts.csv) are a few posts each of 258
IRA accounts. Alone they cannot show whether an account's OTHER posts help read a post: the
maintainers' study holds whole accounts. This script writes one FiveThirtyEight-layout CSV (what
`botwatch ingest` reads) with

- the labelled posts of one part (`--part test` or `dev`), verbatim and with their `tweet_id` (so
  the labels' `post_id` still match), and
- up to CAP other posts of each labelled post's account from ../shared/data/ira/tweets.csv.gz
  (all languages, all dates), chosen by md5(author | publish_date | content | salt): a fixed,
  reproducible draw that looks at nothing but the hash. The account's rows with the same text as
  any of its labelled posts (either part) are left out.

Why one part only: the shipped stance model was trained on the dev labels and answers dev posts
almost perfectly; with dev posts in the study, a test post's account prior would be built from
near-copies of the dev labels, which the maintainers' study never offers. So the test study holds
the test posts and unlabelled posts only (and the dev study, for scripts/fit_stance_prior.py, the
dev posts and the same unlabelled posts). Of the labels file only `post_id` and `part` are read.
The other posts get no `tweet_id`, so ingest gives them its usual stable id (author, time, text).

Usage:
    python scripts/build_stance_eval_study.py OUT.csv [--cap 400] [--part test]
then
    botwatch ingest STUDY.duckdb OUT.csv
    botwatch analyze STUDY.duckdb --election uk-ge2017 --stage content     (or us-2016)
    botwatch content evaluate STUDY.duckdb tests/fixtures/content/ira_stance_labels.csv --part test

Data: FiveThirtyEight, "3 million Russian troll tweets", gathered by Darren Linvill and Patrick
Warren (Clemson University), CC BY 4.0, via github.com/bet4a/russian-troll-tweets-by-author
(commit 9733cadcc0300bb75e3ac3b2341c69b5dddd8f50).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
SRC = REPO.parent / "shared" / "data" / "ira" / "tweets.csv.gz"
POSTS = REPO / "tests" / "fixtures" / "content" / "ira_stance_posts.csv"
LABELS = REPO / "tests" / "fixtures" / "content" / "ira_stance_labels.csv"
# The training draw (scripts/sample_stance_train.py): its texts never enter an evaluation study as
# "other posts", for the reason the dev posts are kept out (the model has seen their labels). Posts
# of pools labelled after the shipped weights were trained (content.stance.MEASURED_MODEL
# "untrained_pools") have not been seen by them and stay, so that adding labels leaves the study of
# the shipped model, and so its quoted figures, unchanged; `all_training=True` (--all-training)
# leaves them out too, for a model retrained on them and for comparing it with the shipped one on
# the same study.
TRAIN_POSTS = REPO / "tests" / "fixtures" / "content" / "train_stance_posts.csv"
TRAIN_LABELS = REPO / "tests" / "fixtures" / "content" / "train_stance_labels.csv"
SALT = "botwatch-stance-eval-v1"
COLUMNS = ["external_author_id", "author", "content", "region", "language", "publish_date", "harvested_date", "following",
           "followers", "updates", "post_type", "account_type", "retweet", "account_category", "new_june_2018",
           "alt_external_id", "tweet_id"]


def parts_of(labels: Path = LABELS) -> dict[str, str]:
    """post_id → part (dev/test) from the labels file (nothing else of it is read)."""
    with labels.open(newline="", encoding="utf-8") as f:
        return {r["post_id"]: r["part"] for r in csv.DictReader(f)}


def untrained_post_ids(labels: Path = TRAIN_LABELS) -> set[str]:
    """Ids of training-draw posts whose pool the shipped weights were not trained on."""
    from botwatch.content.stance import MEASURED_MODEL

    pools = set(MEASURED_MODEL.get("untrained_pools", ()))  # type: ignore[call-overload]
    if not pools or not labels.is_file():
        return set()
    with labels.open(newline="", encoding="utf-8") as f:
        return {r["post_id"] for r in csv.DictReader(f) if r["pool"] in pools}


def build(out: Path, cap: int = 400, part: str = "test", src: Path = SRC, posts: Path = POSTS,
          all_training: bool = False) -> tuple[int, int, int]:
    """Write OUT; returns (labelled posts of `part`, other posts, accounts)."""
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("create table lab as select * from read_csv(?, all_varchar=true, header=true)", [str(posts)])
    con.execute("create table trained (content varchar)")
    if TRAIN_POSTS.is_file():
        keep = [] if all_training else sorted(untrained_post_ids())
        con.execute("create table keep_ids (id varchar)")
        if keep:
            con.executemany("insert into keep_ids values (?)", [(i,) for i in keep])
        con.execute("""insert into trained select content from read_csv(?, all_varchar=true, header=true)
                       where tweet_id not in (select id from keep_ids)""", [str(TRAIN_POSTS)])
    con.execute(
        """create table other as
           select t.* from read_csv(?, all_varchar=true, header=true) t
           where lower(t.author_id) in (select distinct lower(author) from lab)
             and not exists (select 1 from lab l where lower(l.author) = lower(t.author_id) and l.content = t.content)
             and t.content not in (select content from trained)""",
        [str(src)],
    )
    # QUALIFY keeps the first CAP rows per account in hash order: the same draw on every run.
    rows = con.execute(
        f"""select author_id, content, region, language, publish_date, harvested_date, following, followers, updates,
                   post_type, retweet
            from other
            qualify row_number() over (partition by lower(author_id)
                                       order by md5(author_id || '|' || publish_date || '|' || content || '{SALT}')) <= ?
            order by lower(author_id), publish_date, md5(content)""",
        [cap],
    ).fetchall()
    accounts = con.execute("select count(distinct lower(author)) from lab").fetchone()[0]
    part_of = parts_of()
    with posts.open(newline="", encoding="utf-8") as f:
        labelled = [r for r in csv.DictReader(f) if part_of.get(r["tweet_id"]) == part]
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in labelled:
            w.writerow([r.get(c, "") for c in COLUMNS])
        for author, content, region, lang, date, harvested, following, followers, updates, ptype, rt in rows:
            w.writerow(["", author, content, region, lang, date, harvested, following, followers, updates, ptype or "", "",
                        rt or "", "", "", "", ""])
    return len(labelled), len(rows), int(accounts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--cap", type=int, default=400, help="other posts kept per account (hash order)")
    ap.add_argument("--part", choices=("test", "dev"), default="test", help="which labelled posts go in")
    ap.add_argument("--all-training", action="store_true",
                    help="also leave out the posts of training pools the shipped weights were not trained on")
    args = ap.parse_args()
    if not SRC.is_file():
        raise SystemExit(f"{SRC} not found: this script needs ../shared/data beside the repository")
    n_lab, n_other, n_acc = build(args.out, args.cap, args.part, all_training=args.all_training)
    print(f"{args.out}: {n_lab} labelled {args.part} posts + {n_other} other posts of the {n_acc} labelled accounts (cap {args.cap} each)")


if __name__ == "__main__":
    main()
