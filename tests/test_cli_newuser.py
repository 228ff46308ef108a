"""What a new user meets walking through README.md and docs/ on the DuckDB path: the mistakes they
make (the study argument forgotten, a file botwatch cannot read, a missing input) and the hostile
text they feed it get one clear line, never a silent loss, a traceback or a repainted terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


def test_ingest_with_the_study_argument_forgotten_refuses_and_loses_nothing(tmp_path: Path) -> None:
    """`botwatch ingest tweets.jsonl more.jsonl`: DuckDB opened the first input as an in-memory
    database, so the command reported every post stored while nothing reached the disk."""
    first = tmp_path / "tweets.jsonl"
    shutil.copy(FIX / "v1_uklabour.jsonl", first)
    before = first.read_bytes()
    res = runner.invoke(app, ["ingest", str(first), str(FIX / "twarc2_flat.jsonl")])
    assert res.exit_code == 2, res.output
    assert "is not a study (not a DuckDB file)" in res.output and "botwatch ingest study.duckdb" in res.output
    assert "stored" not in res.output and "Traceback" not in res.output
    assert first.read_bytes() == before
    status = runner.invoke(app, ["status", str(first)])  # was "Cannot launch in-memory database in read-only mode!"
    assert status.exit_code == 2 and "is not a study" in status.output and "in-memory" not in status.output


def test_an_empty_data_file_named_first_is_refused_and_an_empty_study_file_becomes_one(tmp_path: Path) -> None:
    """An empty `tweets.jsonl` named first (the study argument forgotten) slipped past the check:
    DuckDB opened it as an in-memory database, the command said "stored 6", exit 0, and the file
    stayed empty. An empty file named otherwise (`touch study.duckdb`) was refused with DuckDB's
    "exists, but it is not a valid DuckDB database file": it is now a new study."""
    for name in ("tweets.jsonl", "export.csv", "part.parquet"):
        first = tmp_path / name
        first.write_bytes(b"")
        res = runner.invoke(app, ["ingest", str(first), str(FIX / "v1_uklabour.jsonl")])
        assert res.exit_code == 2 and "is an empty" in res.output and "not a study" in res.output, res.output
        assert "stored" not in res.output and first.read_bytes() == b""
        status = runner.invoke(app, ["status", str(first)])
        assert status.exit_code == 2 and "not a study" in status.output and "in-memory" not in status.output, status.output
    touched = tmp_path / "study.duckdb"
    touched.write_bytes(b"")
    status = runner.invoke(app, ["status", str(touched)])
    assert status.exit_code == 2 and "empty file, not a study yet" in status.output and "not a valid" not in status.output, status.output
    res = runner.invoke(app, ["ingest", str(touched), str(FIX / "v1_uklabour.jsonl")])
    assert res.exit_code == 0, res.output
    with open_study(touched) as st:
        assert st.count("posts") == 6


def test_open_study_refuses_a_file_that_is_not_a_study(tmp_path: Path) -> None:
    """The library path too: `open_study("archive.csv", read_only=False)` wrote to memory only."""
    import pytest

    from botwatch.study import StudyError

    csv = tmp_path / "archive.csv"
    shutil.copy(FIX / "ira_tweets.csv", csv)
    with pytest.raises(StudyError, match="not a study"):
        open_study(csv, read_only=False)


CLI_FIX = Path(__file__).resolve().parent / "fixtures" / "cli"


def test_a_hostile_handle_reaches_the_terminal_as_text(tmp_path: Path) -> None:
    """A handle carrying ESC[2J (clear screen) reached the terminal raw through `accounts` and
    `explain`; `[/evil]` is markup Rich would read. Both must come out as visible text."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(CLI_FIX / "hostile_handle.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    listed = runner.invoke(app, ["accounts", str(study)])
    told = runner.invoke(app, ["explain", str(study), "778"])
    for r in (listed, told):
        assert r.exit_code == 0, r.output
        assert "\x1b" not in r.output and "\\x1b[2J" in r.output, r.output
        assert "[/evil]" in r.output  # shown, not taken as a closing tag


def test_the_clusters_table_shows_a_hostile_handle_as_text() -> None:
    """The cluster's most central handle went into the table as markup: `[/evil]` made Rich raise
    MarkupError, which the guard reported as "a bug in botwatch", after the stage had run."""
    import io

    from rich.console import Console

    from botwatch.cli.coordination import clusters_table

    con = Console(width=200, record=True, file=io.StringIO())
    con.print(clusters_table([(0, 4, 4, 0.67, "co-retweet", "[/evil]\x1b[2J", None, None, None, None, None, None)], "Clusters"))
    text = con.export_text()
    assert "[/evil]\\x1b[2J" in text and "\x1b" not in text


def test_an_unreadable_or_missing_input_is_not_reported_ok(tmp_path: Path) -> None:
    """A CSV of no known layout was printed "ok … [unreadable]" in green, and a missing file beside
    stored ones "(file rolled back; study unchanged)" though the study had changed."""
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(CLI_FIX / "unknown_layout.csv"), str(tmp_path / "missing.jsonl"), str(FIX / "v1_uklabour.jsonl")])
    # A missing input beside stored ones: the rest is stored, and the exit status says not all was.
    assert res.exit_code == 1, res.output
    said = " ".join(res.output.split())
    assert "2 of 3 inputs failed (1 missing: no such file; 1 unreadable" in said and "the rest are stored" in said
    assert "ok " + str(CLI_FIX / "unknown_layout.csv") not in res.output and "[unreadable]" not in res.output
    assert "unreadable " + str(CLI_FIX / "unknown_layout.csv") in res.output
    assert "study unchanged" not in res.output and "nothing from this file was stored" in res.output
    # No record was rejected: the unreadable input's row in `rejected` says why it failed.
    assert "What was wrong with each failed input is kept in the study" in said, said


