"""CPU-seconds of small `analyze` runs one after another in one process, as a test worker runs
them: each a fresh study of the same input (docs/testing.md, 2026-12-07, stop 79).

The first run pays the imports and the first compiles; the median of the others is the figure to
read, for the cost every later test that analyses a small study pays.

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python testsupport/analyze_bench.py 6 -e uk-ge2017
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

INPUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def main(argv: list[str]) -> int:
    """Ingest `INPUT` and analyze it `argv[0]` times with the rest of `argv` as analyze's options."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    runs, options = int(argv[0]), argv[1:]
    runner = CliRunner()
    spent = []
    with tempfile.TemporaryDirectory() as scratch:
        for i in range(runs):
            study = Path(scratch) / f"{i}.duckdb"
            done = runner.invoke(app, ["ingest", str(study), str(INPUT)])
            if done.exit_code != 0:
                print(done.output, file=sys.stderr)
                return 1
            start = time.process_time()
            done = runner.invoke(app, ["analyze", str(study), *options])
            spent.append(time.process_time() - start)
            if done.exit_code != 0:
                print(done.output, file=sys.stderr)
                return 1
    print("analyze CPU-s:", " ".join(f"{s:.2f}" for s in spent), f"| median after the first {statistics.median(spent[1:]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
