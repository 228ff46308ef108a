"""The origin cell of the report's "Accounts with the highest bot probability" table says so where
the study's Russia prior alone made an account more likely than not Russia-run.

Walked on IRA tweets of April–June 2017 with a twarc2 Brexit sample (uk-ge2017): 18 of the 20 rows,
@ObserverUK's among them, read "RU (0.77)" over "profile location 'London' names GB" and
"calibration ... moves P(Russia) from 0.058 to 0.065"; `botwatch explain` says the study prior
(an estimated 77% of this study's accounts Russia-run) moved it from 0.065 to 0.768, and the cell
showed none of that."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa

from botwatch.accounts.origin_prior import FAR_SCOPE, NEAR_SCOPE, StudyPrior


def _prior(scope: str) -> StudyPrior:
    return StudyPrior(share=0.773, lo=0.710, hi=0.830, accounts=445, base=0.067, weights=np.zeros(1), scope=scope, country="GB")


def _top(tmp_path: Path, evidence: dict[str, list[str]]) -> dict[str, list[str]]:
    from botwatch.report.section_accounts import _top_accounts
    from botwatch.study import Study

    ids = list(evidence)
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("accounts", pa.table({"platform": ["twitter"] * len(ids), "account_id": ids, "handle": ids}))
        st.write_table("account_scores", pa.table({
            "platform": ["twitter"] * len(ids), "account_id": ids, "bot_probability": [0.9 - 0.1 * i for i in range(len(ids))],
            "origin_country": ["RU"] * len(ids), "origin_probability": [0.77] * len(ids), "n_posts": pa.array([1] * len(ids), pa.int64()),
            "bot_evidence": ["[]"] * len(ids), "origin_evidence": [json.dumps(evidence[i]) for i in ids]}))
        return {r["handle"]: r["origin_evidence"] for r in _top_accounts(st)}
    finally:
        st.close()


def test_a_russia_lead_the_study_prior_made_is_said_in_the_cell(tmp_path: Path) -> None:
    observer = ["most likely RU (p=0.77); prior gave GB 30% before any evidence",
                "profile location 'London' names GB (×380 for it ...)",
                "calibration (fitted on the development part, where 6.7% of accounts were run from Russia) moves P(Russia) from 0.058 to 0.065",
                _prior(FAR_SCOPE).sentence(0.065, 0.768)]
    # Russian-language posts placed it already: the prior's step is no reason for the lead.
    own = ["most likely RU (p>0.99); prior gave GB 30% before any evidence", "posts are 93% ru (of 804 tagged) ...",
           "801 of the account's 804 posts contain Cyrillic letters ...", _prior(NEAR_SCOPE).sentence(0.944, 0.999)]
    top = _top(tmp_path, {"ObserverUK": observer, "NovostiKrsndr": own})
    cell = top["ObserverUK"]
    assert cell[0] == ("the study's prior, not its own evidence, took P(Russia) past 0.5: 0.065 → 0.768, as an estimated "
                       "77.3% [71.0%, 83.0%] of the study's accounts are Russia-run"), cell
    assert len(cell[0]) <= 160  # the cell shows 160 characters of a line
    assert cell[1:] == observer[1:3]
    assert top["NovostiKrsndr"] == own[1:3]


def test_the_explorer_row_keeps_the_study_priors_line_after_five_bot_items() -> None:
    """The explorer keeps the first eight sentences of a row, bot evidence first: @Glasgow_Watch's
    five bot items and three origin items left the study prior's step out of its row."""
    from botwatch.report.section_explorer import EVIDENCE_PER_ACCOUNT, _rows_with_evidence

    bot = [f"bot item {i}" for i in range(5)]
    origin = ["most likely RU (p=0.77); prior gave GB 30% before any evidence", "profile location 'Glasgow, Scotland' names GB (×380 ...)",
              "posts are 100% en (of 1 tagged) ...", "calibration (...) moves P(Russia) from 0.008 to 0.065", _prior(FAR_SCOPE).sentence(0.065, 0.768)]
    row = ("twitter", "1", "Glasgow_Watch", "Glasgow Watch", 0.97, "RU", 0.77, None, 1, None, None, json.dumps(bot), json.dumps(origin), "1", 0.77)
    rows, _, ids = _rows_with_evidence([row], {})
    shown = [ids[i] for i in rows[0][11]]
    assert len(shown) == EVIDENCE_PER_ACCOUNT
    assert shown[5:7] == [origin[0], "the study's prior, not its own evidence, took P(Russia) past 0.5: 0.065 → 0.768, as an estimated "
                                     "77.3% [71.0%, 83.0%] of the study's accounts are Russia-run"], shown


