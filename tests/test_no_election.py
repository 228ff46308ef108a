"""`analyze --no-election`: re-analyse a study without the election it recorded.

`analyze` and `estimate` without `--election` reuse the election the study recorded (so that a
plain re-run does not silently drop the home-country prior), which left no way to score a study
analysed for an election with none at all: leaving the option out now meant "the recorded one".
`--no-election` runs with none, says so, records it (`no_election` in `runs.params`) so that a later
plain `analyze` keeps none instead of bringing back the election an older stage run recorded, and
the report's reproduction steps name it. With `--election` it is one error line; `estimate`, which
estimates each party of an election, refuses it in one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app


def _study(tmp_path: Path, sample_study_path: Path) -> Path:
    dst = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, dst)
    return dst


@pytest.fixture(scope="module")
def scored_us_path(scored_us_sample_path: Path) -> Path:
    """The sample after `analyze --election us-2016 --only accounts` (five tests began with that
    same command on their own copy): the session's `scored_us_sample_path`, which
    test_recorded_election_reuse shares. Read only: tests copy it."""
    return scored_us_sample_path


@pytest.fixture(scope="module")
def rescored_none_path(scored_us_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`scored_us_path` then `analyze --no-election --only accounts`, once for the module (four
    tests ran that pair first). Read only: tests copy it."""
    study = _study(tmp_path_factory.mktemp("rescored_none"), scored_us_path)
    res = CliRunner().invoke(app, ["analyze", str(study), "--no-election", "--only", "accounts"])
    assert res.exit_code == 0, res.output
    return study


@pytest.fixture(scope="module")
def reanalysed_none_path(reanalysed_none_sample_path: Path) -> Path:
    """The sample analysed with us-2016, every stage (the session's `analysed_sample_path`), then a
    full `analyze --no-election --sample-rate 0.01`: the session's `reanalysed_none_sample_path`,
    which test_report_stale_inputs shares (the impact, the report and the Methods tests each ran
    that pair of full analyses on their own copy; the Methods test reads the sample rate). Read
    only: tests copy it."""
    return reanalysed_none_sample_path


