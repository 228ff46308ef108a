"""Per-item CPU of the tree blend's parts in the content stage (issue 14, twelfth stance round).

Labels the first N posts of `benchmarks/content.py`'s generated study (uk-ge2017, one process)
with the shipped trees, keeps the feature sets and vector ids of the first model steps, and
times on them (process CPU, best of seven): the trees' inputs (`TreeBlend.inputs`; of it, the
columns read from the feature sets and the vector means) and the trees (`LeafTable`).

Usage: OMP_NUM_THREADS=1 PYTHONPATH=src python scripts/tree_blend_cost.py [N=8000]
"""

from __future__ import annotations

import sys
from itertools import chain
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import content as bench  # noqa: E402

from botwatch.content import modelrun  # noqa: E402
from botwatch.content.stage import Labeller  # noqa: E402
from botwatch.elections import load_election  # noqa: E402
from stacking_inference_cost import best  # noqa: E402


REPEATS = 7  # best of seven, process CPU (stacking_inference_cost.best)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    posts, _accounts = bench.generate(40000, 0.3)
    table = posts.append_column("handle", pa.array([None] * posts.num_rows, pa.string())).slice(0, n)
    seen: list = []
    plain = modelrun.TreeBlend.blend

    def keep(self, p, feats, kept, uk):  # type: ignore[no-untyped-def]
        seen.append((self, feats, kept, uk))
        return plain(self, p, feats, kept, uk)

    modelrun.TreeBlend.blend = keep  # type: ignore[method-assign]
    lab = Labeller.for_election(load_election("uk-ge2017"))
    if lab.blend is None:
        raise SystemExit("no trees shipped (content_trees.json)")
    lab.scorer.workers = 1
    lab.label(table)
    for tb, feats, kept, uk in seen[:2]:
        m = len(feats)
        zeros = [0.0] * len(tb.named)
        t_in = best(lambda: tb.inputs(feats, kept, uk), REPEATS)
        t_named = best(lambda: np.fromiter(chain.from_iterable(map(f.get, tb.named, zeros) for f in feats), float, m * len(tb.named)), REPEATS)
        t_means = best(lambda: [modelrun._means_f32(sub, [g[k] if g is not None else () for g in kept]) for k, (rows, _c, sub) in enumerate(tb.vectors) if len(rows)], REPEATS)
        xt = tb.inputs(feats, kept, uk)
        t_trees = best(lambda: tb.table.predict_proba_t(xt), REPEATS)
        print(f"{tb.task} ({m} items), µs per item: inputs {t_in / m * 1e6:.2f} (columns read from the sets {t_named / m * 1e6:.2f}, "
              f"vector means {t_means / m * 1e6:.2f}); trees {t_trees / m * 1e6:.2f}")


if __name__ == "__main__":
    main()
