"""A reviewer ingested more posts into an analysed study: the report's headline and coverage showed
3,701 posts while Parties said "110 of 3,202 posts" and the account scores were the old ones, with
no warning, and `status` flagged nothing. `report` (banner + warning) and `status` now say it."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_report_overstate import _cli, _text
from testsupport.study_copies import copy_study

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


@pytest.fixture(scope="module")
def estimated_uk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """UK Labour's v1.1 statuses ingested, then `estimate -e uk-ge2017`, both exit 0, once for the
    module: five tests began with those two commands. Read only: tests copy it."""
    runner, app = _cli()
    study = tmp_path_factory.mktemp("estimated_uk") / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["estimate", str(study), "-e", "uk-ge2017"])
    assert res.exit_code == 0, res.output
    return study


def test_posts_ingested_after_the_analysis_are_flagged_by_report_and_status(estimated_uk: Path, tmp_path: Path) -> None:
    runner, app = _cli()
    study = copy_study(estimated_uk, tmp_path / "s.duckdb")  # ingested, then `estimate -e uk-ge2017`
    out = tmp_path / "s.html"
    # Fresh: no banner, no warning.
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0 and "after the analysis" not in _text(out) and "refresh" not in res.output
    assert "stale analysis" not in runner.invoke(app, ["status", str(study)]).output
    # An ingest that stores nothing new changes nothing.
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert "stale analysis" not in runner.invoke(app, ["status", str(study)]).output
    res = runner.invoke(app, ["ingest", str(study), str(FIX / "twarc2_flat.jsonl")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    text = _text(out)
    assert "Posts were added after the analysis." in text
    assert "4 posts were ingested" in text and "after the analysis stages content, estimates last ran" in text
    assert "Run botwatch analyze s.duckdb to refresh them" in text and "same --election" not in text  # analyze reuses the recorded election
    assert text.count("posts were ingested") == 1  # one wording, from `StaleAnalysis.sentence`
    said = " ".join(res.output.split())
    assert "warning:" in said and "after the analysis stages content, estimates last ran" in said and "botwatch analyze" in said
    status = " ".join(runner.invoke(app, ["status", str(study)]).output.split())
    assert "stale analysis:" in status and "estimates" in status and "botwatch analyze" in status
    assert "same --election" not in said and "same --election" not in status


def test_the_banner_escapes_the_study_name() -> None:
    from datetime import datetime

    from botwatch.report.staleness import StaleAnalysis

    s = StaleAnalysis(stages=["content"], posts_added=3, ingested_at=datetime(2026, 1, 1))
    html = str(s.sentence("<b>x</b>\u202e.duckdb", html=True))
    assert "<code>botwatch analyze &#39;&lt;b&gt;x&lt;/b&gt;⟨U+202E⟩.duckdb&#39;</code>" in html  # shell-quoted, then escaped
    import html as html_mod

    assert s.sentence("s.duckdb").replace("`", "") == html_mod.unescape(str(s.sentence("s.duckdb", html=True)).replace("<code>", "").replace("</code>", ""))


def test_posts_stored_by_an_ingest_cut_off_by_ctrl_c_make_the_analysis_stale(estimated_uk: Path, tmp_path: Path) -> None:
    """Ctrl-C during an ingest's second file keeps the first (each file is committed as it ends),
    but the run was recorded "failed" with no rows, and staleness read only "ok" ingests: the
    report then counted the new posts in its headline with no word that the analysis missed them."""
    import pytest

    from botwatch.ingest.runner import ingest
    from botwatch.report.staleness import stale_analysis
    from botwatch.study import Study

    runner, app = _cli()
    study = copy_study(estimated_uk, tmp_path / "s.duckdb")  # ingested, then `estimate -e uk-ge2017`

    def stop(res: object) -> None:
        raise KeyboardInterrupt

    with Study(study) as st:
        with pytest.raises(KeyboardInterrupt):
            ingest(st, [str(FIX / "twarc2_flat.jsonl"), str(FIX / "ira_tweets.csv")], on_file_done=stop, workers=1)
        stale = stale_analysis(st)
        assert st.sql("SELECT status, rows_written FROM runs WHERE stage = 'ingest' ORDER BY finished_at DESC LIMIT 1") == [("failed", 4)]
    assert stale is not None and stale.posts_added == 4 and "estimates" in stale.stages


def test_one_post_added_is_said_in_the_singular() -> None:
    """"1 posts were ingested (last at ...)" in the banner, `report`'s warning and `status`."""
    from datetime import datetime

    from botwatch.report.staleness import StaleAnalysis

    s = StaleAnalysis(stages=["content"], posts_added=1, ingested_at=datetime(2026, 1, 1))
    assert s.sentence("s.duckdb").startswith("1 post was ingested (last at 2026-01-01 00:00 UTC)")
    assert "1 post was ingested" in str(s.sentence("s.duckdb", html=True))
    assert StaleAnalysis(stages=["content"], posts_added=1200, ingested_at=datetime(2026, 1, 1)).sentence().startswith("1,200 posts were ingested")


