"""A lake refuses a re-read under a column map that gives the file's posts other ids, as a DuckDB
study does (ingest/rereads.py): `--force` must not store every post a second time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.engines.lake import table_path

pytestmark = pytest.mark.spark

GOP = Path(__file__).resolve().parent / "fixtures" / "ingest" / "gop_debate_2015_tweets.csv"
DERIVED = "account_id=author,handle=author,created_at=created_at,text=text"


def test_force_under_a_map_with_other_ids_is_refused_on_a_lake(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lake = tmp_path / "lake"
    first = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), "--columns", DERIVED])
    assert first.exit_code == 0, first.output
    posts = pq.read_table(table_path(str(lake), "posts")).num_rows
    again = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), "--columns", DERIVED + ",post_id=row_id", "--force"])
    said = " ".join(again.output.split())
    assert again.exit_code == 1 and "refused" in said and "read before with the column map" in said, again.output  # refused: exit 1, as on DuckDB
    assert pq.read_table(table_path(str(lake), "posts")).num_rows == posts
    same = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), "--columns", DERIVED + ",location=user_location", "--force"])
    assert same.exit_code == 0 and "stored 0" in " ".join(same.output.split()), same.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows == posts


def test_a_header_only_csv_beside_a_stored_file_exits_1_on_a_lake(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """As on DuckDB (tests/test_ingest_exit_status.py): an input that put nothing in fails the command."""
    lake, empty = tmp_path / "lake", tmp_path / "h.csv"
    empty.write_text(GOP.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), str(empty), "--columns", DERIVED])
    said = " ".join(res.output.split())
    assert res.exit_code == 1 and "1 of 2 inputs failed (1 empty: no records in it)" in said, res.output
    assert "Traceback" not in res.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows > 20
    again = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), str(empty), "--columns", DERIVED])
    said = " ".join(again.output.split())  # the same command again: nothing of the empty file is held, still exit 1
    assert again.exit_code == 1 and "1 of 2 inputs failed (1 nothing held: read before, and nothing in it could be stored)" in said, again.output


def test_a_changed_or_grown_file_at_an_old_path_is_refused_and_a_renamed_one_read_on_a_lake(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """As on DuckDB (tests/test_ingest_rereads.py): under another map, a file at a path read before
    is refused whether it grew (the executors hash its prefix) or changed; renamed, it is read."""
    lake, f = tmp_path / "lake", tmp_path / "t.csv"
    own = DERIVED + ",post_id=row_id"
    lines = GOP.read_text(encoding="utf-8").splitlines(keepends=True)
    f.write_text("".join(lines[:10]), encoding="utf-8")
    run = lambda *a: CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(f), *a])  # noqa: E731
    assert run("--columns", DERIVED).exit_code == 0
    first = pq.read_table(table_path(str(lake), "posts")).num_rows
    f.write_text("".join(lines[:40]), encoding="utf-8")  # grown: its old rows would come in again under other ids
    grown = run("--columns", own)
    assert grown.exit_code == 1 and "refused" in grown.output, grown.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows == first
    f.write_text(lines[0] + "".join(lines[20:30]), encoding="utf-8")  # another file (or an edit) under the old name
    changed = run("--columns", own)
    assert changed.exit_code == 1 and "refused" in changed.output, changed.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows == first
    f = f.rename(tmp_path / "t2.csv")  # given a new name: read as new
    new = run("--columns", own)
    assert new.exit_code == 0 and "refused" not in new.output, new.output
    after = pq.read_table(table_path(str(lake), "posts")).num_rows
    assert after > first
    again = run("--columns", own, "--force")
    assert again.exit_code == 0 and pq.read_table(table_path(str(lake), "posts")).num_rows == after


def test_another_file_under_an_old_name_keeps_its_own_bad_records_on_a_lake(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """As on DuckDB (tests/test_ingest_rereads.py): a bad record is the one held only when its text matches too."""
    v1 = (GOP.parent / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lake, f = tmp_path / "lake", tmp_path / "t.jsonl"
    run = lambda *a: CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(f), *a])  # noqa: E731
    f.write_text(v1[0] + v1[1] + '{"id": 5, "text": "a"}\n', encoding="utf-8")
    assert run().exit_code == 0
    f.write_text(v1[1] + v1[0] + '{"id": 6, "text": "b"}\n', encoding="utf-8")
    assert run().exit_code == 0
    assert run("--force").exit_code == 0  # a re-read keeps each once
    # the old file's record is kept as history (`rejected_earlier`): it is no longer in the file at that path
    now = pq.read_table(table_path(str(lake), "rejected")).column("raw").to_pylist()
    earlier = pq.read_table(table_path(str(lake), "rejected_earlier")).column("raw").to_pylist()
    assert now == ['{"id": 6, "text": "b"}'] and earlier == ['{"id": 5, "text": "a"}']


def test_an_empty_or_cut_gzip_input_under_a_map_fails_alone_on_a_lake(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """As on DuckDB (tests/test_ingest_exit_status.py): an empty file or a gzip cut before its header
    is that file's own "unreadable" line, the other input is stored, exit 1 (it was a usage error,
    exit 2, that stored nothing); a missing input is counted as missing."""
    import gzip

    lake, cut, empty = tmp_path / "lake", tmp_path / "cut.csv.gz", tmp_path / "empty.csv"
    cut.write_bytes(gzip.compress(GOP.read_bytes())[:12])
    empty.write_bytes(b"")
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(GOP), str(cut), str(empty), str(tmp_path / "nope.csv"),
                                   "--columns", DERIVED])
    said = " ".join(res.output.split())
    assert res.exit_code == 1, res.output
    assert "3 of 4 inputs failed (1 missing: no such file; 2 unreadable" in said and "compressed stream is corrupt or truncated" in said, res.output
    assert "the file is empty" in said and "Traceback" not in res.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows > 20
    # `status` on the lake counts the unreadable files as the summary does: failed inputs, no record
    # (it said "rejected records 2" under the summary's "rejected 0").
    import json

    assert "rejected 0, " in said, res.output
    doc = json.loads(CliRunner().invoke(app, ["status", str(lake), "--json"]).output)
    assert doc["counts"]["rejected"] == 0 and doc["counts"].get("unreadable_files") == 2, doc["counts"]


def test_a_gzip_cut_after_some_posts_is_cut_short_on_a_lake_as_on_duckdb(spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """As on DuckDB (tests/test_ingest_exit_status.py): the posts before the cut are stored, the line
    says `cut short` and where it broke, --results-json says `partial`, exit 1; the same words on both."""
    monkeypatch.setenv("BOTWATCH_PROGRESS_SECONDS", "inf")  # outputs compared whole: no 30 s progress line in one of them
    import gzip
    import json

    v1 = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    packed = gzip.compress(v1.read_bytes(), mtime=0)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) * 2 // 3])
    said = {}
    for engine, where in (("spark", tmp_path / "lake"), ("duckdb", tmp_path / "s.duckdb")):
        for run in (1, 2):  # run again on the same cut file: it still says so (it said "skipped", exit 0)
            results = tmp_path / f"{engine}{run}.results"
            res = CliRunner().invoke(app, ["ingest", "--engine", engine, str(where), str(cut), "--results-json", str(results)])
            assert res.exit_code == 1, res.output
            said[engine, run] = (res.output.replace(str(where), "STUDY"), [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()])
    for run in (1, 2):
        assert said["spark", run] == said["duckdb", run]
        out, (row,) = said["spark", run]
        assert "cut short" in out and "at byte" in out and row["status"] == "partial"
    assert "stored 0" in " ".join(said["spark", 2][0].split())
    assert pq.read_table(table_path(str(tmp_path / "lake"), "rejected")).num_rows == 2  # the break and the cut line, kept once


def test_a_file_replaced_by_its_corrected_version_on_a_lake_lists_and_counts_as_on_duckdb(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The replaced version's bad record was counted apart on a lake but still listed in `rejected`
    ("Rejected, by error", the report's sample rows) as if the file held it now; DuckDB moves it to
    `rejected_earlier` (`merge.retire_rejected`). Put back, the bad version was skipped on a lake as
    "identical content already ingested" and its record stayed there, where DuckDB reads it again
    (`runner._changed_back`) and counts it. Both engines say the same at each step."""
    fix = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    v1 = fix.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = "".join(v1[:3]) + '{"id": 5, "text": "broken\n' + "".join(v1[3:])
    said: dict[tuple[str, int], str] = {}
    for engine, study in (("duckdb", tmp_path / "s.duckdb"), ("spark", tmp_path / "lake")):
        f = tmp_path / f"t-{engine}.jsonl"
        for step, text in enumerate((bad, "".join(v1), bad)):
            f.write_text(text, encoding="utf-8")
            assert CliRunner().invoke(app, ["ingest", "--engine", engine, str(study), str(f)]).exit_code == 0
            status = " ".join(CliRunner().invoke(app, ["status", str(study)]).output.split())
            said[engine, step] = status[status.index("inputs"):status.index("Latest run")].replace(str(f), "F")
    for step in range(3):
        assert said["spark", step] == said["duckdb", step], (said["spark", step], said["duckdb", step])
    assert "rejected records 0 (1 more held by earlier versions" in said["spark", 1] and "Rejected, by error" not in said["spark", 1]
    assert "rejected records 1" in said["spark", 2] and "Rejected, by error" in said["spark", 2]
    assert pq.read_table(table_path(str(tmp_path / "lake"), "rejected")).num_rows == 1
    assert pq.read_table(table_path(str(tmp_path / "lake"), "rejected_earlier")).num_rows == 0


