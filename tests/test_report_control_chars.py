"""Handles written by whoever runs the accounts reached the HTML report raw: an ESC in the
coordination headline ("8 accounts around <ESC>[31mred") and a right-to-left override in an SVG
<title>, which repaints a terminal that cats the file and reverses a tooltip in a browser. The report's
template environment and SVG builder now show them as visible ⟨U+001B⟩ / ⟨U+202E⟩ tags, the form
the `user_text` filter writes (one function, `shown_text.shown_in_page`)."""

from __future__ import annotations

from botwatch.report import svg
from botwatch.report.sections import ENV

HOSTILE = ["\x1b[31mred", "\u202eevil", "a\u2066b\u2069", "c\x85d"]


def test_templates_show_controls_and_bidi_overrides_escaped() -> None:
    html = ENV.from_string("{% for h in hs %}<p title='{{ h }}'>{{ h }}</p>{% endfor %}<b>{{ n }}</b>").render(hs=HOSTILE, n=3)
    assert "\x1b" not in html and "\u202e" not in html and "\u2066" not in html and "\x85" not in html
    assert "⟨U+001B⟩[31mred" in html and "⟨U+202E⟩evil" in html and "⟨U+0085⟩" in html
    assert "<b>3</b>" in html  # numbers and markup are untouched


def test_template_still_html_escapes_hostile_markup() -> None:
    html = ENV.from_string("{{ h }}").render(h="<script>\x1b</script>")
    assert html == "&lt;script&gt;⟨U+001B⟩&lt;/script&gt;"


def test_svg_titles_show_controls_escaped() -> None:
    out = str(svg.hbars(HOSTILE, [0.5] * len(HOSTILE), title="\u202eclusters"))
    assert "\x1b" not in out and "\u202e" not in out and "\u2069" not in out
    assert "⟨U+202E⟩evil" in out and "⟨U+202E⟩clusters" in out
