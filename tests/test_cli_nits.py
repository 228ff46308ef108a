"""Small things a new user meets on the command line: a report named `.txt`, JSON indented two ways,
a number option given `nan`, and the like. Each was seen walking the CLI as a first-time user."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


def test_report_named_other_than_html_is_refused_with_the_suffixes(tmp_path: Path) -> None:
    """`report STUDY -o r.txt` wrote the HTML page into a file named .txt without a word (a text
    editor or a mail client then showed its markup). The report has one form: the name must say it."""
    study = tmp_path / "s.duckdb"
    for name in ("r.txt", "r.md", "report"):
        res = runner.invoke(app, ["report", str(study), "-o", str(tmp_path / name)])
        assert res.exit_code == 2, res.output
        said = " ".join(res.output.split())
        assert ".html or .htm" in said and "botwatch export" in said and "Traceback" not in said, said
        assert not (tmp_path / name).exists()
    assert not study.exists()  # refused before the study was opened


def _indents(text: str) -> set[int]:
    """The indentation steps of a pretty-printed JSON document (the first level's width)."""
    lines = text.splitlines()
    return {len(line) - len(line.lstrip(" ")) for line in lines[1:2]}


def test_every_json_option_indents_one_way(tmp_path: Path) -> None:
    """`accounts --json` and `explain --json` indented by one space, `stages --json` by two (and in
    colour on a terminal): a script diffing them, or a reader, met two styles. One writer now."""
    import json

    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    listed = runner.invoke(app, ["accounts", str(study), "--top", "1", "--json"])
    handle = json.loads(listed.stdout)[0]["handle"]
    outputs = {
        "stages": runner.invoke(app, ["stages", "--json"]).stdout,
        "accounts": listed.stdout,
        "explain": runner.invoke(app, ["explain", str(study), f"@{handle}", "--json"]).stdout,
    }
    for name, text in outputs.items():
        assert json.loads(text), name
        assert _indents(text) == {1}, (name, text[:80])  # one space a level (README, "Use")


def test_a_number_option_given_nan_or_inf_says_so(tmp_path: Path) -> None:
    """`accounts --min-bot nan` was refused as "should be less than or equal to 1" (nan is no
    number; -inf is less than 1); `collect --rotate-mb inf` ended as "a bug in botwatch" and
    `--stall nan` was taken. Every float option now refuses nan and ±inf as what they are."""
    study, cap = str(tmp_path / "s.duckdb"), str(tmp_path / "cap")
    cases = [
        (["accounts", study, "--min-bot"], "from 0 to 1"),
        (["analyze", study, "--sample-rate"], "a share above 0 and at most 1"),
        (["estimate", study, "--sample-rate"], "a share above 0 and at most 1"),
        (["coordination", study, "--max-fdr"], "a share between 0 and 1"),
        (["ingest", study, str(FIX / "v1_uklabour.jsonl"), "--max-record-mb"], "megabytes above 0"),
        (["collect", "bluesky", cap, "--duration", "1s", "--rotate-mb"], "megabytes above 0"),
        (["collect", "bluesky", cap, "--duration", "1s", "--stall"], "a number above 0"),
    ]
    for args, expect in cases:
        for value, what in (("nan", "nan is not a number"), ("inf", "inf is not a finite number"),
                            ("-inf", "-inf is not a finite number")):
            res = runner.invoke(app, [*args, value])
            said = " ".join(res.output.split())
            assert res.exit_code == 2 and what in said and expect in said, (args, value, said)
            assert "less than" not in said and "bug" not in said, said
    assert not (tmp_path / "s.duckdb").exists() and not (tmp_path / "cap").exists()  # refused before anything
    res = runner.invoke(app, ["accounts", study, "--min-bot", "2"])
    assert res.exit_code == 2 and "2 is out of range: give a number from 0 to 1" in " ".join(res.output.split()), res.output


def test_coordination_and_estimate_on_a_study_without_posts_exit_1_with_the_command(tmp_path: Path) -> None:
    """README: exit 1 for "a study with no posts to analyze", as `analyze` does. `coordination`
    and `estimate` said it with exit 2 (a usage error) and without the command that adds posts."""
    from botwatch import open_study

    study = tmp_path / "e.duckdb"
    open_study(study, read_only=False).close()
    for args in (["coordination", str(study)], ["estimate", str(study), "-e", "uk-ge2017"]):
        res = runner.invoke(app, args)
        said = " ".join(res.output.split())
        assert res.exit_code == 1 and "holds no posts" in said and f"botwatch ingest {study} FILES" in said, said


def test_a_missing_labels_file_is_named_once(tmp_path: Path) -> None:
    """`content evaluate STUDY nope.csv` said "cannot read nope.csv: [Errno 2] No such file or
    directory: 'nope.csv'" (the path twice, Python's errno); `train-bot-model nope.csv` says it plainly."""
    import pytest

    from botwatch.content.score import LabelsError, load_labels

    missing = tmp_path / "nope.csv"
    with pytest.raises(LabelsError) as said:
        load_labels(missing)
    assert str(said.value) == f"cannot read {missing}: No such file or directory", said.value
    res = runner.invoke(app, ["train-bot-model", str(missing), "-o", str(tmp_path / "m.json.gz")])
    assert res.exit_code == 2 and f"cannot read {missing}: No such file or directory" in " ".join(res.output.split()), res.output


def test_train_bot_model_into_a_folder_is_refused_before_training(tmp_path: Path) -> None:
    """`train-bot-model labels.csv -o models` (a folder) or `-o ""` trained, then ended in
    "IsADirectoryError" / "PosixPath('.') has an empty name ... a bug in botwatch"."""
    labels = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"
    res = runner.invoke(app, ["train-bot-model", str(labels), "-o", str(tmp_path)])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and f"{tmp_path} is a folder: name the model file" in said and "bug" not in said, said
    (tmp_path / "f").write_text("x", encoding="utf-8")
    res = runner.invoke(app, ["train-bot-model", str(labels), "-o", str(tmp_path / "f" / "m.json.gz")])
    assert res.exit_code == 2 and "is a file, not a folder" in " ".join(res.output.split()), res.output
    assert "out-of-fold" not in res.output


def test_train_bot_model_never_writes_over_a_study(tmp_path: Path, sample_study_path: Path) -> None:
    """`train-bot-model labels.csv -o s.duckdb` replaced the study with the model, without a word."""
    import shutil

    labels = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"
    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    before = study.read_bytes()[:4096]
    res = runner.invoke(app, ["train-bot-model", str(labels), "-o", str(study)])
    assert res.exit_code == 2 and "is a study (a DuckDB database), not a model file" in " ".join(res.output.split()), res.output
    assert study.read_bytes()[:4096] == before


def test_json_output_writes_hidden_characters_as_escapes(capsys) -> None:  # type: ignore[no-untyped-def]
    """`explain --json` on a handle holding U+202E (right-to-left override) or U+009B (C1 CSI)
    sent them raw to the terminal (`json.dumps(ensure_ascii=False)` escapes only C0 controls),
    where every other line botwatch prints writes them escaped. The JSON value is unchanged."""
    import json

    from botwatch.cli.common import print_json_result

    value = {"handle": "moc\u202eelgoog\x9b[2J", "emoji": "\U0001f468\u200d\U0001f469", "n": [1]}
    print_json_result(value)
    text = capsys.readouterr().out
    assert "\u202e" not in text and "\x9b" not in text and "\\u202e" in text and "\\u009b" in text, text
    assert "\U0001f468\u200d\U0001f469" in text  # an emoji's joiner is no hidden text
    assert json.loads(text) == value


def test_a_closed_stderr_pipe_keeps_the_commands_exit_status(tmp_path: Path) -> None:
    """`botwatch ... 2>&1 | head`: a message written after the reader had gone made Rich exit 1
    (and point /dev/null at stdout), so a finished command or an error's exit 2 read as 1."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "botwatch", "accounts", str(tmp_path / "nope.duckdb")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    proc.stderr.close()  # the reader goes away before the error line is written (imports take seconds)
    assert proc.wait(timeout=120) == 2


def test_a_misspelt_stage_is_refused_before_anything_is_said(tmp_path: Path) -> None:
    """`analyze S --only nope` printed "using the election this study was analysed with ..." and
    the sample-rate line before "unknown stage 'nope'", as if the run had started."""
    study = tmp_path / "s.duckdb"
    for opt in ("--only", "--skip"):
        res = runner.invoke(app, ["analyze", str(study), opt, "nope"])
        said = " ".join(res.output.split())
        assert res.exit_code == 2 and said.startswith("error: unknown stage 'nope'; stages: coverage, content"), said
    assert not study.exists()  # refused before the study was opened


def test_timeline_with_since_after_until_is_a_usage_error(tmp_path: Path) -> None:
    """`timeline S --since 2018-01-01 --until 2017-01-01` said "no day buckets with posts for all
    in that range" with exit 0, as if the study had none; `impact --start/--end` refuses the same."""
    res = runner.invoke(app, ["timeline", str(tmp_path / "s.duckdb"), "--since", "2018-01-01", "--until", "2017-01-01"])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "--since 2018-01-01 00:00 is after --until 2017-01-01 00:00" in said, said


def test_accounts_by_a_probability_no_account_has_says_so(tmp_path: Path) -> None:
    """The IRA release has no profile facts: `botwatch accounts` titled its table "Accounts by
    bot_probability" with no probability in it, in account-id order. The title now says so."""
    import json

    from botwatch import open_study

    src = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "data" / "sample"
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(src / "ira_tweets_2016_sample.csv.gz")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--election", "us-2016", "--only", "accounts"]).exit_code == 0
    res = runner.invoke(app, ["accounts", str(study), "--top", "3"])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert "Accounts by bot probability (bot probability unknown for every account shown, so by posts)" in said, said
    # By posts, the busiest first (they came in account-id order); every row's one evidence
    # sentence said once above the table, not four wrapped lines an account.
    with open_study(study, read_only=True) as st:
        want = [n for (n,) in st.sql("SELECT n_posts FROM accounts_scored ORDER BY n_posts DESC LIMIT 3")]
        (first,) = {json.loads(e)[0] for (e,) in st.sql("SELECT bot_evidence FROM accounts_scored")}
    shown = [int(line.split("│")[5].strip().replace(",", "")) for line in res.stdout.splitlines() if line.startswith("│ @")]
    assert shown == want and len(set(want)) > 1, (shown, want)
    assert said.count(first) == 1 and "Strongest bot evidence, the same for every account shown: " + first in said, said
    assert "strongest bot evidence" not in said
    res = runner.invoke(app, ["accounts", str(study), "--top", "3", "--sort", "origin_probability"])
    assert "unknown for every account shown" not in res.output
    # Unknown cells read "—" (a blank read as a value left out), and the sort key in words.
    shown = res.output
    res = runner.invoke(app, ["accounts", str(study), "--top", "3", "--sort", "n_posts"])
    assert "Accounts by posts" in " ".join(res.output.split()) and "n_posts" not in res.output
    assert "—" in shown


def test_timeline_names_parties_as_the_report_does(analysed_sample_path: Path) -> None:
    """`botwatch timeline --dimension party` headed its columns with the stored keys ("democrat",
    "republican:support"), where the report says "Democrats (Clinton)" and "support for
    Republicans (Trump)"; the columns now carry the election's names."""
    study = analysed_sample_path  # the sample analysed with us-2016, every stage; `timeline` opens it read only
    wide = {"COLUMNS": "400"}
    said = " ".join(runner.invoke(app, ["timeline", str(study), "--dimension", "party"], env=wide).output.split())
    assert "Republicans (Trump)" in said and "Democrats (Clinton)" in said and "republican" not in said, said
    said = " ".join(runner.invoke(app, ["timeline", str(study), "--dimension", "party_stance"], env=wide).output.split())
    assert "support for Republicans (Trump)" in said and "republican:support" not in said, said


def test_commands_the_output_suggests_quote_a_study_path_with_a_space(tmp_path: Path) -> None:
    """`ingest 'my study.duckdb' …` said to run `botwatch export my study.duckdb rejected -o
    rejected.csv`: pasted as printed, it named a study `my` and a table `study.duckdb`. The path in
    a suggested command is quoted for the shell, as the report's reproduction block quotes it."""
    import shlex

    study = tmp_path / "my study.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(FIX / "twarc2_stream_with_error.jsonl.gz")])
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.output.splitlines() if "rejected -o rejected.csv" in ln)
    command = line.split("`")[1]
    assert shlex.split(command) == ["botwatch", "export", str(study), "rejected", "-o", "rejected.csv"]


def test_report_names_the_folder_it_made_for_its_output(tmp_path: Path) -> None:
    """`report -o reprot/out/r.html` (a typo) made the folders `reprot/out` without a word, where
    the user looked for the report in `report/out`: the folders are made, as `export` makes an
    output's, and the line after "wrote" names the topmost one made."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    Study(study).close()
    page = tmp_path / "reprot" / "out" / "r.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(page), "--no-exports"])
    assert res.exit_code == 0, res.output
    assert page.is_file()
    said = " ".join(res.output.split())
    assert f"made the folder {tmp_path / 'reprot'} for it, which did not exist" in said, said
    again = runner.invoke(app, ["report", str(study), "-o", str(page), "--no-exports"])  # there now: nothing to say
    assert again.exit_code == 0 and "made the folder" not in again.output, again.output
