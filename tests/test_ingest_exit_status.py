"""`botwatch ingest`'s exit status: 1 whenever an input put nothing in that the study does not
already hold (an unreadable file, one that broke off, a CSV of its header alone, a re-read refused
as it would store every post twice), however many other inputs were stored; 0 when every input
was stored or was already held. Never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"
GOP = FIX / "gop_debate_2015_tweets.csv"
DERIVED = "account_id=author,handle=author,created_at=created_at,text=text"
OWN_IDS = DERIVED + ",post_id=row_id"
V1 = FIX / "v1_uklabour.jsonl"


def _ingest(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["ingest", *args])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output  # no traceback
    assert "Traceback" not in res.output
    return res.exit_code, " ".join(res.output.split())


def _header_only(tmp_path: Path) -> Path:
    f = tmp_path / "h.csv"
    f.write_text(GOP.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")
    return f


def test_a_header_only_csv_beside_a_stored_file_exits_1(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    code, out = _ingest(str(study), str(GOP), str(_header_only(tmp_path)), "--columns", DERIVED)
    assert code == 1, out
    assert "1 of 2 inputs failed (1 empty: no records in it)" in out
    with open_study(study) as st:
        assert st.count("posts") > 20  # the good file is stored all the same


def test_a_file_whose_every_record_is_rejected_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    lines = GOP.read_text(encoding="utf-8").splitlines(keepends=True)
    bad.write_text(lines[0] + "".join(",".join(["x"] * 3) + "\n" for _ in range(3)), encoding="utf-8")  # too few fields
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(GOP), str(bad), "--columns", DERIVED)
    assert code == 1 and "1 all rejected: every record was rejected" in out, out


def test_a_refused_re_read_exits_1_and_a_run_of_held_files_exits_0(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    assert _ingest(str(study), str(GOP), "--columns", DERIVED)[0] == 0
    code, out = _ingest(str(study), str(GOP), "--columns", DERIVED)  # the same again: all held
    assert code == 0 and "skipped" in out and "identical content already ingested" in out, out
    code, out = _ingest(str(study), str(GOP), "--columns", OWN_IDS, "--force")  # refused: it would store every post twice
    assert code == 1, out
    assert f"refused {GOP}: read before with the column map" in out
    assert "1 of 1 inputs failed (1 refused: read before under a column map giving other post ids)" in out
    code, out = _ingest(str(study), str(GOP), "--columns", DERIVED, "--force")  # re-read, same ids: nothing new, all held
    assert code == 0 and "stored 0" in out, out


def test_a_missing_or_unreadable_input_beside_held_ones_exits_1(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    assert _ingest(str(study), str(V1))[0] == 0
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01binary\xff" * 50)
    code, out = _ingest(str(study), str(V1), str(junk), str(tmp_path / "gone.jsonl"))
    assert code == 1, out
    assert "2 of 3 inputs failed (1 missing: no such file; 1 unreadable: not a format botwatch reads)" in out


def test_re_running_with_a_header_only_csv_still_exits_1(tmp_path: Path) -> None:
    """The same command again skipped the header-only file as "identical content already
    ingested" and exited 0: nothing of it is held, so the re-run says so and exits 1 as the first."""
    study, empty = tmp_path / "s.duckdb", _header_only(tmp_path)
    args = (str(study), str(GOP), str(empty), "--columns", DERIVED)
    assert _ingest(*args)[0] == 1
    code, out = _ingest(*args)
    assert code == 1, out
    assert "where nothing in it could be stored" in out
    assert "1 of 2 inputs failed (1 nothing held: read before, and nothing in it could be stored)" in out
    assert _ingest(str(study), str(GOP), "--columns", DERIVED)[0] == 0  # the held file alone: 0


