"""CPU-seconds of `report` runs one after another in one process, on one small analysed study, as
a test worker runs them (docs/testing.md, "2026-12-07: the study's catalog, listed once per reader").

The first run pays the imports; the median of the others is the figure to read. Options after the
count go to `report` (e.g. `--no-exports`).

    OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python testsupport/report_bench.py 6 --no-exports
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from testsupport.cli_bench import INPUT, cpu_of_runs  # noqa: E402


def main(argv: list[str]) -> int:
    """Ingest and analyze `INPUT` once, then report it `argv[0]` times with the rest of `argv` as options."""
    runs, options = int(argv[0]), argv[1:]

    def first_analysed(scratch: Path, i: int) -> list[list[str]]:
        study = str(scratch / "s.duckdb")
        return [["ingest", study, str(INPUT)], ["analyze", study, "-e", "uk-ge2017"]] if i == 0 else []

    return cpu_of_runs("report", runs, first_analysed, lambda scratch, i: ["report", str(scratch / "s.duckdb"), "-o", str(scratch / f"r{i}.html"), *options])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
