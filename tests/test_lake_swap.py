"""Replacing a lake table (engines/lake_swap.py) without Spark: Ctrl-C at any step of the swap
leaves the table readable as exactly one whole version, both to a reader at that moment and after
the next writer finishes or undoes the swap; the old way (delete, then move in) lost the table
when cut off between its two steps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from botwatch.engines import lake_swap
from botwatch.engines.lake_swap import SWAP_DIR, finish, locate, recover, replace
from testsupport import lake_files


class LocalFiles(lake_files.LocalFiles):
    """The local-disk fake that records each rename and delete and can cut the swap at one of them."""

    def __init__(self) -> None:
        self.ops: list[tuple[str, str]] = []
        self.cut_at: int | None = None  # raise KeyboardInterrupt instead of this rename/delete (1-based)
        self.half_delete = False  # the cut delete removes one file first

    def _step(self, op: str, p: str) -> None:
        self.ops.append((op, p))
        if self.cut_at is not None and len(self.ops) == self.cut_at:
            if op == "delete" and self.half_delete and os.path.isdir(p):
                os.unlink(os.path.join(p, sorted(os.listdir(p))[0]))
            raise KeyboardInterrupt


def _version(folder: Path, tag: str, parts: int = 3) -> Path:
    folder.mkdir(parents=True)
    for i in range(parts):
        (folder / f"part-{i}.parquet").write_text(tag)
    return folder


def _read(folder: str | Path | None) -> str | None:
    """The one version a folder holds whole ("old"/"new"), None for no table; fails on a mix or a part missing."""
    if folder is None or not os.path.isdir(folder):
        return None
    tags = [Path(folder, f).read_text() for f in sorted(os.listdir(folder))]
    assert len(tags) == 3 and len(set(tags)) == 1, f"{folder} holds {tags}: not one whole version"
    return tags[0]


# The ops of a replacement of an existing table: 1 new -> _swap/t/new, 2 table -> _swap/t/old,
# 3 _swap/t/new -> table, 4 delete _swap/t/old. Cut before op k, the next writer ends with:
AFTER_RECOVERY = {1: "old", 2: "old", 3: "new", 4: "new"}


@pytest.mark.parametrize("cut", [1, 2, 3, 4, "4-half"])
def test_a_swap_cut_at_any_step_leaves_one_whole_version(tmp_path: Path, cut: int | str) -> None:
    root = str(tmp_path / "lake")
    _version(tmp_path / "lake" / "t", "old")
    new = _version(tmp_path / "lake" / "_scratch" / "abc" / "t-1", "new")
    files = LocalFiles()
    files.cut_at = int(str(cut)[0])
    files.half_delete = cut == "4-half"
    with pytest.raises(KeyboardInterrupt):
        replace(files, root, "t", str(new))
    assert _read(locate(files, root, "t")) in ("old", "new")  # a reader now: a table, one version
    files.cut_at = None
    recover(files, root)
    assert _read(f"{root}/t") == AFTER_RECOVERY[int(str(cut)[0])]
    assert not os.path.exists(f"{root}/{SWAP_DIR}")


def test_a_reader_between_old_aside_and_new_in_reads_the_new_version(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    _version(tmp_path / "lake" / "t", "old")
    new = _version(tmp_path / "new", "new")
    files = LocalFiles()
    files.cut_at = 3
    with pytest.raises(KeyboardInterrupt):
        replace(files, root, "t", str(new))
    assert not os.path.exists(f"{root}/t")  # what the old delete-then-move left: no table at all
    assert _read(locate(files, root, "t")) == "new"
    assert lake_swap.half_swapped(files, root) == {"t": f"{root}/{SWAP_DIR}/t/new"}


def test_a_new_table_cut_before_it_moved_in_stays_absent(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    (tmp_path / "lake").mkdir()
    new = _version(tmp_path / "new", "new")
    files = LocalFiles()
    files.cut_at = 2  # the table had no folder, so op 2 is the move in
    with pytest.raises(KeyboardInterrupt):
        replace(files, root, "t", str(new))
    assert locate(files, root, "t") is None
    files.cut_at = None
    assert finish(files, root, "t") == "left it absent, as it was"
    assert not os.path.exists(f"{root}/t")


def test_a_replacement_after_a_cut_one_finishes_the_old_swap_first(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    _version(tmp_path / "lake" / "t", "v1")
    files = LocalFiles()
    files.cut_at = 3
    with pytest.raises(KeyboardInterrupt):
        replace(files, root, "t", str(_version(tmp_path / "a", "v2")))
    files.cut_at = None
    replace(files, root, "t", str(_version(tmp_path / "b", "v3")))
    assert _read(f"{root}/t") == "v3"
    assert not os.path.exists(f"{root}/{SWAP_DIR}")


def test_an_uninterrupted_swap_leaves_nothing_behind(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    _version(tmp_path / "lake" / "t", "old")
    replace(LocalFiles(), root, "t", str(_version(tmp_path / "n", "new")))
    assert _read(f"{root}/t") == "new"
    assert sorted(os.listdir(root)) == ["t"]


def test_a_version_half_written_at_its_staging_place_is_dropped(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    _version(tmp_path / "lake" / "t", "old")
    files = LocalFiles()
    new = Path(lake_swap.staging(files, root, "t"))
    new.mkdir(parents=True)
    (new / "part-0.parquet").write_text("ne")  # cut while writing: one part, truncated
    assert _read(locate(files, root, "t")) == "old"
    recover(files, root)
    assert _read(f"{root}/t") == "old" and not os.path.exists(f"{root}/{SWAP_DIR}")


def test_a_version_written_at_its_staging_place_moves_in_with_renames_only(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    _version(tmp_path / "lake" / "t", "old")
    files = LocalFiles()
    new = lake_swap.staging(files, root, "t")
    _version(Path(new), "new")
    replace(files, root, "t", new)
    assert [op for op, _ in files.ops] == ["rename", "rename", "delete"]
    assert _read(f"{root}/t") == "new" and sorted(os.listdir(root)) == ["t"]


@pytest.mark.parametrize(("root", "one_step"), [
    ("/data/lake", True), ("file:///data/lake", True), ("file:/data/lake", True), ("hdfs://nn:8020/lake", True),
    ("s3a://bucket/lake", False), ("gs://bucket/lake", False), ("abfs://c@acct.dfs.core.windows.net/lake", False),
])
def test_which_stores_rename_in_one_step(root: str, one_step: bool) -> None:
    assert lake_swap.renames_in_one_step(root) is one_step
