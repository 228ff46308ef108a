"""`analyze --no-election` over a whole study skips the stages that need an election, which then
read tables the run has just rewritten: the run itself says so, in the words `status` and the
report use (`BehindInputs.sentence`), as an `--only` or `--skip` run does; it said nothing."""

from __future__ import annotations

from pathlib import Path

from test_report_overstate import _cli
from testsupport.study_copies import copy_study


def _said(output: str) -> str:
    return " ".join(output.split())


def test_a_whole_no_election_analyze_warns_of_the_stages_it_left_stale(analysed_sample_path: Path, tmp_path: Path) -> None:
    from botwatch.report.staleness import behind_inputs
    from botwatch.study import open_study

    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    res = runner.invoke(app, ["analyze", str(study), "--no-election"])
    assert res.exit_code == 0, res.output
    with open_study(study) as st:
        behind = behind_inputs(st)
    assert behind is not None and "creation" in behind.rerun, behind
    assert _said(behind.sentence(str(study))) in _said(res.output), res.output
    assert "--election us-2016" in _said(res.output), res.output  # the command the warning names runs as it is


def test_a_whole_analyze_with_an_election_says_nothing_is_stale(analysed_sample_path: Path, tmp_path: Path) -> None:
    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    res = runner.invoke(app, ["analyze", str(study)])
    assert res.exit_code == 0 and "earlier results" not in res.output, res.output