def test_a_copy_forced_in_under_a_new_name_keeps_its_bad_records_once_on_a_lake(spark, tmp_path: Path, bad_read: tuple[Path, Path, int]) -> None:  # type: ignore[no-untyped-def]
    """As on DuckDB (tests/test_ingest_rereads.py): `status` called the copy a re-read, not another
    input, but counted its bad record twice ("rejected records 2"): it was stored under both names."""
    lake, a = _lake_copy(bad_read, tmp_path)
    b = tmp_path / "b.jsonl"
    b.write_bytes(a.read_bytes())
    # One file into a new lake (the fixture's read of `a`): staging 1, posts 2, snapshots 3, accounts 3,
    # bad records 1. The window that keeps the earliest file's copy of a snapshot or bad record ran
    # for one file too (12). 10 when measured; the bound leaves a job for another PySpark release's planning.
    ran = bad_read[2]
    assert ran <= 11, f"Spark jobs of a one-file ingest into a new lake: {ran}"
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(b), "--force"])
    assert res.exit_code == 0 and "rejected 1" in " ".join(res.output.split()), res.output  # what the read found
    assert pq.read_table(table_path(str(lake), "rejected")).column("source").to_pylist() == [str(a)]


def test_a_forced_re_read_of_a_file_with_a_bad_record_keeps_it_in_few_spark_jobs(spark, tmp_path: Path, bad_read: tuple[Path, Path, int]) -> None:  # type: ignore[no-untyped-def]
    """The file gives its bad record again: it stays in `rejected`, once, and nothing moves to
    `rejected_earlier`. Whether any must move is answered at the driver from the few rows on each
    side (`staged_footers`), where Spark counted them (3 jobs); the append of the one file's bad
    records has no earliest-file window to run either way."""
    lake, a = _lake_copy(bad_read, tmp_path)
    jobs = lambda: int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))  # noqa: E731
    before = jobs()
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(a), "--force"])
    ran = jobs() - before
    assert res.exit_code == 0 and "rejected 1" in " ".join(res.output.split()), res.output
    assert pq.read_table(table_path(str(lake), "rejected")).column("source").to_pylist() == [str(a)]
    earlier = Path(table_path(str(lake), "rejected_earlier"))
    assert not earlier.exists() or pq.read_table(earlier).num_rows == 0
    # 17 with Spark's count of the records to move; 14 when measured, 12 since the accounts merge
    # neither holds the reduced snapshots nor broadcasts the touched keys twice (docs/performance.md,
    # 2026-12-08). The bound leaves a job for another PySpark release's planning.
    assert ran <= 13, f"Spark jobs of a forced re-read of one file with a bad record: {ran}"


