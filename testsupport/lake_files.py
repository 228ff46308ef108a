"""A lake's folder operations on a local disk, for the tests of `engines/lake_swap.py` and
`engines/lake_scratch.py` (their `SwapFiles` and `ScratchFiles` protocols): one fake serves both,
as `LakeFiles` does in the product. `_step` is called before each rename and delete, so a test can
cut a swap at any step (`tests/test_lake_swap.py`)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class LocalFiles:
    """`LakeFiles`' folder methods on a local disk, as Hadoop's local file system does them (a
    rename makes the parent and refuses an existing destination)."""

    def _step(self, op: str, p: str) -> None:
        """Called before each rename and delete; nothing here."""

    def exists(self, p: str) -> bool:
        return os.path.exists(p)

    def dirs(self, p: str) -> list[str]:
        return sorted(d for d in os.listdir(p) if os.path.isdir(os.path.join(p, d))) if os.path.isdir(p) else []

    def read_text(self, p: str) -> str:
        return Path(p).read_text()

    def write_text(self, p: str, text: str) -> None:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        Path(p).write_text(text)

    def rename(self, src: str, dst: str) -> None:
        self._step("rename", src)
        assert not os.path.exists(dst), f"rename onto an existing {dst} would move into it"
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.rename(src, dst)

    def delete(self, p: str) -> None:
        self._step("delete", p)
        shutil.rmtree(p, ignore_errors=True)

    def remove_if_empty(self, p: str) -> None:
        try:
            os.rmdir(p)
        except OSError:
            pass

    def mtime(self, p: str) -> float | None:
        try:
            return os.path.getmtime(p)
        except OSError:
            return None
