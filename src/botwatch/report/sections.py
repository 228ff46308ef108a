"""Report sections: each analysis contributes one, registered here in reading order.

A section function receives the study and returns a `Section` (or None when its tables are not
there yet). Section HTML must come from an autoescaping template (`render`), never from string
concatenation, because every post, handle and URL in a study was written by whoever runs the
accounts and may be hostile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from botwatch.elections.contest import contest_words_for, current_contest_words  # noqa: F401 - sections import them from here
from botwatch.reshare_words import reshare_words
from botwatch.shown_text import shown_in_page
from botwatch.study import Study

# Modules whose import registers sections. Each feature issue adds its line.
SECTION_MODULES: list[str] = [
    "botwatch.report.section_overview",
    "botwatch.report.section_parties",
    "botwatch.report.section_accounts",
    "botwatch.report.section_coordination",
    "botwatch.timeline.report",
    "botwatch.report.section_explorer",
    "botwatch.report.section_methods",
]



def _shown(value: Any) -> Any:
    """Every plain value a template prints, with control and invisible format characters shown as
    visible ⟨U+XXXX⟩ tags (`shown_text.shown_in_page`, the `user_text` filter's function): a handle
    holding ESC or U+202E reached the HTML raw and could repaint a terminal that cats the file or
    reverse a tooltip in a browser. Markup (charts, scripts built elsewhere) is left as is; the SVG
    builders show their own labels the same way."""
    return shown_in_page(value) if isinstance(value, str) and not isinstance(value, Markup) else value


ENV = Environment(
    loader=PackageLoader("botwatch.report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_shown,
)
# A template rendered without the study's words for a shared post (`reshare_words`) says Twitter's.
ENV.globals["rs"] = reshare_words([])


class _CurrentContestWords:
    """`cw` for a template rendered without one (a macro imported without the context, a test or a
    plugin rendering a template itself): the words of the report being made, read when used, so a
    referendum's page says "side" there too and "party" outside any report."""

    def __getattr__(self, name: str) -> Any:
        return getattr(current_contest_words(), name)


ENV.globals["cw"] = _CurrentContestWords()


@dataclass
class Section:
    id: str
    title: str
    html: Markup
    order: int = 100
    headline: list[Markup] = field(default_factory=list)  # plain-sentence findings for the top of the report


SectionFn = Callable[[Study, dict[str, Any]], "Section | None"]
_SECTIONS: dict[str, tuple[int, SectionFn]] = {}


def section(name: str, order: int) -> Callable[[SectionFn], SectionFn]:
    def deco(fn: SectionFn) -> SectionFn:
        _SECTIONS[name] = (order, fn)
        fn.botwatch_section = (name, order, fn)  # type: ignore[attr-defined]
        return fn

    return deco


def render(template: str, **ctx: Any) -> Markup:
    """Render a section template with autoescape on (`cw`, the report's contest words, is the
    environment's)."""
    return Markup(ENV.get_template(template).render(**ctx))


def all_sections() -> list[tuple[str, SectionFn]]:
    """The built-in sections and those of `botwatch.report_sections` entry points (a module whose
    import registers sections with `@section`), in reading order."""
    from botwatch import plugins

    for obj in plugins.load(plugins.REPORT_SECTIONS, SECTION_MODULES):
        for name, order, fn in plugins.defined_in(obj, "botwatch_section"):
            _SECTIONS.setdefault(name, (order, fn))
    return [(name, fn) for name, (order, fn) in sorted(_SECTIONS.items(), key=lambda kv: kv[1][0])]
