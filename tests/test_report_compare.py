"""The report comparison used by the engine parity test must catch what differs and forgive only
what is listed as legitimate (testsupport/report_compare.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from testsupport.report_compare import export_differences, report_differences

TODAY = date.today().isoformat()


def _page(name: str, engine: str, *, count: str = "1,234", share: str = "0.3738", when: str = "10:31") -> str:
    return (f"<p>Generated {TODAY} {when} UTC from <code>{name}</code></p><td>{count}</td><td>{share}</td>"
            f"<code>election=us-2016, engine={engine}</code><code>botwatch report {name} --posts</code>")


def test_names_times_and_engines_are_forgiven() -> None:
    assert report_differences(_page("s.duckdb", "duckdb"), _page("lake", "spark", when="10:33"), "s.duckdb", "lake") == []


def test_a_last_digit_rounding_is_forgiven_but_not_a_larger_one() -> None:
    assert report_differences(_page("a", "duckdb"), _page("a", "spark", share="0.3739"), "a", "a") == []
    assert report_differences(_page("a", "duckdb"), _page("a", "spark", share="0.3741"), "a", "a")


def test_a_count_must_match_exactly() -> None:
    diffs = report_differences(_page("a", "duckdb"), _page("a", "spark", count="1,235"), "a", "a")
    assert diffs and "1,234" in diffs[0]


def test_other_text_or_order_differs() -> None:
    assert report_differences("<li>x</li><li>y</li>", "<li>y</li><li>x</li>", "a", "a")


def test_exports_compared_as_data(tmp_path: Path) -> None:
    for side, vals, types in (("d", [1.0, 2.0], pa.float64()), ("s", [1.0, 2.0 + 1e-9], pa.float64()), ("t", [1.0, 2.0], pa.decimal128(6, 5))):
        (tmp_path / side).mkdir()
        pq.write_table(pa.table({"x": pa.array(vals, pa.float64()).cast(types)}), tmp_path / side / "c.parquet")
        (tmp_path / side / "c.csv").write_text("x\n1.0\n" + ("2.0000\n" if side == "t" else "2.0\n"), encoding="utf-8")
    assert export_differences(tmp_path / "d", tmp_path / "s") == []
    diffs = export_differences(tmp_path / "d", tmp_path / "t")
    assert any("columns differ" in d for d in diffs)
