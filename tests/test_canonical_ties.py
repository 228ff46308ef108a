"""Two stored snapshots of one account seen at the same time from the same `source` resolve the
same way whatever the row order, on DuckDB and on Spark.

`source` is "<file name>:<line>", so two reads of one name (a capture rewritten and read again,
two reads of stdin) can give an account the same time and line. Stored
snapshots differ at least in their seen range (`canonical.new_snapshots` keeps one of each
account, time and range), so the two rows below both stay in `account_snapshots`; before the
order was total, the one `accounts` kept was whichever the engine's sort met first.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pytest

from botwatch import canonical
from botwatch.duckdb_sql import to_duckdb_sql
from botwatch.ingest import runner
from botwatch.schema import ACCOUNT_SNAPSHOTS, ACCOUNTS
from botwatch.study import Study

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"

SEEN = datetime(2024, 5, 1, 12, 0, 0)


def _snapshot(**fields: Any) -> dict[str, Any]:
    base = dict.fromkeys(ACCOUNT_SNAPSHOTS.names)
    base.update(platform="twitter", account_id="42", handle="same", observed_at=SEEN, last_seen=SEEN, source="tweets.jsonl:3")
    return {**base, **fields}


# The same account at the same time and line of two files named alike: one seen from an hour
# before with an older profile, one seen once with a new description and an unknown follower count.
ROWS = [
    _snapshot(first_seen=datetime(2024, 5, 1, 11, 0, 0), description="old", followers=10, location=None),
    _snapshot(first_seen=SEEN, description="new", followers=None, location="Leeds"),
]


def _accounts_duckdb(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`accounts` from `rows` as the DuckDB merge computes it (the compiled SQL, `merge._compiled`)."""
    con = duckdb.connect()
    con.register("account_snapshots", pa.Table.from_pylist(rows, schema=ACCOUNT_SNAPSHOTS))
    snapshots = ibis.table(ibis.Schema.from_pyarrow(ACCOUNT_SNAPSHOTS), name="account_snapshots")
    return con.sql(to_duckdb_sql(canonical.accounts_from_snapshots(snapshots))).fetch_arrow_table().select(ACCOUNTS.names).to_pylist()


def test_same_time_and_source_resolve_the_same_in_either_order() -> None:
    forward, backward = _accounts_duckdb(ROWS), _accounts_duckdb(ROWS[::-1])
    assert forward == backward
    # The profile values fix the order (`canonical._tie_order`): the handles are equal, the
    # display names both NULL, and "old" is the larger description, so the first row is kept
    # whole: its follower count and no location, nothing taken from the row that lost.
    (account,) = forward
    assert (account["description"], account["location"], account["followers"]) == ("old", None, 10)


@pytest.mark.spark
def test_spark_keeps_the_same_snapshot_as_duckdb(spark: Any) -> None:
    from botwatch.engines.lake_tables import spark_schema
    from botwatch.engines.spark import spark_backend

    db = spark_backend(spark)
    expected = _accounts_duckdb(ROWS)
    for rows in (ROWS, ROWS[::-1]):
        # One partition holding the rows in the order given, so the sort meets them in that order.
        data = [tuple(r[n] for n in ACCOUNT_SNAPSHOTS.names) for r in rows]
        spark.createDataFrame(data, spark_schema(ACCOUNT_SNAPSHOTS)).coalesce(1).createOrReplaceTempView("_bw_tie_snapshots")
        got = spark.sql(db.compile(canonical.accounts_from_snapshots(db.table("_bw_tie_snapshots")))).collect()
        assert [r.asDict() for r in got] == expected


def _status(n: int, user_id: str, at: str, description: str) -> str:
    """A v1.1 status line: the fixture's first, as post `n` by `user_id` at `at` (v1.1 time text)."""
    first = json.loads((FIX / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines()[0])
    user = {**first["user"], "id": int(user_id), "id_str": user_id, "description": description}
    return json.dumps({**first, "id": 10**15 + n, "id_str": str(10**15 + n), "created_at": at, "user": user}) + "\n"


def _two_versions() -> tuple[str, str]:
    """Two versions of one capture file (rewritten between reads, so read again), each with
    account 777 on line 2 at the same second, with different descriptions, one seen since an hour
    before (a different range, so both snapshots are stored): they tie on time and on source,
    the file's name and line."""
    at, before = "Sun May 07 20:02:01 +0000 2017", "Sun May 07 19:02:01 +0000 2017"
    return (_status(1, "777", before, "old") + _status(2, "777", at, "old"),
            _status(3, "888", at, "other") + _status(4, "777", at, "new"))


def test_reading_two_versions_of_a_file_in_either_order_keeps_the_same_account(tmp_path: Path) -> None:
    path = tmp_path / "tweets.jsonl"
    kept = []
    for name, versions in (("ab", _two_versions()), ("ba", _two_versions()[::-1])):
        with Study(tmp_path / f"{name}.duckdb") as st:
            for text in versions:
                path.write_text(text, encoding="utf-8")
                runner.ingest(st, [str(path)], workers=1)
            assert st.sql("SELECT count(*) FROM account_snapshots WHERE account_id = '777'")[0][0] == 2
            kept.append(st.sql("SELECT description, first_seen FROM accounts WHERE account_id = '777'"))
    assert kept[0] == kept[1]