def _bad_v1(path: Path) -> Path:
    """A v1 file holding one bad record (a post cut off inside its text) at `path`."""
    v1 = (GOP.parent / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(v1[:3]) + '{"id": 5, "text": "broken\n' + "".join(v1[3:]), encoding="utf-8")
    return path


def _plain_and_packed(tmp_path: Path) -> tuple[Path, Path]:
    """A v1 file holding one bad record (`t.jsonl`) and its `.gz` (`t.jsonl.gz`), the same text."""
    plain = _bad_v1(tmp_path / "t.jsonl")
    return plain, _packed(plain, tmp_path / "t.jsonl.gz")


def _packed(plain: Path, packed: Path) -> Path:
    """`plain`'s text gzipped at `packed` (no time in the header: the same bytes each run)."""
    import gzip

    packed.write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    return packed


@pytest.fixture(scope="module")
def bad_read(spark, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:  # type: ignore[no-untyped-def]
    """A new lake that read `_bad_v1` (`ingest --engine spark`), that file, and the Spark jobs of
    that ingest: the first state of `copy_forced_in` and `gz_of_a_file_read_before[False]`, built
    once (an ingest into a new lake is some ten Spark jobs; copying the lake, milliseconds). Read
    only: each test copies the lake (`_lake_copy`) and writes its other files in its own folder."""
    root = tmp_path_factory.mktemp("bad_read")
    lake, plain = root / "lake", _bad_v1(root / "t.jsonl")
    jobs = lambda: int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))  # noqa: E731
    before = jobs()
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(plain)])
    assert res.exit_code == 0, res.output
    return lake, plain, jobs() - before


