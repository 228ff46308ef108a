"""CPU-seconds of `report` runs one after another in one process, on one small analysed study, as
a test worker runs them (docs/testing.md, "2026-12-07: the study's catalog, listed once per reader").

The first run pays the imports; the median of the others is the figure to read. Options after the
count go to `report` (e.g. `--no-exports`).

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python testsupport/report_bench.py 6 --no-exports
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

INPUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def main(argv: list[str]) -> int:
    """Ingest and analyze `INPUT` once, then report it `argv[0]` times with the rest of `argv` as options."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    runs, options = int(argv[0]), argv[1:]
    runner = CliRunner()
    spent = []
    with tempfile.TemporaryDirectory() as scratch:
        study = Path(scratch) / "s.duckdb"
        for args in (["ingest", str(study), str(INPUT)], ["analyze", str(study), "-e", "uk-ge2017"]):
            done = runner.invoke(app, args)
            if done.exit_code != 0:
                print(done.output, file=sys.stderr)
                return 1
        for i in range(runs):
            start = time.process_time()
            done = runner.invoke(app, ["report", str(study), "-o", str(Path(scratch) / f"r{i}.html"), *options])
            spent.append(time.process_time() - start)
            if done.exit_code != 0:
                print(done.output, file=sys.stderr)
                return 1
    print("report CPU-s:", " ".join(f"{s:.2f}" for s in spent), f"| median after the first {statistics.median(spent[1:]):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
