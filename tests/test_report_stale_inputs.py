"""A scale walk: after `analyze`, `botwatch coordination --window 5m --min-repeats 1` rewrote the
clusters while the timeline's `timeline_groups` kept the old ones ("cluster 0" with 4 accounts in
the bundled sample where `cluster_members` now had 8), and `report` and `status` said nothing: the
staleness check knew only of ingests made after the stages ran. The stages' declared inputs (the
registry) now say which stages read old results, by name, with the command that renews them."""

from __future__ import annotations

import re
import shlex
from importlib.resources import files
from pathlib import Path

import pytest

from test_report_overstate import _cli, _text
from testsupport.study_copies import copy_study

RERUN = "--only timeline --only bursts --only creation --only circadian --only impact"
OWN_STAGES = "--only creation --only impact --only estimates"


def _said(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture(scope="module")
def recoordinated(analysed_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The analysed sample after `botwatch coordination --window 5m --min-repeats 1` (exit 0), once
    for the module, and what that command said (`_said`): two tests ran it on their own copies.
    Read only: tests copy it (the command's words name this path)."""
    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path_factory.mktemp("recoordinated") / "s.duckdb")
    res = runner.invoke(app, ["coordination", str(study), "--window", "5m", "--min-repeats", "1"])
    assert res.exit_code == 0, res.output
    return study, _said(res.output)


def test_coordination_run_again_makes_the_timeline_stale_until_it_runs_again(
        analysed_sample_path: Path, recoordinated: tuple[Path, str], tmp_path: Path) -> None:
    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    out = tmp_path / "s.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0 and "last ran on earlier results" not in _text(out) + res.output  # analysed at once: nothing behind

    ran, said = recoordinated  # `coordination --window 5m --min-repeats 1` on the analysed sample
    assert "warning:" in said and "timeline read cluster_members before coordination rewrote it" in said, said
    assert f"botwatch analyze {ran} {RERUN}" in said
    study = copy_study(ran, study)

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


def test_coordination_run_again_with_the_same_clusters_leaves_nothing_stale(analysed_sample_path: Path, tmp_path: Path) -> None:
    """`analyze --only coordination` with the settings the study was analysed with finds the very
    same clusters: the timeline and the stages after it read what the study still holds, yet they
    were called stale in `status` and the report. The digest the coordination run records of its
    clusters tells such a rewrite apart (one that changes them: the test above)."""
    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    res = runner.invoke(app, ["analyze", str(study), "--only", "coordination"])
    assert res.exit_code == 0 and "earlier results" not in res.output, res.output
    assert "cluster numbers changed" not in res.output, res.output  # the same clusters, as this test needs
    assert "stale stages" not in runner.invoke(app, ["status", str(study)]).output
    out = tmp_path / "s.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0 and "last ran on earlier results" not in _text(out) + res.output


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


def test_export_of_a_table_built_on_old_results_says_so_once(
        analysed_sample_path: Path, recoordinated: tuple[Path, str], tmp_path: Path) -> None:
    """After `botwatch coordination` alone, `export` wrote the timeline's tables, still built on the
    old clusters, without a word where `report` warned: now one warning on stderr, in the report's
    words and with its command, for the whole command; the export itself goes on (exit 0)."""
    runner, app = _cli()
    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    res = runner.invoke(app, ["export", str(study), "timeline_groups", "-o", str(tmp_path / "before.csv")])
    assert res.exit_code == 0 and "earlier results" not in res.output, res.output
    study = copy_study(recoordinated[0], study)  # after `coordination --window 5m --min-repeats 1` (exit 0)

    res = runner.invoke(app, ["export", str(study), "timeline_groups", "bursts", "posts", "-o", str(tmp_path / "out"), "--format", "csv"])
    assert res.exit_code == 0, res.output
    said = _said(res.stderr)
    assert said.count("last ran on earlier results") == 1, said
    assert "warning: timeline_groups, bursts: The analysis stages timeline, bursts, creation, circadian, impact last ran on earlier results" in said, said
    assert f"Run `botwatch analyze {study} {RERUN}` to bring them up to date and export them again." in said
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(tmp_path / "posts.csv")])
    assert res.exit_code == 0 and "earlier results" not in res.output, res.output  # no stage behind made it


