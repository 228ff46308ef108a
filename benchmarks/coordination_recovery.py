"""Planted-network recovery across windows, in a generated crowd (the figure in docs/methods.md).

A crowd of `--posts` posts (heavy-tailed activity and popularity; one post retweeted by
thousands within hours) hides a planted group whose members retweet a leader's campaign posts
within `--jitter` seconds of each other. For each window the coordination stage runs with its
defaults and we measure precision and recall of the planted members among the accounts in the
kept network, and of the single cluster holding most of them. Writes a JSON of the figures and
an SVG chart (no dependencies beyond botwatch).

It also runs, with the default settings at the default window, two hard cases
(`testsupport.coordination_popular`): a 60-account network retweeting only the 12 most
popular posts of ~220k retweets by 20k accounts and 200 superfans, and 20 accounts retweeting one
party within 5–25 s in a small, sparse stream; their figures go in the JSON under `popular`.

    python benchmarks/coordination_recovery.py --out docs/figures
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from markupsafe import escape

from botwatch import open_study
from botwatch.coordination.network import NetworkOptions
from botwatch.coordination.stage import run_coordination

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not shipped)
from testsupport.coordination_synth import CrowdSpec, generate, planted_accounts, recovery  # noqa: E402
from testsupport.coordination_popular import PopularSpec, generate_popular, network_accounts, sparse_spec  # noqa: E402


def popular_cases(tmp: Path) -> dict[str, dict]:
    """The popular-post and sparse-stream cases with every setting at its default."""
    out: dict[str, dict] = {}
    for name, spec in (("popular_posts", PopularSpec()), ("sparse_stream", sparse_spec())):
        with open_study(tmp / f"{name}.duckdb", read_only=False) as st:
            counts = generate_popular(st, spec)
            t = time.perf_counter()
            res = run_coordination(st, NetworkOptions(), log=lambda m: None)
            rec = recovery(st, network_accounts(spec))
            fans = int(st.sql("SELECT count(*) FROM cluster_members WHERE account_id LIKE 'superfan%'")[0][0])
        out[name] = {
            "spec": spec.__dict__,
            "stream": counts,
            "edges": res.edges,
            "seconds": round(time.perf_counter() - t, 1),
            "superfans_clustered": fans,
            "unseen": res.unseen(),
            **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in rec.items()},
        }
        print(name, json.dumps(out[name]), flush=True)
    return out


def chart(rows: list[dict], title: str) -> str:
    """A small line chart: precision and recall (network and best cluster) against log window."""
    import math

    w, h, left, bottom = 640, 300, 50, 40
    xs = [math.log10(r["window_s"]) for r in rows]
    x0, x1 = min(xs), max(xs)
    px = lambda v: left + (v - x0) / ((x1 - x0) or 1) * (w - left - 20)  # noqa: E731
    py = lambda v: 20 + (1 - v) * (h - bottom - 20)  # noqa: E731
    series = [("recall", "#0072B2", "network recall"), ("precision", "#D55E00", "network precision"), ("cluster_recall", "#009E73", "best-cluster recall"), ("cluster_precision", "#CC79A7", "best-cluster precision")]
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}' font-family='sans-serif' font-size='11'><title>{escape(title)}</title>"]
    for v in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f"<line x1='{left}' x2='{w - 20}' y1='{py(v):.1f}' y2='{py(v):.1f}' stroke='#ddd'/><text x='{left - 6}' y='{py(v) + 4:.1f}' text-anchor='end'>{v:.2f}</text>")
    for r, x in zip(rows, xs):
        parts.append(f"<text x='{px(x):.1f}' y='{h - bottom + 16}' text-anchor='middle'>{r['window_s']}s</text>")
    for i, (key, col, label) in enumerate(series):
        pts = " ".join(f"{px(x):.1f},{py(r.get(key, 0.0)):.1f}" for r, x in zip(rows, xs))
        dash = " stroke-dasharray='5 3'" if key.startswith("cluster") else ""
        parts.append(f"<polyline points='{pts}' fill='none' stroke='{col}' stroke-width='2'{dash}/>")
        parts.append(f"<text x='{left + 10 + i * 140}' y='{h - 6}' fill='{col}'>{escape(label)}</text>")
    parts.append(f"<text x='{w / 2}' y='12' text-anchor='middle'>{escape(title)}</text></svg>")
    return "".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=200_000)
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--jitter", type=int, default=40)
    ap.add_argument("--windows", default="2,5,10,30,60,300,900,3600")
    ap.add_argument("--out", default=None, help="folder for coordination-recovery[-TAG].{json,svg}")
    ap.add_argument("--tag", default="", help="suffix of the output names")
    ap.add_argument("--no-popular", action="store_true", help="skip the popular-post and sparse-stream cases")
    a = ap.parse_args()
    spec = CrowdSpec(posts=a.posts, accounts=a.accounts, days=3, planted=40, campaign_posts=40, planted_jitter_s=a.jitter, mega_share=0.075)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        with open_study(Path(tmp) / "crowd.duckdb", read_only=False) as st:
            counts = generate(st, spec)
            print(f"crowd: {counts}")
            for w in [int(x) for x in a.windows.split(",")]:
                t = time.perf_counter()
                res = run_coordination(st, NetworkOptions(window_s=w), log=lambda m: None)
                rec = recovery(st, planted_accounts(spec))
                row = {"window_s": w, "edges": res.edges, "seconds": round(time.perf_counter() - t, 1), **{k: (round(v, 3) if isinstance(v, float) else v) for k, v in rec.items()}}
                rows.append(row)
                print(json.dumps(row), flush=True)
        popular = {} if a.no_popular else popular_cases(Path(tmp))
    if a.out:
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        meta = {"spec": spec.__dict__, "crowd": counts, "rows": rows, "popular": popular, "command": ""}
        stem = "coordination-recovery" + (f"-{a.tag}" if a.tag else "")
        meta["command"] = f"python benchmarks/coordination_recovery.py --jitter {a.jitter} --out docs/figures" + (f" --tag {a.tag}" if a.tag else "")
        (out / f"{stem}.json").write_text(json.dumps(meta, indent=1, default=str))
        title = f"Planted network ({spec.planted} accounts, {spec.planted_jitter_s}s jitter) in a crowd of {a.posts:,} posts"
        (out / f"{stem}.svg").write_text(chart(rows, title))
        print(f"wrote {out / (stem + '.svg')}")


if __name__ == "__main__":
    main()
