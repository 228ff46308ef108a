"""The foreign-origin and automation headlines did not say how many of the counted accounts were the
model's own training accounts (brexit-2016: 16,253 of 26,810; only Methods said so), so a headline
quoted as an out-of-sample result was partly in-sample. It is said beside the figure when the
training accounts could be 1% or more of the figure's own denominator."""

from __future__ import annotations

import html
import json
from pathlib import Path

from botwatch.report.sections import render
from botwatch.report.training_share import training_clause
from botwatch.study import open_study


def _study(tmp_path: Path, n_accounts: int, origin: int, bot: int):  # type: ignore[no-untyped-def]
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    st.sql("INSERT INTO accounts (platform, account_id) SELECT 'twitter', CAST(i AS VARCHAR) FROM range(?) t(i)", [n_accounts])
    if "runs" not in st.tables():
        st.sql("CREATE TABLE runs (run_id VARCHAR, stage VARCHAR, params VARCHAR, version VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR, rows_written BIGINT, message VARCHAR)")
    params = json.dumps({"origin_training_accounts": origin, "bot_training_accounts": bot})
    st.sql("INSERT INTO runs (run_id, stage, params, version, started_at, finished_at, status) VALUES ('1', 'accounts', ?, 'x', now(), now(), 'ok')", [params])
    return st


def test_a_material_share_of_training_accounts_is_said_beside_the_origin_figure(tmp_path: Path) -> None:
    st = _study(tmp_path, 26810, 16253, 0)
    try:
        clause = training_clause(st, "origin", 18000)
    finally:
        st.close()
    assert clause == "16,253 of the study's 26,810 accounts are among the origin model's own training accounts: for them the figure is not out-of-sample"
    text = " ".join(html.unescape(str(render("accounts_headline.html.j2", kind="origin", foreign=7631, n_origin=18000, home="GB", share="41% [40–42%]",
                               expected="7,000", lo="6,900", hi="7,100", weak=False, why="", training=clause))).split())
    assert "16,253 of the study's 26,810 accounts are among the origin model's own training accounts" in text


def test_a_few_training_accounts_below_one_percent_of_the_figure_are_left_to_methods(tmp_path: Path) -> None:
    st = _study(tmp_path, 100000, 50, 0)
    try:
        assert training_clause(st, "origin", 10000) == ""  # at most 0.5% of the 10,000 counted
        assert training_clause(st, "origin", 4000) != ""  # could be 1.25% of 4,000
        assert training_clause(st, "bot", 10000) == ""  # none recorded for the bot model
    finally:
        st.close()


def test_a_users_bot_models_training_accounts_are_said_beside_the_automation_figure(tmp_path: Path) -> None:
    """A user's model whose file records its training accounts: the accounts stage counts them
    (2,000 of 5,000 here: a user who trained on labelled accounts of the study and scored it),
    Methods says so, but the automation headline said nothing, as if the figure were out-of-sample."""
    st = _study(tmp_path, 5000, 0, 2000)
    try:
        st.sql("UPDATE runs SET params = ? WHERE stage = 'accounts'",
               [json.dumps({"origin_training_accounts": 0, "bot_training_accounts": 2000, "bot_model_sha256": "0" * 64, "bot_model_file": "mine.json.gz"})])
        assert training_clause(st, "bot", 5000) == ("2,000 of the study's 5,000 accounts are among your bot model's own training accounts: "
                                                    "for them the figure is not out-of-sample")
    finally:
        st.close()


def test_an_earlier_releases_shipped_model_is_not_called_yours(tmp_path: Path) -> None:
    """A study scored by the shipped model of an earlier release (every study scored before the
    2026-12-07 retrains; no BOTWATCH_BOT_MODEL recorded) read "5 of the study's 177 accounts are
    among your bot model's own training accounts", of a model the user never had. The count is the
    one that model's list gave when it scored, so it stays; only whose list it is changes."""
    st = _study(tmp_path, 5000, 0, 2000)
    try:
        st.sql("UPDATE runs SET params = ? WHERE stage = 'accounts'",
               [json.dumps({"origin_training_accounts": 0, "bot_training_accounts": 2000, "bot_model_sha256": "ab" * 32})])
        assert training_clause(st, "bot", 5000) == ("2,000 of the study's 5,000 accounts are among the training accounts of the shipped bot "
                                                    "model of an earlier botwatch release that scored it: for them the figure is not out-of-sample")
    finally:
        st.close()
