"""Every attacker-written string in the report (post text, names, handles, descriptions,
locations, hashtags, URLs) gets one treatment: `shown_text.shown_in_page`, whether a template
prints it plainly (the environment's last step), through the `user_text` filter, in an SVG label
or in the explorer's JSON data. The report had two: plain values showed ESC as `\\x1b`, the filter
showed U+202E as ⟨U+202E⟩ and let ESC and C1 controls through, and the explorer's JSON carried
C0 controls as `\\u001b` escapes that the page turned back into raw characters."""

from __future__ import annotations

import html as html_mod
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from botwatch.report.build import json_for_script
from botwatch.report.fmt import show_hidden, user_text
from botwatch.report.sections import ENV
from botwatch.report.svg import escape as svg_escape
from botwatch.shown_text import shown_in_page

HOSTILE = {
    "bidi override": "\u202emoc.elgoog\u202c admin",
    "bidi isolates and marks": "a\u2066b\u2069c\u200fd\u061ce",
    "zero-width joiners": "ev\u200dil\u200b\u2060x\ufeff",
    "C0 controls": "\x1b[31mred\x1b[0m bell\x07 \x01",
    "C1 controls": "c\x85d\x9b2J del\x7f",
    "separators": "line\u2028para\u2029end",
    "script": "<script>window.__pwned=1</script>",
}
FAMILY = "👨\u200d👩\u200d👧"  # an emoji ZWJ sequence: its joiners are the emoji, shown as they are (tests/test_shown_text_zwj.py)
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# A JSON escape of a control character, not preceded by an escaping backslash: the page would decode it raw.
JSON_CONTROL = re.compile(r"(?<!\\)(?:\\\\)*\\(u00[01][0-9a-fA-F]|u007[fF]|u202[89]|[bf])")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_way_of_printing_a_string_shows_it_the_same(name: str) -> None:
    text = HOSTILE[name]
    shown = shown_in_page(text)
    assert not RAW.search(shown) and "⟨U+" in shown or name == "script"
    assert user_text(text) == shown
    assert html_mod.unescape(ENV.from_string("{{ t }}").render(t=text)) == shown  # a plain value
    assert html_mod.unescape(ENV.from_string("{{ t|user_text }}").render(t=text)) == shown  # through the filter
    assert html_mod.unescape(str(svg_escape(text))) == shown  # a chart's label
    payload = show_hidden(json_for_script({"rows": [[text, 1]], "d": {"description": text}}))
    assert not RAW.search(payload) and not JSON_CONTROL.search(payload)
    back = json.loads(payload)
    assert back["rows"][0][0] == shown and back["d"]["description"] == shown  # what the explorer's script puts on the page


def test_tab_and_line_breaks_stay_and_a_literal_backslash_escape_is_text() -> None:
    assert shown_in_page("a\tb\nc\r\nd") == "a\tb\nc\r\nd"
    literal = "the six characters \\u202e and \\x1b"  # typed by the account, not controls
    assert shown_in_page(literal) == literal
    assert json.loads(show_hidden(json_for_script([literal, "a\nb\tc"]))) == [literal, "a\nb\tc"]


def test_long_strings_are_cut_before_tagging_so_no_tag_is_cut() -> None:
    s = "x" * 38 + "\u202e" + "y" * 500
    cut = user_text(s, 40)
    assert cut == "x" * 38 + "⟨U+202E⟩…"
    assert user_text("\u200d" * 5000, 10) == "⟨U+200D⟩" * 9 + "…"
    assert user_text("z" * 50, 10) == "z" * 9 + "…"
    whole = shown_in_page("\x1b" * 100_000)
    assert whole == "⟨U+001B⟩" * 100_000


def _tw(t: datetime) -> str:
    return t.strftime("%a %b %d %H:%M:%S +0000 %Y")


