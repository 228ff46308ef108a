"""Input file names on the terminal follow a record's rule (`shown_text.name_shown`): a name typed
with the four characters `\\x07` printed exactly as one holding a real BEL, `\\x07`, in `ingest`'s
line for each input, its "left aside" and "no such file" lines, the "already ingested from" reason
and `status`'s study name, while a handle so typed was already shown `\\\\x07`. A typed backslash
is now shown as two; a command to paste keeps its single ones (shell-quoted, `shell_shown`)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.shown_text import controls_shown, name_shown

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
runner = CliRunner()
TYPED, REAL = "\\x07", "\x07"  # four characters typed in the name; one BEL character


def _inputs(folder: Path) -> tuple[Path, Path]:
    lines = FIX.read_text(encoding="utf-8").splitlines()
    typed, real = folder / f"a{TYPED}.jsonl", folder / f"a{REAL}.jsonl"
    typed.write_text(lines[0] + "\n", encoding="utf-8")
    real.write_text(lines[1] + "\n", encoding="utf-8")
    return typed, real


def test_name_shown_doubles_a_typed_backslash_and_escapes_a_real_control_or_byte() -> None:
    assert name_shown(f"a{TYPED}") == "a\\\\x07" and name_shown(f"a{REAL}") == "a\\x07"
    assert name_shown(b"a\xffb") == name_shown("a\udcffb") == "a\\xffb" and name_shown("a\\xffb") == "a\\\\xffb"
    assert name_shown("a\\xffb", stored=True) == "a\\xffb"  # `sources.path` holds a non-UTF-8 byte as those four characters
    assert controls_shown(name_shown(f"a{TYPED}")) == name_shown(f"a{TYPED}")  # `fail` / `warn` after it change nothing


def test_ingest_tells_a_typed_backslash_in_a_name_from_a_control_character(tmp_path: Path) -> None:
    typed, real = _inputs(tmp_path)
    study = tmp_path / "s.duckdb"
    res = runner.invoke(app, ["ingest", str(study), str(typed), str(real)])
    assert res.exit_code == 0, res.output
    assert f"ok {tmp_path}/a\\\\x07.jsonl " in res.output and f"ok {tmp_path}/a\\x07.jsonl " in res.output, res.output
    assert REAL not in res.output
    again = runner.invoke(app, ["ingest", str(study), str(tmp_path)])  # a folder: the study is left aside, both skipped
    assert again.exit_code == 0, again.output
    out = " ".join(again.output.split())
    # each the same file read before (its name not repeated: `identical_said`), named by the rule
    assert f"skipped {tmp_path}/a\\\\x07.jsonl: identical content already ingested: this same file was read before" in out, out
    assert f"skipped {tmp_path}/a\\x07.jsonl: identical content already ingested: this same file was read before" in out, out


def test_missing_inputs_are_named_by_the_same_rule(tmp_path: Path) -> None:
    gone = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(tmp_path / f"n{TYPED}.jsonl"), str(tmp_path / f"n{REAL}.jsonl")])
    assert gone.exit_code == 2
    out = " ".join(gone.output.split())
    assert f"/n\\\\x07.jsonl" in out and f"/n\\x07.jsonl" in out and REAL not in gone.output, out


def test_status_tells_the_two_capture_folders_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import shutil

    from botwatch.cli import common

    # Rich reads COLUMNS once, when botwatch's console is made: the invoke's env does not widen
    # `status`'s table, and at 80 columns (no terminal, as under xdist) a long path wraps.
    monkeypatch.setattr(common.out, "_width", 400)

    folders = [tmp_path / f"c{TYPED}", tmp_path / f"c{REAL}"]
    for i, folder in enumerate(folders):
        (folder / ".botwatch").mkdir(parents=True)
        (folder / ".botwatch" / "capture.json").write_text(json.dumps({"format": 1, "sample_rate": 0.5, "runs": []}))
        shutil.copy(FIX.parent / "twarc2_two_tweets.jsonl.gz", folder / f"x-stream-2026010{i + 1}T000500123456Z-111.jsonl.gz")
    study = tmp_path / "s.duckdb"  # (DuckDB reads a backslash in a study's own name as a folder separator: no such study name)
    assert runner.invoke(app, ["ingest", str(study), *map(str, folders)]).exit_code == 0
    res = runner.invoke(app, ["status", str(study)], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    assert f"/c\\\\x07 " in res.output and f"/c\\x07 " in res.output and REAL not in res.output, res.output


def test_a_column_map_problem_names_the_file_by_the_same_rule(tmp_path: Path) -> None:
    typed = tmp_path / f"g{TYPED}.csv"
    typed.write_text("author,created_at,text\nx,2015-08-07T02:00:00Z,hello\n", encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(typed), "--columns", "account_id=author,created_at=created_at,text=body"])
    assert res.exit_code == 2
    assert f"/g\\\\x07.csv: " in " ".join(res.output.split()), res.output


def test_the_ingest_command_a_message_suggests_pastes_with_a_spaced_name(tmp_path: Path) -> None:
    import shlex

    study = tmp_path / "my study.duckdb"
    res = runner.invoke(app, ["status", str(study)])  # no study there yet
    assert res.exit_code == 2 and f"run `botwatch ingest {shlex.quote(str(study))} FILES...` first" in " ".join(res.output.split()), res.output
    study.touch()
    res = runner.invoke(app, ["status", str(study)])  # an empty file
    assert res.exit_code == 2 and f"run `botwatch ingest {shlex.quote(str(study))} FILES...` first" in " ".join(res.output.split()), res.output
    new, data = tmp_path / "new one.duckdb", tmp_path / "my posts.jsonl"
    data.write_bytes(FIX.read_bytes())
    res = runner.invoke(app, ["ingest", str(data), str(new)])  # the arguments the wrong way round
    assert res.exit_code == 2 and f"botwatch ingest {shlex.quote(str(new))} {shlex.quote(str(data))}" in " ".join(res.output.split()), res.output
    res = runner.invoke(app, ["analyze", str(data)])  # a data file given as the study
    assert res.exit_code == 2 and f"`botwatch ingest study.duckdb {shlex.quote(str(data))}`" in " ".join(res.output.split()), res.output


def test_the_label_first_hint_quotes_the_study() -> None:
    from types import SimpleNamespace

    import pytest

    from botwatch.pipeline import PipelineError
    from botwatch.timeline.labelled import require_labels_for

    study = SimpleNamespace(path=Path("my study.duckdb"), tables=lambda: ["post_labels"], columns=lambda t: ["election"],
                            sql=lambda q: [("us-2016",)])
    with pytest.raises(PipelineError, match="`botwatch analyze 'my study.duckdb' --election uk-ge2017 --only content`"):
        require_labels_for(study, SimpleNamespace(election=SimpleNamespace(key="uk-ge2017")), "timeline")  # type: ignore[arg-type]


def test_a_study_named_with_a_backslash_is_refused_not_written_elsewhere(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """DuckDB reads `\\` as a folder separator: `ingest 'a\\b.duckdb'` wrote a/b.duckdb, and
    `status 'a\\b.duckdb'` then said "no study at", sending the user to ingest again."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    data = tmp_path / "in.jsonl"
    data.write_bytes(FIX.read_bytes())
    for args in (["ingest", "a\\b.duckdb", str(data)], ["status", "a\\b.duckdb"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2 and "DuckDB reads a backslash in a study's path as a folder separator (it would open a/b.duckdb)" in res.output, res.output
    assert not (tmp_path / "a" / "b.duckdb").exists()


def test_the_nothing_read_line_names_the_file_as_its_own_line_did(tmp_path: Path) -> None:
    bad = tmp_path / f"u{TYPED}.jsonl"
    bad.write_text('{"x": 1}\n', encoding="utf-8")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(bad)])
    out = " ".join(res.output.split())
    assert res.exit_code != 0 and f"unreadable {tmp_path}/u\\\\x07.jsonl:" in out and "(u\\\\x07.jsonl: unreadable input" in out, out
