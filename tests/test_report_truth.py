"""Sentences of the report checked against what their figures support (the "truth" pass of
2026-12-03, docs/methods.md "report"): each test holds one sentence that said more than its
figure, on a study made through the real ingest and analysis."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


@pytest.fixture(scope="module")
def mixed_study(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """twarc2 posts with a users lookup file and UK Labour's v1.1 statuses, scored: the study
    knows accounts that never posted (only looked up or mentioned) and scores some of them."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    runner = CliRunner()
    study = tmp_path_factory.mktemp("truth") / "s.duckdb"
    files = [FIX / "twarc2_flat.jsonl", FIX / "twarc2_users.jsonl", FIX / "v1_uklabour.jsonl"]
    assert runner.invoke(app, ["ingest", str(study), *map(str, files)]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017", "--only", "accounts", "--with-deps"]).exit_code == 0
    yield study


def test_explorer_does_not_call_scored_lookups_posters(mixed_study: Path) -> None:
    """The explorer opened with "262 accounts posted in this study" on the demo study, where 160
    had posted and 102 were scored from profiles seen only as retweeted, mentioned or looked up
    (the key numbers at the top said 160 accounts posting)."""
    from botwatch.report.context import report_context
    from botwatch.report.section_explorer import explorer, explorer_data
    from botwatch.study import open_study

    with open_study(mixed_study) as st:
        ctx = report_context(st)
        data = explorer_data(st, ctx)
        section = explorer(st, ctx)
        posting = st.sql("SELECT count(DISTINCT (platform, account_id)) FROM posts")[0][0]
    assert section is not None
    assert data["posted"] == posting < data["total"]
    assert sum(1 for r in data["rows"] if r[8] > 0) == posting
    html = " ".join(str(section.html).split())
    assert f"{data['total']} accounts posted in this study" not in html
    never = data["total"] - posting
    assert (f"{data['total']} accounts are listed: {posting} posted in this study, and {never} "
            f"{'was' if never == 1 else 'were'} scored from a profile seen only as retweeted, mentioned or looked up") in html