def _lake_copy(read: tuple[Path, Path, int], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of `bad_read`'s lake (the test writes into it) and the shared file it read."""
    return Path(shutil.copytree(read[0], tmp_path / "lake")), read[1]


def _inputs_said(study: Path) -> str:
    """What `status` says of a study's or lake's inputs, from "inputs" to the posts by format."""
    status = " ".join(CliRunner().invoke(app, ["status", str(study)]).output.split())
    return status[status.index("inputs"):status.index("Posts by format")]


# `status`'s line for a file taken as the copy of one read before (`source_copies`), on both engines.
_COPY_SEEN = ("1 file was seen again as a copy of one read before (the same text, compressed or not): not another input; "
              "its own SHA-256 is in table `source_copies` ")

@pytest.mark.parametrize("first_packed", [False, True])
def test_a_gz_of_a_file_read_before_is_the_same_input_on_a_lake_as_on_duckdb(spark, tmp_path: Path, first_packed: bool,  # type: ignore[no-untyped-def]
                                                                            bad_read: tuple[Path, Path, int]) -> None:
    """As on DuckDB (`runner._same_text_read`): a `.gz` of a file already ingested (or the file after
    its `.gz`) holds the same text. The lake took it as one more input and kept its bad record a
    second time under the `.gz`'s name (`status`: "inputs 2; rejected records 2")."""
    if first_packed:
        plain, packed = _plain_and_packed(tmp_path)
        first, then, lake = packed, plain, tmp_path / "lake"
    else:  # the plain file first: the lake that read it is `bad_read`'s
        lake, first = _lake_copy(bad_read, tmp_path)
        then = _packed(first, tmp_path / "t.jsonl.gz")
    said = {}
    for engine, study in (("duckdb", tmp_path / "s.duckdb"), ("spark", lake)):
        if engine == "duckdb" or first_packed:  # the plain file's read into a new lake is `bad_read`'s
            assert CliRunner().invoke(app, ["ingest", "--engine", engine, str(study), str(first)]).exit_code == 0
        res = CliRunner().invoke(app, ["ingest", "--engine", engine, str(study), str(then)])
        assert res.exit_code == 0 and f"identical content already ingested from {first}" in " ".join(res.output.split()), res.output
        said[engine] = _inputs_said(study)
    assert said["spark"] == said["duckdb"] == "inputs 1; rejected records 1 " + _COPY_SEEN, said


def test_a_file_and_its_gz_in_one_command_are_one_input_on_a_lake_as_on_duckdb(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Given together, the second of a file and its `.gz` is skipped on DuckDB (read one after the
    other, the second meets the first's text); the lake's executors read both, each unaware of the
    other, and kept the bad record twice ("inputs 2; rejected records 2")."""
    plain, packed = _plain_and_packed(tmp_path)
    said = {}
    for engine, study in (("duckdb", tmp_path / "s.duckdb"), ("spark", tmp_path / "lake")):
        res = CliRunner().invoke(app, ["ingest", "--engine", engine, str(study), str(packed), str(plain)])
        assert res.exit_code == 0 and f"identical content already ingested from {packed}" in " ".join(res.output.split()), res.output
        said[engine] = _inputs_said(study)
    assert said["spark"] == said["duckdb"] == "inputs 1; rejected records 1 " + _COPY_SEEN, said


def test_a_file_and_its_gz_forced_in_one_command_are_one_input_and_a_re_read_on_a_lake_as_on_duckdb(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """With --force both are read; DuckDB records the second under the first's SHA-256 (a re-read of
    that text: "inputs 1 (and 1 re-read ...)"), where the lake took the `.gz` for another input
    ("inputs 2") and its posts for duplicates in the archive."""
    plain, packed = _plain_and_packed(tmp_path)
    said = {}
    for engine, study in (("duckdb", tmp_path / "s.duckdb"), ("spark", tmp_path / "lake")):
        res = CliRunner().invoke(app, ["ingest", "--engine", engine, str(study), str(plain), str(packed), "--force"])
        assert res.exit_code == 0, res.output
        said[engine] = _inputs_said(study)
    assert said["spark"] == said["duckdb"] == "inputs 1 (and 1 re-read of a file already stored); rejected records 1 " + _COPY_SEEN, said
