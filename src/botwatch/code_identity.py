"""Which code made a study's figures: the release and a hash of the installed package's own files.

Why: every revision between two releases says "botwatch 0.1.0", while a change to a stage's code
moves figures as much as a new model file does. The `runs` table recorded only the release, so a
researcher re-running a study from its report could not tell whether their install was the code
that made it, and two studies made months apart by different code read as made by one version.
Each run now records the release with a PEP 440 local label naming the code,
`0.1.0+code.1a2b3c4d5e6f`: the first 12 hex digits of a SHA-256 over every file of the installed
`botwatch` package (its path inside the package and its bytes, in path order), compiled caches
left out. The same files give the same label on any machine, from a checkout or a wheel; a file
edited, added or removed gives another (`botwatch version` prints the label to compare).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from botwatch import __version__

_SKIPPED_SUFFIXES = (".pyc", ".pyo")


def package_sha256(root: Path) -> str:
    """SHA-256 of the files under `root` (relative POSIX path, a NUL, the size, a NUL, the bytes,
    per file in path order), `__pycache__` folders and compiled files left out: those depend on
    the interpreter that ran the code, not on the code."""
    h = hashlib.sha256()
    files = sorted(p for p in root.rglob("*")
                   if p.is_file() and "__pycache__" not in p.relative_to(root).parts and p.suffix not in _SKIPPED_SUFFIXES)
    for p in files:
        data = p.read_bytes()
        h.update(p.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0" + str(len(data)).encode() + b"\0")
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def version_label() -> str:
    """`__version__` with the code's label (`0.1.0+code.1a2b3c4d5e6f`), computed once a process.
    The release alone where the package's files cannot be read (a zipped install): a label that
    could not be measured is left out, not guessed."""
    return label_for(Path(__file__).resolve().parent)


def label_for(root: Path) -> str:
    """`version_label` for the package installed at `root`. Why the folder test: imported from a
    zip, `root` is a path inside the archive that no folder walk can enter, and `rglob` then finds
    no file at all rather than failing, so every zipped revision was labelled with the hash of
    nothing (`+code.e3b0c44298fc`) and read as the same code."""
    if not root.is_dir():
        return __version__
    try:
        digest = package_sha256(root)
    except OSError:
        return __version__
    return f"{__version__}+code.{digest[:12]}"


def labels_differ(recorded: str | None, current: str) -> bool:
    """Whether code recorded as `recorded` is surely other code than `current`'s. Why so careful:
    a run recorded before labels were (`0.1.0`), or by a zipped install, names only the release,
    which every revision of that release shares; saying such a run's code differs (or matches) from
    the release alone would say more than the record does. Two releases differ whatever their
    labels; two labels of one release differ where both name their code and the codes are not one."""
    if not recorded:
        return False
    release, _, code = recorded.partition("+")
    now_release, _, now_code = current.partition("+")
    if release != now_release:
        return True
    return bool(code and now_code) and code != now_code
