"""The three ways the DuckDB ingest reads a file, chosen for a test: the Python reader in this
process, the same reader in worker processes, and the native SQL reader (which hands the lines it
cannot read, such as stream notices, back to the Python reader). A count kept on one path and
forgotten on another is the bug these tests look for, so each reads the same file all three ways."""

from __future__ import annotations

import pytest

from botwatch.ingest import runner

READING_PATHS = ("python", "native", "workers")


def read_by(way: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Make `runner.ingest` read small files by `way` (one of `READING_PATHS`); returns the
    `workers` argument that way needs."""
    monkeypatch.setattr(runner, "NATIVE_MIN_BYTES", 0 if way == "native" else 1 << 62)
    monkeypatch.setattr(runner, "MIN_PARALLEL_BYTES", 0 if way == "workers" else 1 << 62)
    return 2 if way == "workers" else 1
