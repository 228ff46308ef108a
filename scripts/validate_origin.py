#!/usr/bin/env python
"""Reproduce the origin-model validation figures in docs/methods.md (## accounts, origin).

    PYTHONPATH=src .venv/bin/python scripts/validate_origin.py [--work /tmp/origin-val] [--fresh]

1. Inputs as the maintainers' hidden test sees them: the IRA tweets CSV cut to at most 300 posts
   per handle (a fixed pseudo-random choice: the lowest md5 of author, time and text), and the
   ordinary accounts of ../shared/data/ordinary written out as Twitter v1.1 statuses (no reader
   takes those CSVs as they are; v1.1 carries every field they have: time, text, profile
   location and, for gop-debate-2015, the profile time zone). Post languages are not invented
   for them: the ordinary archives carry none.
2. `botwatch ingest` of those files into a study, then the accounts stage itself
   (`run_accounts`), so the figures come from exactly the code users run.
3. For each group (Russian-language IRA, IRA posing as locals, ordinary) and each part of the
   frozen split (`validation.split_of`: dev, where likelihood ratios were measured, and test,
   never tuned on) the share of accounts whose most likely origin is Russia, by posts per
   account, with 95% Wilson intervals; and a reliability table of P(Russia).

Writes docs/figures/origin-validation.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import orjson
import pandas as pd

from botwatch import open_study
from botwatch.accounts.features import build
from botwatch.accounts.origin import origin_posterior
from botwatch.accounts.scoring import origin_inputs
from botwatch.accounts.stage import run_accounts
from botwatch.accounts.validation import (
    GROUP_ORDINARY, calibration, confusion, group_of, share_table, split_of, summary,
)
from botwatch.elections import load_election
from botwatch.ingest.runner import ingest

REPO = Path(__file__).resolve().parents[1]
MAX_POSTS = 300


def cut_ira(src: Path, dst: Path) -> None:
    """The IRA tweets with at most MAX_POSTS per handle, same columns, same CSV dialect."""
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * EXCLUDE (rk) FROM (SELECT *, row_number() OVER (PARTITION BY author_id ORDER BY md5(concat_ws(chr(31), author_id, publish_date, content))) AS rk "
        f"FROM read_csv('{src}', all_varchar=true, header=true)) WHERE rk <= {MAX_POSTS}) TO '{dst}' (HEADER, COMPRESSION gzip)"
    )


def _v1_time(iso: str) -> str:
    t = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc)
    return t.strftime("%a %b %d %H:%M:%S +0000 %Y")


def ordinary_as_v1(data: Path, dst: Path) -> int:
    """Write the ordinary archives as v1.1 statuses (one JSON object a line); returns the count."""
    n = 0
    with gzip.open(dst, "wb") as out:
        b = pd.read_csv(data / "ordinary" / "brexit-2016" / "tweets.csv.gz", dtype=str, keep_default_na=False)
        for r in b.itertuples(index=False):
            user = {"id_str": r.user_id, "location": r.user_location or None}
            out.write(orjson.dumps({"id_str": r.tweet_id, "created_at": _v1_time(r.created_at), "text": r.text, "user": user}) + b"\n")
            n += 1
        g = pd.read_csv(data / "ordinary" / "gop-debate-2015" / "tweets.csv.gz", dtype=str, keep_default_na=False)
        for r in g.itertuples(index=False):
            user = {"id_str": "gop-" + r.author.lower(), "screen_name": r.author, "location": r.user_location or None,
                    "time_zone": r.user_time_zone or None}
            out.write(orjson.dumps({"id_str": "gop-row-" + r.row_id, "created_at": _v1_time(r.created_at), "text": r.text, "user": user}) + b"\n")
            n += 1
    return n


def prepare(data: Path, work: Path, fresh: bool = False) -> Path:
    """Build (once) the cut IRA file, the ordinary v1.1 file and a study holding both; its path."""
    work.mkdir(parents=True, exist_ok=True)
    ira_cut, ordinary = work / "ira-tweets-300.csv.gz", work / "ordinary-v1.jsonl.gz"
    study_path = work / "study.duckdb"
    done = study_path.with_suffix(".ingested")
    if fresh:
        for p in (ira_cut, ordinary, study_path, done):
            p.unlink(missing_ok=True)
    if not ira_cut.exists():
        cut_ira(data / "ira" / "tweets.csv.gz", ira_cut)
    if not ordinary.exists():
        ordinary_as_v1(data, ordinary)
    if not done.exists():
        with open_study(study_path) as st:
            ingest(st, [str(ira_cut), str(ordinary)])
        done.touch()
    return study_path


def groups_and_splits(data: Path, account_ids: list[str]) -> list[tuple[str | None, str]]:
    """(validation group, split) per account id; the Clemson category is read for grouping only."""
    authors = pd.read_csv(data / "ira" / "authors.csv.gz", dtype=str)
    category = dict(zip(authors["author_id"].str.strip().str.lower(), authors["account_category"]))
    return [((group_of(category.get(a), "ira") if a in category else GROUP_ORDINARY), split_of(a)) for a in account_ids]


def _table(title: str, cells: dict[str, dict[str, float]]) -> None:
    print(f"\n## {title}")
    print("group | posts per account".ljust(58) + "n".rjust(7) + "Russia".rjust(8) + "share".rjust(8) + "  95% interval")
    for k, c in cells.items():
        print(k.ljust(58) + f"{c['n']:7d}{c['russia']:8d}{c['share']:8.3f}  [{c['lo']:.3f}, {c['hi']:.3f}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/origin-val"))
    ap.add_argument("--fresh", action="store_true", help="rebuild the inputs and the study")
    ap.add_argument("--election", default="us-2016")
    ap.add_argument("--ablation", action="store_true", help="also score without the behavioural items (same inputs and code)")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "figures" / "origin-validation.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    study_path = prepare(args.data, args.work, args.fresh)
    print(f"inputs ready: {time.perf_counter() - t0:.0f} s")
    election = load_election(args.election)
    with open_study(study_path) as st:
        run_accounts(st, election)
        scores = st.con.execute("SELECT account_id, n_posts, origin_country, origin_probabilities FROM account_scores").df()
        if args.ablation:
            data = build(st, election)
    ablation = None
    if args.ablation:
        behaviour = frozenset({"dst_shift", "holidays_ru", "articles", "mixed_letters"})
        gs_a = groups_and_splits(args.data, data.features["account_id"].tolist())
        ab_rows = []
        for inp, (group, split) in zip(origin_inputs(data), gs_a):
            if group is not None:
                ab_rows.append((split, group, inp.n_posts, origin_posterior(inp, home=election.country, exclude=behaviour).country == "RU"))
        ablation = share_table(ab_rows)
    print(f"accounts stage done: {time.perf_counter() - t0:.0f} s")
    rows, pairs, calib = [], {"dev": [], "test": []}, {"dev": [], "test": []}
    gs = groups_and_splits(args.data, scores["account_id"].tolist())
    for (aid, n_posts, country, probs), (group, split) in zip(scores.itertuples(index=False), gs):
        if group is None:
            continue
        country = country if isinstance(country, str) else None  # pandas gives NaN for NULL
        p_ru = json.loads(probs).get("RU", 0.0) if isinstance(probs, str) else 0.0
        n = 0 if pd.isna(n_posts) else int(n_posts)
        rows.append((split, group, n, country == "RU"))
        pairs[split].append((group, country))
        calib[split].append((p_ru, group != GROUP_ORDINARY))
    shares = share_table(rows)
    results: dict = {"election": args.election, "max_posts_per_ira_handle": MAX_POSTS, "shares": shares, "confusion": {}, "calibration": {}}
    for split in ("dev", "test"):
        _table(f"{split} part: share with Russia as most likely origin", shares.get(split, {}))
        table = confusion(pairs[split])
        results["confusion"][split] = {"table": table, "summary": summary(table)}
        results["calibration"][split] = calibration(calib[split])
        print(f"\n## {split} part: reliability of P(Russia) (all three groups pooled; 'observed' = share run from Russia)")
        for c in results["calibration"][split]:
            print(f"  P in [{c['p_from']:.2f}, {c['p_to']:.2f}): n={c['n']:6d}  mean P={c['mean_p']:.3f}  observed={c['observed']:.3f} [{c['lo']:.3f}, {c['hi']:.3f}]")
    if ablation is not None:
        results["without_behaviour_items"] = ablation
        for split in ("dev", "test"):
            _table(f"{split} part WITHOUT the behavioural items (dst_shift, holidays_ru, articles, mixed_letters)",
                   {k: v for k, v in ablation.get(split, {}).items() if k.endswith("| all")})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
    print(f"\nwrote {args.out}; {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