def test_nothing_readable_says_why_and_points_at_no_removed_study(tmp_path: Path) -> None:
    """With nothing readable the new study is removed, so "Rejected records are kept in the study:
    botwatch export …" pointed at a file that was gone; the reason now comes with the error."""
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(CLI_FIX / "unknown_layout.csv")])
    assert res.exit_code == 1, res.output
    assert not study.exists()
    assert "Rejected records are kept in the study" not in res.output
    assert "nothing could be read from the inputs (unknown_layout.csv: unreadable input" in res.output and "when, who, what" in res.output


def test_naming_a_stage_that_needs_an_election_without_one_is_an_error(tmp_path: Path) -> None:
    """`analyze --only content` with no --election exited 0 with "skipped: needs --election"."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "--only", "content", "--only", "coverage"])
    assert res.exit_code == 2, res.output
    assert "content needs --election" in res.output and "elections list" in res.output
    with open_study(study) as st:  # refused before anything ran
        assert st.sql("SELECT count(*) FROM runs WHERE stage = 'coverage'")[0][0] == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "coverage"]).exit_code == 0


def test_graphml_export_keeps_an_existing_file_without_force(tmp_path: Path) -> None:
    """Every format refuses to replace a file without --force; GraphML overwrote it silently."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "coordination"]).exit_code == 0
    net = tmp_path / "net.graphml"
    net.write_text("mine")
    res = runner.invoke(app, ["export", str(study), "coordination", "-o", str(net)])
    assert res.exit_code == 2 and "already exists: pass --force" in res.output, res.output
    assert net.read_text() == "mine"
    res = runner.invoke(app, ["export", str(study), "coordination", "-o", str(net), "--force"])
    assert res.exit_code == 0 and "<graphml" in net.read_text(), res.output


