"""A DuckDB database of another program that has a `posts` table of its own is refused in one line.

`status` and `report` said "Binder Error: Referenced column "account_id" not found ... This is a
bug in botwatch"; `ingest` wrote a study's other tables (accounts, runs, sources ...) into the
database, then failed the input ("IbisTypeError: Column 'platform' is not found") and closed with
"nothing could be read from the inputs", blaming a good file."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from botwatch.cli import app


def test_their_posts_table_is_not_a_study(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.duckdb"
    con = duckdb.connect(str(theirs))
    con.execute("CREATE TABLE posts AS SELECT 1 AS x")
    con.close()
    data = tmp_path / "t.csv"
    data.write_text("id,user,time,text\n1,alice,2017-05-01 10:00:00,hello\n", encoding="utf-8")
    for cmd in (["status"], ["report", "-o", str(tmp_path / "r.html")],
                ["ingest", str(data), "--columns", "post_id=id,account_id=user,created_at=time,text=text"]):
        res = CliRunner().invoke(app, [cmd[0], str(theirs), *cmd[1:]])
        said = " ".join(res.output.split())
        assert res.exit_code == 2, (cmd, res.output)
        assert "is a DuckDB database but not a botwatch study (its posts table has no post_id, platform, account_id, created_at, text column)" in said, (cmd, res.output)
        assert "bug in botwatch" not in said and "nothing could be read" not in said, (cmd, res.output)
    con = duckdb.connect(str(theirs), read_only=True)
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["posts"]  # nothing written into it
    con.close()
