"""`report.swap.ReportPaths.move_into_place` with the HTML's rename failing after the exports
folder was swapped while a Ctrl-C was held: the earlier exports are gone by then (the old folder is
deleted once swapped), and the line the stopped command printed said the earlier report "and its
exports are as they were". It now says the exports are the new build's (`cli.analyze._say_report_kept`)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from botwatch.cli import analyze, guard
from botwatch.report import swap
from testsupport.report_swap import signal_after_folder_swap, staged_build


def test_a_failed_html_rename_after_the_folder_swap_is_said_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, folder, paths = staged_build(tmp_path, old_exports=True)
    signal_after_folder_swap(monkeypatch, signal.SIGINT)  # held until the block ends

    replace = os.replace

    def html_refused(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(src) == paths.html:
            raise PermissionError(13, "Permission denied")
        replace(src, dst)

    monkeypatch.setattr(swap.os, "replace", html_refused)
    analyze._say_report_kept(out, exports=True)  # as `report` says it before the build
    try:
        with pytest.raises((KeyboardInterrupt, OSError)):
            paths.move_into_place(with_exports=True, on_placed=lambda: analyze._say_report_kept(out, True, placed=True),
                                  on_exports_placed=lambda: analyze._say_report_kept(out, True, exports_placed=True))
        said = str(guard._state["kept"])
    finally:
        guard.kept_on_interrupt(None)
    assert out.read_text(encoding="utf-8") == "old" and (folder / "accounts.csv").read_text(encoding="utf-8") == "new"
    assert "as they were" not in said and "are the new build's" in said and "is as it was" in said, said