def test_elections_show_and_an_empty_study_read_cleanly(tmp_path: Path) -> None:
    """`elections show` printed "#—" and "@—" for empty lists; `status` of a study with no posts
    (an ingest stopped by Ctrl-C) printed "time span None … None UTC"."""
    shown = runner.invoke(app, ["elections", "show", "uk-ge2017"])
    assert shown.exit_code == 0 and "#—" not in shown.output and "@—" not in shown.output
    assert "allied —" in shown.output and "official @Conservatives" in shown.output
    study = tmp_path / "empty.duckdb"
    open_study(study, read_only=False).close()
    res = runner.invoke(app, ["status", str(study)])
    assert res.exit_code == 0 and "None" not in res.output and "no posts yet" in res.output, res.output


def test_report_into_a_folder_or_posts_without_exports_is_a_clear_error(tmp_path: Path) -> None:
    """`report -o FOLDER` ended in IsADirectoryError, reported as "a bug in botwatch"; `--posts
    --no-exports` wrote the page and silently no posts."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["report", str(study), "-o", str(tmp_path)])
    assert res.exit_code == 2 and "is a folder" in res.output and "bug" not in res.output, res.output
    page = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(page), "--posts", "--no-exports"])
    assert res.exit_code == 2 and "leave out --no-exports" in res.output, res.output
    assert not page.exists()


def test_report_somewhere_unwritable_names_the_path_not_a_bug(tmp_path: Path) -> None:
    """`report -o /proc/r.html` (any folder the system refuses) ended in an OSError reported as "a
    bug in botwatch". A plain file where the folder should be is refused for root too."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    (tmp_path / "afile").write_text("not a folder")
    for extra in ([], ["--no-exports"]):
        page = tmp_path / "afile" / "r.html"
        res = runner.invoke(app, ["report", str(study), "-o", str(page), *extra])
        assert res.exit_code == 2 and "could not write" in res.output and "bug" not in res.output, res.output


def test_a_zip_or_an_unknown_csv_says_what_to_do(tmp_path: Path) -> None:
    """A .zip (how Kaggle ships data) was "binary file …, not JSON or CSV"; a CSV of another layout
    named no layout that would have been read."""
    import zipfile

    packed = tmp_path / "tweets.zip"
    with zipfile.ZipFile(packed, "w") as z:
        z.write(FIX / "v1_uklabour.jsonl", "v1_uklabour.jsonl")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(packed), str(CLI_FIX / "unknown_layout.csv")])
    assert res.exit_code == 1, res.output
    assert "zip-compressed: botwatch reads gzip (.gz) and uncompressed files; unpack it first" in res.output
    assert "FiveThirtyEight's IRA tweets" in res.output and "twarc-csv" in res.output


def test_a_zip_is_given_the_command_that_unpacks_it(tmp_path: Path) -> None:
    """A zip was told only "unpack it first", where a tar is given `tar -xf FILE`: the refusal now
    names Python's own unzip, quoted for the shell, and the folder it writes ingests."""
    import shlex
    import subprocess
    import sys
    import zipfile

    packed = tmp_path / "my tweets.zip"
    with zipfile.ZipFile(packed, "w") as z:
        z.write(FIX / "v1_uklabour.jsonl", "v1_uklabour.jsonl")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(packed)], env={"COLUMNS": "1000"})
    said = " ".join(res.output.split())
    folder = tmp_path / "my tweets"
    command = f"python -m zipfile -e {shlex.quote(str(packed))} {shlex.quote(str(folder))}"
    assert res.exit_code == 1 and f"(`{command}`)" in said, said
    subprocess.run([sys.executable, *shlex.split(command)[1:]], check=True)  # as pasted, by this Python
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(folder)])
    assert res.exit_code == 0, res.output


