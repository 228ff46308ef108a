"""Which study a report file was written from, so that `botwatch report -o` replaces its own
report without asking and another study's only with --force.

Two desks writing `report.html` from two studies in one folder silently replaced each other's
report: any file with botwatch's generator tag counted as "its own earlier report". The report now
carries a key of its study; the key is a hash of the study's absolute path (the report is shared
with readers, and a path names the desk's folders and file names), so the tag says nothing about
where the study lives.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

_TAG = re.compile(r'<meta name="botwatch-study" content="([0-9a-f]*)">')


def study_key(path: Path) -> str:
    """A short hash of the study's resolved path (symbolic links and `..` followed, so `s.duckdb` and
    `./x/../s.duckdb` are one study): the same for every report of one study file. A URL (a lake
    on a cluster's file system) is hashed as written."""
    text = str(path)
    if "://" not in text:
        text = str(Path(path).resolve())
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def report_study_key(path: Path) -> str | None:
    """The key in a report file's head; None for a file without one (a report written before the
    key existed, or not a report at all)."""
    from botwatch.study import file_head

    head = file_head(path, 8192)
    if head is None:
        return None
    m = _TAG.search(head.decode("utf-8", "replace"))
    return m.group(1) if m else None
