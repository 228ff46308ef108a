"""The reproduction block gives back each command the user ran, once, whole, with every option
that changes what it computed or printed; `botwatch report STUDY --reproduce` prints it as a
script; `elections show STUDY --toml` gives back the recorded text even when it no longer parses;
one reader (`botwatch.runs_table`) parses `runs.params` for every caller."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "data" / "sample"


def _copy(tmp_path: Path, sample_study_path: Path) -> Path:
    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    return study


def _steps(study: Path) -> list[str]:
    from botwatch import open_study
    from botwatch.report.reproduce import reproduction

    with open_study(study) as st:
        return reproduction(st, "s.duckdb", max_steps=None)["steps"]


def _ok(*args: str) -> str:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.stdout


def test_each_command_appears_once_and_a_study_without_ids_is_grouped_as_before(tmp_path: Path, sample_study_path: Path) -> None:
    """Two `analyze` runs with the same parameters, one after the other in pipeline order, read as
    one command (`--only coverage --only timeline`) when `runs` had no command id."""
    from botwatch import open_study

    study = _copy(tmp_path, sample_study_path)
    _ok("analyze", str(study), "--only", "coverage")
    _ok("analyze", str(study), "--only", "timeline")
    _ok("analyze", str(study), "--only", "coverage", "--only", "timeline")
    assert _steps(study)[1:] == [
        "botwatch analyze s.duckdb --only coverage",
        "botwatch analyze s.duckdb --only timeline",
        "botwatch analyze s.duckdb --only coverage --only timeline",
    ]
    # The same runs as a study written before commands had ids records them: today's grouping.
    with open_study(study, read_only=False) as st:
        for run_id, params in st.sql("SELECT run_id, params FROM runs"):
            p = json.loads(params)
            p.pop("command_id", None)
            st.sql("UPDATE runs SET params = ? WHERE run_id = ?", [json.dumps(p, sort_keys=True), run_id])
    assert _steps(study)[1:] == ["botwatch analyze s.duckdb --only coverage --only timeline"] * 2


def test_estimate_gives_back_its_table_and_options(tmp_path: Path, sample_study_path: Path) -> None:
    study = _copy(tmp_path, sample_study_path)
    _ok("estimate", str(study), "--election", "us-2016", "--table", "parties", "--reps", "20", "--window", "early=2016-10-01..2016-10-15")
    # It labelled the posts (none were labelled): the command gives that back as --relabel.
    assert _steps(study)[-1] == "botwatch estimate s.duckdb --election us-2016 --table parties --reps 20 --seed 2017 --window early=2016-10-01..2016-10-15 --relabel"
    # The parties table with the parties' own accounts counted is another table: given back as such.
    _ok("estimate", str(study), "--election", "us-2016", "--table", "parties", "--reps", "20", "--all-accounts")
    assert _steps(study)[-1] == "botwatch estimate s.duckdb --election us-2016 --table parties --all-accounts --reps 20 --seed 2017"


def test_coordination_gives_back_its_own_options(tmp_path: Path, sample_study_path: Path) -> None:
    """`botwatch coordination --window 5m -b co-retweet` was given back as `analyze --only
    coordination`, which re-runs the 60 s default network the report did not describe."""
    study = _copy(tmp_path, sample_study_path)
    _ok("analyze", str(study), "--only", "accounts")
    _ok("coordination", str(study), "--window", "5m", "-b", "co-retweet", "--seed", "11")
    _ok("coordination", str(study))
    steps = _steps(study)
    assert steps[-2:] == ["botwatch coordination s.duckdb -b co-retweet --window 300s --seed 11", "botwatch coordination s.duckdb"]
    assert not any("--only coordination" in s for s in steps[-2:])
    from botwatch import open_study

    with open_study(study) as st:  # each run re-ran accounts_clusters too, in the same command
        ran = [r[0] for r in st.sql("SELECT stage FROM runs WHERE stage IN ('coordination', 'accounts_clusters') ORDER BY finished_at")]
    assert ran[-4:] == ["coordination", "accounts_clusters"] * 2


def test_coordination_window_auto_is_not_below_whole_minute_stamps(tmp_path: Path, sample_study_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled sample holds IRA rows stamped to the minute. An estimate under 60 s (a reviewer's
    IRA slice gave 28 s) was used anyway, behind a warning that it was below the resolution; the
    estimate is stood in for here (the sample's own is 600 s)."""
    import botwatch.coordination.network as network

    monkeypatch.setattr(network, "estimate_window", lambda *a, **k: {"window_s": 28, "later_shares": 50, "quantile": 0.1, "median_delay_s": 90.0})
    study = _copy(tmp_path, sample_study_path)
    res = runner.invoke(app, ["coordination", str(study), "--window", "auto"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "window raised to 60 s" in out and "is below that resolution" not in out
    assert _steps(study)[-1] == "botwatch coordination s.duckdb"  # 60 s: the default, nothing to give back

def test_python_and_impact_runs_are_given_back_as_the_commands_that_repeat_them(tmp_path: Path, sample_study_path: Path) -> None:
    """A Python `analyze(only=["coordination"], options={"coordination_window_s": 300})` was given back
    as `analyze --only coordination` (the 60 s default); one with `bootstrap_reps` alone as `estimate
    … --seed None`, a usage error; `botwatch impact --party … --freq 3h` as `analyze --only impact`."""
    from botwatch import open_study

    study = _copy(tmp_path, sample_study_path)
    rows = [
        ("coordination", {"coordination_window_s": 300, "election": None, "engine": "duckdb", "command_id": "c1"}),
        ("estimates", {"bootstrap_reps": 500, "election": "us-2016", "engine": "duckdb", "command_id": "c2"}),
        ("impact", {"impact_parties": ["republican"], "impact_freq": "3h", "impact_start": "2016-10-09 00:00:00",
                    "impact_end": "2016-11-08 00:00:00", "impact_maxlags": 12, "impact_horizon": 12, "election": "us-2016", "command_id": "c3"}),
    ]
    with open_study(study, read_only=False) as st:
        for i, (stage, params) in enumerate(rows):
            st.sql(f"INSERT INTO runs VALUES (?, ?, ?, '0.1.0', now() + INTERVAL {i + 1} SECOND, now() + INTERVAL {i + 1} SECOND, 'ok', 0, NULL)",
                   [f"r{i}", stage, json.dumps(params)])
    assert _steps(study)[-3:] == [
        "botwatch coordination s.duckdb --window 300s",
        "botwatch estimate s.duckdb --election us-2016 --reps 500",
        "botwatch impact s.duckdb --election us-2016 --party republican --freq 3h --start 2016-10-09T00:00:00 --end 2016-11-08T00:00:00 "
        "--maxlags 12 --horizon 12",
    ]


def test_ingest_gives_back_its_record_limit(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    src = SAMPLE / "twarc2_brexit.jsonl.gz"
    _ok("ingest", str(study), str(src), "--max-record-mb", "1.3")
    assert _steps(study) == [f"botwatch ingest s.duckdb {src} --max-record-mb 1.3"]


@pytest.mark.parametrize("mb", [16.0, 0.5, 0.3, 1e-7, 1e-6, 1023.999, 1048575.0])
def test_the_record_limit_reads_back_to_the_same_bytes(mb: float) -> None:
    from botwatch.report.reproduce import _megabytes

    recorded = int(mb * 1024 * 1024)  # as `ingest` records it
    shown = float(_megabytes(recorded))
    assert shown > 0 and int(shown * 1024 * 1024) == recorded


def test_every_option_is_given_back_or_left_out_for_a_reason() -> None:
    """A new option of ingest/analyze/estimate fails here until it is given back in the reproduced
    command (it changes what the command computes or prints) or left out with why."""
    import typer.main

    from botwatch.report.reproduce import LEFT_OUT, SHOWN

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    for name in ("ingest", "analyze", "estimate"):
        options = {p.name for p in commands[name].params}
        assert options == SHOWN[name] | set(LEFT_OUT[name]), name
        assert not SHOWN[name] & set(LEFT_OUT[name]) and all(LEFT_OUT[name].values()), name


def _ingest_row(study: Path, inputs: list[str], sources: tuple[str, ...] = ()) -> None:
    from botwatch import open_study

    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('long', 'ingest', ?, '0.1.0', TIMESTAMP '2000-01-01', TIMESTAMP '2000-01-01', 'ok', 1, NULL)",
               [json.dumps({"inputs": inputs, "force": False, "max_record_bytes": 16 * 1024 * 1024})])
        for s in sources:
            st.sql("INSERT INTO sources (source, sha256, bytes, format, ingested_at) VALUES (?, ?, 7, 'jsonl', TIMESTAMP '2000-01-01')", [s, "cd" * 32])


def _block(html: str) -> str:
    part = html[html.index('id="methods-reproduce"'):]
    return part[: part.index("</div>")]


def test_a_long_command_is_shown_whole_and_a_huge_one_says_where_it_is_whole(tmp_path: Path, sample_study_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report import build_report
    from botwatch.report.reproduce import PAGE_STEP_CHARS

    study = _copy(tmp_path, sample_study_path)
    long = [f"/data/archive/part-{i:05d}.jsonl" for i in range(40)]  # about 1,300 characters: was cut at 600
    huge = [f"/data/archive/big-{i:06d}.jsonl" for i in range(1000)]  # about 29,000 characters
    _ingest_row(study, long, sources=tuple(long))  # each file read, as a real ingest records them
    _ingest_row(study, huge, sources=tuple(huge))
    with open_study(study) as st:
        block = _block(build_report(st, tmp_path / "r.html", exports=False).read_text(encoding="utf-8"))
    whole = "botwatch ingest s.duckdb " + " ".join(long) + " --max-record-mb 16"
    assert len(whole) > 600 and whole in block
    big = "botwatch ingest s.duckdb " + " ".join(huge) + " --max-record-mb 16"
    assert big[:PAGE_STEP_CHARS] in block and big not in block
    assert f"… and {len(big) - PAGE_STEP_CHARS:,} more characters, not shown here" in block
    assert "botwatch report s.duckdb --reproduce &gt; reproduce.sh" in block
    script = _ok("report", str(study), "--reproduce")
    assert whole in script.splitlines() and big in script.splitlines()


def test_the_script_runs_the_commands_as_recorded_and_nothing_else(tmp_path: Path, sample_study_path: Path) -> None:
    """File names are the study's text: a newline in one must not end a comment (and run what
    follows), and in a command it stays inside one quoted argument."""
    study = _copy(tmp_path, sample_study_path)
    hostile = "a\ntouch PWNED\n$(touch PWNED2);`touch PWNED3`'\".jsonl"
    _ingest_row(study, [hostile], sources=(hostile,))
    script = _ok("report", str(study), "--reproduce")
    assert script.startswith("#!/bin/sh\n") and "# botwatch " in script
    work = tmp_path / "run"
    work.mkdir()
    (work / "reproduce.sh").write_text(script, encoding="utf-8")
    # `botwatch` as a shell function that writes its arguments, one NUL-ended per line of record.
    subprocess.run(["sh", "-c", "botwatch() { for a in \"$@\"; do printf '%s\\0' \"$a\"; done; printf '\\n\\0' ; } ; . ./reproduce.sh > args"],
                   cwd=work, check=True)
    assert sorted(p.name for p in work.iterdir()) == ["args", "reproduce.sh"]  # nothing else ran
    calls = [c.strip("\0").split("\0") for c in (work / "args").read_text(encoding="utf-8").split("\n\0") if c.strip("\0")]
    assert ["ingest", "s.duckdb", hostile, "--max-record-mb", "16"] in calls
    assert calls[0][:2] == ["ingest", "s.duckdb"]


def test_elections_show_gives_back_a_recorded_text_that_no_longer_parses(tmp_path: Path, sample_study_path: Path) -> None:
    from botwatch import open_study

    study = _copy(tmp_path, sample_study_path)
    text = 'key = "toy-2017"\nname = "Toy election"\ncountry = "GB"\n'  # no dates: not an election any more
    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('t', 'accounts', ?, '0.1.0', now(), now(), 'ok', 0, NULL)",
               [json.dumps({"election": "toy-2017", "election_toml": text})])
    res = runner.invoke(app, ["elections", "show", str(study), "--toml"], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert res.stdout == text
    assert "no longer loads" in res.stderr and "correct a copy" in res.stderr
    staged = runner.invoke(app, ["elections", "show", str(study), "--stage", "accounts", "--toml"], env={"COLUMNS": "300"})
    assert staged.exit_code == 0 and staged.stdout == text
    shown = runner.invoke(app, ["elections", "show", str(study)], env={"COLUMNS": "300"})
    assert shown.exit_code == 2 and "no longer loads" in shown.output and "Traceback" not in shown.output


def test_one_reader_parses_the_runs_params(tmp_path: Path, sample_study_path: Path) -> None:
    """A row that is not JSON: the latest run of its stage is that row (so `stage_election` says
    None, as it did), and every reader that merges or picks the latest readable record skips it."""
    from botwatch import open_study
    from botwatch.elections.recorded import stage_election, study_election
    from botwatch.report.context import latest_params
    from botwatch.runs_table import latest_by_stage, latest_of_stage

    study = _copy(tmp_path, sample_study_path)
    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('a', 'accounts', '{\"election\": \"us-2016\", \"sample_rate\": 0.01}', '0.1.0', now(), now(), 'ok', 0, NULL)")
        st.sql("INSERT INTO runs VALUES ('b', 'accounts', 'not json', '0.1.0', now() + INTERVAL 1 SECOND, now() + INTERVAL 1 SECOND, 'ok', 0, NULL)")
    with open_study(study) as st:
        run = latest_of_stage(st, "accounts")
        assert run is not None and run.params is None
        assert stage_election(st, "accounts") is None
        assert latest_by_stage(st)["accounts"]["election"] == "us-2016"
        assert study_election(st)[0].key == "us-2016"  # type: ignore[union-attr]
        assert latest_params(st)["sample_rate"] == 0.01
    # Every other module reads runs.params through runs_table.
    src = Path(__file__).resolve().parents[1] / "src" / "botwatch"
    import re

    # `json.loads(params …)` or `json.loads(rows[0][0] …)` beside a query of `runs` (a second reader
    # slipped past the first form alone: training_accounts.recorded_counts)
    parsers = [p.relative_to(src).as_posix() for p in src.rglob("*.py")
               if p.name != "runs_table.py" and "FROM runs" in (t := p.read_text(encoding="utf-8")) and re.search(r"json\.loads\((params|rows?\[)", t)]
    assert parsers == []


def test_paths_relative_to_a_named_folder(tmp_path: Path, sample_study_path: Path) -> None:
    """The reproduction block, the stage table and the list of input files showed every input as the
    absolute path it was read from: a shared report named the author's folders, and its commands
    ran only where the data lay at that path. `--paths-relative-to DIR` shows paths under DIR
    relative to it, names only DIR's last part, and counts the paths left as stored; the default
    is unchanged."""
    study = _copy(tmp_path, sample_study_path)
    assert runner.invoke(app, ["analyze", str(study), "--only", "coverage"]).exit_code == 0
    where = str(SAMPLE.parent)  # .../src/botwatch/data: the sample was ingested from here
    plain = tmp_path / "plain.html"
    _ok("report", str(study), "-o", str(plain), "--no-exports")
    assert f"{SAMPLE}/" in plain.read_text(encoding="utf-8") and 'id="methods-paths"' not in plain.read_text(encoding="utf-8")
    rel = tmp_path / "rel.html"
    _ok("report", str(study), "-o", str(rel), "--no-exports", "--paths-relative-to", where)
    page = rel.read_text(encoding="utf-8")
    assert str(SAMPLE.parent.parent) not in page  # no folder above DIR is named
    assert "botwatch ingest s.duckdb sample/" in page
    assert "Input paths are relative to the folder data (botwatch report --paths-relative-to)" in page
    script = _ok("report", str(study), "--reproduce", "--paths-relative-to", where)
    assert str(SAMPLE) not in script and "\nbotwatch ingest s.duckdb sample/" in script
    assert "# Input paths are relative to the folder data" in script
    elsewhere = _ok("report", str(study), "--reproduce", "--paths-relative-to", str(tmp_path))  # inputs outside it: kept, counted
    n = len(list(SAMPLE.glob("*.gz")))
    assert f"{SAMPLE}/" in elsewhere and f"{n:,} paths outside it are as stored" in elsewhere
    res = runner.invoke(app, ["report", str(study), "--reproduce", "--paths-relative-to", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "not a folder" in res.output


def test_relative_paths_rewrite_only_paths_under_the_folder(tmp_path: Path) -> None:
    from botwatch.report.reproduce import RelativePaths

    rel = RelativePaths(tmp_path / "data")
    assert rel.path(str(tmp_path / "data" / "a" / "x.json")) == "a/x.json"
    assert rel.path(str(tmp_path / "database" / "x.json")) == str(tmp_path / "database" / "x.json")  # a sibling with the same prefix
    assert rel.path("relative/x.json") == "relative/x.json" and rel.path("s3a://b/x.json") == "s3a://b/x.json"
    assert rel.params({"inputs": [str(tmp_path / "data" / "y")], "bot_model_file": str(tmp_path / "m.json.gz"), "n": 1}) == {
        "inputs": ["y"], "bot_model_file": str(tmp_path / "m.json.gz"), "n": 1}
    assert rel.outside == {str(tmp_path / "database" / "x.json"), str(tmp_path / "m.json.gz")}


def test_paths_relative_to_covers_the_rejected_records_table(tmp_path: Path) -> None:
    """The diff review: `--paths-relative-to` left the Overview's rejected-records table naming the
    author's folders."""
    data = tmp_path / "secret-folder" / "data"
    data.mkdir(parents=True)
    good = (Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl").read_text(encoding="utf-8")
    (data / "in.jsonl").write_text(good + "{not json\n", encoding="utf-8")
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(data / "in.jsonl")]).exit_code == 0
    out = tmp_path / "r.html"
    _ok("report", str(study), "-o", str(out), "--no-exports", "--paths-relative-to", str(data))
    page = out.read_text(encoding="utf-8")
    assert "Rejected input" in page and "secret-folder" not in page


def test_evaluations_give_back_their_bootstrap_resamples(tmp_path: Path, sample_study_path: Path) -> None:
    """`content evaluate … --boot 200` was given back without `--boot`: the re-run drew 1,000
    resamples and recorded other F1 intervals (0.0813–0.563 became 0.0833–0.5556 on a real study);
    `evaluate-accounts --boot` likewise. The default is left off."""
    from botwatch import open_study

    study = _copy(tmp_path, sample_study_path)
    rows = [
        ("content_evaluate", {"evaluated_election": "us-2016", "labels_file": "labels.csv", "labels_part": None, "evaluate_boot": 200}),
        ("content_evaluate", {"evaluated_election": "us-2016", "labels_file": "labels.csv", "labels_part": "dev", "evaluate_boot": 1000}),
        ("accounts_evaluate", {"labels_file": "accounts.csv", "evaluate_boot": 300}),
    ]
    with open_study(study, read_only=False) as st:
        for i, (stage, params) in enumerate(rows):
            st.sql(f"INSERT INTO runs VALUES (?, ?, ?, '0.1.0', now() + INTERVAL {i + 1} SECOND, now() + INTERVAL {i + 1} SECOND, 'ok', 0, NULL)",
                   [f"e{i}", stage, json.dumps(params)])
    assert _steps(study)[-3:] == [
        "botwatch content evaluate s.duckdb labels.csv --boot 200",
        "botwatch content evaluate s.duckdb labels.csv --part dev",
        "botwatch evaluate-accounts s.duckdb accounts.csv --boot 300",
    ]


def test_an_evaluation_run_twice_alike_is_given_back_once_where_it_last_ran(tmp_path: Path, sample_study_path: Path) -> None:
    """`evaluate-accounts s.duckdb accounts.csv` run twice (and `content evaluate` likewise) was
    listed twice, the script re-running it for the same figure: each distinct command is kept
    once, where it last ran; one with other options is its own command."""
    from botwatch import open_study

    study = _copy(tmp_path, sample_study_path)
    accounts = ("accounts_evaluate", {"labels_file": "accounts.csv", "evaluate_boot": 1000})
    content = ("content_evaluate", {"evaluated_election": "us-2016", "labels_file": "labels.csv", "labels_part": None, "evaluate_boot": 1000})
    rows = [accounts, content, ("accounts_evaluate", {"labels_file": "accounts.csv", "evaluate_boot": 300}), accounts, content]
    with open_study(study, read_only=False) as st:
        for i, (stage, params) in enumerate(rows):
            st.sql(f"INSERT INTO runs VALUES (?, ?, ?, '0.1.0', now() + INTERVAL {i + 1} SECOND, now() + INTERVAL {i + 1} SECOND, 'ok', 0, NULL)",
                   [f"e{i}", stage, json.dumps(params)])
    steps = _steps(study)
    assert [s for s in steps if "evaluate" in s] == [
        "botwatch evaluate-accounts s.duckdb accounts.csv --boot 300",
        "botwatch evaluate-accounts s.duckdb accounts.csv",
        "botwatch content evaluate s.duckdb labels.csv",
    ]
    assert steps[-2:] == ["botwatch evaluate-accounts s.duckdb accounts.csv", "botwatch content evaluate s.duckdb labels.csv"]


def test_the_script_names_the_labels_files_with_their_recorded_hash(tmp_path: Path, sample_study_path: Path) -> None:
    """`content evaluate STUDY labels.csv` is given back, but the file is in no `sources` row: the
    script listed no labels file, so a fresh folder failed with "cannot read labels.csv" and the
    reader had no hash to check the file they found against. It is now listed with its SHA-256."""
    from botwatch import open_study
    from botwatch.report.reproduce import reproduction_script

    study = _copy(tmp_path, sample_study_path)
    digest = "e3" * 32
    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('e0', 'content_evaluate', ?, '0.1.0', now() + INTERVAL 1 SECOND, now() + INTERVAL 1 SECOND, 'ok', 0, NULL)",
               [json.dumps({"evaluated_election": "us-2016", "labels_file": "labels.csv", "labels_part": None,
                            "labels_sha256": digest, "evaluate_boot": 1000})])
    with open_study(study) as st:
        script = reproduction_script(st, "s.duckdb")
    assert f"#   {digest} labels.csv\n" in script
    assert script.index("labels files the evaluations read") < script.index("botwatch content evaluate s.duckdb labels.csv")


def test_the_script_goes_on_past_an_impact_run_that_found_too_few_posts(tmp_path: Path, sample_study_path: Path) -> None:
    """`botwatch impact` exits 1 where a party has too few posts for a test, and the study records
    that run as done: under the script's `set -e` it stopped there, so the coordination run after
    it never ran and the study was not made again. Any other failure still stops the script."""
    from botwatch import open_study

    study = _copy(tmp_path, sample_study_path)
    rows = [
        ("impact", {"impact_parties": ["republican"], "impact_freq": "6h", "impact_start": "2016-10-09 00:00:00",
                    "impact_end": "2016-11-08 00:00:00", "impact_maxlags": 3, "impact_horizon": 4, "election": "us-2016", "command_id": "c1"}),
        ("coordination", {"cli": True, "coordination_window_s": 300, "election": "us-2016", "engine": "duckdb", "command_id": "c2"}),
    ]
    with open_study(study, read_only=False) as st:
        for i, (stage, params) in enumerate(rows):
            st.sql(f"INSERT INTO runs VALUES (?, ?, ?, '0.1.0', now() + INTERVAL {i + 1} SECOND, now() + INTERVAL {i + 1} SECOND, 'ok', 0, NULL)",
                   [f"r{i}", stage, json.dumps(params)])
    script = _ok("report", str(study), "--reproduce")
    (tmp_path / "reproduce.sh").write_text(script, encoding="utf-8")

    def run(impact_exit: int) -> tuple[int, list[str]]:
        fake = f"botwatch() {{ echo \"$1\" >> calls; if [ \"$1\" = impact ]; then return {impact_exit}; fi; }}; . ./reproduce.sh"
        (tmp_path / "calls").unlink(missing_ok=True)
        done = subprocess.run(["sh", "-c", fake], cwd=tmp_path)
        return done.returncode, (tmp_path / "calls").read_text().split()

    assert run(1) == (0, ["ingest", "impact", "coordination"])
    code, calls = run(2)
    assert code != 0 and calls[-1] == "impact"


def test_the_page_names_the_labels_files_with_their_recorded_hash(tmp_path: Path, sample_study_path: Path) -> None:
    """The page's block gave back `botwatch content evaluate s.duckdb labels.csv` but, unlike the
    script, said nowhere that the file is not in the study nor which file it was (its SHA-256):
    a reader running the commands as the page prints them met "cannot read" with nothing to go on."""
    from botwatch import open_study
    from botwatch.report import build_report

    study = _copy(tmp_path, sample_study_path)
    digest = "e3" * 32
    name = "my <b>labels</b>.csv"
    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('e0', 'content_evaluate', ?, '0.1.0', now() + INTERVAL 1 SECOND, now() + INTERVAL 1 SECOND, 'ok', 0, NULL)",
               [json.dumps({"evaluated_election": "us-2016", "labels_file": name, "labels_part": None,
                            "labels_sha256": digest, "evaluate_boot": 1000})])
    with open_study(study) as st:
        html = build_report(st, tmp_path / "r.html", exports=False).read_text(encoding="utf-8")
    part = html[html.index('id="methods-reproduce"'):]
    part = part[: part.index("</div>")]
    said = part[part.index('id="methods-labels"'):]
    assert "not stored in the study" in said and digest in said
    assert "my &lt;b&gt;labels&lt;/b&gt;.csv" in said and "<b>labels" not in part


def test_commands_the_page_shows_quote_a_study_name_with_a_space(tmp_path: Path, sample_study_path: Path) -> None:
    """A study named `my study.duckdb`: the page said `botwatch export my study.duckdb posts -o
    posts.parquet`, `botwatch report my study.duckdb` in its footer and `botwatch analyze my
    study.duckdb` in the stale-analysis line, each naming a study `my` when pasted; the reproduction
    block beside them quoted it."""
    from datetime import datetime

    from botwatch import open_study
    from botwatch.report import build_report
    from botwatch.report.staleness import StaleAnalysis

    study = tmp_path / "my study.duckdb"
    shutil.copy(sample_study_path, study)
    with open_study(study) as st:
        html = build_report(st, tmp_path / "r.html").read_text(encoding="utf-8")
    quoted = "&#39;my study.duckdb&#39;"
    for command in ("botwatch report {} --posts", "botwatch export {} posts -o posts.parquet", "Re-run this report with <code>botwatch report {}</code>"):
        assert command.format(quoted) in html, command
    assert "my study.duckdb posts" not in html.replace(quoted, "")
    stale = StaleAnalysis(["accounts"], 3, datetime(2024, 1, 1))
    assert "`botwatch analyze 'my study.duckdb'`" in stale.sentence("my study.duckdb")
    assert f"<code>botwatch analyze {quoted}</code>" in str(stale.sentence("my study.duckdb", html=True))


def test_an_input_of_which_nothing_is_stored_is_left_out_of_the_ingest_it_came_with(tmp_path: Path) -> None:
    """`ingest s.duckdb good.jsonl.gz gone.jsonl junk.jsonl` stores the first and exits 1; the
    study records the run, and the script gave the three back: run as printed, the ingest exited 1
    again (`set -e`) and not one analysis command ran. The two are left out and named in a comment."""
    from botwatch import open_study
    from botwatch.report.reproduce import reproduction_script

    good = tmp_path / "data" / "good.jsonl.gz"
    good.parent.mkdir()
    shutil.copy(Path(__file__).resolve().parent / "fixtures" / "ingest" / "twarc2_two_tweets.jsonl.gz", good)
    junk = tmp_path / "data" / "junk.jsonl"
    junk.write_text("not json at all\n", encoding="utf-8")
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(good), str(tmp_path / "gone.jsonl"), str(junk)])
    assert res.exit_code == 1, res.output
    with open_study(study) as st:
        script = reproduction_script(st, "s.duckdb")
    lines = script.splitlines()
    assert f"botwatch ingest s.duckdb {good} --max-record-mb 16" in lines
    said = lines.index("# left out of the ingest commands: inputs of which the study holds nothing (missing or unreadable when they were read, "
                        "or a copy of an input read before them):")
    assert lines[said + 1:said + 3] == [f"#   {tmp_path / 'gone.jsonl'}", f"#   {junk}"]
    # The command as printed runs (exit 0) and stores the same posts.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    again = runner.invoke(app, ["ingest", str(fresh / "s.duckdb"), str(good), "--max-record-mb", "16"])
    assert again.exit_code == 0, again.output
    with open_study(study) as a, open_study(fresh / "s.duckdb") as b:
        assert a.sql("SELECT post_id FROM posts ORDER BY 1") == b.sql("SELECT post_id FROM posts ORDER BY 1")
    from botwatch.report import build_report

    with open_study(study) as st:
        block = _block(build_report(st, tmp_path / "r.html", exports=False).read_text(encoding="utf-8"))
    assert "inputs of which the study holds nothing" in block and "gone.jsonl" in block


