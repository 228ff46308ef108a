"""What `botwatch report` says when Ctrl-C stops it. The general line ("What finished before is kept
(`botwatch status` lists the stage runs) … On a lake, the lock this command held is taken over by
the next one") spoke of runs and a lock a report, which only reads the study, has none of. Before
its build is swapped into place the earlier report is as it was; a Ctrl-C during the swap takes
effect once the new report is in place (`report.swap`), and then that is what is said."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from botwatch.cli import app, guard
from botwatch.report import build, swap
from botwatch.study import Study

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "twarc2_two_tweets.jsonl.gz"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    from botwatch.ingest.runner import ingest

    path = tmp_path / "s.duckdb"
    with Study(path) as st:
        ingest(st, [str(FIX)], workers=1)
    return path


def _fake_build(study: object, paths: swap.ReportPaths, **_: object) -> None:
    """A build's output, written where the real one writes it: the study need not be analysed."""
    paths.html.write_text('<meta name="generator" content="botwatch">new', encoding="utf-8")
    paths.data.mkdir()
    (paths.data / "accounts.csv").write_text("new", encoding="utf-8")


def _report(study: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    was = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit) as done:
            app(["report", str(study), "-o", str(out)])
    finally:
        signal.signal(signal.SIGINT, was)
        guard._state.update(interrupted=False, kept=None, said=False)
    return int(done.value.code), " ".join(capsys.readouterr().err.split())


def test_ctrl_c_while_building_says_the_earlier_report_is_unchanged(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.html"
    out.write_text('<meta name="generator" content="botwatch">old', encoding="utf-8")

    def interrupted(*_: object, **__: object) -> None:
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(build, "_write_report", interrupted)
    code, said = _report(study, out, capsys)
    assert code == 130 and out.read_text(encoding="utf-8").endswith("old"), said
    assert "the earlier report" in said and "as they were" in said and "the study was only read: none of its tables changed" in said, said
    assert "stage runs" not in said and "lock" not in said and "new report was in place" not in said, said


def test_ctrl_c_with_no_earlier_report_says_none_was_written(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.html"
    monkeypatch.setattr(build, "_write_report", lambda *a, **k: signal.raise_signal(signal.SIGINT))
    code, said = _report(study, out, capsys)
    assert code == 130 and not out.exists() and "no report was written" in said and "earlier report" not in said, said


def test_ctrl_c_during_the_swap_says_the_new_report_is_in_place(study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The interrupt is held until both renames are done: the new report is then in place, and
    "the earlier report is as it was" would be false."""
    out = tmp_path / "report.html"
    out.write_text('<meta name="generator" content="botwatch">old', encoding="utf-8")
    swapped = swap.ReportPaths._swap_folder

    def swap_then_interrupt(self: swap.ReportPaths) -> None:
        swapped(self)
        signal.raise_signal(signal.SIGINT)  # held: it takes effect after the HTML too is in place

    monkeypatch.setattr(build, "_write_report", _fake_build)
    monkeypatch.setattr(swap.ReportPaths, "_swap_folder", swap_then_interrupt)
    code, said = _report(study, out, capsys)
    assert code == 130 and out.read_text(encoding="utf-8").endswith("new"), said
    assert "The new report was in place before the stop" in said and "report-data" in said and "as they were" not in said, said
