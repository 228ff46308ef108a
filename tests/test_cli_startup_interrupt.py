"""Ctrl-C during the seconds a `botwatch` command spends importing, before any command runs: one
line and exit 130, never a KeyboardInterrupt traceback (`botwatch.cli.main`).

The interrupt is sent at a known point of the start-up, not after a guessed delay: the child runs
with `-X importtime`, which writes a line to stderr as each import finishes, and the signal goes
when the first of the command line's own libraries (typer) has been imported, while the rest
(Rich, DuckDB, Arrow, the commands) still are."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from botwatch.cli import INTERRUPTED_AT_START

SRC = Path(__file__).resolve().parents[1] / "src"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")


def _interrupted_while_importing(args: list[str]) -> tuple[int, list[str]]:
    """Start `python -X importtime *args`, send SIGINT once typer is imported; (exit status, the
    stderr lines that are not import timings)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    env.pop("BOTWATCH_DEBUG", None)
    proc = subprocess.Popen([sys.executable, "-X", "importtime", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None
    seen: list[str] = []
    for line in proc.stderr:
        seen.append(line)
        if line.rstrip().endswith("| typer") or line.rstrip().endswith("typer._click.core"):
            proc.send_signal(signal.SIGINT)
            break
    else:  # the child ended without importing typer: show what it said
        proc.wait(60)
        pytest.fail("".join(seen[-20:]))
    _, rest = proc.communicate(timeout=120)
    return proc.returncode, [ln for ln in ("".join(seen) + rest).splitlines() if ln and not ln.startswith("import time:")]


@pytest.mark.parametrize("entry", [["-m", "botwatch"], ["-m", "botwatch.cli"],
                                   ["-c", "from botwatch.cli import main; main()"]],
                         ids=["python -m botwatch", "python -m botwatch.cli", "the console script"])
def test_ctrl_c_while_the_command_starts_is_one_line_and_130(entry: list[str]) -> None:
    code, said = _interrupted_while_importing([*entry, "elections", "list"])
    assert code == 130, said
    assert said == [INTERRUPTED_AT_START]
