"""Small things a new user met on the third walk through the command line (docs/*.md)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()
MAP = "post_id=id,account_id=user,created_at=time,text=text"


def _study(tmp_path: Path, rows: str) -> Path:
    src = tmp_path / "in.csv"
    src.write_text("id,user,time,text\n" + rows, encoding="utf-8")
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(src), "--columns", MAP])
    assert res.exit_code == 0, res.output
    return study


def test_the_csv_formula_note_does_not_claim_cells_were_prefixed(tmp_path: Path) -> None:
    """Every CSV export said "text cells starting with = + - @ ... were prefixed", on files where
    none was: the note now says what the export does, not what it found."""
    study = _study(tmp_path, "1,alice,2017-05-01 10:00:00,plain text\n")
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(tmp_path / "p.csv")])
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and "were prefixed" not in said and "is prefixed with '" in said, res.output


def _unlistable(monkeypatch, name: str) -> None:  # type: ignore[no-untyped-def]
    """Folders called `name` refuse to be listed, as one without read permission does (the tests
    run as root, whom permissions do not stop)."""
    import errno
    import os

    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(real):  # type: ignore[no-untyped-def]
        def call(path=".", *a, **k):  # type: ignore[no-untyped-def]
            if os.path.basename(os.fspath(path).rstrip("/")) == name:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return real(path, *a, **k)
        return call

    monkeypatch.setattr(os, "scandir", refuse(real_scandir))
    monkeypatch.setattr(os, "listdir", refuse(real_listdir))


def test_a_folder_that_cannot_be_listed_is_a_failed_input_not_silence(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A folder walk passed over a subfolder it could not list without a word (its archives simply
    missing, exit 0), and a top folder it could not list was "no input files ... (empty)"; each is
    now an input that fails with its reason, exit 1, the readable files beside it stored."""
    data = tmp_path / "data"
    (data / "locked").mkdir(parents=True)
    (data / "ok.csv").write_text("id,user,time,text\n1,alice,2017-05-01 10:00:00,hello\n", encoding="utf-8")
    (data / "locked" / "more.csv").write_text("id,user,time,text\n2,bob,2017-05-01 11:00:00,hi\n", encoding="utf-8")
    _unlistable(monkeypatch, "locked")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(data), "--columns", MAP])
    said = " ".join(res.output.split())
    assert res.exit_code == 1, res.output
    assert f"failed {data / 'locked'}: a folder that cannot be read: Permission denied (none of its files was read)" in said
    assert "1 unreadable folder" in said and "Traceback" not in res.output
    res = runner.invoke(app, ["ingest", str(tmp_path / "t.duckdb"), str(data / "locked"), "--columns", MAP])
    said = " ".join(res.output.split())
    assert res.exit_code == 1 and "a folder that cannot be read" in said and "empty" not in said, res.output


def test_the_spark_stage_says_the_same_for_a_folder_it_cannot_list(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Spark executors read through the same opener (`spark_stage.stage_one`, plain Python)."""
    from botwatch.engines import spark_stage
    from botwatch.ingest.source import lasting_failure

    (tmp_path / "locked").mkdir()
    _unlistable(monkeypatch, "locked")
    meta = list(spark_stage.stage_one(0, str(tmp_path / "locked"), {}, False, 1 << 20))[-1].column("meta").to_pylist()[0]
    assert meta["error"] == "a folder that cannot be read: Permission denied" and lasting_failure(meta["error"])


def test_an_export_that_cannot_be_written_does_not_name_the_hidden_part_file() -> None:
    """DuckDB's words named the `.part` file the export writes first ("could not write out/p.csv:
    IO Error: Cannot open file "out/.p.csv.72aa4575.part": Permission denied"), a file the user never
    named; the line keeps the reason."""
    import duckdb

    from botwatch.table_export import _reason

    part = Path("/out/.p.csv.72aa4575.part")
    for words, reason in (('IO Error: Cannot open file "/out/.p.csv.72aa4575.part": Permission denied', "Permission denied"),
                          ('IO Error: Could not write file "/out/.p.csv.72aa4575.part": No space left on device', "No space left on device")):
        assert _reason(duckdb.IOException(words), part) == reason
    assert _reason(duckdb.IOException("IO Error: something else"), part) == "IO Error: something else"


def test_impact_refuses_a_bucket_of_no_time_and_a_window_that_ends_before_it_starts(tmp_path: Path) -> None:
    """`impact --freq 0h` passed the frequency check and pandas then divided by zero ("ValueError:
    Division by zero in rounding. This is a bug in botwatch"); --start after --end said "No posts
    about 'labour' in the window". Both are refused before the study is opened."""
    import pytest

    from botwatch.impact.stage import statsmodels_available

    if not statsmodels_available():
        pytest.skip("impact needs statsmodels (botwatch[time])")
    study = tmp_path / "none.duckdb"  # never opened: the options are refused first
    for args, said in ((["--freq", "0h"], "frequency '0h' is a bucket of no time"),
                       (["--start", "2017-06-01", "--end", "2017-05-01"], "--start 2017-06-01 00:00 is after --end 2017-05-01 00:00"),
                       (["--maxlags", "0"], "Invalid value for '--maxlags'")):
        res = runner.invoke(app, ["impact", str(study), "-p", "labour", *args])
        assert res.exit_code == 2 and said in " ".join(res.output.split()) and "bug" not in res.output, res.output


def test_one_record_not_in_utf8_is_said_in_the_singular(tmp_path: Path) -> None:
    """A Latin-1 CSV with one accented row said "1 records rejected as not UTF-8"."""
    src = tmp_path / "latin1.csv"
    src.write_bytes("id,user,time,text\n1,alice,2017-05-01 10:00:00,café\n2,bob,2017-05-01 11:00:00,plain\n".encode("latin-1"))
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(src), "--columns", MAP])
    said = " ".join(res.output.split())
    assert "1 record rejected as not UTF-8" in said and "1 records" not in said, res.output


def test_a_row_of_one_field_is_said_in_the_singular(tmp_path: Path) -> None:
    """A junk line in a CSV (one field) was kept aside as "row has 1 fields, header has 4"."""
    from botwatch import open_study

    src = tmp_path / "junk.csv"
    src.write_text("id,user,time,text\n1,alice,2017-05-01 10:00:00,hello\njunk\n2,bob,2017-05-01 11:00:00,x,y\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(src), "--columns", MAP])
    assert res.exit_code == 0, res.output
    with open_study(tmp_path / "s.duckdb") as st:
        errors = [e for (e,) in st.sql("SELECT error FROM rejected ORDER BY line")]
    assert errors == ["row has 1 field, header has 4", "row has 5 fields, header has 4"], errors