def test_an_empty_or_cut_gzip_input_under_a_column_map_fails_alone(tmp_path: Path) -> None:
    """With --columns, an empty file or a gzip cut before its header line aborted the whole command
    as a usage error (exit 2), storing nothing: it is now that file's own "unreadable" line, saying
    why, the other inputs are stored, and the command exits 1, as without a map."""
    import gzip

    packed = gzip.compress(GOP.read_bytes())
    cut, empty = tmp_path / "cut.csv.gz", tmp_path / "empty.csv"
    cut.write_bytes(packed[:12])
    empty.write_bytes(b"")
    study = tmp_path / "s.duckdb"
    code, out = _ingest(str(study), str(GOP), str(cut), str(empty), "--columns", DERIVED)
    assert code == 1, out
    assert "unreadable" in out and "compressed stream is corrupt or truncated" in out, out
    assert "the file is empty" in out, out
    assert "2 of 3 inputs failed (2 unreadable" in out, out
    with open_study(study) as st:
        assert st.sql("SELECT count(*) FROM posts")[0][0] > 20


def test_a_map_naming_a_column_a_readable_header_lacks_is_still_a_usage_error(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    code, out = _ingest(str(study), str(GOP), "--columns", DERIVED.replace("text=text", "text=no_such_column"))
    assert code == 2, out
    assert "no_such_column" in out and not study.exists()


def test_an_input_the_system_will_not_open_is_counted_so_not_broke_off(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A file made unreadable (`chmod 000`, run as another user) said "cannot open: Permission denied"
    on its line and "1 broke off" on the error line, as if it had been cut mid-read. (The tests run
    as root, whom chmod does not stop, so the refusal is the system's as `InputSource.open` meets it.)"""
    from botwatch.ingest.source import InputSource

    locked = tmp_path / "locked.jsonl"
    locked.write_text(V1.read_text())
    real = InputSource.open.__func__  # type: ignore[attr-defined]

    def refuse(cls, path, *a, **k):  # type: ignore[no-untyped-def]
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real(cls, path, *a, **k)

    monkeypatch.setattr(InputSource, "open", classmethod(refuse))
    code, out = _ingest(str(tmp_path / "s.duckdb"), str(V1), str(locked))
    assert code == 1, out
    assert "cannot open: Permission denied" in out and "1 of 2 inputs failed (1 cannot open: the system would not open it" in out, out
    assert "broke off" not in out, out


def test_a_missing_input_is_counted_as_missing_not_broke_off(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    code, out = _ingest(str(study), str(GOP), str(tmp_path / "nope.csv"), "--columns", DERIVED)
    assert code == 1, out
    assert "1 of 2 inputs failed (1 missing: no such file)" in out and "broke off" not in out, out


def _results(path: Path) -> list[dict]:  # type: ignore[type-arg]
    import json

    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_results_json_says_refused_with_its_reason_not_skipped(tmp_path: Path) -> None:
    """A re-read refused under another column map was written `skipped` to --results-json, the
    word for a file the study already holds."""
    study, results = tmp_path / "s.duckdb", tmp_path / "r.jsonl"
    assert _ingest(str(study), str(GOP), "--columns", DERIVED)[0] == 0
    code, out = _ingest(str(study), str(GOP), "--columns", OWN_IDS, "--force", "--results-json", str(results))
    assert code == 1, out
    (row,) = _results(results)
    assert row["status"] == "refused" and "read before with the column map" in row["reason"], row
    assert _ingest(str(study), str(GOP), "--columns", DERIVED, "--results-json", str(results))[0] == 0
    assert [r["status"] for r in _results(results)] == ["skipped"]  # held: still skipped


def test_a_gzip_cut_after_some_posts_keeps_them_says_where_and_exits_1(tmp_path: Path) -> None:
    """A truncated .gz that stored the posts before the cut exited 0 with an "ok" line: a script
    could not tell it from a whole file. Its line now says it was cut short, how many posts were
    kept and at which byte of its text it broke; --results-json says `partial`; exit 1."""
    import gzip

    packed = gzip.compress(V1.read_bytes(), mtime=0)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    study, results = tmp_path / "s.duckdb", tmp_path / "r.jsonl"
    code, out = _ingest(str(study), str(cut), "--results-json", str(results))
    assert code == 1, out
    assert f"cut short {cut}" in out and "compressed stream is corrupt or truncated after" in out and "at byte" in out, out
    assert "1 of 1 inputs failed (1 cut short: the compressed stream broke off; the records before the break are stored" in out, out
    (row,) = _results(results)
    assert row["status"] == "partial" and "at byte" in row["reason"], row
    with open_study(study) as st:
        kept = st.count("posts")
        (why,) = st.sql("SELECT error FROM rejected WHERE line = 0")[0]
    assert 0 < kept and f"after {kept:,} posts, at byte" in why and f"after {kept:,} posts, at byte" in out
    code, out = _ingest(str(study), str(V1))  # the whole file beside it: stored, exit 0
    assert code == 0, out


def test_a_cut_gzip_run_again_still_says_cut_short_and_reads_the_rest_once_whole(tmp_path: Path) -> None:
    """Run again on the same cut .gz, the command skipped it as "identical content already
    ingested" and exited 0: the break was said once and never again. It now says "cut short" and
    `partial` again (exit 1), storing nothing twice; once the file is whole the rest is read in
    and a further run skips it (exit 0)."""
    import gzip

    packed = gzip.compress(V1.read_bytes(), mtime=0)
    f = tmp_path / "grows.jsonl.gz"
    f.write_bytes(packed[: len(packed) * 2 // 3])
    study, results = tmp_path / "s.duckdb", tmp_path / "r.jsonl"
    assert _ingest(str(study), str(f))[0] == 1
    with open_study(study) as st:
        first = (st.count("posts"), st.count("rejected"))
    code, out = _ingest(str(study), str(f), "--results-json", str(results))
    assert code == 1 and f"cut short {f}" in out and "stored 0" in out, out
    assert _results(results)[0]["status"] == "partial"
    with open_study(study) as st:
        assert (st.count("posts"), st.count("rejected")) == first  # nothing stored or kept aside twice
    f.write_bytes(packed)  # the download finished
    code, out = _ingest(str(study), str(f))
    assert code == 0, out
    with open_study(study) as st:
        whole = sum(1 for line in V1.read_bytes().splitlines() if line.strip())
        # the break (and the record it cut in two) are no longer in the file: kept as history, no
        # longer counted as rejected input
        assert first[0] < st.count("posts") and st.count("rejected") == 0 and st.count("rejected_earlier") == first[1]
        assert st.sql("SELECT count(*) FROM rejected_earlier WHERE line = 0 AND error LIKE 'compressed stream is corrupt%'") == [(1,)]
        got = st.count("posts")
    code, out = _ingest(str(study), str(f), "--results-json", str(results))
    assert code == 0 and _results(results)[0]["status"] == "skipped", out
    with open_study(study) as st:
        assert st.count("posts") == got and whole >= got


def test_a_binary_file_among_inputs_under_a_column_map_is_one_unreadable_input(tmp_path: Path) -> None:
    """With --columns, one binary file (a picture, a zip saved as .csv) among the inputs stopped
    the whole command (exit 2, nothing stored). It is now that input's own line, "unreadable" with
    why, kept in `rejected`; the CSV beside it is stored and the command exits 1."""
    import zipfile

    picture, packed = tmp_path / "photo.csv", tmp_path / "packed.csv"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr("inner.csv", GOP.read_text(encoding="utf-8"))
    study, results = tmp_path / "s.duckdb", tmp_path / "r.jsonl"
    code, out = _ingest(str(study), str(picture), str(GOP), str(packed), "--columns", DERIVED, "--results-json", str(results))
    assert code == 1, out
    assert "2 of 3 inputs failed (2 unreadable" in out and f"unreadable {picture}" in out and "binary or packed file" in out, out
    assert [r["status"] for r in _results(results)] == ["unreadable", "ok", "unreadable"]
    with open_study(study) as st:
        assert st.count("posts") > 0
        assert sorted(s for (s,) in st.sql("SELECT source FROM rejected WHERE line = 0")) == sorted([str(picture), str(packed)])
