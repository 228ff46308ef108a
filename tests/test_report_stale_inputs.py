"""A scale walk: after `analyze`, `botwatch coordination --window 5m --min-repeats 1` rewrote the
clusters while the timeline's `timeline_groups` kept the old ones ("cluster 0" with 4 accounts in
the bundled sample where `cluster_members` now had 8), and `report` and `status` said nothing: the
staleness check knew only of ingests made after the stages ran. The stages' declared inputs (the
registry) now say which stages read old results, by name, with the command that renews them."""

from __future__ import annotations

from pathlib import Path

from test_report_overstate import _cli, _text
from testsupport.study_copies import copy_study

RERUN = "--only timeline --only bursts --only creation --only circadian --only impact"


def _said(output: str) -> str:
    return " ".join(output.split())


def test_coordination_run_again_makes_the_timeline_stale_until_it_runs_again(analysed_sample_path: Path, tmp_path: Path) -> None:
    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    out = tmp_path / "s.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0 and "last ran on earlier results" not in _text(out) + res.output  # analysed at once: nothing behind

    res = runner.invoke(app, ["coordination", str(study), "--window", "5m", "--min-repeats", "1"])
    assert res.exit_code == 0, res.output
    said = _said(res.output)
    assert "warning:" in said and "timeline read cluster_members before coordination rewrote it" in said, said
    assert f"botwatch analyze {study} {RERUN}" in said

    status = _said(runner.invoke(app, ["status", str(study)]).output)
    assert "stale stages:" in status and f"botwatch analyze {study} {RERUN}" in status

    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    text = _text(out)
    assert "A stage ran again after the stages that read its tables." in text
    assert "The analysis stages timeline, bursts, creation, circadian, impact last ran on earlier results" in text
    assert f"Run botwatch analyze s.duckdb {RERUN} to bring them up to date" in text
    assert "timeline read cluster_members before coordination rewrote it" in _said(res.output)

    res = runner.invoke(app, ["analyze", str(study), *RERUN.split()])
    assert res.exit_code == 0 and "earlier results" not in res.output, res.output
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0 and "last ran on earlier results" not in _text(out) + res.output
    assert "stale stages" not in runner.invoke(app, ["status", str(study)]).output


def test_a_stage_run_alone_says_which_later_stages_read_its_old_tables(analysed_sample_path: Path, tmp_path: Path) -> None:
    """`analyze --only timeline` renews the timeline; bursts, creation, circadian and impact keep
    what they built from the one before."""
    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    res = runner.invoke(app, ["analyze", str(study), "--only", "timeline"])
    assert res.exit_code == 0, res.output
    said = _said(res.output)
    assert "bursts read timeline before timeline rewrote it" in said
    assert f"botwatch analyze {study} --only bursts --only creation --only circadian --only impact" in said


def test_the_banner_escapes_the_study_name() -> None:
    from botwatch.report.staleness import BehindInputs

    s = BehindInputs([("timeline", "cluster_members", "coordination")], ["timeline"])
    html = str(s.sentence("<b>x</b>\u202e.duckdb", html=True))
    assert "<code>botwatch analyze &#39;&lt;b&gt;x&lt;/b&gt;⟨U+202E⟩.duckdb&#39; --only timeline</code>" in html
    assert s.sentence("s.duckdb").startswith("The analysis stage timeline last ran on earlier results (timeline read cluster_members")
