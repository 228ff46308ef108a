"""The analyze/report/export progress lines carry text that is not botwatch's own: a plug-in
stage's name and log lines, a plug-in report section's name, a table name. Printed as Rich markup,
a `[/r/politics]` in one raised MarkupError ("a bug in botwatch") and an ESC reached the terminal."""

from __future__ import annotations

import io

from rich.console import Console

import botwatch.cli.common as common


def test_stage_progress_prints_brackets_and_controls_as_text(monkeypatch) -> None:
    buf = io.StringIO()
    monkeypatch.setattr(common, "console", Console(file=buf, force_terminal=True, width=200))
    with common.StageProgress() as p:
        p.log("myplugin: most posts in [/r/politics] [bold]\x1b[2J")
        p.start("[/r/x] stage")
        p.step("report: section [/y]")
        p.done("[/r/x] stage", "ok", 3, 0.5)
    shown = buf.getvalue()
    assert "myplugin: most posts in [/r/politics] [bold]\\x1b[2J" in shown
    assert "[/r/x] stage: 3 rows, 0.5 s" in shown
    assert "\x1b[2J" not in shown
