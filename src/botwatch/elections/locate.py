"""Find the line of a field in a TOML document, so a rejected preset says where to look.

`tomllib` returns plain dicts without positions. Election files are simple (top-level keys, a
`[window]` table, `[[parties]]` and `[[events]]` arrays of tables), so a line scan that tracks the
current table header is enough to map a field path such as ("parties", 2, "hashtags_pro") back to
its line. When a field cannot be found (e.g. it is missing) the line of the table that should hold
it is given instead.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")

Path_ = tuple[str | int, ...]


class LineIndex:
    """Maps field paths to 1-based line numbers in one TOML text."""

    def __init__(self, text: str) -> None:
        self.tables: dict[Path_, int] = {}
        self.keys: dict[Path_, int] = {}
        counts: dict[str, int] = {}
        current: Path_ = ()
        depth = 0  # inside a multi-line array: keys there are values, not fields
        for no, line in enumerate(text.splitlines(), start=1):
            stripped = line.split("#", 1)[0] if '"' not in line else line
            if depth == 0:
                m = _HEADER.match(line)
                if m:
                    name = m.group(2)
                    if m.group(1) == "[[":
                        i = counts.get(name, 0)
                        counts[name] = i + 1
                        current = (name, i)
                    else:
                        current = (name,)
                    self.tables.setdefault(current, no)
                    continue
                k = _KEY.match(line)
                if k:
                    self.keys.setdefault(current + (k.group(1).strip('"'),), no)
            depth += stripped.count("[") - stripped.count("]")
            depth = max(depth, 0)

    def line_of(self, path: Path_) -> int | None:
        """The line of the field at `path`, or of its nearest enclosing table; None if unknown."""
        p = tuple(path)
        while p:
            if p in self.keys:
                return self.keys[p]
            if p in self.tables:
                return self.tables[p]
            p = p[:-1]
        return None
