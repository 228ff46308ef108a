"""A stdout whose encoding is not UTF-8 (an ASCII locale with Python's UTF-8 mode off, a cp437
console, `PYTHONIOENCODING=ascii`): `status` of a study named `é` stopped at the first line with
"UnicodeEncodeError ... This is a bug in botwatch" (exit 1). Results are now written with escapes
for what the encoding lacks, and `--json` as ASCII JSON that reads back to the same value. Run as
a real process: the streams are set up by the `botwatch` entry point, which CliRunner bypasses."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _botwatch(args: list[str], cwd: Path, **settings: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), **settings}
    env.pop("BOTWATCH_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "botwatch", *args], cwd=cwd, env=env, capture_output=True, timeout=120)


def test_status_on_an_ascii_stdout_escapes_what_it_cannot_write(tmp_path: Path, sample_study_path: Path) -> None:
    shutil.copy(sample_study_path, tmp_path / "é.duckdb")
    plain = _botwatch(["status", "é.duckdb"], tmp_path)
    assert plain.returncode == 0, plain.stderr.decode("ascii", "replace")
    assert plain.stdout.decode("ascii").splitlines()[0] == "\\xe9.duckdb"
    as_json = _botwatch(["status", "--json", "é.duckdb"], tmp_path)
    assert as_json.returncode == 0, as_json.stderr.decode("ascii", "replace")
    assert json.loads(as_json.stdout.decode("ascii"))["study"] == "é.duckdb"


def test_a_study_duckdb_cannot_open_in_an_ascii_locale_says_why_and_what_to_do(tmp_path: Path, sample_study_path: Path) -> None:
    """With file names read as ASCII (LC_ALL=C, PYTHONUTF8=0) DuckDB cannot open `é.duckdb`, and the
    whole error was "cannot open \\xc3\\xa9.duckdb as a study: std::bad_cast"."""
    shutil.copy(sample_study_path, tmp_path / "é.duckdb")
    res = _botwatch(["status", "é.duckdb"], tmp_path, LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    said = res.stderr.decode("ascii", "replace")
    assert res.returncode == 2, said
    assert "Python reads file names as ASCII here" in said and "PYTHONUTF8=1" in said, said
    assert "Traceback" not in said
