"""Studies built once per test session and handed to each test as a private copy.

Why: running a stage on the bundled sample costs seconds (the content stage about 7–12 s on the
shared machine), and several test modules each copied the ingested sample and ran the content
stage for us-2016 themselves to get the same labelled study. `tests/conftest.py` builds it once
per test run (`built_once`: one build shared by the xdist workers) with `labelled_sample`, and tests copy it
(`copy_study`) before they write. `unchanged` guards the shared file: the session fixture checks
at its end that no test wrote into it (file permissions cannot: the tests may run as root)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from botwatch.ingest.source import file_sha256

if TYPE_CHECKING:
    import pytest


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


def built_once(factory: "pytest.TempPathFactory", name: str, filename: str, build: Callable[[Path], object]) -> Path:
    """The path `name/filename` of a study that `build(path)` writes, built once per test run.

    Why: under `pytest -n 2` each xdist worker is a process with its own session fixtures, so both
    built the same session studies (the ingested sample, the sample analysed with every stage, the
    labelled and the scored sample: some 25 s on the 2-core machine) and the second build only took
    CPU from the other worker's tests. The workers share the parent of their temporary folders
    (pytest-xdist's documented pattern): the first to ask builds there under an exclusive lock
    (`fcntl.flock`), the other waits for it and reads the same file. The studies are read only
    (tests copy before writing, and DuckDB lets several processes open a file read only), so sharing
    changes no test's input. Without xdist it is the plain per-session build it was."""
    import fcntl
    import os

    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        path = factory.mktemp(name) / filename
        build(path)
        return path
    root = factory.getbasetemp().parent / "built-once"
    root.mkdir(exist_ok=True)
    folder, done = root / name, root / f"{name}.built"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the build raises
        if not done.exists():
            if folder.exists():  # what a build that failed half way left
                shutil.rmtree(folder)
            folder.mkdir()
            build(folder / filename)
            done.write_text(os.environ["PYTEST_XDIST_WORKER"], encoding="utf-8")
    return folder / filename
