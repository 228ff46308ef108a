"""Every message that asks for an election the user must choose writes the one placeholder,
`ELECTION` (`staleness.ELECTION_PLACEHOLDER`), and says once what goes there.

The same slot read ELECTION (staleness, export), NAME (`content evaluate`), PRESET (`impact`, the
empty report) and KEY_OR_FILE (the mixed-elections banner): four words for one thing, and PRESET
or NAME hid that `--election` takes an election TOML file as well as a preset.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.report.staleness import ELECTION_PLACEHOLDER, election_placeholder_said

SAID = "put in place of ELECTION the election to analyse for (a preset, `botwatch elections list`, or a TOML file)"
OLD = ("--election NAME", "--election PRESET", "--election KEY_OR_FILE")


def _said(output: str) -> str:
    return " ".join(output.split())


def _empty_study(tmp_path: Path) -> Path:
    from botwatch import open_study

    with open_study(tmp_path / "e.duckdb", read_only=False):
        pass
    return tmp_path / "e.duckdb"


def test_the_placeholder_and_what_goes_there_are_one_wording() -> None:
    assert ELECTION_PLACEHOLDER == "ELECTION" and election_placeholder_said() == SAID


@pytest.mark.parametrize("cmd", [["content", "evaluate", "{study}", "{labels}"], ["impact", "{study}", "--party", "labour"]])
def test_cli_commands_that_need_analysis_first_write_the_one_placeholder(tmp_path: Path, cmd: list[str]) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    study = _empty_study(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("post_id,party,stance,sentiment\nx,labour,pro,positive\n", encoding="utf-8")
    res = CliRunner().invoke(app, [part.format(study=study, labels=labels) for part in cmd])
    said = _said(res.output)
    assert res.exit_code == 2 and f"--election {ELECTION_PLACEHOLDER}` first, and {SAID}" in said, res.output
    assert not any(old in said for old in OLD), said


def test_mixed_elections_banner_writes_the_one_placeholder(monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.elections import ElectionError
    from botwatch.report.mixed_elections import mixed_elections

    def differ(_study: object) -> None:
        raise ElectionError("the stages were analysed with different elections (content: uk-ge2017; bursts: us-2016)")

    monkeypatch.setattr("botwatch.elections.recorded.study_election_record", differ)
    said = mixed_elections(object())
    assert said is not None and f"`botwatch analyze STUDY --election {ELECTION_PLACEHOLDER}` to analyse every stage with one ({SAID});" in said, said
    assert "KEY_OR_FILE" not in said


def test_empty_report_writes_the_one_placeholder(tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.build import build_report

    with open_study(_empty_study(tmp_path), read_only=True) as st:
        html = build_report(st, tmp_path / "r.html", strict=True).read_text(encoding="utf-8")
    page = _said(html)
    assert "<code>botwatch analyze STUDY --election ELECTION</code> (put in place of ELECTION the election to analyse for" in page, page[:3000]
    assert "--election PRESET" not in page
