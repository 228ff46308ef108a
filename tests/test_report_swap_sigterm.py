"""`report.swap.ReportPaths.move_into_place`: a stop while the finished build is moved into place
takes effect once both the exports folder and the HTML are there. SIGTERM (the command line stops
for it as for Ctrl-C) was not held back: between the two renames it left the new exports beside
the earlier HTML, the mismatch the swap exists to prevent."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from botwatch.cli import guard
from botwatch.study import note_terminated
from testsupport.report_swap import signal_after_folder_swap, staged_build


def test_sigterm_between_the_renames_takes_effect_after_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, folder, paths = staged_build(tmp_path, old_exports=False)
    signal_after_folder_swap(monkeypatch, signal.SIGTERM)  # the handler runs here, between the folder and the HTML
    was = signal.signal(signal.SIGTERM, guard.on_terminate)
    try:
        with pytest.raises(KeyboardInterrupt):
            paths.move_into_place(with_exports=True)
    finally:
        signal.signal(signal.SIGTERM, was)
        note_terminated(False)
        guard._state.update(interrupted=False, terminated=False)
    assert out.read_text(encoding="utf-8") == "new" and (folder / "accounts.csv").read_text(encoding="utf-8") == "new"
    assert signal.getsignal(signal.SIGTERM) == was
