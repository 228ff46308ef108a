"""What a reviewer walking through botwatch as a new user met in the ingest and CLI layers: a
refused file reported as ingested on a re-run, user mistakes reported as bugs, tracebacks on
Ctrl-C, files replaced without asking, a non-UTF-8 file name, and friction in a folder walk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
CLI_FIX = Path(__file__).resolve().parent / "fixtures" / "cli"
runner = CliRunner()


def _said(res) -> str:  # type: ignore[no-untyped-def]
    return " ".join(res.output.split())


@pytest.fixture(scope="module")
def v1_scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`ingest` of the v1 fixture then `analyze --only accounts`, once for the module: the two
    closed-pipe tests and the empty-listing test each ran that pair on their own study. Read only:
    tests copy it (`_scored_copy`)."""
    study = tmp_path_factory.mktemp("v1_scored") / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    return study


def _scored_copy(v1_scored: Path, tmp_path: Path) -> Path:
    """A private copy of `v1_scored` at tmp_path/s.duckdb."""
    from testsupport.study_copies import copy_study

    return copy_study(v1_scored, tmp_path / "s.duckdb")


def test_a_refused_file_stays_refused_on_every_rerun(tmp_path: Path) -> None:
    """The unreadable file's hash was recorded in `sources` like an ingested one, so the same
    command run again skipped it as "identical content already ingested" and exited 0."""
    study = tmp_path / "s.duckdb"
    cmd = ["ingest", str(study), str(FIX / "v1_uklabour.jsonl"), str(CLI_FIX / "unknown_layout.csv")]
    first = runner.invoke(app, cmd)
    assert first.exit_code == 1, first.output
    for _ in range(2):
        again = runner.invoke(app, cmd)
        assert again.exit_code == 1, again.output
        said = _said(again)
        assert "skipped " + str(FIX / "v1_uklabour.jsonl") in said  # the file taken is not read twice
        assert "unknown_layout.csv: identical content" not in said
        assert "unreadable " + str(CLI_FIX / "unknown_layout.csv") + ": not a format botwatch reads: not JSON" in said
    from botwatch import open_study

    with open_study(study) as st:  # recorded once however often it is refused
        assert st.sql("SELECT count(*) FROM sources WHERE format IS NULL")[0][0] == 1
        assert st.sql("SELECT count(*) FROM rejected")[0][0] == 1
    forced = runner.invoke(app, cmd[:2] + [str(FIX / "v1_uklabour.jsonl")])
    assert forced.exit_code == 0 and "identical content already ingested" in forced.output


def test_a_rate_written_as_a_percentage_is_refused_with_the_share_to_give(tmp_path: Path) -> None:
    """`--sample-rate 1%` read "Input should be a valid number": neither the mistake nor the 0.01 to give."""
    for cmd, opt in ((["analyze", str(tmp_path / "s.duckdb")], "--sample-rate"), (["estimate", str(tmp_path / "s.duckdb")], "--sample-rate"),
                     (["collect", "bluesky", str(tmp_path / "cap")], "--sample")):
        for given, said in (("1%", "'1%' is a percentage: give the share it stands for, 0.01"),
                            ("0.5%", "give the share it stands for, 0.005"),
                            ("one", "'one' is not a number: give a share above 0 and at most 1 (0.01 for a 1% sample)")):
            res = runner.invoke(app, [*cmd, opt, given])
            assert res.exit_code == 2 and said in _said(res), res.output
        # Out of range: the refusal read "sample rate must be in (0, 1], got 0.0", naming no value to give.
        res = runner.invoke(app, [*cmd, opt, "0"])
        assert res.exit_code == 2 and "must be in (0, 1], got 0: give a share above 0 and at most 1 (0.01 for a 1% sample)" in _said(res), res.output
    assert not (tmp_path / "cap").exists()


def test_a_percentage_no_share_stands_for_is_not_given_a_share_to_give(tmp_path: Path) -> None:
    """`--sample-rate 0%` said "give the share it stands for, 0", and 200% "… 2": each a value the
    range check refuses next."""
    for given in ("0%", "200%", "-5%", "nan%"):
        res = runner.invoke(app, ["analyze", str(tmp_path / "s.duckdb"), "--sample-rate", given])
        said = _said(res)
        assert res.exit_code == 2 and f"{given!r} is a percentage outside 0 to 100%: give a share above 0 and at most 1" in said, res.output
        assert "stands for" not in said, res.output


