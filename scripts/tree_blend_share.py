"""Share of the content stage's model items that the gated tree blend sends through the trees
(issue 14, thirteenth stance round).

The blend's cost follows the share of items whose linear top class probability is below the
gate (`modelrun.TreeBlend.gate`), so this counts it per task where the stage actually runs: on
`benchmarks/content.py`'s generated posts (N of them) or on the posts of a study (`--study`,
opened read-only), labelled in one process with the shipped trees under `--preset`. Nothing is
written.

Usage: OMP_NUM_THREADS=1 PYTHONPATH=src python scripts/tree_blend_share.py [N=40000] [--preset uk-ge2017] [--study S.duckdb]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from botwatch.content import modelrun  # noqa: E402
from botwatch.content.stage import Labeller  # noqa: E402
from botwatch.elections import load_election  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=40000)
    ap.add_argument("--preset", default="uk-ge2017")
    ap.add_argument("--study", type=Path, default=None)
    args = ap.parse_args()
    if args.study is None:
        import content as bench

        posts, _accounts = bench.generate(args.n, 0.3)
        table = posts.append_column("handle", pa.array([None] * posts.num_rows, pa.string()))
    else:
        from botwatch import open_study
        from botwatch.content.relational import label_input

        with open_study(args.study, read_only=True) as st:
            table = label_input(st.table("posts"), st.table("accounts")).to_pyarrow()
    counts: dict[str, list[int]] = {}
    plain = modelrun.TreeBlend.blend

    def count(self, p, feats, kept, uk):  # type: ignore[no-untyped-def]
        c = counts.setdefault(self.task, [0, 0])
        c[0] += int(modelrun.below_gate(p, self.gate).sum())  # the stage's own gate
        c[1] += len(p)
        return plain(self, p, feats, kept, uk)

    modelrun.TreeBlend.blend = count  # type: ignore[method-assign]
    lab = Labeller.for_election(load_election(args.preset))
    if lab.blend is None:
        raise SystemExit("no trees shipped (content_trees.json)")
    lab.scorer.workers = 1
    for batch in table.to_batches(max_chunksize=50_000):
        lab.label(batch)
    where = f"study {args.study.name}" if args.study else f"{table.num_rows:,} generated posts"
    for task, (blended, total) in sorted(counts.items()):
        print(f"{where}, {args.preset}, {task}: {blended:,} of {total:,} model items blended ({blended / max(total, 1):.1%}; "
              f"gate {lab.blend[task].gate}, weight {lab.blend[task].weight})")


if __name__ == "__main__":
    main()
