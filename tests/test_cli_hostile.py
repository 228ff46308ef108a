"""The CLI at its edges (issue 17): names that look like markup, failing exports, bad settings.

A traceback reaching the user is a bug: each of these ends in a clear message and an exit code.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
runner = CliRunner()


def _status(pid: int) -> str:
    return json.dumps({"id_str": str(pid), "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": "x", "user": {"id_str": "u1"}})


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(alphabet="ab[]=#@ :", min_size=1, max_size=8))
def test_markup_in_file_names_is_printed_as_text_and_every_file_is_read(tmp_path: Path, name: str) -> None:
    """`a[/b]c.jsonl`: a folder `a[` holding `b]c.jsonl`; rich read `[/b]` as a closing tag and
    crashed after the first file committed, so the second was never read."""
    folder = tmp_path / f"{name}[" / "x"
    folder.mkdir(parents=True, exist_ok=True)
    first, second = folder.parent / "b]c.jsonl", folder / f"{name}].jsonl"
    first.write_text(_status(1) + "\n")
    second.write_text(_status(2) + "\n")
    study = tmp_path / f"{name}.duckdb"
    study.unlink(missing_ok=True)
    res = runner.invoke(app, ["ingest", str(study), str(first), str(second)])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert res.exit_code == 0, res.output
    assert str(first) in res.output and str(second) in res.output and "[twitter-v1.1]" in res.output
    status = runner.invoke(app, ["status", str(study)])
    assert status.exit_code == 0 and str(study) in status.output


def test_markup_in_a_table_name_is_a_clear_error(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["export", str(study), "[/x]", "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit)
    assert "no table '[/x]'" in res.output


def test_markup_in_rejected_errors_and_election_names_is_text(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text(_status(1) + "\n" + '{"id_str": "[/red]", "user": {"id_str": "[/x]"}, "created_at": "[/bold]"}\n')
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    res = runner.invoke(app, ["status", str(study)])
    assert res.exit_code == 0, res.output
    assert "[/bold]" in res.output
    text = (resources.files("botwatch.elections") / "presets" / "uk-ge2017.toml").read_text(encoding="utf-8")
    lines = [('name = "[/x] election [b]"' if line.startswith("name =") else line) for line in text.splitlines()]
    e = tmp_path / "e.toml"
    e.write_text("\n".join(lines) + "\n", encoding="utf-8")
    shown = runner.invoke(app, ["elections", "show", str(e)])
    assert shown.exit_code == 0, shown.output
    assert "[/x] election [b]" in shown.output


def test_elections_check_of_dev_zero_a_folder_or_a_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    """`elections check /dev/zero` read 23.7 GB until the kernel killed it; a folder or a binary
    file raised IsADirectoryError / UnicodeDecodeError tracebacks."""
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"name = 1\n\x00\x00\xff\xfe")
    for path, words in [("/dev/zero", "too large"), (str(tmp_path), "is a directory"), (str(binary), "binary")]:
        res = runner.invoke(app, ["elections", "check", path])
        assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
        assert words in res.output


def test_a_user_named_bot_model_is_read_with_a_limit() -> None:
    from botwatch.accounts.botmodel import model_meta
    from botwatch.userfile import UserFileError

    try:
        model_meta("/dev/zero")
    except UserFileError as exc:
        assert "too large" in str(exc)
    else:  # pragma: no cover - the assertion that matters
        raise AssertionError("a bot model of endless zeros was accepted")
