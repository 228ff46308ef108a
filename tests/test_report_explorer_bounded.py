"""The explorer carries at most `MAX_ACCOUNTS` accounts, the most likely automated first, and says
in words that its search, filters and sorting reach only those, and where the rest are.

At 200,000 accounts the page was 23 MB of generated rows (about 45 MB of real ones) and took
seconds to open and to sort (docs/performance.md, 2026-12-07), so the cap came down to 50,000;
and the sentence that said "(all of them are in the accounts export)" stood over a report built
with --no-exports too, which has no such file: it now names the command that writes one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from botwatch.report import section_explorer
from botwatch.report.context import report_context
from botwatch.report.exports import Export
from botwatch.study import open_study


def _html(path: Path, exports: list[Export]) -> tuple[str, dict]:
    with open_study(path) as st:
        ctx = report_context(st)
        ctx["exports"] = exports
        html = " ".join(str(section_explorer.explorer(st, ctx).html).split())  # type: ignore[union-attr]
        data = section_explorer.explorer_data(st, ctx, max_accounts=section_explorer.MAX_ACCOUNTS)
    return html, data


def _most_likely_first(bot: float | None) -> float:
    """The page's order of automation probabilities: highest first, none last (a key of -1 for
    none put it first, so the order check passed a page that led with unscored accounts)."""
    return 2.0 if bot is None else -bot


def test_a_study_over_the_cap_gets_its_top_accounts_and_says_so(analysed_sample_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(section_explorer, "MAX_ACCOUNTS", 100)
    html, data = _html(analysed_sample_path, [])
    rows, total = data["rows"], data["total"]
    assert len(rows) == 100 < total
    bots = [r[4] for r in rows]
    assert bots == sorted(bots, key=_most_likely_first)
    said = (f"This page carries the 100 with the highest automation probability, to stay quick to open, and its search, "
            f"filters and sorting reach only them: the other {total - 100:,} are in the accounts export, which this report was built without")
    assert said in html, html[:2000]
    assert f"<code>botwatch export {analysed_sample_path.name} accounts_scored -o accounts.csv</code>" in html
    assert "all of them are in the accounts export" not in html

    exported = Export("accounts", total, "accounts", hrefs={"csv": "report-data/accounts.csv", "parquet": "report-data/accounts.parquet"})
    html, _ = _html(analysed_sample_path, [exported])
    assert f'the other {total - 100:,} are in the <a href="report-data/accounts.csv">accounts export</a>.' in html
    assert "built without" not in html


def test_a_study_under_the_cap_is_whole_and_says_nothing_of_it(analysed_sample_path: Path) -> None:
    html, data = _html(analysed_sample_path, [])
    assert len(data["rows"]) == data["total"] and "This page carries" not in html


def test_accounts_the_model_gave_no_probability_are_said_apart(analysed_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts with no automation probability (added after the accounts stage ran) come last, by
    their posts: a page that carries some of them must not call them "the highest automation probability"."""
    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path, read_only=False) as st:
        st.sql("DELETE FROM account_scores WHERE account_id IN (SELECT account_id FROM account_scores ORDER BY account_id LIMIT 30)")
    with open_study(path) as st:
        listed = int(st.sql("SELECT count(*) FROM accounts_scored")[0][0])
        scored = int(st.sql("SELECT count(*) FROM account_scores WHERE bot_probability IS NOT NULL")[0][0])
    shown = scored + 10
    monkeypatch.setattr(section_explorer, "MAX_ACCOUNTS", shown)
    html, data = _html(path, [])
    total = data["total"]
    assert total > shown and sum(r[4] is None for r in data["rows"]) == 10
    assert [r[4] for r in data["rows"]] == sorted((r[4] for r in data["rows"]), key=_most_likely_first)
    unscored = [r[8] for r in data["rows"] if r[4] is None]
    assert unscored == sorted(unscored, reverse=True)  # by their posts
    assert "with the highest automation probability" not in html, html[:2000]
    said = (f"This page carries the {scored:,} with an automation probability and, of the {total - scored:,} without one, "
            f"the 10 with the most posts, to stay quick to open, and its search, filters and sorting reach only them: "
            f"the other {total - shown:,} are in")
    assert said in html, html[:2000]
    assert listed >= total
