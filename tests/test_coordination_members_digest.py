"""`members_digest` hashes the engine-sorted membership as the very bytes the Python sort gave.

The digest is recorded in the runs table and compared with the one a later run records, so a
form that hashed other bytes (another order, other escapes) would call the stages after
coordination out of date once on every study: the rows here are ordered differently by number
and by text (ids "10" and "9", cluster 10 and 2) and hold non-ASCII and quotes, which JSON escapes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

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


def test_the_digest_spans_batches(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Batches of three rows: the separators between batches are the ones between rows."""
    import botwatch.coordination.stage as stage

    monkeypatch.setattr(stage, "_DIGEST_BATCH", 3)
    with open_study(_study(tmp_path / "b.duckdb", ROWS)) as st:
        assert members_digest(st) == _python_form(ROWS)
