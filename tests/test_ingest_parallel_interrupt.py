"""Ctrl-C during a parallel ingest: the terminal sends SIGINT to the whole process group, and each
spawned worker printed its own "Process SpawnPoolWorker-1: Traceback ... KeyboardInterrupt" before
the command's one line. The workers ignore SIGINT; the parent stops them."""

from __future__ import annotations

import os
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

signal.signal(signal.SIGINT, signal.default_int_handler)  # as a shell's command starts (a test runner's worker may ignore it)
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
    proc = subprocess.Popen([sys.executable, "-c", _SCRIPT, str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env=env)
    try:
        _, err = proc.communicate(timeout=180)  # a loaded machine starts spawned workers slowly
    except subprocess.TimeoutExpired:  # a hang (a worker killed mid-task leaves the pool waiting): say what it printed
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        raise AssertionError(f"hung after the interrupt; stderr: {err[-3000:]}") from None
    assert proc.returncode == 130 and "parent interrupted" in err, (proc.returncode, err[-3000:])
    assert "Traceback" not in err and "SpawnPoolWorker" not in err, err[-3000:]
