"""Figures for the time analyses on the real IRA data (FiveThirtyEight / Clemson: Linvill & Warren).

1. Circadian origin: the share of IRA accounts whose posting hours are best fitted by a human day
   at UTC+3 ± 1 (Moscow / St Petersburg), with a 95% Wilson interval, next to the share placed at
   the US offsets (UTC-8..-4), overall, among informative fits, and by the Clemson category.
2. With --study PATH (a study with the IRA ingested, e.g. `botwatch ingest ira.duckdb
   ../shared/data/ira/*.gz`): the time stages' wall-clock on it.

Run: PYTHONPATH=src .venv/bin/python benchmarks/timeline.py [--study ira.duckdb]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from pathlib import Path

import duckdb

from botwatch.timeline import circadian_fit
from botwatch.timeline.creation import wilson

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ira"
MIN_CELLS = 20


def profiles_from_csv() -> tuple[dict[str, list[int]], dict[str, str], dict[str, str]]:
    """Per handle: distinct days active in each UTC hour (the stage's rule), region, category."""
    con = duckdb.connect()
    rows = con.execute(
        "SELECT lower(author_id), hour(ts), count(DISTINCT CAST(ts AS DATE)) FROM (SELECT author_id, strptime(publish_date, '%Y-%m-%d %H:%M:%S') ts "
        "FROM read_csv(?, all_varchar=true)) GROUP BY ALL",
        [str(DATA / "tweets.csv.gz")],
    ).fetchall()
    prof: dict[str, list[int]] = defaultdict(lambda: [0] * 24)
    for a, h, d in rows:
        prof[a][int(h)] += int(d)
    region = dict(con.execute(
        "SELECT lower(author_id), mode(region) FROM read_csv(?, all_varchar=true) GROUP BY 1", [str(DATA / "tweets.csv.gz")]).fetchall())
    cat = dict(con.execute("SELECT lower(author), account_category FROM read_csv(?, all_varchar=true)", [str(DATA / "authors.csv.gz")]).fetchall())
    return dict(prof), region, cat


def share_line(label: str, offsets: list[int]) -> str:
    n = len(offsets)
    k = sum(1 for o in offsets if circadian_fit.offset_distance(o, 3) <= 1)
    us = sum(1 for o in offsets if -8 <= o <= -4)
    p, lo, hi = wilson(k, n)
    pu, lou, hiu = wilson(us, n)
    return f"{label:<38} n={n:>5}  UTC+3±1 {p:6.1%} [{lo:.1%}–{hi:.1%}]   UTC-8..-4 {pu:6.1%} [{lou:.1%}–{hiu:.1%}]"


def circadian_figures() -> None:
    t0 = time.perf_counter()
    prof, region, cat = profiles_from_csv()
    fits = {a: circadian_fit.fit(c) for a, c in prof.items() if sum(c) >= MIN_CELLS}
    print(f"IRA handles with tweets: {len(prof):,}; with >= {MIN_CELLS} active (day, hour) cells: {len(fits):,}  ({time.perf_counter() - t0:.1f} s)")
    print(share_line("all fitted accounts", [f.best_offset for f in fits.values()]))
    print(share_line("informative fits only", [f.best_offset for f in fits.values() if f.informative]))
    print(share_line("region = United States", [f.best_offset for a, f in fits.items() if region.get(a) == "United States"]))
    by_cat: dict[str, list[int]] = defaultdict(list)
    for a, f in fits.items():
        by_cat[cat.get(a) or "unknown"].append(f.best_offset)
    for c, offs in sorted(by_cat.items(), key=lambda kv: -len(kv[1])):
        print(share_line(f"category {c}", offs))
    hist = Counter(f.best_offset for f in fits.values())
    print("best offset histogram:", " ".join(f"{o:+d}:{hist.get(o, 0)}" for o in circadian_fit.OFFSETS))


def stage_timings(path: str) -> None:
    from botwatch.elections import load_election
    from botwatch.pipeline import Context, analyze
    from botwatch.study import open_study

    with open_study(path, read_only=False) as st:
        posts = st.count("posts")
        for stage in ("timeline", "bursts", "circadian"):
            t0 = time.perf_counter()
            analyze(st, Context(election=load_election("us-2016"), log=lambda m: None), only=[stage])
            print(f"stage {stage:<10} {time.perf_counter() - t0:7.1f} s on {posts:,} posts")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--study", help="a study with the IRA data ingested, to time the stages on")
    args = ap.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"real data not found at {DATA}")
    circadian_figures()
    if args.study:
        stage_timings(args.study)
