"""`map_arrow` stages its outputs in ordinary `_botwatch_map_*` tables of the study file; a run
killed mid-way (SIGKILL: no `finally` runs) left them there for good. The next open for writing
drops them, and never a staging table this process is writing now."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from botwatch import study as study_mod
from botwatch.study import STAGING_PREFIX, Study

KILLED_MID_MAP = """
import sys, time
import pyarrow as pa
from botwatch.study import Study

st = Study(sys.argv[1])
st.write_table("src", pa.table({"x": list(range(10))}))

def fn(batch):
    print("mapping", flush=True)
    time.sleep(600)

st.map_arrow("src", fn, pa.schema([("x", pa.int64())]), "out")
"""


def _staging(path: Path) -> list[str]:
    with Study(path, read_only=True) as st:
        return [t for t in st._table_names() if t.startswith(STAGING_PREFIX)]


def test_a_killed_map_leaves_staging_that_the_next_open_drops(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen([sys.executable, "-c", KILLED_MID_MAP, str(path)], stdout=subprocess.PIPE, text=True, env=env) as proc:
        try:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "mapping"
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    assert len(_staging(path)) == 1  # what the killed run left (a reader leaves it, and does not list it)
    with Study(path, read_only=True) as st:
        assert "src" in st.tables() and not [t for t in st.tables() if t.startswith(STAGING_PREFIX)]
    with Study(path) as st:
        assert not [t for t in st.tables() if t.startswith(STAGING_PREFIX)]
        assert "src" in st.tables() and "out" not in st.tables()
    assert _staging(path) == []


def test_staging_this_process_is_writing_is_kept(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    live, left = f"{STAGING_PREFIX}live0001", f"{STAGING_PREFIX}dead0001"
    monkeypatch.setattr(study_mod, "_STAGING_LIVE", {live})
    with Study(tmp_path / "s.duckdb") as st:
        for name in (live, left):
            st.sql(f'CREATE TABLE "{name}" (x BIGINT)')
        assert st.drop_stale_staging() == [left]
        assert live in st.tables()
