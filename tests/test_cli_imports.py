"""What loading the command line imports: scipy.stats stays out until a command needs it.

Every `botwatch` command loads every command module (Typer registers them all), so a heavy
import at a module's top is paid by `botwatch --help`, `ingest` and `collect` alike: scipy.stats
was about 0.7 of `--help`'s 1.5 CPU-seconds. A fresh interpreter is needed, since this test
process has long imported scipy."""

from __future__ import annotations

import subprocess
import sys

PROBE = "import sys, botwatch.cli as c; c._load_commands(); print(sorted(m for m in ('scipy.stats', 'scipy.special', 'lightgbm', 'sklearn') if m in sys.modules))"


def test_loading_every_command_imports_no_scipy_stats_lightgbm_or_sklearn() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_accounts_pool_loads_scipy_stats_before_it_forks() -> None:
    """The workers share what the parent loaded before the fork; scipy.stats imported lazily by
    each worker would cost each of them the import again."""
    probe = "import sys; from botwatch.accounts import pool; pool.preload(); print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "True", out.stdout + out.stderr
