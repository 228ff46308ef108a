"""A lake survives a command cut off while it writes (Spark): Ctrl-C at any step of replacing a
table leaves the table whole, to a reader at once and after the next writer opens the lake (it
used to be deleted before its new version moved in, and a cut between the two lost it), an
append cut while its file is written leaves no truncated part, and the scratch folder of a
command that died is removed by the next command, never a running one's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.engines import lake_files, lake_lock, lake_scratch
from botwatch.engines.lake import SCRATCH_DIR, SWAP_DIR, LakeStudy

pytestmark = pytest.mark.spark


def _cut(monkeypatch: pytest.MonkeyPatch, at: int) -> None:
    """Ctrl-C instead of the lake's `at`-th rename or delete from now on (1-based)."""
    seen = [0]
    for op in ("rename", "delete"):
        real = getattr(lake_files.LakeFiles, op)

        def step(self: Any, *args: Any, _real: Any = real) -> Any:
            seen[0] += 1
            if seen[0] == at:
                raise KeyboardInterrupt
            return _real(self, *args)

        monkeypatch.setattr(lake_files.LakeFiles, op, step)


def _cut_after_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C once the new version's file is written, before anything is moved."""
    real = LakeStudy._write_part

    def write(self: Any, folder: str, table: pa.Table) -> None:
        real(self, folder, table)
        raise KeyboardInterrupt

    monkeypatch.setattr(LakeStudy, "_write_part", write)


# Replacing an existing table: the new version is written to _swap/t/new (0), then
# 1 table -> _swap/t/old, 2 _swap/t/new -> table, 3 delete the old. Cut after 0 or before each
# of 1-3, the next writer holds:
@pytest.mark.parametrize(("at", "after"), [(0, "v1"), (1, "v1"), (2, "v2"), (3, "v2")])
def test_a_table_replacement_cut_at_any_step_leaves_the_table_whole(
        spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int, after: str) -> None:
    path = tmp_path / "lake"
    lake = LakeStudy(path, spark=spark)
    lake.write_table("t", pa.table({"v": ["v1"] * 3}))
    with monkeypatch.context() as m:
        if at == 0:
            _cut_after_writing(m)
        else:
            _cut(m, at)
        with pytest.raises(KeyboardInterrupt):
            lake.write_table("t", pa.table({"v": ["v2"] * 5}))
    lake.close()
    with LakeStudy(path, read_only=True, spark=spark) as reader:  # no lock: sees the swap as it was left
        got = reader.arrow("t").column("v").to_pylist()
        assert got in (["v1"] * 3, ["v2"] * 5)
        assert "t" in reader.tables()
    with LakeStudy(path, spark=spark) as writer:  # finishes or undoes the swap
        assert writer.arrow("t").column("v").to_pylist() == [after] * (3 if after == "v1" else 5)
    assert not (path / SWAP_DIR).exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_dead_commands_scratch_is_removed_by_the_next_command_a_live_ones_kept(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "lake"
    LakeStudy(path, spark=spark).close()
    scratch = path / SCRATCH_DIR
    for name, pid in (("dead", _dead_pid()), ("live", os.getppid())):
        (scratch / name / "t-1").mkdir(parents=True)
        (scratch / name / "t-1" / "part-0.parquet").write_bytes(b"x" * 100)
        stat = lake_lock._proc_stat(pid)
        (scratch / name / lake_scratch.OWNER_FILE).write_text(
            json.dumps({**lake_scratch.owner(), "pid": pid, "started": stat[1] if stat else None}))
    running = LakeStudy(path, spark=spark)  # a command still running, in this process
    running.write_table("x", pa.table({"v": [1]}))
    running.sql("CREATE TEMP TABLE kept AS SELECT v FROM x")  # written in its scratch folder
    own = Path(running._scratch_dir)
    assert (own / lake_scratch.OWNER_FILE).exists()
    with LakeStudy(path, read_only=True, spark=spark) as reader:  # the next command, even a reader
        assert reader.arrow("x").num_rows == 1
    assert not (scratch / "dead").exists()
    assert (scratch / "live").exists() and own.exists()
    running.close()
    assert not own.exists()


def test_an_append_cut_while_its_file_is_written_leaves_the_table_readable(
        spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each stage's `runs` row is such an append: a truncated part file in the folder made the
    whole table unreadable to the next command."""
    import pyarrow.parquet as pq

    path = tmp_path / "lake"
    lake = LakeStudy(path, spark=spark)
    lake.write_table("t", pa.table({"v": [1]}))

    def cut(table: pa.Table, where: str, **_: Any) -> None:
        Path(where).write_bytes(b"PAR1" + b"\0" * 16)  # a file Ctrl-C cut short
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(pq, "write_table", cut)
        with pytest.raises(KeyboardInterrupt):
            lake.append_arrow("t", pa.table({"v": [2]}))
    lake.close()
    with LakeStudy(path, read_only=True, spark=spark) as reader:
        assert reader.arrow("t").column("v").to_pylist() == [1]
