"""A lake ingest cut after its posts are stored but before its `sources` row (written last) is
completed by running it again, exactly once: no post stored twice, one `sources` row, and that
row says what a whole first read says. The re-run counted the file's own posts, stored by the
cut run, as duplicates in the archive ("stored 0, duplicates 6"; the report's overview too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.engines.lake import LakeStudy, table_path

pytestmark = pytest.mark.spark

V1 = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"


def test_an_ingest_cut_before_its_sources_row_is_completed_once_by_a_rerun(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake, f = tmp_path / "lake", tmp_path / "t.jsonl"
    f.write_bytes(V1.read_bytes())
    real = LakeStudy.append_arrow

    def cut(self: Any, name: str, table: pa.Table) -> Any:
        if name == "sources":
            raise KeyboardInterrupt
        return real(self, name, table)

    with monkeypatch.context() as m:
        m.setattr(LakeStudy, "append_arrow", cut)
        CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(f)])
    posts = pq.read_table(table_path(str(lake), "posts")).num_rows
    rows = table_path(str(lake), "sources")
    assert posts == 6 and (not Path(rows).exists() or pq.read_table(rows).num_rows == 0)  # the cut left posts and no row
    again = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(f)])
    assert again.exit_code == 0 and "read 6, stored 6, duplicates 0" in " ".join(again.output.split()), again.output
    assert pq.read_table(table_path(str(lake), "posts")).num_rows == posts
    sources = pq.read_table(table_path(str(lake), "sources")).to_pylist()
    assert [(r["source"], r["posts_stored"], r["duplicates"], r["accounts_seen"]) for r in sources] == [(str(f), 6, 0, 3)]
    third = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), str(f)])
    assert third.exit_code == 0 and "identical content already ingested" in " ".join(third.output.split()), third.output
    assert pq.read_table(table_path(str(lake), "sources")).num_rows == 1
