"""Text from outside (file names, record text, reasons quoting a file's bytes) made safe to print.

Why: a file name or a record holding an ESC (`\\x1b[2J`), a carriage return or a right-to-left
override reached the terminal raw: it could clear or repaint the screen, or show `exe.png` for
`gnp.exe`. Every user-facing line that echoes such text passes it through `controls_shown`, the
one place that decides what is shown escaped. Escaping is idempotent (what it writes is printable),
so a message escaped by its writer and again by `fail` reads the same.
"""

from __future__ import annotations

import re

__all__ = ["controls_shown", "controls_shown_keeping_lines"]

# C0/C1 controls, the line and paragraph separators, and the invisible format characters the report
# shows as ⟨U+XXXX⟩ (zero-width marks, bidi embeddings, overrides and isolates, the BOM).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def controls_shown(text: object) -> str:
    """`str(text)` with each control or invisible format character written as `\\x1b` (`\\u202e`
    above U+00FF); everything else, markup included, unchanged."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) <= 0xFF else f"\\u{ord(m.group()):04x}", str(text))


def controls_shown_keeping_lines(text: object) -> str:
    """`controls_shown`, but tab, line feed and carriage return kept as they are: for HTML, where
    they are only white space, and a post's line breaks written as `\\x0a` would change how it reads."""
    return _CONTROL.sub(lambda m: m.group() if m.group() in "\t\n\r" else controls_shown(m.group()), str(text))