def test_rejected_reasons_keep_the_words_of_the_message(tmp_path: Path) -> None:
    """`status` and the report group rejected records by their message with the numbers taken out,
    but show a real message: "UTF-8" and "bzip2" used to read "UTF-N" and "bzipN"."""
    from botwatch.report.section_overview import study_summary
    from botwatch.study import Study

    with Study(tmp_path / "s.duckdb") as st:
        st.sql(
            "INSERT INTO rejected VALUES ('a.jsonl', 3, 'line 3: not UTF-8 text', 'x'), "
            "('a.jsonl', 9, 'line 9: not UTF-8 text', 'y'), ('b.jsonl.bz2', 0, 'a bzip2 file: unpack it first', '')"
        )
        reasons = study_summary(st)["rejected_by_error"]
    assert [(e, n) for e, n in reasons] == [("line 3: not UTF-8 text", 2), ("a bzip2 file: unpack it first", 1)]


def _interrupt_on_file(monkeypatch, nth: int) -> None:  # type: ignore[no-untyped-def]
    """Make the `nth` file's ingest (1-based) stop as Ctrl-C would, after the earlier ones ran for real."""
    import botwatch.ingest.runner as ingest_runner

    real, calls = ingest_runner.ingest_file, []

    def stopping(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == nth:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest_runner, "ingest_file", stopping)


def test_ctrl_c_before_anything_was_stored_leaves_no_new_study(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C during `ingest NEW.duckdb …` left an empty study file (and its .wal) behind."""
    study = tmp_path / "new.duckdb"
    _interrupt_on_file(monkeypatch, 1)
    res = runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")])
    assert res.exit_code != 0, res.output
    assert not study.exists() and not Path(str(study) + ".wal").exists()
    assert "the new study" in res.output and "was removed" in res.output


def test_ctrl_c_keeps_a_study_that_existed_or_holds_a_stored_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Only a study this command created and stored nothing in is removed on Ctrl-C."""
    stored_first = tmp_path / "partial.duckdb"
    _interrupt_on_file(monkeypatch, 2)
    res = runner.invoke(app, ["ingest", str(stored_first), str(FIX / "v1_uklabour.jsonl"), str(FIX / "twarc2_flat.jsonl")])
    assert res.exit_code != 0, res.output
    with open_study(stored_first) as st:
        assert st.count("posts") > 0
    existing = tmp_path / "old.duckdb"
    open_study(existing, read_only=False).close()
    _interrupt_on_file(monkeypatch, 1)
    assert runner.invoke(app, ["ingest", str(existing), str(FIX / "v1_uklabour.jsonl")]).exit_code != 0
    assert existing.exists()


def test_a_twarc2_page_is_counted_as_a_page_not_a_post(tmp_path: Path) -> None:
    """A twarc2 line is one API page of many tweets: "read 1, stored 12" looked like more stored
    than read. The line and the summary table say pages."""
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(CLI_FIX / "twarc2_page_12.jsonl"), str(FIX / "v1_uklabour.jsonl")])
    assert res.exit_code == 0, res.output
    assert "read 1 page, stored 12," in res.output, res.output
    assert "read 6, stored 6," in res.output
    assert "6 + 1 page" in res.output  # the summary table: records and pages apart, never summed


def test_analyze_and_report_on_a_study_without_posts_say_so(tmp_path: Path) -> None:
    """On an empty study (an ingest stopped by Ctrl-C) every stage said "ok" and the report was a
    page of empty sections; now `analyze` runs nothing and exits 1, and the report says it first."""
    study = tmp_path / "s<i>.duckdb"  # a name the page must show as text
    open_study(study, read_only=False).close()
    res = runner.invoke(app, ["analyze", str(study), "--election", "us-2016"])
    assert res.exit_code == 1, res.output
    assert "holds no posts (and no accounts): nothing to analyze, no stage was run" in " ".join(res.output.split())
    assert " ok " not in res.output
    with open_study(study) as st:
        assert st.sql("SELECT count(*) FROM runs WHERE stage <> 'ingest'")[0][0] == 0
    page = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(study), "-o", str(page), "--no-exports"]).exit_code == 0
    html = page.read_text()
    top = html[: html.index("Headline findings") + 600]
    assert "This study holds no posts." in top
    assert "s&lt;i&gt;.duckdb" in html and "s<i>.duckdb" not in html


