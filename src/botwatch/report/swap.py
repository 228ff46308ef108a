"""Writing a report beside its earlier one without ever leaving half of either.

Why: `botwatch report` wrote the exports straight into `<stem>-data/` and then the HTML over the
old file. Ctrl-C (or a crash) in the minutes a large study takes left a folder of new and old
files side by side, perhaps an HTML file cut short, and the earlier report pointing at exports
that no longer matched it. Now the new HTML and exports are written under hidden temporary names
in the same folder (same file system, so a rename moves them), and only a finished build is
renamed into place; an interrupted or failed build removes its temporary files and leaves the
earlier report and folder as they were. The one exception: the HTML's own rename failing after the
folder was swapped leaves the new exports beside the earlier HTML, said as such
(`move_into_place`'s `on_exports_placed`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMP_MARK = ".botwatch-tmp-"  # in every temporary name, so a leftover of a killed run is recognisable


@dataclass(frozen=True)
class ReportPaths:
    """Where a report build writes (`html`, `data`: temporary siblings) and where they go at the end."""

    out: Path
    folder: Path  # the final exports folder, `<stem>-data/`
    html: Path
    data: Path

    @classmethod
    def beside(cls, out: Path, folder: Path) -> ReportPaths:
        token = f"{os.getpid()}-{secrets.token_hex(4)}"
        return cls(out, folder, out.parent / f".{out.name}{TEMP_MARK}{token}", out.parent / f".{folder.name}{TEMP_MARK}{token}")

    def final(self, written: Path) -> Path:
        """Where a file written into the temporary exports folder will be once moved into place."""
        return self.folder / Path(written).relative_to(self.data)

    def discard(self) -> None:
        """Remove what this build wrote (an interrupted or failed build)."""
        self.html.unlink(missing_ok=True)
        shutil.rmtree(self.data, ignore_errors=True)

    def move_into_place(self, with_exports: bool, on_placed: Callable[[], None] | None = None,
                        on_exports_placed: Callable[[], None] | None = None) -> None:
        """The finished build replaces the earlier one: the exports folder (files in the old one
        that botwatch did not write, say a reader's notes, are carried over), then the HTML. Ctrl-C
        is held back until both are in place, and `on_placed` is called then, before a held Ctrl-C
        takes effect: the command stopped by it says the new report is in place, not that the
        earlier one is unchanged (`cli.analyze.report`). `on_exports_placed` is called between the
        two: should the HTML's rename then fail, the earlier exports are gone (the old folder is
        deleted once swapped), and a held Ctrl-C's line said they were "as they were"."""
        with _interrupt_held():
            if with_exports:
                self._swap_folder()
                if on_exports_placed is not None:
                    on_exports_placed()
            os.replace(self.html, self.out)
            if on_placed is not None:
                on_placed()

    def _swap_folder(self) -> None:
        old = None
        if self.folder.is_dir():
            old = self.folder.parent / f".{self.folder.name}{TEMP_MARK}old-{secrets.token_hex(4)}"
            os.rename(self.folder, old)
        try:
            os.rename(self.data, self.folder)
        except BaseException:
            if old is not None:  # the earlier folder back where it was
                os.rename(old, self.folder)
            raise
        if old is not None and _carry_over_others(old, self.folder):
            shutil.rmtree(old, ignore_errors=True)


def _carry_over_others(old: Path, new: Path) -> bool:
    """Move into `new` whatever in `old` has a name the new build did not write and that is not
    one of botwatch's own export files (those of a table gone since are dropped: the folder never
    holds numbers the report no longer stands behind). False when something could not be moved:
    the old folder is then kept (under its temporary name) rather than deleted with it."""
    from botwatch.report.exports import EXPORT_NAMES

    ours = {f"{n}.{fmt}" for n in EXPORT_NAMES for fmt in ("csv", "parquet", "schema.json")}
    moved = True
    for entry in old.iterdir():
        if entry.name in ours:
            continue
        try:
            if (new / entry.name).exists():
                raise FileExistsError(entry.name)
            os.rename(entry, new / entry.name)
        except OSError:
            moved = False
    return moved


@contextmanager
def _interrupt_held() -> Iterator[None]:
    """Ctrl-C arriving while the block runs takes effect (as KeyboardInterrupt) when it ends, so
    the renames are never stopped halfway. Outside the main thread, signals are left alone."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seen: list[Any] = []
    # SIGTERM too: the command line stops for it as for Ctrl-C (`cli.guard.on_terminate`), and
    # between the renames it left the new exports beside the earlier HTML.
    previous: dict[int, Callable[..., Any] | int | None] = {signal.SIGINT: signal.getsignal(signal.SIGINT)}
    if callable(signal.getsignal(signal.SIGTERM)):
        previous[signal.SIGTERM] = signal.getsignal(signal.SIGTERM)
    try:
        for sig in previous:
            signal.signal(sig, lambda signum, frame: seen.append((signum, frame)))
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if seen and callable(previous[seen[0][0]]):
            previous[seen[0][0]](*seen[0])  # type: ignore[operator]
        elif seen and previous[seen[0][0]] != signal.SIG_IGN:
            raise KeyboardInterrupt
