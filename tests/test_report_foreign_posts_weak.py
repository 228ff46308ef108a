"""A study with no profile fields: every account's origin was the prior alone (P(US) = 0.37,
P(outside US) = 0.63), so all were counted foreign-origin with US as their single most likely
country. The origin key number said that count is no finding, yet the parties headline said
"Foreign-origin accounts ... posted 700 election posts" and the foreign-origin table had no caveat.
They now carry the same caveat, from the same test."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from botwatch.report.section_parties import _foreign_weak
from botwatch.report.sections import render
from botwatch.study import open_study


def _study(path: Path, dists: list[dict[str, float]]):  # type: ignore[no-untyped-def]
    st = open_study(path, read_only=False)
    st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_country VARCHAR, origin_probability DOUBLE, origin_probabilities VARCHAR)")
    for i, d in enumerate(dists):
        top = max(d, key=d.__getitem__)
        st.sql("INSERT INTO account_scores VALUES ('x', ?, NULL, ?, ?, ?)", [f"a{i}", top, d[top], json.dumps(d)])
    return st


def test_prior_only_foreign_count_is_said_to_be_no_finding(tmp_path: Path) -> None:
    prior = {"US": 0.37, "GB": 0.2, "RU": 0.15, "CA": 0.1}
    st = _study(tmp_path / "p.duckdb", [prior] * 10)
    try:
        weak = _foreign_weak(st, "US")
    finally:
        st.close()
    assert "all 10 have US as their single most likely country" in weak
    assert "not a finding of foreign accounts" in weak
    n = SimpleNamespace(estimate=700, ci_low=675, ci_high=725, n_accounts=66)
    tone = SimpleNamespace(estimate=0.1, ci_low=0.05, ci_high=0.2)
    html = str(render("parties_headline.html.j2", kind="foreign", country="US", weak=weak, f=n, pos=tone, neg=tone, scaled=False, not_sample=False, rate=1, scope=None,
                      num=lambda v: f"{v:,.0f}", pct_ci=lambda *a, **k: "10%"))
    before_posted = html.split(") posted 700")[0]
    assert "not a finding of foreign accounts" in before_posted  # in the same sentence, before the figure


def test_accounts_placed_abroad_carry_no_caveat(tmp_path: Path) -> None:
    st = _study(tmp_path / "r.duckdb", [{"RU": 0.9, "US": 0.05}] * 5 + [{"US": 0.9, "RU": 0.05}] * 5)
    try:
        assert _foreign_weak(st, "US") == ""
    finally:
        st.close()
