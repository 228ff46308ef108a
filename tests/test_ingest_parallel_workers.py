"""The parallel ingest's workers failing: a worker killed mid-file (the out-of-memory killer,
`kill -9`) left `multiprocessing.Pool` waiting for ever for the chunk it held, and the command
hung. Now the parent reads each worker's own pipe: a dead worker raises `WorkerFailed` at once,
saying which records it held and how it ended, and the command prints it as the file's error line
(exit 1), never a traceback. Ctrl-C in the command is one line and exit 130, workers silent.

Each case runs in its own process with a time limit, so a hang fails the test instead of
stopping the suite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testsupport.ingest_workers import ira_csv, text_csv, worker_pids
from testsupport.waiting import wait_until

ROOT = Path(__file__).resolve().parents[1]
ENV = {"PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the workers in /proc (Linux)")

_READ = """
import sys
from unittest import mock
from botwatch.forkpool import WorkerFailed
from botwatch.ingest.parallel import read_parallel
from botwatch.ingest.source import InputSource
from testsupport import ingest_workers

handler = getattr(ingest_workers, sys.argv[2])
with mock.patch("botwatch.ingest.parallel.CHUNK_RECORDS", 500):
    try:
        read_parallel("test", "csv", InputSource.open(sys.argv[1]), lambda t, b: None, 1 << 20, 2, handler=handler)
    except WorkerFailed as exc:
        print("WORKERFAILED", exc)
        print("DETAIL", exc.detail is not None and "Traceback" in exc.detail)
        sys.exit(3)
print("no error")
"""


def _run(args: list[str], timeout: float = 240) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=ENV, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"hung; stderr: {str(exc.stderr)[-3000:]}") from None


def test_a_worker_killed_mid_file_raises_worker_failed_not_a_hang(tmp_path: Path) -> None:
    texts = ["x"] * 1600
    texts[700] = "die"  # in the second chunk (records 501 to 1,000): worker 2's first
    f = text_csv(tmp_path / "t.csv", texts)
    got = _run(["-c", _READ, str(f), "kill_self_at_die"])
    assert got.returncode == 3, (got.stdout, got.stderr[-3000:])
    assert "WORKERFAILED ingest worker 2 of 2 died (killed by SIGKILL" in got.stdout
    assert "fewer --workers use less memory" in got.stdout and "on records 501 to 1,000 of" in got.stdout
    assert "Traceback" not in got.stderr, got.stderr[-3000:]


def test_a_chunk_that_raises_in_a_worker_is_worker_failed_with_the_workers_traceback(tmp_path: Path) -> None:
    texts = ["x"] * 1200
    texts[1100] = "boom"  # third chunk: worker 1's second
    f = text_csv(tmp_path / "t.csv", texts)
    got = _run(["-c", _READ, str(f), "raise_at_boom"])
    assert got.returncode == 3, (got.stdout, got.stderr[-3000:])
    assert "WORKERFAILED ingest worker 1 of 2 failed (ValueError: a bug in this reader) on records 1,001 to 1,200" in got.stdout
    assert "DETAIL True" in got.stdout


# The real command with the parallel path from the first byte (its threshold is 32 MB).
_CLI = "import botwatch.ingest.runner as r; r.MIN_PARALLEL_BYTES = 0; from botwatch.cli import main; main()"


def _start_cli(study: Path, data: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _CLI, "ingest", str(study), str(data), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, start_new_session=True)


def _wait_for_workers(proc: subprocess.Popen[str], n: int = 2, limit: float = 180) -> list[int]:
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        pids = worker_pids(proc.pid)
        if len(pids) >= n:
            return pids
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    out, err = proc.communicate()
    raise AssertionError(f"the workers never appeared (exit {proc.returncode}): {out[-2000:]} {err[-2000:]}")


def _finish(proc: subprocess.Popen[str], timeout: float = 180) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"hung; stdout: {out[-2000:]} stderr: {err[-2000:]}") from None


def test_the_command_says_a_killed_worker_in_one_line_and_exits_1(tmp_path: Path) -> None:
    data = ira_csv(tmp_path / "ira.csv", 3000)  # 105,000 rows: 21 chunks, seconds of parsing after the workers start
    study = tmp_path / "s.duckdb"
    proc = _start_cli(study, data)
    pids = _wait_for_workers(proc)
    time.sleep(0.5)  # past its start-up (a worker killed before it reads its start-up data fails to start instead)
    os.kill(pids[0], signal.SIGKILL)
    out, err = _finish(proc)
    both = out + err
    assert proc.returncode == 1, both[-3000:]
    assert "WorkerFailed: ingest worker" in both and "died (killed by SIGKILL" in both, both[-3000:]
    assert "Traceback" not in both, both[-3000:]


def test_ctrl_c_in_the_command_stops_the_workers_and_says_one_line(tmp_path: Path) -> None:
    data = ira_csv(tmp_path / "ira.csv", 600)
    study = tmp_path / "s.duckdb"
    proc = _start_cli(study, data)
    pids = _wait_for_workers(proc)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    out, err = _finish(proc)
    assert proc.returncode == 130, (out[-2000:], err[-2000:])
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err[-3000:]
    assert err.strip().splitlines()[-1].startswith("interrupted."), err[-3000:]
    # Gone within the 0.5 s it slept before looking once: looked at until then, not slept out.
    wait_until(lambda: not _running(pids), 0.5, "the workers to end within 0.5 s of the command", every=0.01)


def _running(pids: list[int]) -> list[int]:
    """Those of `pids` still running (a zombie, or a process gone while looked at, is not)."""
    out = []
    for p in pids:
        try:
            if b"zombie" not in Path(f"/proc/{p}/status").read_bytes().lower():
                out.append(p)
        except OSError:
            pass
    return out


def test_starting_spawned_workers_keeps_ctrl_c_held_for_the_next_one(tmp_path: Path) -> None:
    """The first spawned process starts multiprocessing's resource tracker, whose start unblocked
    SIGINT in the thread holding it back (`forkpool.sigint_held`): the second ingest worker was
    born with Ctrl-C let through, and a Ctrl-C while it started printed "Fatal Python error:
    init_import_site" with a traceback (seen in CI). Checked in a fresh interpreter, where the
    tracker is not running yet."""
    script = tmp_path / "held.py"
    script.write_text(
        "import signal, time\n"
        "from botwatch.forkpool import sigint_held\n"
        "from botwatch.ingest.parallel import spawn_context\n"
        "if __name__ == '__main__':\n"
        "    ctx = spawn_context()\n"
        "    with sigint_held():\n"
        "        p = ctx.Process(target=time.sleep, args=(0,))\n"
        "        p.start()\n"
        "        print('held' if signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []) else 'let through')\n"
        "        p.join()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "held", (out.stdout, out.stderr[-2000:])
