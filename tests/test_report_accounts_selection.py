"""'Where these data come from' says when the posts are a few accounts' own timelines.

@UKLabour's week of May 2017 (../shared/data/ge2017: one account's 110 posts) read "the sample
stream holds about 1% of public posts (give --sample-rate 0.01 to scale counts)"; given that
rate, the same report then said its scaled counts were "not platform figures", the posts being
one account's. The note now says first that such a study is a selection of accounts."""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
SAID = "Nearly every post in this study was written by a handful of accounts"


def _text(path: Path) -> str:
    s = path.read_text(encoding="utf-8")
    s = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", s, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", s)).split())


def test_one_accounts_timeline_is_said_to_be_no_sample(tmp_path: Path) -> None:
    from botwatch.report import build_report
    from botwatch.study import open_study

    study = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(FIX)]).exit_code == 0
    with open_study(study) as st:
        assert st.sql("SELECT count(DISTINCT account_id), count(*) FROM posts")[0][0] == 1
        out = build_report(st, tmp_path / "r.html", ctx={}, exports=False)
    text = _text(out)
    assert f"Where these data come from. {SAID} (their timelines or archives): a selection of accounts, not a sample" in text, text[:3000]


def test_a_study_of_many_accounts_is_not(analysed_sample_path: Path, tmp_path: Path) -> None:
    from botwatch.report import build_report
    from botwatch.study import open_study

    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    with open_study(study) as st:
        out = build_report(st, tmp_path / "r.html", ctx={}, exports=False)
    assert SAID not in _text(out)
