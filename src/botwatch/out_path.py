"""An output path whose folder cannot be made because a file stands where a folder should be.

Why: `export STUDY posts -o data.jsonl/x.csv` said "cannot create the folder data.jsonl: File
exists" and `report -o data.jsonl/r.html` "could not write data.jsonl/r.html: File exists", which
reads as if the output were there already. Both now name the file in the way ("could not write
data.jsonl/x.csv: data.jsonl is a file, not a folder").

And an output named by URL: `report STUDY -o s3://b/r.html` wrote a local folder named "s3:" (the
path folds `//` to `/`) without a word. Every output is a local file, the study alone may be a
lake URL (docs/spark.md), so such a name is refused before any work (`url_scheme`).
"""

from __future__ import annotations

import re
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


def first_missing_folder(path: Path) -> Path | None:
    """The topmost folder above `path` that does not exist yet (None when its folder exists): the
    folder writing `path` would make, a whole tree of them for a mistyped path. `report -o
    reprot/out/r.html` made `reprot/out` without a word; the command now names it."""
    missing = None
    for parent in path.parents:
        if parent.exists():
            break
        missing = parent
    return missing


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: `C:` is a Windows drive, not a scheme


def url_scheme(path: Path) -> str | None:
    """The scheme (`s3:`, `hdfs:`, `file:`) when `path` was typed as a URL, else None. By then the
    path has lost a slash (`s3://b/r.html` is `s3:/b/r.html`): its first part ends in a colon and
    something follows it."""
    parts = path.parts
    return parts[0] if len(parts) > 1 and _SCHEME.fullmatch(parts[0]) else None
