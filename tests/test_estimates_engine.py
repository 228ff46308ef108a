"""The estimates stage runs its bootstrap over distinct count vectors the engine computed, so no
per-account row reaches Python: the numbers are the per-account bootstrap's, draw for draw, and
what comes back to the caller is the estimate rows alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from botwatch.estimates.bootstrap import cluster_bootstrap, weighted_bootstrap
from botwatch.estimates.compute import EstimateOptions, _groups, bootstrap_cells, compute_estimates, default_windows
from botwatch.estimates.relational import account_cells, units
from botwatch.study import Study
from testsupport.estimates_plant import US, plant_study


def per_account_estimates(st: Any, opts: EstimateOptions) -> pa.Table:
    """The estimates as the stage computed them before: every account × cell row brought to
    Python, then the bootstrap over accounts (`bootstrap_cells`)."""
    windows = default_windows(US) + list(opts.extra_windows)
    groups = _groups(st, US, lambda m: None)
    cells = st.expr_arrow(account_cells(units(st.table("post_labels"), st.table("post_party")), groups, windows))
    return bootstrap_cells(cells, US, windows, opts, ("all",) if groups is None else ("all", "likely_automated", "foreign_origin"))


class Watched(Study):
    """A DuckDB study that records every result it hands to Python: (rows, columns)."""

    def __init__(self, *a: Any, **k: Any) -> None:
        self.returned: list[tuple[int, tuple[str, ...]]] = []
        super().__init__(*a, **k)

    def _seen(self, t: pa.Table) -> pa.Table:
        self.returned.append((t.num_rows, tuple(t.column_names)))
        return t

    def expr_arrow(self, expr: Any) -> pa.Table:
        return self._seen(super().expr_arrow(expr))

    def query_arrow(self, query: str, params: list[Any] | None = None) -> pa.Table:
        return self._seen(super().query_arrow(query, params))

    def arrow(self, name: str) -> pa.Table:
        return self._seen(super().arrow(name))

    def group_map_arrow(self, *a: Any, **k: Any) -> pa.Table:
        return self._seen(super().group_map_arrow(*a, **k))

    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        rows = super().sql(query, params)
        self.returned.append((len(rows), ()))
        return rows


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("est-engine") / "s.duckdb"
    with Study(path) as st:
        plant_study(st)
    return path


def test_weighted_bootstrap_draws_what_the_per_account_bootstrap_draws() -> None:
    rng = np.random.default_rng(0)
    values = np.column_stack([rng.zipf(2.0, 4000).clip(max=500), rng.integers(0, 3, 4000)]).astype(float)
    uniq, mult = np.unique(values, axis=0, return_counts=True)
    order = rng.permutation(len(uniq))  # an engine returns the vectors in any order
    want = cluster_bootstrap(values, 500, np.random.default_rng(9))
    assert np.array_equal(weighted_bootstrap(uniq[order], mult[order], 500, np.random.default_rng(9)), want)
    # A vector given twice (two partitions of one cell) counts its accounts once each.
    split = np.concatenate([mult[order] - 1, np.ones(len(uniq), np.int64)])
    assert np.array_equal(weighted_bootstrap(np.concatenate([uniq[order]] * 2), split, 500, np.random.default_rng(9)), want)


def test_engine_path_equals_the_per_account_bootstrap(planted: Any) -> None:
    opts = EstimateOptions(sample_rate=0.05, reps=300, seed=11, extra_windows=[("october", datetime(2016, 10, 1), datetime(2016, 11, 1))])
    with Study(planted, read_only=True) as st:
        got = compute_estimates(st, US, opts, log=lambda m: None)
        assert "_estimate_vectors" not in {r[0] for r in st.sql("SELECT table_name FROM information_schema.tables")}  # dropped after use
        want = per_account_estimates(st, opts)
    assert got.num_rows == want.num_rows > 100
    assert got.equals(want)  # same rows, same order, same floats
    assert set(got.column("account_group").to_pylist()) == {"all", "likely_automated", "foreign_origin"}


def test_estimates_bring_no_per_account_rows_to_python(planted: Any) -> None:
    with Watched(planted, read_only=True) as st:
        accounts = st.sql("SELECT count(DISTINCT account_id) FROM post_labels WHERE in_election")[0][0]
        st.returned.clear()
        got = compute_estimates(st, US, EstimateOptions(reps=50), log=lambda m: None)
        returned = list(st.returned)
    assert accounts > 1000
    assert not [cols for _, cols in returned if "account_id" in cols]
    # At most the estimate rows themselves: bounded by windows x groups x parties x metrics.
    assert max(rows for rows, _ in returned) <= got.num_rows < accounts


def test_estimates_come_in_cell_order_whatever_order_the_engine_returns(planted: Any, monkeypatch: Any) -> None:
    """Spark returns the cells in its partitions' order; the table must not depend on it (a re-run
    writes and exports the same rows in the same order)."""
    opts = EstimateOptions(sample_rate=0.05, reps=50, seed=3)
    with Study(planted, read_only=True) as st:
        want = compute_estimates(st, US, opts, log=lambda m: None)
        real = type(st).group_map_arrow

        def reversed_cells(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            # The cells in reverse order, each cell's rows in the order its function gave them (as
            # a grouped map returns them: a group's rows together, the groups in any order).
            got = real(self, *args, **kwargs)
            keys = list(zip(*(got.column(c).to_pylist() for c in ("period", "account_group", "party"))))
            blocks: dict[tuple[str, str, str], list[int]] = {}
            for i, k in enumerate(keys):
                blocks.setdefault(k, []).append(i)
            return got.take([i for k in reversed(list(blocks)) for i in blocks[k]])

        monkeypatch.setattr(type(st), "group_map_arrow", reversed_cells)
        got = compute_estimates(st, US, opts, log=lambda m: None)
    assert got.num_rows == want.num_rows > 100
    assert got.equals(want)
