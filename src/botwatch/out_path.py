"""An output path whose folder cannot be made because a file stands where a folder should be.

Why: `export STUDY posts -o data.jsonl/x.csv` said "cannot create the folder data.jsonl: File
exists" and `report -o data.jsonl/r.html` "could not write data.jsonl/r.html: File exists", which
reads as if the output were there already. Both now name the file in the way ("could not write
data.jsonl/x.csv: data.jsonl is a file, not a folder").
"""

from __future__ import annotations

from pathlib import Path

from botwatch.shown_text import name_shown


def file_in_the_way(path: Path) -> Path | None:
    """The nearest folder above `path` that exists as something other than a folder (a file),
    or None when every existing one is a folder."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def in_the_way_said(path: Path) -> str | None:
    """The line for `path` when `file_in_the_way` finds a file, else None."""
    blocker = file_in_the_way(path)
    return f"could not write {name_shown(path)}: {name_shown(blocker)} is a file, not a folder" if blocker is not None else None
