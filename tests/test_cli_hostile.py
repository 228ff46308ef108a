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
    # Its own key: an edited preset under the preset's key is refused (tests/test_walk_election_file.py).
    text = text.replace('key = "uk-ge2017"', 'key = "markup-test"', 1)
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


def _formula_study(tmp_path: Path) -> Path:
    f = tmp_path / "f.jsonl"
    texts = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "plain = text"]
    f.write_text("\n".join(json.dumps({"id_str": str(i), "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": t, "user": {"id_str": "u"}})
                           for i, t in enumerate(texts)) + "\n")
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    return study


def test_csv_export_defuses_formula_cells_unless_verbatim_and_never_overwrites_without_force(tmp_path: Path) -> None:
    import csv

    study = _formula_study(tmp_path)
    out = tmp_path / "x.csv"
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "--verbatim" in res.output
    with out.open(newline="", encoding="utf-8") as fh:
        texts = {r["post_id"]: r["text"] for r in csv.DictReader(fh)}
    assert texts["0"] == "'=HYPERLINK(\"http://x\")" and texts["1"] == "'+1" and texts["2"] == "'-2" and texts["3"] == "'@SUM(A1)"
    assert texts["4"] == "'\tTab" and texts["5"] == "'\rCR" and texts["6"] == "plain = text"
    again = runner.invoke(app, ["export", str(study), "posts", "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(out), "--force", "--verbatim"])
    assert res.exit_code == 0, res.output
    with out.open(newline="", encoding="utf-8") as fh:
        assert {r["post_id"]: r["text"] for r in csv.DictReader(fh)}["0"] == "=HYPERLINK(\"http://x\")"
    jl = tmp_path / "x.jsonl"
    assert runner.invoke(app, ["export", str(study), "posts", "-o", str(jl)]).exit_code == 0
    exact = {r["post_id"]: r["text"] for r in map(json.loads, jl.read_text().splitlines())}
    assert exact["0"] == "=HYPERLINK(\"http://x\")" and exact["5"] == "\rCR"


def test_export_to_a_directory_an_unusable_folder_or_a_full_disk_is_a_clear_error(tmp_path: Path) -> None:
    from unittest import mock

    import duckdb

    from botwatch.study import Study

    study = _formula_study(tmp_path)
    (tmp_path / "d.csv").mkdir()
    (tmp_path / "file").write_text("x")
    for target, words in [(tmp_path / "d.csv", "d.csv is a folder: name the file"), (tmp_path / "file" / "x.csv", "file is a file, not a folder")]:
        res = runner.invoke(app, ["export", str(study), "posts", "-o", str(target)])
        assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
        assert words in " ".join(res.output.split()), res.output
    real = Study.sql

    def full_disk(self, query, params=None):  # type: ignore[no-untyped-def]
        if query.startswith("COPY"):
            raise duckdb.IOException('IO Error: Could not write file "x": No space left on device')
        return real(self, query, params)

    with mock.patch.object(Study, "sql", full_disk):
        res = runner.invoke(app, ["export", str(study), "posts", "-o", str(tmp_path / "full.csv")])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert "No space left on device" in res.output
    assert not (tmp_path / "full.csv").exists() and not list(tmp_path.glob(".full.csv*"))


def test_bad_ingest_memory_setting_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BOTWATCH_INGEST_MEMORY", "lots")
    res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(FIX / "v1_uklabour.jsonl")])
    assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    assert "BOTWATCH_INGEST_MEMORY" in res.output and "2GB" in res.output
    monkeypatch.setenv("BOTWATCH_INGEST_MEMORY", "1.5gb")
    assert runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(FIX / "v1_uklabour.jsonl")]).exit_code == 0


def test_a_full_disk_at_commit_is_one_clear_error_and_the_earlier_file_is_kept(tmp_path: Path) -> None:
    """After a failed COMMIT DuckDB invalidates the connection, so ROLLBACK, the runs row and the
    memory reset all failed too: four chained tracebacks. Now: one message, first file kept."""
    from unittest import mock

    import duckdb

    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(_status(1) + "\n")
    second.write_text(_status(2) + "\n")
    real, state = Study.sql, {"commits": 0}

    def failing(self, query, params=None):  # type: ignore[no-untyped-def]
        if query == "COMMIT":
            state["commits"] += 1
            if state["commits"] == 2:
                real(self, "ROLLBACK")
                state["dead"] = True
                raise duckdb.IOException("IO Error: No space left on device")
        if state.get("dead"):
            raise duckdb.FatalException("FATAL Error: database has been invalidated because of a previous fatal error")
        return real(self, query, params)

    with mock.patch.object(Study, "sql", failing):
        res = runner.invoke(app, ["ingest", str(study), str(first), str(second)])
    assert isinstance(res.exception, SystemExit) and res.exit_code == 1, res.output  # not done; no usage error (exit 2)
    assert "No space left on device" in res.output and "run the same command again" in res.output
    assert "Traceback" not in res.output
    from botwatch import open_study

    with open_study(study) as st:
        assert st.sql("SELECT post_id FROM posts") == [("1",)]


def test_a_cut_gzip_through_stdin_keeps_its_posts_with_two_workers(tmp_path: Path) -> None:
    """Through stdin, the parallel path kept 0 of 2,449 recoverable posts ("truncated after 0 posts")."""
    import gzip

    payload = gzip.compress("".join(_status(i) + "\n" for i in range(3000)).encode(), mtime=0)
    cut = payload[: len(payload) * 2 // 3]
    counts = []
    for workers in ("1", "2"):
        study = tmp_path / f"w{workers}.duckdb"
        res = runner.invoke(app, ["ingest", str(study), "-", "--workers", workers], input=cut)
        assert res.exit_code == 1 and "cut short" in res.output, res.output  # the posts before the cut kept, the cut reported
        from botwatch import open_study

        with open_study(study) as st:
            counts.append((st.count("posts"), st.sql("SELECT records_read FROM sources")[0][0]))
    assert counts[0] == counts[1] and counts[0][0] > 1000 and counts[0][1] >= counts[0][0]


def test_csv_export_drops_nul_characters_and_jsonl_keeps_them(tmp_path: Path) -> None:
    """A NUL in a post's text (a broken or hostile capture) made the CSV unreadable to Python's
    csv module ("line contains NUL"); JSON lines keep the exact text."""
    import csv

    f = tmp_path / "n.jsonl"
    f.write_text(json.dumps({"id_str": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": "vote\u0000 now",
                             "user": {"id_str": "u"}}) + "\n")
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    for extra in ([], ["--verbatim"]):
        out = tmp_path / f"p{len(extra)}.csv"
        assert runner.invoke(app, ["export", str(study), "posts", "-o", str(out), *extra]).exit_code == 0
        assert b"\x00" not in out.read_bytes()
        with out.open(newline="", encoding="utf-8") as fh:
            assert [r["text"] for r in csv.DictReader(fh)] == ["vote now"]
    jl = tmp_path / "p.jsonl"
    assert runner.invoke(app, ["export", str(study), "posts", "-o", str(jl)]).exit_code == 0
    assert json.loads(jl.read_text().splitlines()[0])["text"] == "vote\u0000 now"


def test_an_empty_csv_export_says_nothing_about_prefixed_cells(tmp_path: Path) -> None:
    study = _formula_study(tmp_path)
    res = runner.invoke(app, ["export", str(study), "rejected", "-o", str(tmp_path / "r.csv")])
    assert res.exit_code == 0 and "wrote 0 rows" in res.output and "formula" not in res.output
