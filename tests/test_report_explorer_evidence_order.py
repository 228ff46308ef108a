"""The explorer takes at most eight evidence rows per account from `account_evidence`. A rank counts
from 1, the strongest first, but the rows were ordered by the rank's size, largest first: an account
with more rows than that got its weakest ones and lost its strongest."""

from __future__ import annotations

from pathlib import Path

from botwatch.report.section_explorer import EVIDENCE_PER_ACCOUNT, _evidence_table
from botwatch.study import open_study


def test_the_strongest_ranks_are_kept_in_order(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("CREATE TABLE account_evidence AS SELECT 'twitter' AS platform, '1' AS account_id, i AS rank, 'item ' || i AS sentence FROM range(1, 11) t(i)")
        st.sql("CREATE TABLE other_evidence AS SELECT 'twitter' AS platform, '1' AS account_id, (i - 4) * 0.1 AS contribution, 'c ' || i AS sentence FROM range(1, 11) t(i)")
        got = _evidence_table(st, set(st.tables()))
        assert got[("twitter", "1")] == [f"item {i}" for i in range(1, EVIDENCE_PER_ACCOUNT + 1)]
        # A contribution still counts by its size, either sign.
        st.sql("DROP TABLE account_evidence")
        st.sql("ALTER TABLE other_evidence RENAME TO account_evidence")
        assert _evidence_table(st, set(st.tables()))[("twitter", "1")][:3] == ["c 10", "c 9", "c 8"]
