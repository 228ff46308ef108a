"""Assembling the report: every registered section, headline sentences first, one HTML file.

The file is self-contained (styles and scripts inlined, no network) and carries a strict Content
Security Policy: only scripts with this report's nonce may run, so even a payload that slipped
past escaping could not execute.
"""

from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup

from botwatch import __version__
from botwatch.report.sections import ENV, Section, all_sections
from botwatch.study import Study, utcnow


def build_report(study: Study, out: str | Path, *, title: str | None = None, ctx: dict[str, Any] | None = None) -> Path:
    """Write the report for `study` to `out` and return its path."""
    ctx = dict(ctx or {})
    ctx.setdefault("scripts", [])
    built: list[Section] = []
    for _name, fn in all_sections():
        sec = fn(study, ctx)
        if sec is not None:
            built.append(sec)
    built.sort(key=lambda s: s.order)
    headlines = [h for s in built for h in s.headline]
    # Our own stylesheet and scripts are trusted text for raw-text elements, where HTML entities
    # would not be decoded; data reaches scripts only through `json_for_script`.
    css = Markup((resources.files("botwatch.report") / "templates" / "report.css").read_text(encoding="utf-8"))
    html = ENV.get_template("report.html.j2").render(
        title=title or study.path.stem,
        generated=utcnow().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
        study_name=study.path.name,
        sections=built,
        headlines=headlines,
        css=css,
        scripts=[Markup(js) for js in ctx["scripts"]],
        nonce=secrets.token_urlsafe(16),
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def json_for_script(obj: Any) -> str:
    """JSON that is safe inside a <script> element: '<', '>' and '&' are written as unicode escapes,
    so a post containing `</script>` cannot close the element."""
    import orjson

    text = orjson.dumps(obj, default=str).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