def test_analyze_of_profiles_without_posts_scores_them_under_a_warning(tmp_path: Path) -> None:
    """A user lookup holds accounts but no posts: the account stages have profiles to score, so
    they run, and the line says the stages reading posts have nothing to read."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "twarc2_users.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    assert "holds no posts, only 5 account profiles" in " ".join(res.output.split())
    page = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(study), "-o", str(page), "--no-exports"]).exit_code == 0
    assert "This study holds no posts." in page.read_text()


def test_impact_and_timeline_stages_refuse_posts_labelled_for_another_election(uk_analysed_v1_path: Path, tmp_path: Path) -> None:
    """Posts labelled for uk-ge2017, `analyze --election us-2016 --only impact` (or a timeline
    stage) said "ok, 0 rows": no US party in UK labels. Now one line says what to run. (The study:
    `v1_uklabour.jsonl` ingested and analysed whole for uk-ge2017, exit 0: `uk_analysed_v1_path`.)"""
    study = tmp_path / "s.duckdb"
    shutil.copyfile(uk_analysed_v1_path, study)
    for stage in ("impact", "timeline", "bursts", "creation"):
        res = runner.invoke(app, ["analyze", str(study), "--election", "us-2016", "--only", stage])
        said = " ".join(res.output.split())
        assert res.exit_code == 2, res.output
        assert f"{stage}: the posts are labelled for uk-ge2017, not us-2016" in said, said
        assert f"--election us-2016 --only content`, then run {stage} again" in said and "bug" not in said
    same = runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "timeline", "--only", "impact"])
    assert same.exit_code == 0, same.output


def test_the_reason_a_file_was_unreadable_shows_its_control_characters_as_text(tmp_path: Path) -> None:
    """The error for an unreadable new input quotes its CSV header, which its author wrote: an ESC
    there reached the terminal raw (it could clear or repaint it)."""
    evil = tmp_path / "evil.csv"
    evil.write_bytes(b"a\x1b[2Jb,c\x1b]0;title\x07,d\n1,2,3\n")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(evil)])
    assert res.exit_code == 1, res.output
    assert "\x1b" not in res.output and "\x07" not in res.output
    assert "a\\x1b[2jb" in res.output  # shown, not dropped (the header is lower-cased when read)


def test_estimate_without_an_election_is_one_line(tmp_path: Path) -> None:
    """typer's "Missing option" was a multi-line box; every other error is one `error:` line."""
    study = tmp_path / "s.duckdb"
    with open_study(study, read_only=False):
        pass
    res = runner.invoke(app, ["estimate", str(study)])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: estimate needs --election") and "╭" not in res.output


def test_the_ingest_summary_counts_what_the_error_line_says(tmp_path: Path) -> None:
    """The table said "rejected 1 … failed 0" above "1 of 4 inputs could not be read": an
    unreadable input is a failed one in both."""
    import re

    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(CLI_FIX / "unknown_layout.csv"), str(FIX / "v1_uklabour.jsonl")], env={"COLUMNS": "200"})
    assert res.exit_code == 1, res.output
    header = next(ln for ln in res.output.splitlines() if "failed" in ln and "skipped" in ln)
    row = next(ln for ln in res.output.splitlines() if re.match(r"^│\s+2\s+│", ln))
    cells = dict(zip(re.findall(r"\w+", header), [c.strip() for c in row.strip("│").split("│")]))
    assert cells["files"] == "2" and cells["failed"] == "1"
    assert "1 of 2 inputs failed (1 unreadable: not a format botwatch reads)" in " ".join(res.output.split())