@pytest.fixture(scope="module")
def reanalysed_none_page(reanalysed_none_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """`report -o r.html --no-exports` of a copy of `reanalysed_none_path`, once for the module: the
    report and the Methods tests each wrote this same page. The page's text."""
    where = tmp_path_factory.mktemp("reanalysed_none_page")
    study = _study(where, reanalysed_none_path)
    res = CliRunner().invoke(app, ["report", str(study), "-o", str(where / "r.html"), "--no-exports"])
    assert res.exit_code == 0, res.output
    return (where / "r.html").read_text(encoding="utf-8")


def _params(path: Path, stage: str) -> list[dict]:
    from botwatch import open_study

    with open_study(path) as st:
        rows = st.sql("SELECT params FROM runs WHERE stage = ? AND status = 'ok' ORDER BY finished_at", [stage])
    return [json.loads(p) for (p,) in rows]


def _foreign_known(path: Path) -> int:
    from botwatch import open_study

    with open_study(path) as st:
        return int(st.sql("SELECT count(*) FILTER (WHERE foreign_origin IS NOT NULL) FROM account_scores")[0][0])


def test_no_election_rescoring_a_study_analysed_with_one(tmp_path: Path, scored_us_path: Path) -> None:
    study = _study(tmp_path, scored_us_path)
    runner = CliRunner()
    assert _foreign_known(study) > 0
    res = runner.invoke(app, ["analyze", str(study), "--no-election", "--only", "accounts"])
    assert res.exit_code == 0, res.output
    assert "no election (--no-election)" in res.output and "using the election" not in res.output
    last = _params(study, "accounts")[-1]
    assert last["election"] is None and last["no_election"] is True
    assert _foreign_known(study) == 0  # no home country: P(outside home) is not computed


def test_a_plain_analyze_after_no_election_keeps_none(tmp_path: Path, rescored_none_path: Path) -> None:
    study = _study(tmp_path, rescored_none_path)
    runner = CliRunner()
    again = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert again.exit_code == 0, again.output
    assert "using no election, as this study was last analysed with --no-election" in again.output
    assert _params(study, "accounts")[-1].get("no_election") is True  # recorded again: still none on purpose
    assert _foreign_known(study) == 0
    back = runner.invoke(app, ["analyze", str(study), "--election", "us-2016", "--only", "accounts"])
    assert back.exit_code == 0 and _foreign_known(study) > 0
    assert "no_election" not in _params(study, "accounts")[-1]


def test_no_election_beside_another_stages_election_is_a_choice_to_make(tmp_path: Path, sample_study_path: Path) -> None:
    from botwatch import open_study

    study = _study(tmp_path, sample_study_path)
    runner = CliRunner()
    assert runner.invoke(app, ["analyze", str(study), "--no-election", "--only", "accounts"]).exit_code == 0
    with open_study(study, read_only=False) as st:  # as an older `analyze --election us-2016` of another stage left it
        st.sql("INSERT INTO runs VALUES ('x', 'bursts', '{\"election\": \"us-2016\"}', '0', now() + INTERVAL 1 SECOND, "
               "now() + INTERVAL 1 SECOND, 'ok', 0, NULL)")
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 2
    assert "different elections" in res.output and "accounts: no election (--no-election)" in res.output and "bursts: us-2016" in res.output


def test_stages_no_election_skipped_keep_their_election_without_a_conflict(tmp_path: Path, sample_study_path: Path) -> None:
    """The documented flow: a full `analyze --election X`, then a full `--no-election`, which skips
    content, creation, impact and estimates (their tables and records stay, naming X). A later plain
    `analyze` stopped with "different elections"; it now keeps none, as the docs say."""
    from botwatch import open_study
    from botwatch.report.mixed_elections import mixed_elections

    study = _study(tmp_path, sample_study_path)
    runner = CliRunner()
    with open_study(study, read_only=False) as st:  # what the full `--election us-2016` left for the stages --no-election skips
        for i, stage in enumerate(("content", "creation", "estimates")):
            st.sql(f"INSERT INTO runs VALUES ('k{i}', ?, '{{\"election\": \"us-2016\"}}', '0', now() - INTERVAL 1 HOUR, "
                   "now() - INTERVAL 1 HOUR, 'ok', 0, NULL)", [stage])
    assert runner.invoke(app, ["analyze", str(study), "--no-election", "--only", "accounts"]).exit_code == 0
    again = runner.invoke(app, ["analyze", str(study), "--only", "coverage"])
    assert again.exit_code == 0, again.output
    assert "using no election, as this study was last analysed with --no-election" in again.output
    with open_study(study) as st:
        assert mixed_elections(st) is None  # and the report shows no "different elections" banner


def test_election_and_no_election_together_is_one_line(tmp_path: Path, sample_study_path: Path) -> None:
    study = _study(tmp_path, sample_study_path)
    for cmd in ("analyze", "estimate"):
        res = CliRunner().invoke(app, [cmd, str(study), "--election", "us-2016", "--no-election"])
        assert res.exit_code == 2, res.output
        assert "--election us-2016 and --no-election contradict each other" in res.output
        assert "Traceback" not in res.output
    assert _params(study, "accounts") == [] or all("no_election" not in p for p in _params(study, "accounts"))


def test_estimate_no_election_says_why_in_one_line(tmp_path: Path, sample_study_path: Path, rescored_none_path: Path) -> None:
    study = _study(tmp_path, sample_study_path)
    runner = CliRunner()
    res = runner.invoke(app, ["estimate", str(study), "--no-election"])
    assert res.exit_code == 2 and "estimate needs an election" in res.output and "botwatch analyze STUDY --no-election" in res.output
    # then `analyze --election us-2016 --only accounts` and `--no-election --only accounts`: the module's study
    study = _study(tmp_path, rescored_none_path)
    plain = runner.invoke(app, ["estimate", str(study)])
    assert plain.exit_code == 2 and "this study was last analysed with --no-election" in plain.output


def test_only_a_stage_needing_an_election_with_no_election(tmp_path: Path, sample_study_path: Path) -> None:
    study = _study(tmp_path, sample_study_path)
    res = CliRunner().invoke(app, ["analyze", str(study), "--no-election", "--only", "content"])
    assert res.exit_code == 2 and "content needs --election (this run has none: --no-election" in res.output


def test_the_reproduction_steps_name_no_election(tmp_path: Path, rescored_none_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.reproduce import reproduction

    study = _study(tmp_path, rescored_none_path)
    with open_study(study) as st:
        steps = reproduction(st, "s.duckdb")["steps"]
    assert steps[-2].startswith("botwatch analyze s.duckdb --election us-2016")
    assert steps[-1].startswith("botwatch analyze s.duckdb --no-election") and "--election " not in steps[-1]


def test_help_names_the_option() -> None:
    """analyze lists --no-election; estimate, which refuses it (estimates are per party of an
    election), no longer lists it (tests/test_walk2_help.py holds the refusal)."""
    for cmd, listed in (("analyze", True), ("estimate", False)):
        res = CliRunner().invoke(app, [cmd, "--help"], env={"COLUMNS": "200"})
        assert res.exit_code == 0 and ("--no-election" in res.output) is listed


def test_coordination_keeps_the_studys_no_election(tmp_path: Path, rescored_none_path: Path) -> None:
    """`botwatch coordination` without `--election` recorded neither the election nor
    `--no-election`, so a study last analysed with none lost that record stage by stage; it now
    takes the study's choice as `analyze` does and records it again."""
    study = _study(tmp_path, rescored_none_path)
    runner = CliRunner()
    res = runner.invoke(app, ["coordination", str(study), "--window", "60s"])
    assert res.exit_code == 0, res.output
    assert "using no election, as this study was last analysed with --no-election" in res.output
    last = _params(study, "coordination")[-1]
    assert last.get("no_election") is True and last.get("election") is None
    given = runner.invoke(app, ["coordination", str(study), "--window", "60s", "--election", "us-2016"])
    assert given.exit_code == 0, given.output
    assert _params(study, "coordination")[-1]["election"] == "us-2016" and "no_election" not in _params(study, "coordination")[-1]


def test_coordination_keeps_the_studys_election(tmp_path: Path, scored_us_path: Path) -> None:
    """And a study analysed with an election: a plain `coordination` records it, where it recorded none."""
    study = _study(tmp_path, scored_us_path)
    runner = CliRunner()
    res = runner.invoke(app, ["coordination", str(study), "--window", "60s"])
    assert res.exit_code == 0, res.output
    assert _params(study, "coordination")[-1]["election"] == "us-2016"


def test_impact_after_no_election_needs_one_in_one_line(tmp_path: Path, reanalysed_none_path: Path) -> None:
    """`impact` took the election an older stage recorded (its merged record) on a study last analysed
    with `--no-election`, and recorded it: it now stops as `analyze --only impact` does."""
    from botwatch import open_study

    study = _study(tmp_path, reanalysed_none_path)  # a full `analyze --election us-2016`, then a full `--no-election`
    runner = CliRunner()
    with open_study(study) as st:
        before = st.count("runs")
    res = runner.invoke(app, ["impact", str(study), "--party", "trump", "--freq", "1d"])
    assert res.exit_code == 2 and "impact needs --election (this study was last analysed with --no-election)" in res.output
    with open_study(study) as st:
        assert st.count("runs") == before


def test_report_after_no_election_names_no_election(reanalysed_none_page: str) -> None:
    """The report took its election from the merged run records, where the content stage's older
    election (a `--no-election` run records none, which does not override it) still won: a study
    re-analysed with none was titled, and its Parties and creation figures shown, for us-2016."""
    import re

    page = reanalysed_none_page  # the report of the analysed sample after a full `analyze --no-election`
    assert re.search(r'<p class="kicker">botwatch report</p>', page)
    assert "US presidential election 2016" not in page
    assert 'id="parties"' not in page and "Republicans (Trump)" not in page
    assert "Accounts that posted in the election window, created after the election was called" not in page
    assert "this study was last analysed with --no-election" in page  # the impact test says why it is missing


def test_methods_after_no_election_says_no_estimates_and_no_scaling(reanalysed_none_path: Path, reanalysed_none_page: str) -> None:
    """Methods described the older election's estimates table ("counts and shares per group and
    party with 95% intervals") and, with a sample rate given, "platform-wide counts of posts are the
    archive's counts divided by 0.01", of a report that shows no estimates: a study analysed with
    --no-election has none, and nothing in its report is scaled."""
    import re

    assert _params(reanalysed_none_path, "accounts")[-1].get("sample_rate") == 0.01  # the rate was given
    page = reanalysed_none_page  # the analysed sample after `analyze --no-election --sample-rate 0.01`, reported
    methods = " ".join(re.sub(r"<[^>]+>", " ", page[page.index('id="methods"'):]).split())
    assert "Counts and shares per group and party with 95% intervals" not in methods
    assert "platform-wide counts" not in methods and "divided by" not in methods and "run with a sample rate" not in methods
    assert "No estimates: the study was last analysed with --no-election" in methods
    assert "nothing in this report is scaled to the whole platform" in methods


def test_impact_on_a_study_never_analysed_with_an_election_needs_one(tmp_path: Path, sample_study_path: Path) -> None:
    """A study analysed without any election took any --party, ran the stage and said "the posts
    are not labelled for parties yet (run the content stage)", exit 1, though content had run."""
    from botwatch import open_study

    study = _study(tmp_path, sample_study_path)
    runner = CliRunner()
    assert runner.invoke(app, ["analyze", str(study), "--only", "timeline"]).exit_code == 0
    with open_study(study) as st:
        before = st.count("runs")
    res = runner.invoke(app, ["impact", str(study), "--party", "lab"])
    assert res.exit_code == 2 and "impact needs --election (this study was not analysed with one)" in res.output, res.output
    assert "content stage" not in res.output
    with open_study(study) as st:
        assert st.count("runs") == before
