"""What loading the command line imports: scipy.stats, pandas, ibis, pyarrow and duckdb stay out
until a command needs them.

Every `botwatch` command loads every command module (Typer registers them all), so a heavy
import at a module's top is paid by `botwatch --help`, `ingest` and `collect` alike: scipy.stats
was about 0.7 of `--help`'s 1.5 CPU-seconds. A fresh interpreter is needed, since this test
process has long imported scipy."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = "import sys, botwatch.cli as c; c._load_commands(); print(sorted(m for m in ('scipy.stats', 'scipy.special', 'lightgbm', 'sklearn') if m in sys.modules))"


def test_loading_every_command_imports_no_scipy_stats_lightgbm_or_sklearn() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


HEAVY = ("pandas", "ibis", "pyarrow", "duckdb")


def test_loading_every_command_imports_no_pandas_ibis_pyarrow_or_duckdb() -> None:
    """`botwatch --help` paid about 0.9 CPU-s for these, imported at the top of the command modules
    (and of what they import for a type hint or a default); the commands that use a study import
    it when they run. `collect` writes JSON lines and needs none of them either."""
    probe = f"import sys, botwatch.cli as c; c._load_commands(); print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_loading_every_command_imports_no_asyncio() -> None:
    """asyncio (and ssl with it, about 0.1 CPU-s) is for `collect`, which imports it when it runs."""
    probe = "import sys, botwatch.cli as c; c._load_commands(); print(sorted(m for m in ('asyncio', 'ssl') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# `botwatch ARGS` run by its entry point, then which of HEAVY it imported, as the last line of stderr.
ENTRY = ("import atexit, sys; atexit.register(lambda: sys.stderr.write(repr(sorted(m for m in {heavy!r} if m in sys.modules)) + '\\n')); "
         "sys.argv = ['botwatch', *{args!r}]; from botwatch.cli import main; main()")


@pytest.mark.parametrize("args", [["--help"], ["collect", "mastodon", "--help"], ["status", "--help"], ["estimate", "--help"], ["coordination", "--help"]])
def test_help_exits_0_without_pandas_ibis_pyarrow_or_duckdb(args: list[str]) -> None:
    """Running the app (not only loading it) for `--help`: the guard around every command looked up
    the study module to reset its SIGTERM note, which brought duckdb, ibis and pyarrow back."""
    done = subprocess.run([sys.executable, "-c", ENTRY.format(heavy=HEAVY, args=args)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Usage:" in done.stdout, done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr


def test_the_accounts_pool_loads_scipy_stats_before_it_forks() -> None:
    """The workers share what the parent loaded before the fork; scipy.stats imported lazily by
    each worker would cost each of them the import again."""
    probe = "import sys; from botwatch.accounts import pool; pool.preload(); print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "True", out.stdout + out.stderr


COLLECTORS = ("botwatch.collect.mastodon", "botwatch.collect.x", "botwatch.collect.jetstream", "botwatch.collect.bsky_profiles")


@pytest.mark.parametrize("module", COLLECTORS)
def test_a_collector_imports_no_pyarrow_numpy_pandas_or_duckdb(module: str) -> None:
    """A collector writes JSON lines; it borrows the readers' field parsing (so what it keeps is
    read back the same way), and that once brought the Arrow row sink with it: pyarrow and numpy,
    about 0.15 CPU-s at the start of every `collect` run. What the readers' helpers need from the
    sink lives in `ingest.record_error`, which imports nothing heavy."""
    heavy = ("pyarrow", "numpy", "pandas", "duckdb")
    probe = f"import sys, {module}; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_loading_an_election_file_imports_no_pyarrow_numpy_or_pandas() -> None:
    """Loading an election compares its pro and anti tags as the matcher does; through
    `content.normalize.norm_tag` that brought pyarrow, numpy and pandas (0.07 → 0.5–0.7 CPU-s)
    into every command that reads an election file, a live `collect --election` among them. A
    preset's tags are ASCII, read without Arrow (`tag_spellings.ascii_tag_key`)."""
    heavy = ("pyarrow", "numpy", "pandas", "duckdb")
    probe = ("import sys; from botwatch.elections import load_election; load_election('uk-ge2017'); load_election('us-2016'); "
             f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
