"""Accounts scored without an election, the other stages then run with one: no country had the
origin model's home-country prior, yet the report, the estimates, the timeline groups and the
network measured foreign origin against the later election's country as if it had. On a real UK
sample (ge2017 + a twarc2 Brexit capture) the key number read 75 expected foreign-origin accounts
of 175 where scoring for uk-ge2017 gives 25. Each now says foreign origin is not measured, and
why; `foreign_counts` refuses (tests/test_python_api.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

import botwatch
from botwatch import api
from botwatch.report import build_report

V1 = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
SAID = "the accounts were scored without an election"


@pytest.fixture()
def scored_then_analysed(tmp_path: Path) -> tuple[Path, list[str]]:
    """The real @UKLabour statuses: `analyze` with no election for the accounts alone (a first look
    at the bot scores), then the other stages with uk-ge2017, the accounts not scored again."""
    study = tmp_path / "s.duckdb"
    api.ingest(study, [V1])
    api.analyze(study, only=["accounts"], log=None)
    said: list[str] = []
    api.analyze(study, election="uk-ge2017", skip=["accounts", "accounts_clusters"], log=said.append)
    return study, said


def test_no_figure_measures_foreign_origin_on_scores_made_without_an_election(scored_then_analysed: tuple[Path, list[str]], tmp_path: Path) -> None:
    study, said = scored_then_analysed
    with botwatch.open_study(study) as st:
        assert st.sql("SELECT count(*) FROM account_scores WHERE origin_probabilities IS NOT NULL")[0][0] > 0  # there was evidence to count
        assert "foreign_origin" not in {g for (g,) in st.sql("SELECT DISTINCT account_group FROM estimates")}
        assert not st.sql("SELECT count(*) FROM timeline_groups WHERE dimension = 'origin'")[0][0]
        assert any(SAID in n for (n,) in st.sql("SELECT note FROM timeline_notes WHERE stage = 'timeline'"))
    assert any(m.startswith("estimates:") and SAID in m for m in said)
    assert any(m.startswith("coordination:") and SAID in m for m in said)
    page = build_report(study, tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"foreign origin is not measured: {SAID}" in page
    assert "expected foreign-origin accounts" not in page
