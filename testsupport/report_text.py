"""A report page as a reader sees its words: what the report tests assert sentences against.

Scripts and styles dropped, tags removed, entities decoded, whitespace runs made one space, so a
sentence the template wraps over several lines (or splits with a tag) is matched whole."""

from __future__ import annotations

import html
import re
from pathlib import Path


def html_text(page: str) -> str:
    """The visible text of the HTML `page`, one space between words."""
    s = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", s)).split())


def page_text(path: Path) -> str:
    """The visible text of the report page at `path` (`html_text`)."""
    return html_text(path.read_text(encoding="utf-8"))


def us_report_text(analysed: Path, where: Path) -> tuple[str, str]:
    """The report of a copy of the analysed study `analysed` (built in the folder `where`, with
    us-2016's election, no exports, strict) as (the page's text, its Methods section's text): the
    page the tests of the shipped models' accuracy sentences read."""
    import shutil

    from botwatch.elections import load_election
    from botwatch.report import build_report
    from botwatch.study import open_study

    study = where / "s.duckdb"
    shutil.copy(analysed, study)
    with open_study(study) as st:
        out = build_report(st, where / "r.html", ctx={"election": load_election("us-2016")}, exports=False, strict=True)
    text = page_text(out)
    return text, text[text.index("Methods and caveats", text.index("Headline findings") + 200):]
