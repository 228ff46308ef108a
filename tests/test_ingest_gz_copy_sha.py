"""A `.gz` of a file read before (or the file after its `.gz`) is the same input: skipped, or read
again with --force under the first read's SHA-256. Its own SHA-256 was recorded nowhere, so
provenance could not show that the copy was seen; it is kept in `source_copies` (one row per
file and SHA-256), on both engines, without a `sources` row that would count it as an input."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import open_study

V1 = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    plain, packed = tmp_path / "t.jsonl", tmp_path / "t.jsonl.gz"
    plain.write_bytes(V1.read_bytes())
    packed.write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    return plain, packed


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _tables(study: Path, engine: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    if engine == "duckdb":
        with open_study(study, read_only=True) as st:
            copies = st.sql("SELECT source, sha256, bytes, same_as, same_sha256 FROM source_copies ORDER BY source") if "source_copies" in st.tables() else []
            return [tuple(r) for r in copies], [tuple(r) for r in st.sql("SELECT source, sha256 FROM sources ORDER BY ingested_at")]
    import pyarrow.parquet as pq

    from botwatch.engines.lake import table_path

    copies = pq.read_table(table_path(str(study), "source_copies")).sort_by("source").select(["source", "sha256", "bytes", "same_as", "same_sha256"])
    sources = pq.read_table(table_path(str(study), "sources")).sort_by("ingested_at").select(["source", "sha256"])
    return [tuple(r.values()) for r in copies.to_pylist()], [tuple(r.values()) for r in sources.to_pylist()]


def _check(tmp_path: Path, engine: str) -> None:
    plain, packed = _pair(tmp_path)
    study = tmp_path / ("s.duckdb" if engine == "duckdb" else "lake")
    run = lambda *a: CliRunner().invoke(app, ["ingest", "--engine", engine, str(study), *map(str, a)])  # noqa: E731
    assert run(plain).exit_code == 0
    for _ in range(2):  # the same command again records it once
        res = run(packed)
        assert res.exit_code == 0 and "identical content already ingested" in " ".join(res.output.split()), res.output
    copies, sources = _tables(study, engine)
    assert copies == [(str(packed), _sha(packed), packed.stat().st_size, str(plain), _sha(plain))]
    assert sources == [(str(plain), _sha(plain))]  # still one input
    assert run(packed, "--force").exit_code == 0  # read again: its row holds the text's SHA-256, the copy's is kept once
    copies, sources = _tables(study, engine)
    assert len(copies) == 1 and sources == [(str(plain), _sha(plain)), (str(packed), _sha(plain))]
    status = " ".join(CliRunner().invoke(app, ["status", str(study)]).output.split())
    assert "inputs 1 (and 1 re-read" in status, status
    assert "1 file was seen again as a copy of one read before (the same text, compressed or not): not another input; " \
           "its own SHA-256 is in table `source_copies`" in status, status
    together = tmp_path / ("t.duckdb" if engine == "duckdb" else "lake2")  # in one command: the second of the two is the copy
    res = CliRunner().invoke(app, ["ingest", "--engine", engine, str(together), str(packed), str(plain)])
    assert res.exit_code == 0 and f"identical content already ingested from {packed}" in " ".join(res.output.split()), res.output
    assert _tables(together, engine) == ([(str(plain), _sha(plain), plain.stat().st_size, str(packed), _sha(packed))], [(str(packed), _sha(packed))])


def test_a_gz_copys_own_sha_is_recorded_on_duckdb(tmp_path: Path) -> None:
    _check(tmp_path, "duckdb")


@pytest.mark.spark
def test_a_gz_copys_own_sha_is_recorded_on_a_lake(spark: Any, tmp_path: Path) -> None:
    _check(tmp_path, "spark")
