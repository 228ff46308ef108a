"""An earlier report with a finished build staged beside it, and a stop raised between the swap's
two renames: the setting of the tests of `report.swap.ReportPaths.move_into_place`.

Why: two test files (a failed HTML rename under a held Ctrl-C, SIGTERM between the renames) built
the same earlier report, the same staged build and the same "signal after the folder swap" hook
line for line; one place keeps the setting the swap is tested in the same for both."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from botwatch.report import swap


def staged_build(tmp_path: Path, *, old_exports: bool) -> tuple[Path, Path, swap.ReportPaths]:
    """(report.html, its exports folder, the swap's paths): the earlier HTML reads "old" (and its
    folder's accounts.csv too with `old_exports`); the build staged beside them reads "new"."""
    out, folder = tmp_path / "report.html", tmp_path / "report-data"
    out.write_text("old", encoding="utf-8")
    folder.mkdir()
    if old_exports:
        (folder / "accounts.csv").write_text("old", encoding="utf-8")
    paths = swap.ReportPaths.beside(out, folder)
    paths.html.write_text("new", encoding="utf-8")
    paths.data.mkdir()
    (paths.data / "accounts.csv").write_text("new", encoding="utf-8")
    return out, folder, paths


def signal_after_folder_swap(monkeypatch: pytest.MonkeyPatch, signum: int) -> None:
    """Raise `signum` right after the exports folder is swapped, before the HTML is moved."""
    swapped = swap.ReportPaths._swap_folder

    def swap_then_signal(self: swap.ReportPaths) -> None:
        swapped(self)
        signal.raise_signal(signum)

    monkeypatch.setattr(swap.ReportPaths, "_swap_folder", swap_then_signal)
