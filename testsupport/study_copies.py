"""Studies built once per test session and handed to each test as a private copy.

Why: running a stage on the bundled sample costs seconds (the content stage about 7–12 s on the
shared machine), and several test modules each copied the ingested sample and ran the content
stage for us-2016 themselves to get the same labelled study. `tests/conftest.py` builds it once
per session (per xdist worker under `--dist loadfile`) with `labelled_sample`, and tests copy it
(`copy_study`) before they write. `unchanged` guards the shared file: the session fixture checks
at its end that no test wrote into it (file permissions cannot: the tests may run as root)."""

from __future__ import annotations

import shutil
from pathlib import Path

from botwatch.ingest.source import file_sha256


def copy_study(src: Path, dst: Path) -> Path:
    """A private copy of the DuckDB study `src` at `dst` (a folder: `dst/s.duckdb`), to write to."""
    if dst.is_dir():
        dst = dst / "s.duckdb"
    shutil.copyfile(src, dst)
    return dst


def labelled_sample(ingested: Path, dst: Path, election: str = "us-2016") -> Path:
    """A copy of the ingested sample at `dst` with the content stage run for `election`, as each
    module used to make its own (`run_content` with its defaults)."""
    from botwatch import open_study
    from botwatch.content.stage import run_content
    from botwatch.elections import load_election

    copy_study(ingested, dst)
    with open_study(dst, read_only=False) as st:
        run_content(st, load_election(election), log=lambda m: None)
    return dst


def digest(path: Path) -> str:
    """The SHA-256 of a study file, to tell afterwards whether anything wrote into it."""
    return file_sha256(path)


def unchanged(path: Path, before: str) -> None:
    """Fail when the shared study at `path` no longer has the digest `before`: some test wrote
    into it instead of a copy, and the tests after it on this worker read a changed study."""
    assert digest(path) == before, f"a test wrote into the shared study {path}: copy it first (testsupport.study_copies.copy_study)"
