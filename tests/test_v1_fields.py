"""The v1.1 field map is the one place a profile column is declared: the three readers built from it
cover the canonical snapshot columns, and the DuckDB compile of `canonical` keeps its values."""

from __future__ import annotations

import duckdb
import ibis
import pyarrow as pa

from botwatch import canonical
from botwatch.duckdb_sql import to_duckdb_sql
from botwatch.ingest import native_v1, twitter_v1, twitter_v1_fast, v1_fields
from botwatch.schema import PROFILE_FIELDS, SNAPSHOT_ROW

_USER = {
    "id_str": "7", "screen_name": " h ", "name": "Name", "description": "null", "location": "L", "lang": "en",
    "created_at": "Tue Apr 18 10:00:00 +0000 2017", "followers_count": 5, "friends_count": 6, "statuses_count": 7,
    "verified": False, "default_profile": True, "default_profile_image": False, "time_zone": "London", "utc_offset": 3600,
    "favourites_count": 2, "listed_count": 1, "url": "https://x.org",
}


def test_every_snapshot_column_is_declared_once() -> None:
    declared = ["account_id", "platform", *v1_fields.PROFILE, "extra"]
    assert sorted(declared) == sorted(PROFILE_FIELDS)
    assert set(v1_fields.PROFILE.values()) | {leaf for leaf, _ in v1_fields.EXTRA.values()} <= set(v1_fields.USER.fields)
    assert native_v1.PROFILE_COLUMNS == [c for c in PROFILE_FIELDS if c not in ("account_id", "platform")]


def test_the_dict_reader_and_the_typed_decoder_map_a_user_alike() -> None:
    lenient = twitter_v1.user_snapshot(_USER, None)
    fast = twitter_v1_fast._snapshot(twitter_v1_fast._User(**_USER), None)
    assert lenient == fast
    assert set(lenient) == set(PROFILE_FIELDS) | {"observed_at"}
    assert lenient["handle"] == "h" and lenient["description"] is None and lenient["followers"] == 5


def test_the_typed_decoder_refuses_a_leaf_of_another_json_type() -> None:
    """A count given as text is the dict reader's to coerce: the generated Struct must not take it."""
    import msgspec

    bad = dict(_USER, followers_count="5")
    try:
        msgspec.convert(bad, twitter_v1_fast._User)
    except msgspec.ValidationError:
        return
    raise AssertionError("a text count was taken by the typed decoder")


def test_duckdb_compile_of_the_snapshot_reduce_keeps_every_value() -> None:
    """The rewritten SQL (arg_max_null, HUGEINT key) gives what Ibis's own SQL gives, NULL fields
    and a post time after 2038 (where a 64-bit key would overflow) included."""
    rows = [
        {"account_id": "a", "platform": "twitter", "handle": "old", "followers": 1, "observed_at": "2017-01-01 00:00:00", "_seq": 0},
        {"account_id": "a", "platform": "twitter", "handle": None, "followers": 2, "observed_at": "2017-01-01 00:00:00", "_seq": 1},
        {"account_id": "a", "platform": "twitter", "handle": "new", "followers": None, "observed_at": "2040-01-01 00:00:00", "_seq": 2},
        {"account_id": "b", "platform": "twitter", "handle": "b1", "followers": None, "observed_at": None, "_seq": 3},
    ]
    schema = SNAPSHOT_ROW.append(pa.field("_seq", pa.int64()))
    cols = {f.name: [r.get(f.name) for r in rows] for f in schema}
    cols["observed_at"] = pa.array(cols["observed_at"], pa.string()).cast(pa.timestamp("us"))
    con = duckdb.connect()
    con.register("staged", pa.table({k: pa.array(v, schema.field(k).type) for k, v in cols.items()}, schema=schema))
    expr = canonical.reduce_snapshots(ibis.duckdb.from_connection(con).table("staged"))
    ours, theirs = to_duckdb_sql(expr), ibis.to_sql(expr, dialect="duckdb")
    assert "arg_max_null" in ours.lower() and "decimal(38" not in ours.lower()
    got = con.sql(f"SELECT * FROM ({ours}) ORDER BY account_id").fetchall()
    assert got == con.sql(f"SELECT * FROM ({theirs}) ORDER BY account_id").fetchall()
    a = dict(zip(con.sql(f"SELECT * FROM ({ours}) ORDER BY account_id").columns, got[0]))
    assert a["handle"] == "new" and a["followers"] == 2
