"""The report shows control characters from the data as visible text but keeps line breaks and tabs:
a post's line breaks written as tags would change how it reads (HTML treats them as white space)."""

from __future__ import annotations

from botwatch.report.sections import ENV
from botwatch.report.svg import escape


def test_templates_keep_line_breaks_and_show_escapes() -> None:
    html = ENV.from_string("<p>{{ t }}</p>").render(t="line one\nline two\tend \x1b[31mred \u202eevil")
    assert "line one\nline two\tend" in html
    assert "\x1b" not in html and "\u202e" not in html
    assert "⟨U+001B⟩[31mred" in html and "⟨U+202E⟩evil" in html


def test_svg_labels_keep_line_breaks_and_show_escapes() -> None:
    out = str(escape("a\nb \x1b <c>"))
    assert out == "a\nb ⟨U+001B⟩ &lt;c&gt;"
