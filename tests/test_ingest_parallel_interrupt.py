"""Ctrl-C during a parallel ingest: the terminal sends SIGINT to the whole process group, and each
spawned worker printed its own "Process SpawnPoolWorker-1: Traceback ... KeyboardInterrupt" before
the command's one line. The workers ignore SIGINT; the parent stops them."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"

# Runs in its own session: reads a file with two workers and, at the first staged batch, sends
# SIGINT to its whole process group, as a terminal's Ctrl-C does.
_SCRIPT = """
import os, signal, sys, time
from botwatch.ingest.formats import sniff, FORMATS
from botwatch.ingest.parallel import read_parallel
from botwatch.ingest.source import InputSource

src = InputSource.open(sys.argv[1])
name = sniff(src)
sent = []

def emit(kind, batch):
    if not sent:
        sent.append(1)
        os.killpg(os.getpgrp(), signal.SIGINT)
        time.sleep(2)  # the workers would print their tracebacks now

try:
    read_parallel(name, FORMATS[name].kind, src, emit, 1 << 20, 2)
except KeyboardInterrupt:
    print("parent interrupted", file=sys.stderr)
    sys.exit(130)
print("not interrupted", file=sys.stderr)
"""


def test_ctrl_c_in_a_parallel_ingest_leaves_the_workers_silent(tmp_path: Path) -> None:
    from botwatch.ingest.parallel import CHUNK_RECORDS

    lines = (FIX / "v1_uklabour.jsonl").read_bytes().splitlines(keepends=True)
    big = tmp_path / "big.jsonl"
    with big.open("wb") as f:  # several chunks, so the workers are busy or waiting for more when it comes
        for i in range(4 * CHUNK_RECORDS // len(lines) + 1):
            f.writelines(lines)
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(big)], capture_output=True, text=True, timeout=60,
                          start_new_session=True, env=env)
    assert done.returncode == 130, done.stderr[-3000:]
    assert "parent interrupted" in done.stderr
    assert "Traceback" not in done.stderr and "SpawnPoolWorker" not in done.stderr, done.stderr[-3000:]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # this process's own handler untouched