def test_a_folder_given_as_the_study_or_as_the_export_file_says_so(tmp_path: Path) -> None:
    """`status FOLDER` said DuckDB's "Could not read from file …: Is a directory"; `export STUDY
    posts -o FOLDER` said "cannot export to FOLDER: use one of .csv, …", naming no folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    for cmd in (["status", str(folder)], ["report", str(folder), "-o", str(tmp_path / "r.html")]):
        res = runner.invoke(app, cmd)
        said = " ".join(res.output.split())
        assert res.exit_code == 2 and f"{folder} is a folder: a DuckDB study is a file" in said and "Is a directory" not in said, res.output
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(folder)])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and f"{folder} is a folder: name the file, e.g. {folder / 'posts'}.parquet" in said, res.output
    assert list(folder.iterdir()) == []


def test_the_study_among_its_own_inputs_is_left_aside(tmp_path: Path) -> None:
    """`ingest s.duckdb *` in the data's folder (or `ingest s.duckdb .`) read the study itself as an
    input while writing to it: "unreadable s.duckdb: binary file", and exit 1 on every re-run."""
    import os

    shutil.copy(FIX / "v1_uklabour.jsonl", tmp_path / "a.jsonl")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert runner.invoke(app, ["ingest", "s.duckdb", "a.jsonl"]).exit_code == 0
        for inputs in (["a.jsonl", "s.duckdb"], ["."]):
            res = runner.invoke(app, ["ingest", "s.duckdb", *inputs])
            said = " ".join(res.output.split())
            assert res.exit_code == 0, res.output
            assert "s.duckdb: the study this command writes, not an input" in said and "unreadable" not in said, res.output
    finally:
        os.chdir(cwd)


def test_a_binary_input_is_not_said_to_be_in_another_text_encoding(tmp_path: Path) -> None:
    """A binary file's one `rejected` row ("binary file (NUL bytes or mostly invalid UTF-8)") was
    counted as a record not in UTF-8, so a line said "1 records rejected as not UTF-8 … convert it
    with iconv": no conversion makes a picture a CSV. Its own `unreadable` line says what it is."""
    noise = tmp_path / "photo.jsonl"
    noise.write_bytes(bytes(range(256)) * 20)
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(noise), str(FIX / "v1_uklabour.jsonl")])
    assert res.exit_code == 1 and "binary file" in res.output, res.output
    assert "iconv" not in res.output and "not UTF-8:" not in res.output, res.output


def test_an_output_under_a_file_names_the_file_in_the_way(tmp_path: Path) -> None:
    """`export … -o data.jsonl/x.csv` said "cannot create the folder data.jsonl: File exists" and
    `report -o data.jsonl/r.html` "could not write …: File exists", as if the output were there."""
    study, data = tmp_path / "s.duckdb", tmp_path / "data.jsonl"
    shutil.copy(FIX / "v1_uklabour.jsonl", data)
    assert runner.invoke(app, ["ingest", str(study), str(data)]).exit_code == 0
    for cmd, out in ((["export", str(study), "posts", "-o"], data / "x.csv"), (["report", str(study), "-o"], data / "sub" / "r.html")):
        res = runner.invoke(app, [*cmd, str(out)])
        said = " ".join(res.output.split())
        assert res.exit_code == 2 and f"could not write {out}: {data} is a file, not a folder" in said, res.output
        assert "File exists" not in said
    assert data.read_bytes() == (FIX / "v1_uklabour.jsonl").read_bytes()


