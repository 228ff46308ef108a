"""Ctrl-C (or a crash) during `botwatch report` left a half-written `<stem>-data/` folder (new
exports beside old ones) and possibly a cut-short HTML file. The report is now built under
temporary names beside the output and renamed into place only when whole: an interrupted run
exits 130 with one line, and the earlier report and its folder are exactly as they were."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from botwatch.cli import guard


@pytest.fixture()
def fresh_guard(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setitem(guard._state, "interrupted", False)
    monkeypatch.delenv("BOTWATCH_DEBUG", raising=False)
    previous = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, previous)


def _botwatch(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The `botwatch` entry point's app object (the guard included, which CliRunner skips)."""
    from botwatch.cli import app

    with pytest.raises(SystemExit) as done:
        app(args)
    return done.value.code or 0, capsys.readouterr().err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def earlier_report(analysed_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(study, output folder): a copy of the analysed sample and `botwatch report` of it with a
    reader's own file added to its data folder, built once for the module (each test built the
    same earlier report for itself). Read only: `_report_once` copies the folder."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from testsupport.study_copies import digest, unchanged

    folder = tmp_path_factory.mktemp("earlier_report")
    study = folder / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    out = folder / "out"
    out.mkdir()
    res = CliRunner().invoke(app, ["report", str(study), "-o", str(out / "r.html")])
    assert res.exit_code == 0, res.output
    (out / "r-data" / "my-notes.txt").write_text("kept", encoding="utf-8")  # a reader's own file in the folder
    before = digest(study)
    yield study, out
    unchanged(study, before)  # the tests' reports read the shared study; none may write into it


def _report_once(earlier_report: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """The earlier report's study (shared: `report` opens it read only, and a report names its study
    by path, so a copy of the study would make the earlier report another study's) and a private
    copy of its output folder, with the folder's snapshot."""
    out = tmp_path / "out"
    shutil.copytree(earlier_report[1], out)
    return earlier_report[0], out, _snapshot(out)


def test_ctrl_c_while_building_keeps_the_earlier_report_whole(earlier_report: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch, fresh_guard: None) -> None:
    from botwatch.report import sections

    study, out, before = _report_once(earlier_report, tmp_path)
    assert "r.html" in before and any(k.startswith("r-data/") and k.endswith(".csv") for k in before)
    sections.all_sections()  # registered
    order, _fn = sections._SECTIONS["methods"]

    def ctrl_c(study: object, ctx: dict) -> None:  # type: ignore[type-arg]  # after the exports were written
        guard.on_interrupt(signal.SIGINT, None)

    monkeypatch.setitem(sections._SECTIONS, "methods", (order, ctrl_c))
    code, err = _botwatch(["report", str(study), "-o", str(out / "r.html"), "--title", "another", "--posts"], capsys)
    assert code == 130
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "interrupted" in err
    assert _snapshot(out) == before  # nothing half-written, nothing left behind
    assert sorted(p.name for p in out.iterdir()) == ["r-data", "r.html"]


def test_a_crash_while_building_keeps_the_earlier_report_whole(earlier_report: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch, fresh_guard: None) -> None:
    from botwatch.report import staleness

    study, out, before = _report_once(earlier_report, tmp_path)

    def broken(study: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(staleness, "stale_analysis", broken)
    code, err = _botwatch(["report", str(study), "-o", str(out / "r.html"), "--title", "another", "--posts"], capsys)
    assert code == 1 and "Traceback" not in err
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["r-data", "r.html"]


def test_a_finished_report_replaces_the_earlier_one_and_keeps_a_readers_files(earlier_report: tuple[Path, Path], tmp_path: Path,
                                                                              capsys: pytest.CaptureFixture[str], fresh_guard: None) -> None:
    study, out, before = _report_once(earlier_report, tmp_path)
    code, err = _botwatch(["report", str(study), "-o", str(out / "r.html"), "--title", "another title"], capsys)
    assert code == 0, err
    html = (out / "r.html").read_text(encoding="utf-8")
    assert "another title" in html and 'href="r-data/accounts.csv"' in html and ".botwatch-tmp-" not in html
    assert (out / "r-data" / "my-notes.txt").read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in out.iterdir()) == ["r-data", "r.html"]
    assert set(_snapshot(out)) == set(before)
