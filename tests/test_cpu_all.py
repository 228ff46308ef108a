"""testsupport/cpu_all.py counts an orphan's CPU (what `/usr/bin/time` misses for the Spark JVM)
and passes the command's exit status through."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "testsupport" / "cpu_all.py"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreapers are Linux's")
def test_an_orphan_s_cpu_is_counted_and_the_exit_status_kept() -> None:
    # The shell starts a busy Python in the background and exits at once with 3: the busy one is
    # an orphan nobody waits for, and its CPU must still be in the figure.
    busy = f"{sys.executable} -c 'import time; t = time.process_time(); exec(\"while time.process_time() - t < 0.5: pass\")'"
    res = subprocess.run([sys.executable, str(TOOL), "sh", "-c", f"{busy} & exit 3"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 3, res.stderr
    cpu = float(re.search(r"CPU ([0-9.]+) s", res.stderr).group(1))  # type: ignore[union-attr]
    assert cpu >= 0.5, res.stderr
