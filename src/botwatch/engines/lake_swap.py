"""Replacing a lake table so that an interruption at any step leaves the table whole.

Why: a table is a folder of Parquet files, and a new version was moved in by deleting the old
folder and then renaming the new one into place. Ctrl-C or a kill between the two left the lake
without that table (its data gone) until the stage ran again. A folder cannot be swapped in one
step, so the swap goes through `_swap/<table>/` with renames only, each of which is one atomic
step on a local disk and on HDFS:

1. the new version is written to `_swap/<t>/new` (`staging`), or moved there when written elsewhere;
2. the table's folder is renamed to `_swap/<t>/old` (a new table has none);
3. `_swap/<t>/new` is renamed to the table's folder;
4. `_swap/<t>/old` is deleted, then `_swap/<t>/` and `_swap/`.

What `_swap/<t>/` holds says how far a cut-off swap got, and `finish` completes it or undoes it
(the next writer runs it when it opens the lake, holding the write lock, so no swap is under way):
only `new` (cut in or after 1, perhaps half-written): the table is still the old version, `new`
is deleted (rolled back);
`old` and `new`, no table (cut after 2): `new` is renamed in (rolled forward), `old` deleted;
`old` and the table (cut after 3, or in 4): `old` is deleted. A reader (no lock: the writer may
be between 2 and 3 right now) reads `_swap/<t>/new` while there is an `old` and no table
(`locate`), so it never finds no table, and never reads two versions.

On S3 a rename is a copy of every file and then a delete, so no step is atomic there: a swap cut
off on S3 may leave a partly copied folder, and these guarantees are for local disks and HDFS.
Writing the new version straight into `_swap/<t>/new` keeps S3 at two copies a replacement (the
old version aside, the new one in), where the older delete-then-move made one.
"""

from __future__ import annotations

import sys
from typing import Protocol

SWAP_DIR = "_swap"


class SwapFiles(Protocol):
    """What a swap needs of the lake's file system (`lake_files.LakeFiles` provides it)."""

    def exists(self, p: str) -> bool:
        """Whether `p` exists."""
        ...

    def dirs(self, p: str) -> list[str]:
        """The names of the folders in `p` ([] when `p` is absent)."""
        ...

    def rename(self, src: str, dst: str) -> None:
        """Move `src` to `dst` (absent), creating `dst`'s parent; raises when it cannot."""
        ...

    def delete(self, p: str) -> None:
        """Remove `p` and all it holds (no error when absent)."""
        ...

    def remove_if_empty(self, p: str) -> None:
        """Remove the folder `p` when empty; else leave it."""
        ...


def renames_in_one_step(root: str) -> bool:
    """Whether a folder rename under `root` is one atomic step: a local path or `file:` URL, HDFS
    (and `viewfs:` over it); not an object store (`s3a://`, `gs://`, `abfs://`...), where it is a
    copy of every file."""
    if "://" not in root:
        return True  # a plain path, or `file:/x`
    return root.split("://", 1)[0].lower() in ("file", "hdfs", "viewfs")


def _work(root: str, name: str) -> str:
    return f"{root}/{SWAP_DIR}/{name}"


def staging(files: SwapFiles, root: str, name: str) -> str:
    """Where to write table `name`'s new version before `replace` moves it in: `_swap/<name>/new`,
    once a swap of `name` a cut-off command left is finished (the caller holds the write lock)."""
    if files.exists(_work(root, name)):
        finish(files, root, name)
    return f"{_work(root, name)}/new"


def replace(files: SwapFiles, root: str, name: str, new: str) -> None:
    """Make the folder `new` (complete: written at `staging`, or elsewhere in the lake) table
    `name`'s folder, in the four steps of the module docstring. A swap of `name` left half-done
    before is finished first (a rename onto an existing folder would move into it)."""
    work = _work(root, name)
    if new != f"{work}/new":
        files.rename(new, staging(files, root, name))  # 1
    target = f"{root}/{name}"
    if files.exists(target):
        files.rename(target, f"{work}/old")  # 2
    files.rename(f"{work}/new", target)  # 3
    files.delete(f"{work}/old")  # 4
    files.remove_if_empty(work)
    files.remove_if_empty(f"{root}/{SWAP_DIR}")


def finish(files: SwapFiles, root: str, name: str) -> str | None:
    """Complete or undo a swap of `name` cut off at any step (see the module docstring); what was
    done, in words, or None when there was nothing to do. Only a writer holding the lake's lock
    may call it: it must not race the swap it repairs."""
    work = _work(root, name)
    target = f"{root}/{name}"
    new, old = f"{work}/new", f"{work}/old"
    has_new, has_old, has_target = files.exists(new), files.exists(old), files.exists(target)
    done = None
    if has_old and has_new and not has_target:
        files.rename(new, target)
        files.delete(old)
        done = "moved its new version in"
    elif has_old and has_target:
        files.delete(old)
        files.delete(new)
        done = "removed its old version"
    elif has_old:  # its new version is gone: only where a rename is not atomic (S3); the old one is whole
        files.rename(old, target)
        done = "put its old version back"
    elif has_new:
        files.delete(new)
        done = "kept its old version" if has_target else "left it absent, as it was"
    files.remove_if_empty(work)
    return done


def recover(files: SwapFiles, root: str) -> list[str]:
    """Finish every swap an interrupted command left in the lake at `root` (the caller holds its
    write lock); one line on stderr for each, and the tables' names."""
    swap = f"{root}/{SWAP_DIR}"
    names = files.dirs(swap)
    for name in names:
        done = finish(files, root, name)
        if done:
            print(f"botwatch: table {name} of {root} was being replaced when a command was cut off: {done}", file=sys.stderr)
    if names or files.exists(swap):
        files.remove_if_empty(swap)
    return names


def locate(files: SwapFiles, root: str, name: str) -> str | None:
    """Where a reader finds table `name` while a writer may be swapping it: its folder; else, between
    steps 2 and 3 (its old version aside, no folder yet), the new version in `_swap`; else None."""
    target = f"{root}/{name}"
    if files.exists(target):
        return target
    work = _work(root, name)
    if files.exists(f"{work}/old"):
        if files.exists(f"{work}/new"):
            return f"{work}/new"
        return f"{work}/old"
    return None


def half_swapped(files: SwapFiles, root: str) -> dict[str, str]:
    """The tables whose folder is missing because a swap is between its steps 2 and 3 (or was cut
    off there), each with the folder a reader reads instead (`locate`)."""
    swap = f"{root}/{SWAP_DIR}"
    found: dict[str, str] = {}
    for name in files.dirs(swap):
        if not files.exists(f"{root}/{name}"):
            where = locate(files, root, name)
            if where is not None:
                found[name] = where
    return found