def test_analyze_of_an_empty_file_says_no_study_yet_and_leaves_it_empty(tmp_path: Path) -> None:
    """`touch study.duckdb; botwatch analyze study.duckdb`: analyze made the empty file a study,
    said "holds no posts" (exit 1), and `report` then wrote a report of nothing (exit 0) where
    `status` had said "not a study yet"."""
    touched = tmp_path / "study.duckdb"
    touched.write_bytes(b"")
    for cmd in (["analyze", str(touched)], ["coordination", str(touched)]):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 2 and "empty file, not a study yet" in res.output, res.output
        assert touched.read_bytes() == b""
    res = runner.invoke(app, ["report", str(touched), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 2 and not (tmp_path / "r.html").exists(), res.output


def test_a_cut_short_or_unwritable_study_says_what_to_do(tmp_path: Path, sample_study_path: Path) -> None:
    """DuckDB's "Could not read enough bytes" and "Permission denied" were passed on alone: the
    user was not told the file is damaged, or that the command writes to the study."""
    from botwatch.study import lock_message

    cut = tmp_path / "cut.duckdb"
    with sample_study_path.open("rb") as fh:
        cut.write_bytes(fh.read(100_000))
    res = runner.invoke(app, ["status", str(cut)])
    assert res.exit_code == 2 and "damaged or cut short" in " ".join(res.output.split()), res.output
    said = lock_message(cut, f'IO Error: Cannot open file "{cut}": Permission denied', read_only=False)
    assert said.endswith("change the file's permissions (e.g. chmod u+rw) or work on a copy you own") and "write to it" in said


def test_why_a_result_was_not_recorded_is_cut_at_a_sentence(tmp_path: Path) -> None:
    """The reason was cut at 200 characters, mid-word, in the lock and permission lines."""
    from botwatch.cli.record import record_run

    long = "first sentence names the study " + "x" * 150 + ". " + "second sentence says what to do " + "y" * 300 + "."

    def params() -> dict:
        raise RuntimeError(long)

    why = record_run(tmp_path / "s.duckdb", "content_evaluate", params)
    assert why is not None and why.endswith("x.") and "second" not in why
    short = "cannot open s.duckdb as a study: Permission denied. Change the file's permissions (e.g. chmod u+rw) or work on a copy you own"
    assert record_run(tmp_path / "s.duckdb", "content_evaluate", lambda: (_ for _ in ()).throw(RuntimeError(short))) == short


def test_a_new_study_in_a_folder_that_does_not_exist_names_the_folder(tmp_path: Path) -> None:
    """`ingest "no such/s.duckdb" FILES` said only DuckDB's "Cannot open file …: No such file or
    directory", which reads as if an input were missing."""
    from botwatch.study import lock_message

    study = tmp_path / "no such" / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and f"the folder {study.parent} does not exist" in said and f"mkdir -p '{study.parent}'" in said, said
    assert not study.parent.exists()
    ro = lock_message(tmp_path / "s.duckdb", 'IO Error: Cannot open file "s.duckdb": Permission denied', read_only=False)
    assert ro.endswith(f"this user may not write in the folder {tmp_path}; name a study in a folder you can write to"), ro


def test_a_tar_of_archives_says_to_unpack_it(tmp_path: Path) -> None:
    """A .tar or .tar.gz of JSON/CSV files (how a batch of downloads is often passed on) was
    refused as "binary file (NUL bytes or mostly invalid UTF-8), not JSON or CSV", which sent the
    user after a corrupt file. It now says it is a tar and to unpack it; text that happens to hold
    "ustar" at the tar magic's offset is still read as text."""
    import tarfile

    for name, mode in (("batch.tar", "w"), ("batch.tar.gz", "w:gz")):
        packed = tmp_path / name
        with tarfile.open(packed, mode) as t:
            t.add(FIX / "v1_uklabour.jsonl", "v1_uklabour.jsonl")
        res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(packed)])
        assert res.exit_code != 0 and "a tar archive of files" in res.output and f"tar -xf {packed}" in res.output, res.output
    data = (FIX / "ira_tweets.csv").read_bytes()
    cut = data.index(b"\n") + 1  # the first row's text: "ustar" written over five of its bytes at 257
    assert cut < 250 and data[cut:270].isascii()
    plain = tmp_path / "gustar.csv"
    plain.write_bytes(data[:257] + b"ustar" + data[262:])
    res = runner.invoke(app, ["ingest", str(tmp_path / "t.duckdb"), str(plain)])
    assert "tar archive" not in res.output and "[ira-538-tweets]: read 35" in res.output, res.output
