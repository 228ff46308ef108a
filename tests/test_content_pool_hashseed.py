"""The content pool shares rows out by text; it used Python's `hash()`, which is salted per
process, so what each worker's caches met, and the VADER-scored count the stage logs, changed with
PYTHONHASHSEED. Two runs under different seeds must now say the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Texts that differ only in their link are one VADER cache entry (links are removed before
# scoring): on one worker they are scored once, split over two they are scored twice, so the
# count reads the share-out.
SCRIPT = """
import json
from botwatch.content.pool import LabelPool, route_by_text
from botwatch.content.stage import Labeller
from botwatch.elections import load_election
from tests.test_content import posts

words = ["Labour", "Tories", "Corbyn", "May", "manifesto", "NHS", "Brexit", "vote"]
rows = [{"text": f"{a} and {b} again, great day https://t.co/x{k}"}
        for i, a in enumerate(words) for b in words[i:] for k in range(3)]
with LabelPool(Labeller.for_election(load_election("uk-ge2017")), 2, load_detector=False) as pool:
    labels, _ = pool(posts(rows))
    scored = pool.labeller.scorer.scored
texts = [r["text"] for r in rows]
print(json.dumps({"scored": scored, "route": route_by_text(texts, 4).tolist(),
                  "sentiment": labels.column("sentiment").to_pylist()}))
"""


def _run(seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_share_out_and_scored_count_do_not_depend_on_the_hash_seed() -> None:
    a, b = _run("1"), _run("2")
    assert a["route"] == b["route"]
    assert a["scored"] == b["scored"]
    assert a["sentiment"] == b["sentiment"]
    # One worker per text family: each link-only variant group is scored once, not per worker.
    assert a["scored"] <= 36 * 2