LEAD = ("the study's prior, not its own evidence, took P(Russia) past 0.5: 0.065 → 0.768, as an estimated "
        "77.3% [71.0%, 83.0%] of the study's accounts are Russia-run")


def test_the_command_line_says_the_study_priors_lead_as_the_report_does(tmp_path: Path) -> None:
    """`botwatch accounts` showed @ObserverUK's "RU 0.77" bare, `--json` only among the evidence and
    `explain` as the fourth origin item: the report's words now come with the origin in each (the
    JSON as `origin.study_prior_lead`, null where the prior made no lead)."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.schema import ACCOUNT_SCORES, ACCOUNTS
    from botwatch.study import Study

    observer = ["most likely RU (p=0.77); prior gave GB 30% before any evidence", "profile location 'London' names GB (×380 for it ...)",
                "calibration (...) moves P(Russia) from 0.058 to 0.065", _prior(FAR_SCOPE).sentence(0.065, 0.768)]
    own = ["most likely RU (p>0.99); prior gave GB 30% before any evidence", "posts are 93% ru (of 804 tagged) ...",
           _prior(NEAR_SCOPE).sentence(0.944, 0.999)]
    ids, evidence = ["ObserverUK", "NovostiKrsndr"], [observer, own]
    path = tmp_path / "s.duckdb"
    st = Study(path)
    try:
        st.write_table("accounts", pa.Table.from_pylist([{"platform": "twitter", "account_id": i, "handle": i} for i in ids], schema=ACCOUNTS))
        st.write_table("account_scores", pa.Table.from_pylist([
            {"platform": "twitter", "account_id": i, "bot_probability": bp, "origin_country": "RU", "origin_probability": op, "n_posts": 1,
             "bot_evidence": "[]", "origin_evidence": json.dumps(e), "origin_probabilities": json.dumps({"RU": op, "GB": round(1 - op, 4)})}
            for i, bp, op, e in zip(ids, (0.9, 0.8), (0.77, 0.99), evidence)], schema=ACCOUNT_SCORES))
        score_cols = ", ".join(f"s.{c}" for c in ACCOUNT_SCORES.names if c not in ("platform", "account_id"))
        st.sql(f"CREATE OR REPLACE VIEW accounts_scored AS SELECT a.*, {score_cols} FROM accounts a "
               "LEFT JOIN account_scores s ON a.platform = s.platform AND a.account_id = s.account_id")  # as the accounts stage makes it
    finally:
        st.close()
    runner = CliRunner()
    res = runner.invoke(app, ["accounts", str(path), "--json"])
    assert res.exit_code == 0, res.output
    got = {a["handle"]: a["origin"]["study_prior_lead"] for a in json.loads(res.stdout)}
    assert got == {"ObserverUK": LEAD, "NovostiKrsndr": None}
    res = runner.invoke(app, ["accounts", str(path)], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    assert "RU+" in res.output and res.output.count("RU+") == 1
    assert f"+ @ObserverUK: {LEAD}" in " ".join(res.output.split())
    res = runner.invoke(app, ["explain", str(path), "@ObserverUK"], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    lines = [" ".join(x.split()) for x in res.output.splitlines()]
    at = next(i for i, x in enumerate(lines) if x.startswith("Origin: most likely RU"))
    assert lines[at + 1] == LEAD
