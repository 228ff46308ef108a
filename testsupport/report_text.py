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
