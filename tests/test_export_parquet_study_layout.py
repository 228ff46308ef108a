"""A Parquet export says the study's layout in its key-value metadata, as its `.schema.json` does:
from a study still on layout 1 (no `warning` column in posts) the file carried only
`botwatch_schema_version: '2'` while the sidecar beside it said `study_schema_version: 1`."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.exports_typed import SCHEMA_VERSION
from botwatch.schema import ACCOUNTS, POSTS, create_table_sql


def _layout_1_study(path: Path) -> Path:
    """A study as an older botwatch left it: posts without `warning`, layout 1 recorded."""
    con = duckdb.connect(str(path))
    con.execute(create_table_sql("posts", POSTS.remove(POSTS.get_field_index("warning"))))
    con.execute(create_table_sql("accounts", ACCOUNTS))
    con.execute("INSERT INTO posts (post_id, platform, account_id, created_at, text, kind) "
                "VALUES ('p1', 'twitter', 'a', TIMESTAMP '2017-05-01 10:00:00', 'hi', 'original')")
    con.execute("CREATE TABLE botwatch_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO botwatch_meta VALUES ('schema_version', '1'), ('created_by', '0.old')")
    con.close()
    return path


def test_a_parquet_export_of_a_layout_1_study_says_layout_1(tmp_path: Path) -> None:
    study = _layout_1_study(tmp_path / "old.duckdb")
    out = tmp_path / "posts.parquet"
    res = CliRunner().invoke(app, ["export", str(study), "posts", "-o", str(out)])
    assert res.exit_code == 0, res.output
    meta = pq.read_metadata(out).metadata
    side = json.loads(Path(f"{out}.schema.json").read_text(encoding="utf-8"))
    assert "warning" not in pq.read_schema(out).names
    assert meta[b"study_schema_version"] == b"1" == str(side["study_schema_version"]).encode()
    assert meta[b"botwatch_schema_version"] == str(SCHEMA_VERSION).encode() == str(side["botwatch_schema_version"]).encode()
    assert meta[b"botwatch_table"] == b"posts"


def test_the_reports_parquet_exports_say_the_studys_layout_too(tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.exports import write_exports

    with open_study(_layout_1_study(tmp_path / "old.duckdb")) as st:
        written = {e.name: e for e in write_exports(st, tmp_path / "x", include_posts=True)}
    meta = pq.read_metadata(written["posts"].files["parquet"]).metadata
    assert (meta[b"study_schema_version"], meta[b"botwatch_table"]) == (b"1", b"posts"), meta
