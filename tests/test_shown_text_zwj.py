"""A zero-width joiner is shown as it is inside an emoji sequence and tagged everywhere else.

The report wrote every U+200D as a ⟨U+200D⟩ tag, so a family emoji (👨‍👩‍👧) read as three faces
with tags between them. A joiner between two pictographs is what the emoji is made of; inside a
word (`pay‍pal`) or at either end it is hidden text, an attacker's way to make two handles or
hashtags look alike, and is still tagged (`shown_text.joins_emoji`)."""

from __future__ import annotations

import html as html_mod
import json

import pytest

from botwatch.report.build import json_for_script
from botwatch.report.fmt import show_hidden
from botwatch.report.sections import ENV
from botwatch.shown_text import controls_shown, has_hidden, shown_in_page, terminal_shown

KEPT = ["👨\u200d👩\u200d👧", "🏳\ufe0f\u200d🌈", "❤\ufe0f\u200d🔥", "👩🏽\u200d💻", "🏴\u200d☠\ufe0f"]
TAGGED = {"pay\u200dpal": "pay⟨U+200D⟩pal", "\u200d👨": "⟨U+200D⟩👨", "👨\u200d": "👨⟨U+200D⟩", "a\u200d👨": "a⟨U+200D⟩👨",
          "👨\u200d\u200d👩": "👨⟨U+200D⟩⟨U+200D⟩👩", "𝐀\u200d𝐁": "𝐀⟨U+200D⟩𝐁"}


@pytest.mark.parametrize("emoji", KEPT)
def test_a_joiner_inside_an_emoji_sequence_is_kept_everywhere(emoji: str) -> None:
    text = f"our {emoji} votes"
    assert shown_in_page(text) == text
    assert controls_shown(text) == text and not has_hidden(text) and terminal_shown(text) == (text, 0)
    assert html_mod.unescape(ENV.from_string("{{ t }}").render(t=text)) == text
    assert html_mod.unescape(ENV.from_string("{{ t|user_text }}").render(t=text)) == text
    assert json.loads(show_hidden(json_for_script({"t": text})))["t"] == text  # the explorer's rows


@pytest.mark.parametrize("text", list(TAGGED))
def test_a_joiner_anywhere_else_is_tagged(text: str) -> None:
    assert shown_in_page(text) == TAGGED[text]
    assert json.loads(show_hidden(json_for_script([text])))[0] == TAGGED[text]
    assert has_hidden(text) and "\\u200d" in controls_shown(text) and terminal_shown(text)[1] >= 1


def test_a_cut_after_the_joiner_tags_it() -> None:
    """Cut to a limit, the joiner is followed by "…", not a pictograph: tagged, never left dangling."""
    assert shown_in_page("👨\u200d👩\u200d👧", limit=3) == "👨⟨U+200D⟩…"


def test_the_csv_export_keeps_an_emoji_sequence_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import csv

    from typer.testing import CliRunner

    from botwatch.cli import app

    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps({"id_str": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": "our 👨\u200d👩\u200d👧 votes",
                             "user": {"id_str": "u"}}, ensure_ascii=False) + "\n", encoding="utf-8")
    study, out = tmp_path / "s.duckdb", tmp_path / "posts.csv"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    assert runner.invoke(app, ["export", str(study), "posts", "-o", str(out)]).exit_code == 0
    with out.open(newline="", encoding="utf-8") as fh:
        assert [r["text"] for r in csv.DictReader(fh)] == ["our 👨\u200d👩\u200d👧 votes"]