def test_user_mistakes_are_one_line_and_exit_2_not_a_bug(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each of these was "This is a bug in botwatch" (exit 1) or, for --sample-rate 0, silently no rate."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    for rate, said in (("2", "sample rate must be in (0, 1]"), ("-1", "sample rate must be in (0, 1]"),
                       ("0", "sample rate must be in (0, 1]"), ("nan", "nan is not a number: give a share above 0")):
        res = runner.invoke(app, ["analyze", str(study), "-e", "uk-ge2017", "--sample-rate", rate])
        assert res.exit_code == 2 and said in _said(res), res.output
    for mb, said in (("nan", "nan is not a number"), ("inf", "inf is not a finite number"), ("0", "--max-record-mb must be a positive number"),
                     ("-1", "--max-record-mb must be a positive number")):
        res = runner.invoke(app, ["ingest", str(tmp_path / "t.duckdb"), str(FIX / "v1_uklabour.jsonl"), "--max-record-mb", mb])
        assert res.exit_code == 2 and said in _said(res), res.output
    assert not (tmp_path / "t.duckdb").exists()
    not_json = tmp_path / "m.json"
    not_json.write_text("xx")
    not_model = tmp_path / "m2.json"
    not_model.write_text("{}")
    from botwatch.accounts.botmodel import FORMAT

    hollow = tmp_path / "m3.json"  # the right format, none of a model's parts: the stage failed on it as "a bug"
    hollow.write_text(f'{{"format": {FORMAT!r}}}'.replace("'", '"'))
    for path, said in ((tmp_path / "none.json.gz", "no bot model at"), (not_json, "not a botwatch bot model (not JSON"),
                       (not_model, "not a botwatch bot model (format None"), (hollow, "not a botwatch bot model (no booster, features, calibration)")):
        monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(path))
        res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
        assert res.exit_code == 2 and said in _said(res) and "BOTWATCH_BOT_MODEL=" in res.output, res.output
    monkeypatch.delenv("BOTWATCH_BOT_MODEL")
    a_file = tmp_path / "taken"
    a_file.write_text("mine")
    res = runner.invoke(app, ["demo", "-o", str(a_file)])
    assert res.exit_code == 2 and "is a file" in res.output and a_file.read_text() == "mine", res.output


