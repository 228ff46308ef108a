"""The report's `--posts` export lists a post's party stances in party order on a lake too.

The list is DuckDB's `list(... ORDER BY party)`; sqlglot writes it for Spark as `COLLECT_LIST(...)`
without the order, so a lake's export listed a post's parties in whatever order Spark met the rows
("rep:oppose", "dem:support") where DuckDB's lists them by party: 905 of the bundled sample's posts
read differently on the two engines. Sorting the list itself is the same on both.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.spark


def _tiny_study(path: Path) -> None:
    """One post naming two parties, its post_party rows written in reverse party order, the
    second party's stance not measured (a Russian post without a cue)."""
    from botwatch.study import Study

    with Study(path, read_only=False, create=True) as st:
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', 'a1', 'someone')")
        st.sql("INSERT INTO posts (platform, post_id, account_id, created_at, kind, lang, text, source) VALUES ('twitter', 'p1', 'a1', ?, 'post', 'ru', 'x', 'f.csv')",
               [datetime(2016, 9, 1)])
        st.sql("CREATE TABLE post_party (platform VARCHAR, post_id VARCHAR, party VARCHAR, stance VARCHAR, stance_rule VARCHAR, lang VARCHAR, signals VARCHAR[])")
        st.sql("INSERT INTO post_party VALUES ('twitter', 'p1', 'zz', 'neutral', 'no_cue', 'ru', ['topic_kw']), "
               "('twitter', 'p1', 'aa', 'support', 'pro_hashtag', 'ru', ['pro_tag'])")


def test_a_lakes_posts_export_lists_parties_in_order(spark: Any, tmp_path: Path) -> None:
    from botwatch.engines.lake import lake_from_study
    from botwatch.engines.lake_report import report_view
    from botwatch.report.exports import write_exports
    from botwatch.study import Study

    _tiny_study(tmp_path / "s.duckdb")
    with Study(tmp_path / "s.duckdb") as st:
        lake = lake_from_study(st, tmp_path / "lake", spark=spark)
        duck = {e.name: e for e in write_exports(st, tmp_path / "d", formats=("parquet",), include_posts=True)}
    view = report_view(lake, hold_rows=0)  # nothing held: the post_party list runs on Spark
    try:
        got = {e.name: e for e in write_exports(view, tmp_path / "l", formats=("parquet",), include_posts=True)}
        assert view._pushed, "the post_party list did not run on Spark"
    finally:
        view.close()
        lake.close()
    want = ["aa:support", "zz:not measured"]
    assert pq.read_table(duck["posts"].files["parquet"]).column("party_stances").to_pylist() == [want]
    assert pq.read_table(got["posts"].files["parquet"]).column("party_stances").to_pylist() == [want]
