"""'Where these data come from' says when the posts are a few accounts' own timelines.

@UKLabour's week of May 2017 (../shared/data/ge2017: one account's 110 posts) read "the sample
stream holds about 1% of public posts (give --sample-rate 0.01 to scale counts)"; given that
rate, the same report then said its scaled counts were "not platform figures", the posts being
one account's. The note now says first that such a study is a selection of accounts."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from botwatch.cli import app
from testsupport.report_text import html_text, page_text as _text

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
SAID = "post in this study was written by"
HOSTILE = "<b>Lab\u202eour"


def test_one_accounts_timeline_is_said_to_be_no_sample(tmp_path: Path) -> None:
    from botwatch.report import build_report
    from botwatch.study import open_study

    study = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(FIX)]).exit_code == 0
    with open_study(study) as st:
        assert st.sql("SELECT count(DISTINCT account_id), count(*) FROM posts")[0][0] == 1
        out = build_report(st, tmp_path / "r.html", ctx={}, exports=False)
    text = _text(out)
    # One account is named, not "a handful of accounts" as it was of exactly this one.
    assert ("Where these data come from. Every post in this study was written by one account (@UKLabour), its timeline or archive: "
            "a selection of one account, not a sample") in text, text[:3000]
    assert "the numbers describe that account." in text and "handful" not in text


def _rewritten(tmp_path: Path, change: Callable[[int, dict[str, Any]], None]) -> Path:
    """The @UKLabour fixture with each status's user changed by `change(line number, user)`."""
    lines = [json.loads(line) for line in FIX.read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, status in enumerate(lines):
        change(i, status["user"])
    out = tmp_path / "in.jsonl"
    out.write_text("".join(json.dumps(s) + "\n" for s in lines), encoding="utf-8")
    return out


def _report(tmp_path: Path, source: Path) -> str:
    from botwatch.report import build_report
    from botwatch.study import open_study

    study = tmp_path / "s.duckdb"
    assert CliRunner().invoke(app, ["ingest", str(study), str(source)]).exit_code == 0
    with open_study(study) as st:
        return build_report(st, tmp_path / "r.html", ctx={}, exports=False).read_text(encoding="utf-8")


def test_the_one_accounts_handle_is_escaped_and_its_hidden_characters_shown(tmp_path: Path) -> None:
    """The handle is attacker-written: escaped, and a right-to-left override tagged as the report
    tags it elsewhere (`user_text`), not left to reverse the sentence."""
    page = _report(tmp_path, _rewritten(tmp_path, lambda i, user: user.update(screen_name=HOSTILE)))
    assert "<b>Lab" not in page and "\u202e" not in page
    assert "written by one account (@&lt;b&gt;Lab⟨U+202E⟩our), its timeline" in " ".join(page.split()), page[page.find("Where these data"):][:800]


def test_a_few_accounts_are_counted(tmp_path: Path) -> None:
    def two(i: int, user: dict[str, Any]) -> None:
        if i % 2:
            user.update(id=42, id_str="42", screen_name="other")

    text = html_text(_report(tmp_path, _rewritten(tmp_path, two)))
    said = text[text.index("Where these data come from."):text.index("How to read these numbers.")]
    assert f"Every {SAID} 2 accounts (their timelines or archives): a selection of accounts, not a sample" in said, said
    assert "the numbers describe those accounts." in said and "@" not in said


def test_a_study_of_many_accounts_is_not(analysed_sample_path: Path, tmp_path: Path) -> None:
    from botwatch.report import build_report
    from botwatch.study import open_study

    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    with open_study(study) as st:
        out = build_report(st, tmp_path / "r.html", ctx={}, exports=False)
    assert SAID not in _text(out)
