"""CPU-seconds of small `analyze` runs one after another in one process, as a test worker runs
them: each a fresh study of the same input (docs/testing.md, 2026-12-07, stop 79).

The first run pays the imports and the first compiles; the median of the others is the figure to
read, for the cost every later test that analyses a small study pays.

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python testsupport/analyze_bench.py 6 -e uk-ge2017
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from testsupport.cli_bench import INPUT, cpu_of_runs  # noqa: E402


def main(argv: list[str]) -> int:
    """Ingest `INPUT` and analyze it `argv[0]` times with the rest of `argv` as analyze's options."""
    runs, options = int(argv[0]), argv[1:]
    return cpu_of_runs("analyze", runs, lambda scratch, i: [["ingest", str(scratch / f"{i}.duckdb"), str(INPUT)]],
                       lambda scratch, i: ["analyze", str(scratch / f"{i}.duckdb"), *options])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
