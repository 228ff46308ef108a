"""A lake a newer botwatch wrote (its `_botwatch_lake.json` `schema_version` above this release's)
was opened for writing without a word, where a DuckDB study so marked is refused (exit 2, README's
exit codes): `ingest` and `analyze` would rewrite its tables in the older layout while the marker
still claimed the newer one. Writing is now refused with the DuckDB study's words; reading is left
alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer

from botwatch.engines.lake import LAKE_MARKER, LakeStudy
from botwatch.exports_typed import SCHEMA_VERSION
from botwatch.study import StudyError

pytestmark = pytest.mark.spark


def _newer_lake(spark: Any, path: Path) -> Path:
    """An empty lake, then marked as a later release would leave it."""
    LakeStudy(path, spark=spark).close()
    marker = path / LAKE_MARKER
    meta = json.loads(marker.read_text())
    marker.write_text(json.dumps({**meta, "schema_version": SCHEMA_VERSION + 1}))
    (path / f".{LAKE_MARKER}.crc").unlink(missing_ok=True)  # Hadoop's checksum of the old text would refuse the new
    return path


def test_writing_a_newer_lake_is_refused_as_a_duckdb_study_is_and_reading_it_is_not(
        spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from botwatch.cli import common, ingest_spark

    lake = _newer_lake(spark, tmp_path / "lake")
    newer = f"layout {SCHEMA_VERSION + 1}"
    with pytest.raises(StudyError, match=rf"written by a newer botwatch \(study {newer};.*upgrade botwatch.*open_study\(path\), read-only, still works"):
        LakeStudy(lake, spark=spark)
    with LakeStudy(lake, read_only=True, spark=spark) as st:  # read-only: nothing is written, so nothing is refused
        assert st.schema_version == SCHEMA_VERSION + 1
    common.console._width = 400
    with pytest.raises(typer.Exit) as ended:  # `botwatch ingest --engine spark LAKE FILES`
        ingest_spark._ingest(spark, str(lake), [str(tmp_path / "none.csv")], False, 16)
    said = " ".join(capsys.readouterr().err.split())
    assert ended.value.exit_code == 2, said  # a usage error, as on DuckDB; it was 1, "could not be written"
    assert "newer botwatch" in said and "`botwatch status`, `report` and `export` still read it" in said, said
    with pytest.raises(typer.Exit) as ended:  # `botwatch analyze LAKE`, which opens it as every writing command does
        common.open_or_fail(str(lake))
    said = " ".join(capsys.readouterr().err.split())
    assert ended.value.exit_code == 2 and "`botwatch status`, `report` and `export` still read it" in said, said
    assert json.loads((lake / LAKE_MARKER).read_text())["schema_version"] == SCHEMA_VERSION + 1
