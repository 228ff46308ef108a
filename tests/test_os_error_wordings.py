"""OS errors said through `userfile.os_error_said`, the one wording of an OS error for a user, at
the places that still worded them their own way (`exc.strerror or type(exc).__name__`): an error
with no system reason but a text of its own ("Not a gzipped file") came out as its Python class
name ("BadGzipFile"), which tells a user nothing of what to fix. Tests run as root here, so the
failures are made with a folder where a file is expected, not with permissions."""

from __future__ import annotations

import pathlib
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.engines import spark_start
from testsupport.terminal import said, wide_consoles

FIX = Path(__file__).resolve().parent / "fixtures"
LABELS = FIX / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019 rows
V1 = FIX / "ingest" / "v1_uklabour.jsonl"


def test_train_bot_model_says_why_a_labels_file_cannot_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `.gz` labels file that is not gzip said "cannot read labels.csv.gz: BadGzipFile"."""
    wide_consoles(monkeypatch)
    fake = tmp_path / "labels.csv.gz"
    fake.write_bytes(LABELS.read_bytes())
    text = said(CliRunner().invoke(app, ["train-bot-model", str(fake), "-o", str(tmp_path / "m.json.gz")]))
    assert f"cannot read {fake}: Not a gzipped file" in text and "BadGzipFile" not in text, text
    (tmp_path / "labels.csv").mkdir()
    text = said(CliRunner().invoke(app, ["train-bot-model", str(tmp_path / "labels.csv"), "-o", str(tmp_path / "m.json.gz")]))
    assert f"cannot read {tmp_path}/labels.csv: Is a directory" in text and "Errno" not in text, text


def test_train_bot_model_names_the_file_it_could_not_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder where the model's figures file goes: said before training (it was said after, with
    the model already written beside it), with the file, and that nothing was written."""
    wide_consoles(monkeypatch)
    (tmp_path / "m.figures.json").mkdir()
    text = said(CliRunner().invoke(app, ["train-bot-model", str(LABELS), "-o", str(tmp_path / "m.json.gz")]))
    assert f"{tmp_path}/m.figures.json is a folder" in text and "nothing was written" in text and "Errno" not in text, text


def test_ingest_says_why_results_json_could_not_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder in its place said with the system's reason; an error with no reason (a network
    file system's own text) with that text, where it said "OSError"."""
    wide_consoles(monkeypatch)
    (tmp_path / "dir.jsonl").mkdir()
    text = said(CliRunner().invoke(app, ["ingest", str(tmp_path / "a.duckdb"), str(V1), "--results-json", str(tmp_path / "dir.jsonl")]))
    assert f"could not write --results-json {tmp_path}/dir.jsonl (Is a directory); the inputs reported ok above are stored" in text, text

    target, write_text = tmp_path / "r.jsonl", pathlib.Path.write_text

    def refused(self: Path, *args: object, **kwargs: object) -> int:
        if self == target:
            raise OSError("stale file handle on the share")
        return write_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pathlib.Path, "write_text", refused)
    text = said(CliRunner().invoke(app, ["ingest", str(tmp_path / "b.duckdb"), str(V1), "--results-json", str(target)]))
    assert f"could not write --results-json {target} (stale file handle on the share); the inputs reported ok" in text, text


def test_a_master_that_cannot_be_reached_is_said_with_the_error_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection error with no system reason said "oserror" after the master's address."""
    def refused(*_a: object, **_k: object) -> socket.socket:
        raise OSError("Network is unreachable via the proxy")

    monkeypatch.setattr(socket, "create_connection", refused)
    problem = spark_start.master_problem("spark://127.0.0.1:7077", "spark://127.0.0.1:7077")
    assert problem and "network is unreachable via the proxy" in problem and "oserror" not in problem, problem
