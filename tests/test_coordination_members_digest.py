"""`members_digest` hashes the engine-sorted membership as the very bytes the Python sort gave.

The digest is recorded in the runs table and compared with the one a later run records, so a
form that hashed other bytes (another order, other escapes) would call the stages after
coordination out of date once on every study: the rows here are ordered differently by number
and by text (ids "10" and "9", cluster 10 and 2) and hold non-ASCII and quotes, which JSON escapes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from botwatch.coordination.stage import members_digest
from botwatch.study import open_study

ROWS = [
    (10, "twitter", "9"), (2, "twitter", "10"), (2, "twitter", "9"), (3, "bluesky", "did:plc:zé"),
    (1, "bluesky", "did:plc:z\"q\\"), (4, "mastodon", "alice@a.social"), (5, "twitter", "Ωmega"), (1, "twitter", "𝒜x"), (6, "twitter", "Ａx"),  # a code point above the astral ones in UTF-16 order
]


def _python_form(rows: list[tuple[int, str, str]]) -> str:
    """The digest as first written: every member as a list, sorted and dumped by Python."""
    members = sorted([str(p), str(a), int(c)] for c, p, a in rows)
    return hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).hexdigest()


def _study(path: Path, rows: list[tuple[int, str, str]]) -> Path:
    with open_study(path, read_only=False) as st:
        st.sql("CREATE TABLE cluster_members (cluster_id INTEGER, platform VARCHAR, account_id VARCHAR, degree INTEGER)")
        for c, p, a in rows:
            st.sql("INSERT INTO cluster_members VALUES (?, ?, ?, 1)", [c, p, a])
    return path


def test_the_digest_is_the_python_sorts(tmp_path: Path) -> None:
    with open_study(_study(tmp_path / "s.duckdb", ROWS)) as st:
        assert members_digest(st) == _python_form(ROWS)


def test_an_empty_membership_and_none_at_all(tmp_path: Path) -> None:
    with open_study(_study(tmp_path / "e.duckdb", [])) as st:
        assert members_digest(st) == _python_form([])  # "[]"
    with open_study(tmp_path / "n.duckdb", read_only=False) as st:
        assert members_digest(st) is None


def test_a_member_lacking_its_platform_or_id_reads_none(tmp_path: Path) -> None:
    """str(None) was "None" in the Python form; NULLs are filled only where there are any."""
    rows = [*ROWS, (7, None, "x"), (8, "twitter", None)]  # type: ignore[list-item]
    with open_study(_study(tmp_path / "n.duckdb", rows)) as st:
        assert members_digest(st) == _python_form(rows)


def test_the_digest_spans_batches(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Batches of three rows: the separators between batches are the ones between rows."""
    import botwatch.coordination.stage as stage

    monkeypatch.setattr(stage, "_DIGEST_BATCH", 3)
    with open_study(_study(tmp_path / "b.duckdb", ROWS)) as st:
        assert members_digest(st) == _python_form(ROWS)


# NUL and a prefix of it, the last BMP and astral code points, a line separator and control
# characters JSON escapes, two long ids that differ at their end: reviewed 2026-12-07.
EDGES = [
    (1, "twitter", "a\x00b"), (1, "twitter", "a"), (1, "twitter", "a\x00"), (2, "twitter", "\uffff"), (2, "twitter", "\U0010ffff"),
    (2, "twitter", "\ue000"), (2, "twitter", "\U0001f600"), (3, "twitter", "x" * 10_000), (3, "twitter", "x" * 9_999 + "y"), (4, "tw\u2028itter", "\n\t\\\"/\x7f\x1f"),
    (5, "bluesky", "e\u0301"), (-1, "twitter", "neg"), (2**31 - 1, "twitter", "big"),
]


def test_edge_text_on_duckdb(tmp_path: Path) -> None:
    with open_study(_study(tmp_path / "x.duckdb", ROWS + EDGES)) as st:
        assert members_digest(st) == _python_form(ROWS + EDGES)


@pytest.mark.spark
def test_edge_text_on_a_lake(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The lake's rows are read at the driver by Arrow (`driver_arrow`), from an Arrow-written
    part and from a part Spark wrote (its own integer type), with no Spark job: the same digest
    as the Python form, and as Spark's read of the same rows gave."""
    import pyarrow as pa

    from botwatch.engines.lake import LakeStudy

    rows = ROWS + EDGES
    with LakeStudy(tmp_path / "lake", spark=spark) as lake:
        lake.write_table("cluster_members", pa.table({
            "cluster_id": pa.array([r[0] for r in rows], pa.int64()), "platform": [r[1] for r in rows],
            "account_id": [r[2] for r in rows], "degree": pa.array([1] * len(rows), pa.int32()),
        }))
        lake.sql("CREATE TABLE by_spark AS SELECT CAST(cluster_id AS INTEGER) AS cluster_id, platform, account_id, degree FROM cluster_members")
        jobs = lambda: int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))  # noqa: E731
        before = jobs()
        assert members_digest(lake) == _python_form(rows)
        assert jobs() == before, "the members were read by a Spark job"
        lake.sql("DROP TABLE cluster_members")
        lake.sql("CREATE TABLE cluster_members AS SELECT * FROM by_spark")
        assert members_digest(lake) == _python_form(rows)