def test_after_no_election_the_stale_stages_command_names_the_election(reanalysed_none_sample_path: Path, tmp_path: Path) -> None:
    """A whole `analyze --no-election` after one with us-2016 skips creation, impact and estimates,
    which keep tables built on the earlier timeline and scores; the command said to renew them,
    `analyze --only creation ...`, failed with "need --election" (the study records --no-election).
    It now names the election those stages were made with, and running it clears the warning.
    (The session's `reanalysed_none_sample_path` is that pair of whole analyses, its exit 0 asserted.)"""
    runner, app = _cli()
    study = copy_study(reanalysed_none_sample_path, tmp_path / "s.duckdb")
    out = tmp_path / "s.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0, res.output
    renew = "--only creation --only impact --only estimates --election us-2016"
    assert f"botwatch analyze {study} {renew}`" in _said(res.output), res.output
    assert f"Run botwatch analyze s.duckdb {renew} to bring them up to date" in _text(out)

    res = runner.invoke(app, ["analyze", str(study), *renew.split()])
    assert res.exit_code == 0 and "earlier results" not in res.output, res.output
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports"])
    assert res.exit_code == 0 and "last ran on earlier results" not in _text(out) + res.output, res.output


def test_the_stages_no_run_names_an_election_for_are_said_to_need_one() -> None:
    from botwatch.report.staleness import BehindInputs

    s = BehindInputs([("creation", "timeline_groups", "timeline")], ["creation"], None, ("creation",))
    said = s.sentence("s.duckdb")
    assert "`botwatch analyze s.duckdb --only creation --election ELECTION`" in said
    assert said.endswith("creation needs --election, and the study was last analysed with --no-election: in the command, put in place of "
                         "ELECTION the election to analyse for (a preset, `botwatch elections list`, or a TOML file).")


