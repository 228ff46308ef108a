"""A party's (or a group's) count is a domain total: its interval includes how many accounts a
redraw of the period's accounts would hold in the cell.

Found on the IRA tweets under us-2016 (`botwatch report`): nine accounts named the Libertarians
once each, and the report printed "9 [9–9]" posts, as if another draw of accounts like these
could hold nothing but those nine. Each replicate drew nine accounts from the nine."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from botwatch.elections import load_election
from botwatch.estimates.compute import EstimateOptions, bootstrap_cells, cell_rows
from botwatch.estimates.relational import ALL, COUNT_COLUMNS

US = load_election("us-2016")
WINDOWS = [("campaign", None, None)]


def per_account(n_all: int, n_party: int) -> pa.Table:
    """`account_cells` rows: `n_all` accounts with one election post each, of which `n_party` name
    the Libertarians in it (support, English, positive)."""
    rows = []
    for i in range(n_all):
        base = dict(period="campaign", account_group="all", platform="twitter", account_id=f"a{i}")
        rows.append({**base, "party": ALL, "posts": 1, "support": 0, "oppose": 0, "neutral": 0, "scored": 1, "positive": 1, "negative": 0, "measured": 0})
        if i < n_party:
            rows.append({**base, "party": "libertarian", "posts": 1, "support": 1, "oppose": 0, "neutral": 0, "scored": 1, "positive": 1, "negative": 0,
                         "measured": 1})
    return pa.Table.from_pylist(rows)


def row(table: pa.Table, party: str, metric: str) -> dict:
    return next(r for r in table.to_pylist() if r["party"] == party and r["metric"] == metric and r["account_group"] == "all")


def test_nine_accounts_naming_a_party_once_get_an_interval_that_can_hold_four_or_fifteen() -> None:
    got = bootstrap_cells(per_account(200, 9), US, WINDOWS, EstimateOptions(reps=2000, seed=5))
    posts = row(got, "libertarian", "posts")
    assert posts["observed"] == 9 and posts["n_accounts"] == 9
    # Binomial(200, 9/200): 95% of draws between about 4 and 15.
    assert 2 <= posts["ci_low"] <= 5 and 13 <= posts["ci_high"] <= 17, posts
    assert "200 accounts with election posts drawn, 191 of them outside this cell" in posts["method"]
    # A share within the cell: every one of them supports, in every replicate that holds one, so
    # the bootstrap gives 100% again and the stage stores the exact bound over the 9 accounts.
    share = row(got, "libertarian", "support_share")
    assert share["ci_high"] == 1.0 and abs(share["ci_low"] - 0.025 ** (1 / 9)) < 1e-12 and "Clopper–Pearson" in share["method"]


def test_the_cell_of_every_account_is_drawn_as_before() -> None:
    """The period's own cell (all accounts, all election posts) is its population: the same draws
    as the bootstrap over the cell's accounts alone, to the last bit."""
    got = bootstrap_cells(per_account(50, 9), US, WINDOWS, EstimateOptions(reps=300, seed=5))
    vec = np.array([[1, 0, 0, 0, 1, 1, 0, 0]], float)
    assert len(COUNT_COLUMNS) == vec.shape[1]
    alone = cell_rows(US, WINDOWS, EstimateOptions(reps=300, seed=5), ("campaign", "all", ALL), vec, np.array([50]))
    mine = [r for r in got.to_pylist() if r["party"] == ALL and r["account_group"] == "all"]
    assert [(r["metric"], r["ci_low"], r["ci_high"]) for r in mine] == [(r["metric"], r["ci_low"], r["ci_high"]) for r in alone]


def test_without_a_population_a_cell_draws_its_own_accounts() -> None:
    """`cell_rows` with no population keeps the old draw (callers holding one cell alone)."""
    vec = np.array([[1, 1, 0, 0, 1, 1, 0, 1]], float)
    r = next(x for x in cell_rows(US, WINDOWS, EstimateOptions(reps=300, seed=5), ("campaign", "all", "libertarian"), vec, np.array([9]))
             if x["metric"] == "posts")
    assert r["ci_low"] == r["ci_high"] == 9.0


def test_a_group_holding_every_account_prints_the_whole_periods_interval() -> None:
    """The IRA release under uk-ge2017 (every account foreign-origin) printed "posts by
    foreign-origin accounts: 49 [27–82]" above "all accounts: 49 [27–78]": the same posts of the
    same 20 accounts, drawn with a seed per group. The seed is the period's and party's, so a
    group with the same accounts draws the same replicates; another group still differs."""
    rng = np.random.default_rng(3)
    vec = rng.integers(0, 5, size=(20, len(COUNT_COLUMNS))).astype(float)
    mult = np.ones(20, np.int64)
    opts = EstimateOptions(reps=400, seed=5)
    whole = cell_rows(US, WINDOWS, opts, ("campaign", "all", ALL), vec, mult, population=20)
    foreign = cell_rows(US, WINDOWS, opts, ("campaign", "foreign_origin", ALL), vec, mult, population=20)
    assert [(r["metric"], r["ci_low"], r["ci_high"]) for r in foreign] == [(r["metric"], r["ci_low"], r["ci_high"]) for r in whole]
    fewer = cell_rows(US, WINDOWS, opts, ("campaign", "foreign_origin", ALL), vec[:12], mult[:12], population=20)
    assert [r["ci_high"] for r in fewer if r["metric"] == "posts"] != [r["ci_high"] for r in whole if r["metric"] == "posts"]
