"""`analyze --no-election` over a whole study skips the stages that need an election, which then
read tables the run has just rewritten: the run itself says so, in the words `status` and the
report use (`BehindInputs.sentence`), as an `--only` or `--skip` run does; it said nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_report_overstate import _cli
from testsupport.study_copies import copy_study


def _said(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture(scope="module")
def none_after_us(analysed_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the analysed sample (us-2016, every stage) after a whole `analyze --no-election`
    (exit 0), once for the module, and what that command said: the warning test and the `status`
    cut-off test each ran that same whole analysis on their own copy. Read only: a test that writes
    copies it."""
    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path_factory.mktemp("none_after_us") / "s.duckdb")
    res = runner.invoke(app, ["analyze", str(study), "--no-election"])
    assert res.exit_code == 0, res.output
    return study, res.output


def test_a_whole_no_election_analyze_warns_of_the_stages_it_left_stale(none_after_us: tuple[Path, str]) -> None:
    from botwatch.report.staleness import behind_inputs
    from botwatch.study import open_study

    study, output = none_after_us
    with open_study(study) as st:
        behind = behind_inputs(st)
    assert behind is not None and "creation" in behind.rerun, behind
    assert _said(behind.sentence(str(study))) in _said(output), output
    assert "--election us-2016" in _said(output), output  # the command the warning names runs as it is


def test_a_whole_analyze_with_an_election_says_nothing_is_stale(analysed_sample_path: Path, tmp_path: Path) -> None:
    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    res = runner.invoke(app, ["analyze", str(study)])
    assert res.exit_code == 0 and "earlier results" not in res.output, res.output


def test_where_no_election_can_be_named_the_command_holds_the_placeholder_the_sentence_explains() -> None:
    """The renew command stood without `--election` beside "add `--election`": the command now
    holds `--election ELECTION` and the sentence says what to put there, in each of the three
    sentences, in a terminal and on a page."""
    from datetime import datetime

    from botwatch.report.staleness import BehindInputs, CutOffStages, StaleAnalysis

    sentences = {
        "`botwatch analyze s.duckdb --election ELECTION` to refresh": StaleAnalysis(["content"], 3, datetime(2026, 1, 1), None, ("content",)),
        "`botwatch analyze s.duckdb --election ELECTION` to finish": CutOffStages([("content", "interrupted (Ctrl-C)")], None, ("content",)),
        "`botwatch analyze s.duckdb --only creation --election ELECTION` to bring": BehindInputs([("creation", "timeline_groups", "timeline")],
                                                                                                   ["creation"], None, ("creation",)),
    }
    for command, s in sentences.items():
        said = s.sentence("s.duckdb")
        assert command in said, said
        assert "add `--election`" not in said and "put in place of ELECTION the election to analyse for" in said, said
        page = str(s.sentence("s.duckdb", html=True))
        assert "--election ELECTION</code>" in page, page


def test_where_the_election_is_named_no_placeholder_is_written() -> None:
    from datetime import datetime

    from botwatch.report.staleness import StaleAnalysis

    said = StaleAnalysis(["content"], 3, datetime(2026, 1, 1), "us-2016").sentence("s.duckdb")
    assert "`botwatch analyze s.duckdb --election us-2016`" in said and "ELECTION" not in said, said
    said = StaleAnalysis(["coverage"], 3, datetime(2026, 1, 1)).sentence("s.duckdb")
    assert "`botwatch analyze s.duckdb` to refresh" in said and "ELECTION" not in said, said


def test_status_cut_off_line_after_no_election_names_the_election(none_after_us: tuple[Path, str], tmp_path: Path) -> None:
    """A stage that needs an election, left "never finished" after a whole `analyze --no-election`:
    `status`' cut-off line said to run a plain `botwatch analyze STUDY`, which reuses --no-election
    and skips that stage, so the line stayed. It now names the election as the staleness advice does."""
    from botwatch.study import RUNNING, open_study

    runner, app = _cli()
    study = copy_study(none_after_us[0], tmp_path / "s.duckdb")  # after a whole `analyze --no-election`
    with open_study(study, read_only=False) as st:  # creation's run started after it all, and its process died
        st.sql(f"INSERT INTO runs BY NAME SELECT * REPLACE ('{RUNNING}' AS status, NULL AS finished_at, now()::TIMESTAMP AS started_at) "
               "FROM runs WHERE stage = 'creation' QUALIFY row_number() OVER (ORDER BY started_at DESC) = 1")
    res = runner.invoke(app, ["status", str(study)])
    said = _said(res.output)
    assert res.exit_code == 0 and "cut off: the latest run of creation started" in said, res.output
    assert f"run `botwatch analyze {study} --election us-2016` again" in said, said