@pytest.fixture(scope="module")
def own_election_then_none(analysed_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The analysed sample with content, creation, impact and estimates run again for a user's
    TOML file (us-2016's text under the key my-us, at a path with a blank), then a whole `analyze
    --no-election`, both exit 0, once for the module: two tests began with those two commands.
    Returns the study, the election file the study recorded and that file's text. Read only: tests
    copy the study; the one test that moves the file puts it back (the study names its path)."""
    runner, app = _cli()
    folder = tmp_path_factory.mktemp("own_election")
    study = copy_study(analysed_sample_path, folder / "s.duckdb")
    mine = folder / "my election.toml"
    text = (files("botwatch.elections") / "presets" / "us-2016.toml").read_text(encoding="utf-8").replace('key = "us-2016"', 'key = "my-us"', 1)
    mine.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(study), "--only", "content", *OWN_STAGES.split(), "--election", str(mine)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["analyze", str(study), "--no-election"])
    assert res.exit_code == 0, res.output
    return study, mine, text


def test_after_no_election_a_users_election_file_is_named_by_its_path(own_election_then_none: tuple[Path, Path, str], tmp_path: Path) -> None:
    """Stages last run with a user's TOML file: its key names no preset, so the renew command
    names the file the study recorded reading, which `analyze --election` takes again."""
    runner, app = _cli()
    shared, mine, _ = own_election_then_none
    study = copy_study(shared, tmp_path / "s.duckdb")
    said = _said(runner.invoke(app, ["status", str(study)]).output)
    assert f"{OWN_STAGES} --election '{mine}'`" in said, said
    res = runner.invoke(app, ["analyze", *shlex.split(re.search(r"stale stages: .*?`botwatch analyze (.*?)`", said).group(1))])
    assert res.exit_code == 0 and "earlier results" not in res.output, res.output
    assert "stale stages" not in runner.invoke(app, ["status", str(study)]).output


def _follow_advice(runner, app, study: Path, most: int = 2) -> list[str]:  # type: ignore[no-untyped-def]
    """Run each command `status` suggests for the stale stages until it suggests none, at most
    `most` of them, and return them; each must run without refusal."""
    ran: list[str] = []
    while (m := re.search(r"stale stages: .*?`botwatch analyze (.*?)`", _said(runner.invoke(app, ["status", str(study)]).output))) is not None:
        assert len(ran) < most, f"still stale after {ran}"
        ran.append(m.group(1))
        res = runner.invoke(app, ["analyze", *shlex.split(m.group(1))])
        assert res.exit_code == 0 and "error" not in res.output, res.output
    return ran


def test_following_the_advice_after_relabelling_and_no_election_converges(uk_analysed_v1_path: Path, tmp_path: Path) -> None:
    """Analysed for uk-ge2017, labelled again for us-2016 (`--only content`), then a whole
    `analyze --no-election`. The renew command (`--only content --only creation ... --election
    uk-ge2017`) relabelled the posts, so the timeline, run with --no-election, read old labels (its
    party series are the labels' parties), and the next command, `--only timeline ... --election
    uk-ge2017`, recorded that election for timeline, bursts and circadian beside coverage and
    accounts' --no-election: every later plain `analyze` refused ("analysed with different
    elections"). The command is now one whole `analyze --election uk-ge2017`, from that state and
    from the one the old first command left."""
    runner, app = _cli()
    study = copy_study(uk_analysed_v1_path, tmp_path / "s.duckdb")  # `v1_uklabour.jsonl` ingested and analysed for uk-ge2017 (exit 0)
    assert runner.invoke(app, ["analyze", str(study), "--only", "content", "--election", "us-2016"]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--no-election"]).exit_code == 0
    walked = copy_study(study, tmp_path / "old.duckdb")
    said = _said(runner.invoke(app, ["status", str(study)]).output)
    assert f"`botwatch analyze {study} --election uk-ge2017`" in said, said
    assert ("The posts are labelled for us-2016, not for the election those stages were made with, which they need, and labelling "
            "them again leaves timeline, bursts, circadian behind as well: they need no election and last ran with --no-election") in said, said
    assert _follow_advice(runner, app, study) == [f"{study} --election uk-ge2017"]
    res = runner.invoke(app, ["analyze", str(study)])
    assert res.exit_code == 0 and "different elections" not in res.output, res.output
    assert "stale stages" not in runner.invoke(app, ["status", str(study)]).output

    # The state the old advice's first command left: content, creation, impact and estimates for
    # uk-ge2017, the timeline still --no-election and behind the new labels.
    old = "--only content --only creation --only impact --only estimates --election uk-ge2017"
    assert runner.invoke(app, ["analyze", str(walked), *old.split()]).exit_code == 0
    assert "timeline read post_labels before content rewrote it" in _said(runner.invoke(app, ["status", str(walked)]).output)
    assert _follow_advice(runner, app, walked) == [f"{walked} --election uk-ge2017"]
    res = runner.invoke(app, ["analyze", str(walked)])
    assert res.exit_code == 0 and "different elections" not in res.output, res.output


def test_the_relabelling_is_said_only_where_the_labels_are_for_another_election() -> None:
    from botwatch.report.staleness import BehindInputs

    s = BehindInputs([("estimates", "post_labels", "content")], ["estimates"], "us-2016", (), "uk-ge2017")
    assert "`botwatch analyze s.duckdb --only content --only estimates --election us-2016`" in s.sentence("s.duckdb")
    assert "labels them again first" not in BehindInputs([("estimates", "post_labels", "content")], ["estimates"], "us-2016").sentence("s.duckdb")

def test_a_renewal_that_would_mix_no_election_and_an_election_is_a_whole_analyze() -> None:
    """`whole_for`: the command drops its `--only` list, keeps the election, and says why, in a
    terminal and on a page (the study's name escaped there)."""
    from botwatch.report.staleness import BehindInputs

    s = BehindInputs([("timeline", "post_labels", "content")], ["timeline", "impact"], "uk-ge2017", (), None, ("timeline",))
    text = s.sentence("s.duckdb")
    assert "`botwatch analyze s.duckdb --election uk-ge2017`" in text and "--only" not in text, text
    assert "timeline needs no election and last ran with --no-election" in text and "labelling" not in text, text
    page = str(s.sentence("<b>.duckdb", html=True))
    assert "<code>botwatch analyze &#39;&lt;b&gt;.duckdb&#39; --election uk-ge2017</code>" in page and "<b>" not in page, page


def test_after_no_election_a_moved_or_edited_election_file_is_not_named(own_election_then_none: tuple[Path, Path, str], tmp_path: Path) -> None:
    """The renew command named the path the study recorded even where that file had moved ("no
    election file at ..." when run) or now held another election (the stages renewed with it, not
    the one they were said to be made with): there the sentence asks for `--election` instead."""
    runner, app = _cli()
    shared, mine, text = own_election_then_none
    study = copy_study(shared, tmp_path / "s.duckdb")
    moved = mine.rename(tmp_path / "elsewhere.toml")
    try:
        said = _said(runner.invoke(app, ["status", str(study)]).output)
        assert "stale stages:" in said and str(mine) not in said, said
        assert "creation, impact, estimates need --election, and the study was last analysed with --no-election" in said, said
        mine.write_text(text.replace("\n", "\n# edited\n", 1), encoding="utf-8")  # back in place, but another text
        said = _said(runner.invoke(app, ["status", str(study)]).output)
        assert str(mine) not in said and "need --election" in said, said
    finally:
        moved.replace(mine)  # the very file again, as the module's other test reads it
    assert f"--election '{mine}'`" in _said(runner.invoke(app, ["status", str(study)]).output)  # named


def test_after_one_stage_ran_with_an_edited_election_file_the_advice_runs(tmp_path: Path) -> None:
    """A data desk's walk: analysed with its own election file, the file edited, then `analyze
    --only content --election FILE`. `status` and `analyze` said to run `analyze STUDY --only
    timeline ...`, which `analyze` refused with exit 2 ("analysed with different elections"). The
    command is now a whole `analyze --election FILE` (the file content last ran with, while it holds
    that text), and following it leaves nothing stale; a file edited again is not named."""
    from test_report_review_stale import FIX

    runner, app = _cli()
    study = tmp_path / "s.duckdb"
    mine = tmp_path / "mine.toml"
    text = (files("botwatch.elections") / "presets" / "uk-ge2017.toml").read_text(encoding="utf-8").replace('key = "uk-ge2017"', 'key = "my-uk"', 1)
    mine.write_text(text, encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--election", str(mine)]).exit_code == 0
    mine.write_text(text + "\n# edited: a keyword more\n", encoding="utf-8")
    res = runner.invoke(app, ["analyze", str(study), "--only", "content", "--election", str(mine)])
    assert res.exit_code == 0, res.output
    assert f"`botwatch analyze {study} --election {mine}`" in _said(res.output), res.output
    walked = copy_study(study, tmp_path / "again.duckdb")
    said = _said(runner.invoke(app, ["status", str(study)]).output)
    assert "analysed with different elections" in said and "the one content last ran with" in said, said
    assert _follow_advice(runner, app, study) == [f"{study} --election {mine}"]
    res = runner.invoke(app, ["analyze", str(study)])
    assert res.exit_code == 0 and "different elections" not in res.output, res.output

    mine.write_text(text, encoding="utf-8")  # edited again: the study's copy no longer matches it
    said = _said(runner.invoke(app, ["status", str(walked)]).output)
    assert f"`botwatch analyze {walked} --election ELECTION`" in said and "put in place of ELECTION" in said, said
    assert runner.invoke(app, ["ingest", str(walked), str(FIX / "twarc2_two_tweets.jsonl.gz")]).exit_code == 0  # posts after the stages
    said = _said(runner.invoke(app, ["status", str(walked)]).output)
    assert f"`botwatch analyze {walked} --election ELECTION` to refresh them" in said, said

    # A run cut off (status `failed`) or killed (`running`, never ended) in that study: the same command.
    from botwatch.report.staleness import cut_off_stages
    from botwatch.study import RUNNING, Study

    with Study(walked) as st:
        st.sql("INSERT INTO runs VALUES ('f', 'estimates', '{}', '0', now(), now(), 'failed', 0, 'interrupted')")
        assert f"`botwatch analyze {walked} --election ELECTION` to finish" in cut_off_stages(st).sentence(str(walked))
        st.sql(f"INSERT INTO runs VALUES ('k', 'estimates', '{{}}', '0', now(), NULL, '{RUNNING}', 0, NULL)")
    said = _said(runner.invoke(app, ["status", str(walked)]).output)
    assert "cut off: the latest run of estimates" in said and f"run `botwatch analyze {walked} --election ELECTION` again" in said, said


def test_after_a_rerun_from_the_studys_copy_the_renew_command_still_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`analyze --election mine.toml`, then a plain `analyze` (which runs from the study's copy and
    records "the study's record of KEY", no file), then `--no-election`: the renew command gave the
    ELECTION placeholder though mine.toml still held the recorded text. It looks back through the
    older runs for the file given, as the "edited since" note does. The file is given by a relative
    path, and `status` runs from another folder: the study records the absolute one.

    On the six posts of `v1_uklabour.jsonl`, not the bundled sample: the renew command is read from
    the runs table, whatever the stages found, and the first command is a whole `analyze` (every
    stage on the sample cost some 8 CPU-s of the test's 16; here about 2)."""
    from test_report_review_stale import FIX

    runner, app = _cli()
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    (tmp_path / "desk").mkdir()
    mine = tmp_path / "desk" / "mine.toml"
    mine.write_text((files("botwatch.elections") / "presets" / "us-2016.toml").read_text(encoding="utf-8").replace('key = "us-2016"', 'key = "my-us"', 1), encoding="utf-8")
    monkeypatch.chdir(tmp_path / "desk")
    for args in (["--election", "mine.toml"], ["--only", "content", *OWN_STAGES.split()], ["--no-election"]):
        res = runner.invoke(app, ["analyze", str(study), *args])
        assert res.exit_code == 0, res.output
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text('key = "other"\ncountry = "GB"\n', encoding="utf-8")  # same name, another folder
    said = _said(runner.invoke(app, ["status", str(study)]).output)
    assert f"{OWN_STAGES} --election {mine}`" in said, said


def test_paths_relative_to_rewrites_the_election_file_of_a_renew_command(own_election_then_none: tuple[Path, Path, str], tmp_path: Path) -> None:
    """`report --paths-relative-to DIR` showed the election file relative to DIR in the stage table
    but by its absolute path in the banner's renew command (the study records it absolute): one
    file two ways on the page, and the author's folders named after all."""
    runner, app = _cli()
    shared, mine, _ = own_election_then_none
    study = copy_study(shared, tmp_path / "s.duckdb")
    out = tmp_path / "s.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports", "--paths-relative-to", str(mine.parent)])
    assert res.exit_code == 0, res.output
    text = _said(_text(out))
    said = text[text.index("last ran on earlier results"):][:600]
    assert f"{OWN_STAGES} --election 'my election.toml' to bring them up to date" in said, said
    assert str(mine.parent) not in text


def test_paths_relative_to_rewrites_the_election_file_of_the_model_changed_banners(own_election_then_none: tuple[Path, Path, str], tmp_path: Path) -> None:
    """The content-model and account-model banners name a whole `analyze --election FILE` too (after
    `--no-election`, the file content and the accounts' stages were made with): under
    `--paths-relative-to` they named it by its absolute path, the author's folders, where the
    stale-stages banner beside them showed it relative."""
    import json

    from botwatch import open_study

    runner, app = _cli()
    shared, mine, _ = own_election_then_none
    study = copy_study(shared, tmp_path / "s.duckdb")
    with open_study(study, read_only=False) as st:  # labels and scores as if earlier model files had made them
        for run_id, stage, params in st.sql("SELECT run_id, stage, params FROM runs WHERE stage IN ('content', 'accounts')"):
            p = json.loads(params)
            p["content_model_sha256" if stage == "content" else "origin_model_sha256"] = "ab" * 32
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps(p, sort_keys=True), run_id])
    out = tmp_path / "s.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--no-exports", "--paths-relative-to", str(mine.parent)])
    assert res.exit_code == 0, res.output
    text = _said(_text(out))
    said = text[text.index("other content model files than this botwatch ships"):][:900]
    assert "--election 'my election.toml' to label the posts again" in said, said
    assert str(mine.parent) not in text