def test_a_copy_of_an_input_left_out_is_not_called_missing_or_unreadable(tmp_path: Path) -> None:
    """A second input holding the same bytes as the first is skipped ("identical content already
    ingested from"), so the study holds nothing of it and the script leaves it out; the comment
    said such inputs were "missing or unreadable when they were read", which a copy was not."""
    from botwatch import open_study
    from botwatch.report.reproduce import reproduction_script

    first, copy = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    shutil.copy(Path(__file__).resolve().parent / "fixtures" / "ingest" / "twarc2_two_tweets.jsonl.gz", first)
    shutil.copy(first, copy)
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(first), str(copy)])
    assert res.exit_code == 0 and "identical content already ingested from" in res.output, res.output
    with open_study(study) as st:
        lines = reproduction_script(st, "s.duckdb").splitlines()
    said = next(i for i, line in enumerate(lines) if line.startswith("# left out of the ingest commands"))
    assert "or a copy of an input read before them" in lines[said] and lines[said + 1] == f"#   {copy}", lines


def test_reproduce_with_an_output_file_is_refused_not_ignored(tmp_path: Path, sample_study_path: Path) -> None:
    """`report STUDY --reproduce -o reproduce.sh` printed the script on the terminal and wrote no
    file, without a word: the user believed the script saved. One error line says to redirect."""
    script = tmp_path / "reproduce.sh"
    res = runner.invoke(app, ["report", str(sample_study_path), "--reproduce", "-o", str(script)])
    assert res.exit_code == 2, res.output
    assert "--reproduce >" in res.output and "#!/bin/sh" not in res.output
    assert not script.exists()