def test_a_path_the_system_refuses_is_one_line_exit_2(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`export -o /readonly/p.csv`: a read-only file system refuses even removing a file that is not
    there (EROFS before ENOENT), so the cleanup's OSError escaped as "a bug in botwatch"; whatever
    such error escapes a command is the user's path, not a bug."""
    import errno

    from botwatch.cli import guard

    monkeypatch.delenv("BOTWATCH_DEBUG", raising=False)
    app2 = guard.GuardedTyper(add_completion=False, pretty_exceptions_enable=False)

    @app2.command()
    def run() -> None:
        raise OSError(errno.EROFS, "Read-only file system", "/ro/.p.csv.1234.part")

    @app2.command()
    def other() -> None:
        pass

    with pytest.raises(SystemExit) as done:
        app2(["run"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "/ro/.p.csv.1234.part: Read-only file system" in err and "bug" not in err


def test_an_export_cleanup_refused_by_a_read_only_disk_keeps_the_real_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno

    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    real_unlink = Path.unlink

    def read_only_unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name.endswith(".part"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", read_only_unlink)
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(tmp_path / "no" / "p.csv")])
    monkeypatch.undo()
    assert res.exit_code == 0 and "wrote " in res.output, (res.output, res.exception)
    assert (tmp_path / "no" / "p.csv").exists()


def test_demo_replaces_only_what_an_earlier_demo_wrote(tmp_path: Path) -> None:
    """`demo -o DIR` deleted any DIR/sample.duckdb and overwrote DIR/report.html without a word."""
    from botwatch.cli.analyze import not_the_demos, sample_files

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    assert runner.invoke(app, ["ingest", str(theirs / "sample.duckdb"), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    before = (theirs / "sample.duckdb").read_bytes()
    res = runner.invoke(app, ["demo", "-o", str(theirs)])
    assert res.exit_code == 2 and "is not the bundled sample's" in _said(res) and "--force" in res.output, res.output
    assert (theirs / "sample.duckdb").read_bytes() == before

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "report.html").write_text("<html>my notes</html>")
    res = runner.invoke(app, ["demo", "-o", str(notes)])
    assert res.exit_code == 2 and "is not the demo's report" in _said(res), res.output
    assert (notes / "report.html").read_text() == "<html>my notes</html>"

    # What a finished demo leaves (the bundled files ingested, its titled report) is its own to replace.
    ours = tmp_path / "ours"
    ours.mkdir()
    assert runner.invoke(app, ["ingest", str(ours / "sample.duckdb")] + [str(p) for p in sample_files()]).exit_code == 0
    (ours / "report.html").write_text('<head><meta name="generator" content="botwatch 0.1.0"><title>botwatch report — bundled sample (us-2016)</title>')
    assert not_the_demos(ours) == []


def test_report_replaces_a_report_but_not_a_file_botwatch_did_not_write(tmp_path: Path) -> None:
    """`report -o` overwrote any file; re-running it over its own last report is the usual loop
    (analyze again, report again) and stays as it was, a file of someone else's needs --force."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    html = tmp_path / "r.html"
    html.write_text("<html>my notes</html>")
    res = runner.invoke(app, ["report", str(study), "-o", str(html), "--no-exports"])
    assert res.exit_code == 2 and "is not a botwatch report" in _said(res), res.output
    assert html.read_text() == "<html>my notes</html>"
    res = runner.invoke(app, ["report", str(study), "-o", str(html), "--no-exports", "--force"])
    assert res.exit_code == 0, res.output
    again = runner.invoke(app, ["report", str(study), "-o", str(html), "--no-exports"])
    assert again.exit_code == 0, again.output


def test_report_does_not_replace_another_studys_report_without_force(tmp_path: Path) -> None:
    """Any botwatch report counted as "its own earlier report": a second study's `report -o
    report.html` in the same folder replaced the first study's report without a word."""
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    for st in (one, two):
        assert runner.invoke(app, ["ingest", str(st), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    html = tmp_path / "report.html"
    assert runner.invoke(app, ["report", str(one), "-o", str(html), "--no-exports"]).exit_code == 0
    first = html.read_text()
    res = runner.invoke(app, ["report", str(two), "-o", str(html), "--no-exports"])
    assert res.exit_code == 2 and "is the report of another study" in _said(res), res.output
    assert html.read_text() == first
    assert str(tmp_path) not in first.split("</head>")[0]  # the tag is a hash, not the study's path
    assert runner.invoke(app, ["report", str(one), "-o", str(html), "--no-exports"]).exit_code == 0  # its own: replaced
    assert runner.invoke(app, ["report", str(two), "-o", str(html), "--no-exports", "--force"]).exit_code == 0


def test_a_file_name_that_is_not_utf8_is_ingested_and_shown_escaped(tmp_path: Path) -> None:
    """`bad\\xffname.jsonl` failed with "UnicodeEncodeError ... surrogates not allowed" though its
    content is valid: the name reached DuckDB and the terminal with PEP 383 surrogates."""
    import os

    folder = tmp_path / "d"
    folder.mkdir()
    bad = os.fsdecode(os.path.join(os.fsencode(folder), b"bad\xffname.jsonl"))
    shutil.copy(FIX / "v1_uklabour.jsonl", bad)
    study = tmp_path / "s.duckdb"
    for args in ([str(folder)], [bad]):  # found in a folder walk, or named
        res = runner.invoke(app, ["ingest", str(study)] + args)
        assert res.exit_code == 0, res.output
        assert "surrogates" not in res.output and "bad\\xffname.jsonl" in res.output, res.output
    from botwatch import open_study

    with open_study(study) as st:
        assert st.sql("SELECT DISTINCT source FROM sources") == [(str(folder) + "/bad\\xffname.jsonl",)]
        assert st.count("posts") == 6


def test_a_folder_walk_leaves_documentation_aside_but_a_named_file_is_read(tmp_path: Path) -> None:
    """`ingest s.duckdb twibot20/` exited 1 because the folder's LICENSE is not a data format."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FIX / "v1_uklabour.jsonl", folder / "tweets.jsonl")
    (folder / "LICENSE").write_text("CC BY 4.0\n")
    (folder / "README.md").write_text("# the data\n")
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(folder)])
    assert res.exit_code == 0, res.output
    assert "left aside 2 files found in a folder that are documentation, not data (LICENSE, README.md)" in _said(res)
    named = runner.invoke(app, ["ingest", str(study), str(folder / "README.md")])
    assert named.exit_code == 1 and "unreadable " + str(folder / "README.md") in named.output, named.output
    only_docs = tmp_path / "docs"
    only_docs.mkdir()
    (only_docs / "README.txt").write_text("nothing here\n")
    res = runner.invoke(app, ["ingest", str(tmp_path / "t.duckdb"), str(only_docs)])
    assert res.exit_code == 2 and "(only documentation in the folders given" in " ".join(res.output.split()), res.output
    empty = tmp_path / "empty"
    empty.mkdir()
    res = runner.invoke(app, ["ingest", str(tmp_path / "t.duckdb"), str(empty)])  # said "no input files", naming nothing
    assert res.exit_code == 2 and f"no input files in {empty} (empty" in " ".join(res.output.split()), res.output
    beside = runner.invoke(app, ["ingest", str(tmp_path / "t.duckdb"), str(empty), str(FIX / "v1_uklabour.jsonl")])
    # given beside a file, the empty folder vanished without a word
    assert beside.exit_code == 0 and f"left aside {empty}: a folder with no files to read in it" in _said(beside), beside.output


def test_the_empty_folder_check_reads_the_paths_found_once_not_once_per_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`ingest STUDY data/*/` over a year of hourly capture folders (8,760 folders) waited over a
    minute before reading anything: each folder given was looked for by a scan of every path found. The
    paths are now read twice in all (sorted once, and a set), however many folders are given."""
    from botwatch.cli import ingest as ingest_cli

    class Counted(list):  # type: ignore[type-arg]
        reads = 0

        def __iter__(self):  # type: ignore[no-untyped-def]
            for f in super().__iter__():
                Counted.reads += 1
                yield f

    folders = []
    for i in range(200):
        (tmp_path / f"h{i:03d}").mkdir()
        folders.append(str(tmp_path / f"h{i:03d}"))
    (tmp_path / "empty").mkdir()
    found = Counted(f"{d}/part.jsonl" for d in folders)
    said: list[str] = []
    monkeypatch.setattr(ingest_cli, "console", type("C", (), {"print": staticmethod(lambda text, **k: said.append(text))}))
    ingest_cli._say_empty_folders([*folders, str(tmp_path / "empty")], found)
    assert said == [f"left aside {tmp_path / 'empty'}: a folder with no files to read in it (hidden files are skipped)"], said
    assert Counted.reads <= 2 * len(found), Counted.reads


def test_a_csv_delimited_by_semicolons_or_tabs_is_refused_with_the_reason(tmp_path: Path) -> None:
    """A `;`-delimited IRA CSV was refused listing one column "author_id;content;..." and no hint;
    and with no study created, the line pointed at "its row in the study's `rejected` table"."""
    import csv

    with (FIX / "ira_tweets.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    for delim, said in ((";", "delimited by ';', not commas"), ("\t", "delimited by tabs, not commas")):
        path = tmp_path / "ira.csv"
        with path.open("w", newline="") as f:
            csv.writer(f, delimiter=delim).writerows(rows)
        res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(path)])
        assert res.exit_code == 1, res.output
        assert said in _said(res) and "botwatch reads comma-separated CSV" in _said(res), res.output
        assert "rejected` table" not in res.output and not (tmp_path / "s.duckdb").exists()


def _closed_pipe(args: list[str]) -> tuple[int, str]:
    """Run `botwatch ARGS` with its stdout a pipe closed before it writes (`| head` that has had
    enough); the exit status and stderr."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    env.pop("BOTWATCH_DEBUG", None)
    with subprocess.Popen([sys.executable, "-m", "botwatch.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        return proc.wait(timeout=120), err


def test_a_closed_pipe_ends_quietly_and_export_claims_no_rows(tmp_path: Path, v1_scored: Path) -> None:
    """`explain S x | head -1` exited 1 (Rich's broken-pipe exit), and `export S posts -o - | head`
    said "wrote N rows ... to stdout" before the pipe closed on them."""
    study = _scored_copy(v1_scored, tmp_path)  # ingested and analysed for accounts
    from botwatch import open_study

    with open_study(study) as st:
        handle = st.sql("SELECT handle FROM accounts_scored WHERE handle IS NOT NULL ORDER BY handle LIMIT 1")[0][0]
    for args in (["explain", str(study), handle], ["explain", str(study), handle, "--json"], ["accounts", str(study)],
                 ["export", str(study), "posts", "-o", "-"]):
        code, err = _closed_pipe(args)
        assert code == 0, (args, err)
        assert "wrote" not in err and "Traceback" not in err and "error" not in err, (args, err)
    res = runner.invoke(app, ["export", str(study), "posts", "-o", "-"])  # a pipe read to the end is still told
    assert res.exit_code == 0 and "wrote 6 rows of posts to stdout" in res.output


def test_a_closed_pipe_keeps_the_no_account_exit_of_explain_json(tmp_path: Path, v1_scored: Path) -> None:
    """`explain S @nobody --json | head -0`: the pipe closed on the error's JSON object and the
    command ended quietly with 0, as if the account had been found. It exits 2, with the error
    line on stderr and no traceback."""
    study = _scored_copy(v1_scored, tmp_path)  # ingested and analysed for accounts
    code, err = _closed_pipe(["explain", str(study), "@nobody", "--json"])
    assert code == 2 and "no account @nobody in" in err, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_an_empty_accounts_listing_says_which_filter_left_nothing(tmp_path: Path, v1_scored: Path) -> None:
    study = _scored_copy(v1_scored, tmp_path)  # ingested and analysed for accounts
    res = runner.invoke(app, ["accounts", str(study), "--country", "TH"])  # a country the model names, none placed there
    assert res.exit_code == 0 and "no accounts with origin TH" in res.output, res.output
    full = runner.invoke(app, ["accounts", str(study)])
    assert full.exit_code == 0 and "no accounts" not in full.output


def test_ingest_with_its_arguments_swapped_says_the_study_comes_first(tmp_path: Path) -> None:
    """`ingest tweets.jsonl new.duckdb` said only "no such file: new.duckdb"."""
    data = tmp_path / "tweets.jsonl"
    shutil.copy(FIX / "v1_uklabour.jsonl", data)
    res = runner.invoke(app, ["ingest", str(data), str(tmp_path / "new.duckdb")])
    assert res.exit_code == 2, res.output
    assert f"the study comes first: botwatch ingest {tmp_path / 'new.duckdb'} {data}" in _said(res)
    assert not (tmp_path / "new.duckdb").exists() and data.read_bytes() == (FIX / "v1_uklabour.jsonl").read_bytes()


def test_a_collector_that_never_connects_exits_1_and_says_so(tmp_path: Path) -> None:
    """`collect bluesky … --endpoint ws://127.0.0.1:9/x --duration 15s` retried for 15 s, captured
    nothing and exited 0, as if the capture had worked."""
    res = runner.invoke(app, ["collect", "bluesky", str(tmp_path / "cap"), "--endpoint", "ws://127.0.0.1:9/x",
                              "--duration", "1s", "--backoff-scale", "0.01", "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "never connected to ws://127.0.0.1:9/x: nothing was captured" in _said(res)


def test_a_closed_pipe_ends_quietly_on_the_oldest_rich_botwatch_allows() -> None:
    """pyproject allows rich>=13, but Rich's `Console.on_broken_pipe` hook, which ResultConsole
    overrode to end with 0, came only in 13.8 (13.7.1's console.py has neither the hook nor the
    `except BrokenPipeError` that calls it): on 13.0-13.7 the error left `out.print` and the command
    exited 1 with Python's complaint. Rich 13.7's behaviour is rebuilt here (no hook, the buffer
    written without a catch) and `out.print` into a closed pipe must still end with 0, quietly."""
    import os
    import subprocess
    import sys

    code = (
        "import rich.console as rc\n"
        "def old_check_buffer(self):\n"  # Rich 13.0-13.7: written as is, a BrokenPipeError propagates
        "    if self.quiet:\n"
        "        del self._buffer[:]\n"
        "        return\n"
        "    self._write_buffer()\n"
        "rc.Console._check_buffer = old_check_buffer\n"
        "del rc.Console.on_broken_pipe\n"
        "from botwatch.cli.common import out\n"
        "for i in range(1000):\n"
        "    out.print('a row of a long table ' * 20)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_a_user_bot_model_is_read_once_per_analyze_and_again_when_replaced(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`analyze` with BOTWATCH_BOT_MODEL read the file twice: once for its upfront check (a
    missing or foreign file is one line, exit 2) and again when the accounts stage loaded it. It
    is now read once; a file replaced since (a retrained model) is read afresh."""
    import gzip
    import json
    from importlib import resources

    from botwatch.accounts import botmodel

    model = tmp_path / "mine.json.gz"
    shipped = (resources.files("botwatch.accounts") / "models" / botmodel.SHIPPED).read_bytes()
    model.write_bytes(shipped)
    reads: list[str] = []
    real = botmodel.read_user_bytes_sha256
    monkeypatch.setattr(botmodel, "read_user_bytes_sha256", lambda path, *a: (reads.append(str(path)), real(path, *a))[1])
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(model))
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    assert reads == [str(model)], reads
    data = json.loads(gzip.decompress(shipped))
    data["meta"]["retrained"] = "yes"
    model.write_bytes(gzip.compress(json.dumps(data).encode()))
    assert botmodel.model_meta()["retrained"] == "yes" and len(reads) == 2
    assert botmodel.shipped_model().meta["retrained"] == "yes" and len(reads) == 2


def test_a_closed_pipe_leaves_no_descriptor_open() -> None:
    """`stdout_closed` opened /dev/null to put under stdout and never closed that descriptor: one
    leaked per call, and every call in a test runner (no real stdout to redirect)."""
    import io
    import os
    import sys

    from botwatch.cli.common import stdout_closed

    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc/self/fd to count open descriptors")
    before = open_fds()
    real = sys.stdout
    try:
        for _ in range(5):
            sys.stdout = io.StringIO()  # a test runner's buffer: fileno() refuses
            with pytest.raises(SystemExit) as ended:
                stdout_closed()
            assert ended.value.code == 0
    finally:
        sys.stdout = real
    assert open_fds() == before


def test_a_folder_walk_reads_a_data_file_whose_name_starts_like_documentation(tmp_path: Path) -> None:
    """`ingest s.duckdb ira/` left FiveThirtyEight's `authors.csv.gz` aside as "documentation, not
    data" (the stem of an AUTHORS file), so the IRA handles' account types were never read from the
    folder; an AUTHORS file itself is still documentation."""
    folder = tmp_path / "ira"
    folder.mkdir()
    shutil.copy(FIX / "ira_tweets.csv", folder / "tweets.csv")
    shutil.copy(FIX / "ira_authors.csv", folder / "authors.csv")
    (folder / "AUTHORS").write_text("Darren Linvill, Patrick Warren\n")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(folder)])
    assert res.exit_code == 0, res.output
    said = _said(res)
    assert "left aside 1 file found in a folder that is documentation, not data (AUTHORS)" in said
    assert "ok " + str(folder / "authors.csv") in said


def test_a_folder_walk_leaves_a_readme_with_a_data_suffix_aside(tmp_path: Path) -> None:
    """A data set's codebook named `README.csv` (or a `LICENSE.json`) is documentation: the rule
    that reads `authors.csv.gz` as data must not read a README as posts, which failed the run on
    an input that holds none."""
    folder = tmp_path / "ira"
    folder.mkdir()
    shutil.copy(FIX / "ira_tweets.csv", folder / "tweets.csv")
    (folder / "README.csv").write_text("column,meaning\ncontent,the post's text\n")
    (folder / "LICENSE.json").write_text('{"license": "CC-BY-4.0"}\n')
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(folder)])
    assert res.exit_code == 0, res.output
    assert "left aside 2 files found in a folder that are documentation, not data (LICENSE.json, README.csv)" in _said(res)


def test_a_share_with_a_decimal_comma_is_told_to_use_a_point(tmp_path: Path) -> None:
    """`--sample-rate 0,01` (the decimal mark in much of Europe) was refused as "not a number", as if
    the value were wrong: the refusal names the comma and gives the value to write."""
    for given, said in (("0,01", "'0,01' has a decimal comma: write it with a point, 0.01"),
                        ("1,5%", "'1,5%' is a percentage: give the share it stands for, 0.015"),
                        ("1,000,000", "'1,000,000' is not a number"), ("2,5", "'2,5' is not a number")):
        res = runner.invoke(app, ["analyze", str(tmp_path / "s.duckdb"), "--sample-rate", given])
        assert res.exit_code == 2 and said in _said(res), res.output
