"""The SQL in docs/exports.md ("The circadian table") gives the report's circadian counts.

Why: a researcher reproducing the report's posting-hours headline from the exports ("49 of the 67
accounts with a clear daily rhythm ... at least 3 hours away"; "23 of the 67 ... fit UTC+3 ± 1
(Moscow)", IRA tweets of May–June 2017 under uk-ge2017) found the `circadian` table in no export
doc and the rule (every home offset, the 24-hour circle, the Moscow band's margin from home) only in
the code. The documented query is run here against `timeline.report.circadian_block` itself."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from botwatch.elections import load_election
from botwatch.study import Study
from botwatch.timeline.report import circadian_block

DOC = Path(__file__).resolve().parents[1] / "docs" / "exports.md"


def _documented_sql() -> str:
    section = DOC.read_text(encoding="utf-8").split("## The circadian table", 1)[1].split("\n## ", 1)[0]
    (sql,) = re.findall(r"```sql\n(.*?)```", section, re.S)
    return sql


def test_the_documented_query_counts_as_the_report_does(tmp_path: Path) -> None:
    # Two informative fits at every offset of the circle (so +12 and -11 test the wrap), one not.
    offsets = [o for o in range(-11, 13) for _ in range(2)] + [3]
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("circadian", pa.table({
            "platform": ["twitter"] * len(offsets), "account_id": [f"a{i}" for i in range(len(offsets))],
            "best_offset": pa.array(offsets, pa.int64()), "informative": [True] * (len(offsets) - 1) + [False]}))
        got = st.sql(_documented_sql())[0]
        block = circadian_block(st, load_election("uk-ge2017"))
    finally:
        st.close()
    assert block is not None
    assert got == (block["informative"], block["k_far"], block["k_msk"]) == (48, 38, 4), (got, block["k_far"], block["k_msk"])
    assert block["msk_band"] == [3, 4] and block["homes"] == [1]


def test_the_documented_hour_counts_are_what_the_stage_stores(tmp_path: Path) -> None:
    """The doc said `hour_counts` is "the account's posts by UTC hour"; the stage stores, per UTC
    hour, the distinct days the account posted in it (`timeline.stages.hour_profiles_sql`), so an
    account posting three times an hour has a third of the posts its counts were read as."""
    from datetime import datetime, timedelta

    from botwatch.timeline.stages import fit_profiles, hour_profiles

    times = [datetime(2017, 5, 1, 10) + timedelta(days=d, minutes=m) for d in range(20) for m in (0, 10, 20)]
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("posts", pa.table({"platform": ["twitter"] * len(times), "account_id": ["a"] * len(times),
                                          "created_at": pa.array(times, pa.timestamp("us"))}))
        (row,) = fit_profiles(hour_profiles(st)).to_pylist()
    finally:
        st.close()
    assert row["posts"] == 60 and row["hour_counts"][10] == 20 == row["active_cells"] == sum(row["hour_counts"])
    section = DOC.read_text(encoding="utf-8").split("## The circadian table", 1)[1].split("\n## ", 1)[0]
    said = " ".join(section.split("`hour_counts` is", 1)[1].split(", `best_offset`", 1)[0].split())
    assert "distinct days" in said and "posts by UTC hour" not in said, said
