"""A lake written by an older botwatch kept a replaced file's old bad records in `rejected`
(listed under "Rejected, by error", in the report's sample rows and `export rejected`, though
counted apart); ingesting into it again left them there for good unless that path was read with
other content. Now an ingest moves them to `rejected_earlier`, as DuckDB did when the file
changed, where the latest read shows them all earlier; where it cannot tell, it says which
command does it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.engines import spark_ingest
from botwatch.engines.lake import table_path

pytestmark = pytest.mark.spark

V1 = (Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
BAD = "".join(V1[:3]) + '{"id": 5, "text": "broken\n' + "".join(V1[3:])
BAD2 = "".join(V1[:4]) + '{"id": 7, "text": "cut\n' + "".join(V1[4:])


def _status(study: Path, f: Path) -> str:
    said = " ".join(CliRunner().invoke(app, ["status", str(study)]).output.split())
    return said[said.index("inputs"):said.index("Latest run")].replace(str(f), "F")


def _older(lake: Path, f: Path, versions: tuple[str, ...]) -> None:
    """Each version of `f` ingested in turn by a lake ingest that kept old bad records (an older botwatch)."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(spark_ingest._Merge, "retire_rejected", lambda *a: None)
        m.setattr(spark_ingest, "_retire_older", lambda *a: [], raising=False)
        for text in versions:
            f.write_text(text, encoding="utf-8")
            assert CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(f)]).exit_code == 0


@pytest.fixture(scope="module")
def older_bad(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An older lake that read `BAD` at `t.jsonl`, and that file: the first read of the first two
    tests, built once (a Spark ingest is some seconds of jobs; copying the lake, milliseconds).
    Each test copies the lake and writes the file's next version before it reads it again."""
    root = tmp_path_factory.mktemp("older")
    lake, f = root / "lake", root / "t.jsonl"
    _older(lake, f, (BAD,))
    return lake, f


def _copy_of(older: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the older lake (its tests write into it) and the shared file it read."""
    lake, f = older
    return Path(shutil.copytree(lake, tmp_path / "lake")), f


def test_an_older_lakes_replaced_bad_records_move_on_the_next_ingest_as_on_duckdb(spark: Any, tmp_path: Path, older_bad: tuple[Path, Path]) -> None:
    (lake, f), study, g = _copy_of(older_bad, tmp_path), tmp_path / "s.duckdb", tmp_path / "u.jsonl"
    _older(lake, f, ("".join(V1),))  # after BAD (the fixture's read)
    assert pq.read_table(table_path(str(lake), "rejected")).num_rows == 1  # the older lake: the replaced version's record
    g.write_text("".join(V1[:2]), encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(g)])  # another file: the lake is put right
    assert res.exit_code == 0, res.output
    assert pq.read_table(table_path(str(lake), "rejected")).num_rows == 0
    assert pq.read_table(table_path(str(lake), "rejected_earlier")).column("source").to_pylist() == [str(f)]
    for text in (BAD, "".join(V1)):
        f.write_text(text, encoding="utf-8")
        assert CliRunner().invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    assert CliRunner().invoke(app, ["ingest", str(study), str(g)]).exit_code == 0
    lake_said = _status(lake, f)  # one `status` of the lake for both checks: they read the same state
    assert lake_said == _status(study, f)
    assert "Rejected, by error" not in lake_said
    again = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(g), "--force"])  # nothing more to move
    assert again.exit_code == 0 and pq.read_table(table_path(str(lake), "rejected_earlier")).num_rows == 1


def test_an_older_lake_that_cannot_tell_the_versions_apart_names_the_command(spark: Any, tmp_path: Path, older_bad: tuple[Path, Path]) -> None:
    lake, f = _copy_of(older_bad, tmp_path)
    _older(lake, f, (BAD2,))  # after BAD, the fixture's read: both versions have a bad record, so which is the latest's is not stored
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(f)])
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and "identical content already ingested" in said, res.output
    assert "bad records of an earlier version still in `rejected`" in said and f"--force {lake} FILE" in said, res.output
    assert pq.read_table(table_path(str(lake), "rejected")).num_rows == 2
    fixed = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(f), "--force"])  # the command it names
    assert fixed.exit_code == 0 and "earlier version" not in fixed.output, fixed.output
    assert pq.read_table(table_path(str(lake), "rejected")).num_rows == 1
    assert pq.read_table(table_path(str(lake), "rejected_earlier")).num_rows == 1


def test_the_check_reads_only_the_rejected_rows_of_paths_read_with_two_contents(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once any path was read with two contents, the check read every row of `rejected` (every
    bad record of every file) to the driver; it needs only those paths' rows. Same outcome."""
    from botwatch.engines.lake import LakeStudy

    lake, f, g, h = tmp_path / "lake", tmp_path / "t.jsonl", tmp_path / "u.jsonl", tmp_path / "v.jsonl"
    h.write_text(BAD2, encoding="utf-8")  # another file's bad record, read once with f's first version
    with monkeypatch.context() as m:  # as `_older`
        m.setattr(spark_ingest._Merge, "retire_rejected", lambda *a: None)
        m.setattr(spark_ingest, "_retire_older", lambda *a: [], raising=False)
        for text, also in ((BAD, [str(h)]), ("".join(V1), [])):
            f.write_text(text, encoding="utf-8")
            assert CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(f), *also]).exit_code == 0
    read: list[list[str]] = []
    driver_arrow = LakeStudy.driver_arrow

    def spying(self: Any, name: str, columns: list[str], equal: Any = None, **kw: Any) -> Any:
        t = driver_arrow(self, name, columns, equal, **kw)
        if name == "rejected" and not equal:
            read.append(t.column("source").to_pylist())
        return t

    monkeypatch.setattr(LakeStudy, "driver_arrow", spying)
    g.write_text("".join(V1[:2]), encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(g)])
    monkeypatch.undo()
    assert res.exit_code == 0, res.output
    assert read == [[str(f)]], read
    assert sorted(pq.read_table(table_path(str(lake), "rejected")).column("source").to_pylist()) == [str(h)]
    assert pq.read_table(table_path(str(lake), "rejected_earlier")).column("source").to_pylist() == [str(f)]
