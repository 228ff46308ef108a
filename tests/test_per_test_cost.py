"""testsupport/per_test_cost.py writes one row per test with the CPU of the test's own work (a busy
subprocess included) and nothing when its variable is unset; cost_summary sums them per file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_each_test_gets_a_row_with_its_subprocess_cpu(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text(
        "import subprocess, sys\n"
        "def test_busy():\n"
        "    subprocess.run([sys.executable, '-c', 'import time; t = time.process_time()\\n"
        "while time.process_time() - t < 0.4: pass'], check=True)\n"
        "def test_idle():\n    pass\n", encoding="utf-8")
    log = tmp_path / "cost.jsonl"
    env = {**os.environ, "BOTWATCH_TEST_COST_LOG": str(log), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-p", "testsupport.per_test_cost", str(tmp_path / "test_x.py")]
    res = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    rows = {r["test"].split("::")[1]: r for r in map(json.loads, log.read_text(encoding="utf-8").splitlines())}
    assert set(rows) == {"test_busy", "test_idle"}
    assert rows["test_busy"]["cpu"] >= 0.4 and rows["test_busy"]["spark_jobs"] == 0
    assert rows["test_idle"]["cpu"] < 0.4
    summary = subprocess.run([sys.executable, str(REPO / "testsupport" / "cost_summary.py"), str(log)], capture_output=True, text=True, timeout=60)
    assert summary.returncode == 0 and "2 tests" in summary.stdout and "test_x.py" in summary.stdout, summary.stdout
    del env["BOTWATCH_TEST_COST_LOG"]
    log.unlink()
    assert subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, timeout=120).returncode == 0
    assert not log.exists()
