"""Measuring stance accuracy against hand labels (used by the tests and the benchmark script).

A labelled record is one (post, party) pair with the post's `label_input` fields and the
human label. The whole post is labelled (stance rules look at every party the post names), then
the predicted stance for the labelled party is compared with the human one.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from botwatch.content.stage import Labeller
from botwatch.elections.model import Election
from botwatch.numeric import sum_left_to_right

INPUT_SCHEMA = pa.schema(
    [("platform", pa.string()), ("post_id", pa.string()), ("account_id", pa.string()), ("created_at", pa.timestamp("us")),
     ("text", pa.string()), ("lang", pa.string()), ("kind", pa.string()), ("ref_handle", pa.string()),
     ("hashtags", pa.list_(pa.string())), ("mentions", pa.list_(pa.string())), ("handle", pa.string())]
)
LABELS = ("support", "oppose", "neutral")


@dataclass
class StanceEvaluation:
    n: int
    correct: int
    confusion: Counter  # (human, predicted) → count
    by_rule: dict[str, tuple[int, int]]  # rule → (correct, n)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else float("nan")

    def macro_f1(self) -> float:
        f1s = []
        for lab in LABELS:
            tp = self.confusion[(lab, lab)]
            fp = sum(v for (h, p), v in self.confusion.items() if p == lab and h != lab)
            fn = sum(v for (h, p), v in self.confusion.items() if h == lab and p != lab)
            f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        return sum_left_to_right(f1s) / len(f1s)  # 3.11's addition (botwatch.numeric)

    def baseline_majority(self) -> float:
        """Accuracy of always answering the commonest human label (what the rules must beat)."""
        humans = Counter()
        for (h, _p), v in self.confusion.items():
            humans[h] += v
        return max(humans.values()) / self.n if self.n else float("nan")


def load_labelled(path: str | Path) -> list[dict]:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:
        r["created_at"] = datetime.fromisoformat(r["created_at"])
    return rows


def evaluate(election: Election, rows: list[dict]) -> StanceEvaluation:
    """Label the posts and compare the labelled party's predicted stance with the human label."""
    posts = {r["post_id"]: {k: r[k] for k in INPUT_SCHEMA.names} for r in rows}
    table = pa.Table.from_pylist(list(posts.values()), schema=INPUT_SCHEMA)
    _labels, pp = Labeller.for_election(election).label(table)
    pred = {(r["post_id"], r["party"]): (r["stance"], r["stance_rule"]) for r in pp.to_pylist()}
    confusion: Counter = Counter()
    by_rule: dict[str, list[int]] = {}
    correct = 0
    for r in rows:
        stance, rule = pred.get((r["post_id"], r["party"]), ("(not matched)", "(not matched)"))
        ok = stance == r["label"]
        correct += ok
        confusion[(r["label"], stance)] += 1
        c = by_rule.setdefault(rule, [0, 0])
        c[0] += ok
        c[1] += 1
    return StanceEvaluation(len(rows), correct, confusion, {k: (v[0], v[1]) for k, v in by_rule.items()})
