"""Per-file sums of a `per_test_cost` log: CPU-seconds, wall seconds, Spark jobs, tests.

    .venv/bin/python testsupport/cost_summary.py /tmp/cost.jsonl [N]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def per_file(lines: list[str]) -> dict[str, list[float]]:
    """file -> [tests, cpu, wall, spark jobs]."""
    out: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0])
    for line in lines:
        row = json.loads(line)
        acc = out[row["test"].split("::")[0]]
        acc[0] += 1
        acc[1] += row["cpu"]
        acc[2] += row["wall"]
        acc[3] += row["spark_jobs"]
    return out


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as f:
        files = per_file(f.readlines())
    top = int(argv[1]) if len(argv) > 1 else 40
    print(f"{sum(a[0] for a in files.values()):.0f} tests: CPU {sum(a[1] for a in files.values()):.0f} s, "
          f"wall {sum(a[2] for a in files.values()):.0f} s, Spark jobs {sum(a[3] for a in files.values()):.0f}")
    for name, (n, cpu, wall, jobs) in sorted(files.items(), key=lambda kv: -kv[1][1])[:top]:
        print(f"{cpu:8.1f} CPU-s {wall:8.1f} s {jobs:6.0f} jobs {n:5.0f} tests  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
