"""`scripts/test.sh`, the command README.md and docs/architecture.md give a contributor for the
quick suite (`-m "not spark and not browser"`), reaches pytest on a machine where headless Chromium
cannot be installed (no root, no sudo): it used to run `.ci/install-browser.sh` first whatever the
arguments, and stop with "need root to apt-get install chromium" before a single test ran. The full
run (CI) still installs the browser and still stops when it cannot. The script runs in a copy of
the repository's layout with the venv set-up, the browser install and pytest stubbed (each records
its call), so nothing is installed and this takes well under a second."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _stub(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of scripts/test.sh beside stubs: setup-venv.sh and pytest log their arguments, and
    the browser install logs its call and fails as it does without root or sudo."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "test.sh", tmp_path / "scripts" / "test.sh")
    _stub(tmp_path / "scripts" / "setup-venv.sh", 'echo "setup-venv $*" >> "$(dirname "$0")/../calls"')
    _stub(tmp_path / ".ci" / "install-browser.sh",
          'echo browser >> "$(dirname "$0")/../calls"; echo "install-browser: need root to apt-get install chromium" >&2; exit 1')
    _stub(tmp_path / ".venv" / "bin" / "python", 'echo "pytest $*" >> "$(dirname "$0")/../../calls"')
    return tmp_path


def _run(tree: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    done = subprocess.run(["bash", str(tree / "scripts" / "test.sh"), *args],
                          capture_output=True, text=True, timeout=60)
    calls = (tree / "calls").read_text(encoding="utf-8").splitlines() if (tree / "calls").exists() else []
    return done, calls


@pytest.mark.parametrize("args", [
    ("-m", "not spark and not browser"),
    ("-m", "not browser"),
    ("-m=not browser and not spark", "tests/test_elections.py"),
], ids=["quick-suite", "not-browser", "equals-form"])
def test_the_quick_suite_runs_without_installing_the_browser(tree: Path, args: tuple[str, ...]) -> None:
    done, calls = _run(tree, *args)
    assert done.returncode == 0, done.stderr
    assert "browser" not in calls
    assert calls[-1] == "pytest -m pytest -n 2 --dist loadfile " + " ".join(args)


def test_the_full_run_still_installs_the_browser_and_stops_when_it_cannot(tree: Path) -> None:
    done, calls = _run(tree)
    assert done.returncode == 1
    assert "need root" in done.stderr
    assert calls == ["setup-venv spark,test,train,time", "browser"]
