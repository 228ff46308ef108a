"""`mastodon_instance` is the one Ibis form of the local-handle rule the content prior and
co-mention share: on DuckDB it must give `json_shape.shown_handle_sql`'s values row for row, and
`local_host` must be NULL wherever the handle is not local to its profile URL's instance."""

from __future__ import annotations

import duckdb
import ibis
import pyarrow as pa

from botwatch import mastodon_instance
from botwatch.accounts.json_shape import shown_handle_sql
from tests.test_content_mastodon_instance import CASES


def _table() -> pa.Table:
    plat, hs, ids = (pa.array(list(c), pa.string()) for c in zip(*CASES))
    return pa.table({"platform": plat, "handle": hs, "account_id": ids})


def test_shown_handle_is_the_sql_rule_row_for_row() -> None:
    rows = _table()
    con = ibis.duckdb.connect()
    t = ibis.memtable(rows)
    got = con.execute(t.select(shown=mastodon_instance.shown_handle(t.platform, t.handle, t.account_id)))["shown"].tolist()
    db = duckdb.connect()
    db.register("rows", rows)
    want = [r[0] for r in db.execute(f"SELECT {shown_handle_sql('platform', 'handle', 'account_id')} FROM rows").fetchall()]
    assert [None if g != g else g for g in got] == want  # pandas gives NaN for NULL
    assert "Gruene@gruene.social" in want and "alice" in want  # the rule both adds and leaves


def test_local_host_is_null_unless_the_handle_is_local() -> None:
    con = ibis.duckdb.connect()
    t = ibis.memtable(_table())
    hosts = con.execute(t.select(h=mastodon_instance.local_host(t.platform, t.handle, t.account_id)))["h"].tolist()
    named = {(p, h, a): x for (p, h, a), x in zip(CASES, hosts) if isinstance(x, str)}
    assert named[("mastodon", "Gruene", "https://gruene.social/@Gruene")] == "gruene.social"
    assert named[("mastodon", "gruene", "https://gruene.social/@GRUENE")] == "gruene.social"
    assert ("mastodon", "Gruene@gruene.social", "https://gruene.social/@Gruene") not in named
    assert ("twitter", "alice", "https://a.social/@alice") not in named
    assert ("mastodon", "alice", "https://a.social/@bob") not in named
    assert ("mastodon", None, "https://a.social/@alice") not in named