def _content_cut_by_ctrl_c(study: Path, monkeypatch: "pytest.MonkeyPatch") -> None:
    """A re-run of the content stage for uk-ge2017 on `study`, cut off by Ctrl-C after it replaced
    its tables and before its account-prior step (its run recorded as interrupted)."""
    import pytest

    import botwatch.content.stage as content_stage
    from botwatch.elections import load_election
    from botwatch.pipeline import Context, analyze
    from botwatch.study import Study

    def cut(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(content_stage, "propagate_in_engine", cut)
        with Study(study) as st, pytest.raises(KeyboardInterrupt):
            analyze(st, Context(election=load_election("uk-ge2017"), log=lambda s: None), only=["content"])


def test_a_stage_cut_off_by_ctrl_c_is_flagged_by_report(estimated_uk: Path, tmp_path: Path, monkeypatch: "pytest.MonkeyPatch") -> None:
    """Ctrl-C in a re-run of the content stage, after it had replaced `post_labels` and `post_party`
    but before its account-prior step: the tables held that half run's labels (on a lake, the
    bundled sample's report then read 'democrat:neutral' where the finished run read 'oppose'),
    the stages after it the earlier run's, and the report built every section as if nothing had
    happened, the run's "failed: interrupted (Ctrl-C)" only in the Methods table of runs."""
    runner, app = _cli()
    study = copy_study(estimated_uk, tmp_path / "s.duckdb")  # ingested, then `estimate -e uk-ge2017`
    out = tmp_path / "s.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0 and "did not finish" not in _text(out) and "did not finish" not in res.output

    _content_cut_by_ctrl_c(study, monkeypatch)
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    text = _text(out)
    assert "An analysis stage did not finish." in text
    assert "The latest run of the analysis stage content (interrupted (Ctrl-C)) did not finish" in text
    assert "Run botwatch analyze s.duckdb to finish the analysis" in text
    said = " ".join(res.output.split())
    assert "warning:" in said and "content (interrupted (Ctrl-C)) did not finish" in said
    # Run again to the end, the warning goes.
    assert runner.invoke(app, ["analyze", str(study), "--only", "content"]).exit_code == 0
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0 and "did not finish" not in _text(out) and "did not finish" not in res.output


def test_the_cut_off_banner_shows_hidden_characters_of_a_runs_message() -> None:
    """A failed run's message (a study file carries its `runs` from whoever wrote it; an error may
    quote a file name) reached the banner HTML-escaped but with its U+202E raw, reversing the rest
    of the line; Methods' table of runs showed the same message tagged."""
    from botwatch.report.staleness import CutOffStages

    html = str(CutOffStages([("accounts", "cannot read model \u202egnp.exe")]).sentence(html=True))
    assert "\u202e" not in html
    assert "accounts (cannot read model ⟨U+202E⟩gnp.exe) did not finish" in html


def _status_said(runner, app, study: Path) -> str:  # type: ignore[no-untyped-def]
    return " ".join(runner.invoke(app, ["status", str(study)]).output.split())


def test_after_no_election_the_stale_analysis_command_names_the_election(estimated_uk: Path, tmp_path: Path) -> None:
    """Posts ingested after a whole `analyze --no-election` on a study analysed for uk-ge2017: the
    warning said to run a plain `botwatch analyze`, which reuses --no-election and skips content and
    estimates, so they stayed behind and the warning never went. The command now names the election
    their runs recorded, and running it clears the warning."""
    import re
    import shlex

    runner, app = _cli()
    study = copy_study(estimated_uk, tmp_path / "s.duckdb")  # ingested, then `estimate -e uk-ge2017`
    assert runner.invoke(app, ["analyze", str(study), "--no-election"]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "twarc2_flat.jsonl")]).exit_code == 0
    status = _status_said(runner, app, study)
    assert f"Run `botwatch analyze {study} --election uk-ge2017` to refresh them" in status, status
    cmd = re.search(r"stale analysis: .*?`botwatch analyze (.*?)`", status).group(1)
    res = runner.invoke(app, ["analyze", *shlex.split(cmd)])
    assert res.exit_code == 0, res.output
    assert "stale analysis" not in _status_said(runner, app, study)


def test_the_stages_no_run_names_an_election_for_are_said_to_need_one_after_posts_were_added() -> None:
    from datetime import datetime

    from botwatch.report.staleness import CutOffStages, StaleAnalysis

    said = StaleAnalysis(["content"], 3, datetime(2026, 1, 1), None, ("content",)).sentence("s.duckdb")
    assert "Run `botwatch analyze s.duckdb --election ELECTION` to refresh them" in said
    assert said.endswith("content needs --election, and the study was last analysed with --no-election: in the command, put in place of "
                         "ELECTION the election to analyse for (a preset, `botwatch elections list`, or a TOML file).")
    said = CutOffStages([("content", "interrupted (Ctrl-C)")], "us-2016").sentence("s.duckdb")
    assert "Run `botwatch analyze s.duckdb --election us-2016` to finish the analysis" in said


def test_a_stage_cut_off_before_a_whole_no_election_analyze_gets_a_command_that_finishes_it(estimated_uk: Path, tmp_path: Path, monkeypatch: "pytest.MonkeyPatch") -> None:
    """Content cut off by Ctrl-C, then `analyze --no-election`: a plain `analyze` skipped content,
    which stayed "did not finish"; the command names the election its earlier run recorded."""
    import re
    import shlex

    runner, app = _cli()
    study = copy_study(estimated_uk, tmp_path / "s.duckdb")  # ingested, then `estimate -e uk-ge2017`

    _content_cut_by_ctrl_c(study, monkeypatch)
    assert runner.invoke(app, ["analyze", str(study), "--no-election"]).exit_code == 0
    res = runner.invoke(app, ["report", str(study), "-o", str(tmp_path / "s.html"), "--no-exports"])
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and f"Run `botwatch analyze {study} --election uk-ge2017` to finish the analysis" in said, said
    cmd = re.search(r"did not finish: .*?`botwatch analyze (.*?)`", said).group(1)
    assert runner.invoke(app, ["analyze", *shlex.split(cmd)]).exit_code == 0
    res = runner.invoke(app, ["report", str(study), "-o", str(tmp_path / "s.html"), "--no-exports"])
    assert res.exit_code == 0 and "did not finish" not in res.output, res.output
