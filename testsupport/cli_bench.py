"""CPU-seconds of one `botwatch` command run again and again in one process, as a test worker runs
commands: the loop `analyze_bench.py` and `report_bench.py` share (they repeated it line for line).

The first run pays the imports and the first compiles; the median of the others is the figure to read.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

INPUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def cpu_of_runs(name: str, runs: int, untimed: Callable[[Path, int], list[list[str]]], timed: Callable[[Path, int], list[str]]) -> int:
    """Run `runs` times, in a scratch folder, the commands `untimed(folder, i)` gives and then the
    one `timed(folder, i)` gives, timing the last alone; print each run's CPU-seconds and the
    median after the first. 0, or 1 where a command failed (its output on stderr)."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    runner = CliRunner()
    spent = []
    with tempfile.TemporaryDirectory() as scratch:
        for i in range(runs):
            for args in untimed(Path(scratch), i):
                done = runner.invoke(app, args)
                if done.exit_code != 0:
                    print(done.output, file=sys.stderr)
                    return 1
            start = time.process_time()
            done = runner.invoke(app, timed(Path(scratch), i))
            spent.append(time.process_time() - start)
            if done.exit_code != 0:
                print(done.output, file=sys.stderr)
                return 1
    print(f"{name} CPU-s:", " ".join(f"{s:.2f}" for s in spent), f"| median after the first {statistics.median(spent[1:]):.2f}")
    return 0