def _hostile_file(path: Path) -> Path:
    """v1.1 statuses whose every attacker-written field holds the hostile strings (and one long one)."""
    values = list(HOSTILE.values())
    lines = []
    start = datetime(2017, 5, 20, 9)
    for a, v in enumerate(values):
        user = {"id_str": str(5000 + a), "screen_name": f"acct{a}{v[:6]}", "name": v, "description": ("long " * 400) + v,
                "location": values[(a + 1) % len(values)], "created_at": _tw(start - timedelta(days=40 + a)),
                "followers_count": 10 * a, "friends_count": 5, "statuses_count": 100 + a, "url": "https://ex\u202eample.org/" + v[:3]}
        for k in range(3):
            text = f"{v} {values[(a + k) % len(values)]}\nsecond line #GE2017 #tag\u202ex https://t.co/x {FAMILY}"
            lines.append(json.dumps({
                "id_str": str(700000 + 10 * a + k), "created_at": _tw(start + timedelta(minutes=17 * a + 3 * k)), "text": text, "lang": "en",
                "user": user,
                "entities": {"hashtags": [{"text": "GE2017"}, {"text": "tag\u202ex"}, {"text": v}],
                             "urls": [{"url": "https://t.co/x", "expanded_url": "https://example.org/\x1b" + v}]},
            }, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from typer.testing import CliRunner

    from botwatch.cli import app

    folder = tmp_path_factory.mktemp("hostile_text")
    study = folder / "s.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(study), str(_hostile_file(folder / "h.jsonl"))]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(study), "--election", "uk-ge2017"])
    assert res.exit_code == 0, res.output
    out = folder / "report.html"
    res = runner.invoke(app, ["report", str(study), "-o", str(out), "--title", HOSTILE["C0 controls"] + HOSTILE["bidi override"]])
    assert res.exit_code == 0, res.output
    return out


def test_the_report_file_holds_no_hidden_character_raw_or_as_a_json_escape(hostile_report: Path) -> None:
    page = hostile_report.read_text(encoding="utf-8")
    assert FAMILY in page  # whole, not three faces with ⟨U+200D⟩ between them
    found = sorted({f"U+{ord(c):04X}" for c in RAW.findall(page.replace(FAMILY, ""))})
    assert not found, found
    data = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S)
    assert data and not any(JSON_CONTROL.search(d) for d in data)
    assert "<script>window.__pwned" not in page
    for tag in ("⟨U+202E⟩", "⟨U+001B⟩", "⟨U+200D⟩", "⟨U+0085⟩", "⟨U+2066⟩", "⟨U+061C⟩", "⟨U+2028⟩"):
        assert tag in page, tag
    # The same name reads the same in the server-drawn rows and in the title.
    assert html_mod.escape(shown_in_page(HOSTILE["C0 controls"]), quote=False) in page


@pytest.mark.browser
def test_the_page_a_browser_draws_shows_every_string_the_same_way(hostile_report: Path, browser: Any) -> None:
    page = browser.new_page()  # its own context, closed with it
    try:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(hostile_report.resolve().as_uri())
        page.wait_for_load_state("load")
        for i in range(page.locator("#ex-body button.ex-handle").count()):  # the explorer's details, drawn from its JSON
            btn = page.locator("#ex-body button.ex-handle").nth(i)
            if btn.get_attribute("aria-expanded") == "false":
                btn.click()
        page.wait_for_timeout(200)
        text = page.inner_text("body")
        assert page.evaluate("typeof window.__pwned") == "undefined" and not errors, errors
    finally:
        page.context.close()
    assert FAMILY in text  # drawn whole, in the server's rows and the explorer's alike
    found = sorted({f"U+{ord(c):04X}" for c in RAW.findall(text.replace(FAMILY, ""))})
    assert not found, found
    for tag in ("⟨U+202E⟩", "⟨U+001B⟩", "⟨U+200D⟩", "⟨U+0085⟩"):
        assert tag in text, tag
    assert "<script>window.__pwned=1</script>" in text  # markup shown as text
