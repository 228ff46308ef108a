"""`ok_runs` reads a read-only study's `runs` table once per open (a `report` read it 55 times; see
`Study.driver_arrow` and docs/testing.md, "2026-12-07: the runs table read once per reader"), while a
writer sees every run it records and a closed reader still says it is closed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from botwatch.runs_table import latest_by_stage, ok_runs
from botwatch.study import Study, StudyError


def _run(st: Study, run_id: str, stage: str, minute: int) -> None:
    """One successful run row of `stage` finishing at 10:`minute`."""
    st.sql("INSERT INTO runs VALUES (?, ?, ?, '1', TIMESTAMP '2017-05-01 09:00:00', "
           "TIMESTAMP '2017-05-01 10:00:00' + to_minutes(?), 'ok', 0, NULL)", [run_id, stage, json.dumps({"n": minute}), minute])


def _file(path: Path) -> Path:
    with Study(path) as st:
        _run(st, "r1", "s_one", 1)
        _run(st, "r2", "s_two", 2)
    return path


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements that read `runs`, as `Study.sql` or `Study.query_arrow` (`driver_arrow`'s
    read) is asked them."""
    reads: list[str] = []

    def counting(method: Any) -> Any:
        def counted(self: Study, query: str, params: list[object] | None = None) -> Any:
            if re.search(r'FROM "?runs\b', query):
                reads.append(query)
            return method(self, query, params)
        return counted

    monkeypatch.setattr(Study, "sql", counting(Study.sql))
    monkeypatch.setattr(Study, "query_arrow", counting(Study.query_arrow))
    return reads


def test_a_reader_reads_the_runs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path / "s.duckdb")
    reads = _counting_reads(monkeypatch)
    with Study(path, read_only=True) as st:
        first = ok_runs(st)
        assert [r.stage for r in first] == ["s_one", "s_two"] and first[1].params == {"n": 2}
        latest_by_stage(st)["s_one"]["n"] = 99  # a caller changing what it got changes no later answer
        for _ in range(4):
            assert ok_runs(st) == first
    assert len(reads) == 1


def test_a_writer_sees_each_run(tmp_path: Path) -> None:
    with Study(_file(tmp_path / "s.duckdb")) as st:
        assert [r.stage for r in ok_runs(st)] == ["s_one", "s_two"]
        _run(st, "r3", "s_three", 3)
        assert [r.stage for r in ok_runs(st)] == ["s_one", "s_two", "s_three"]


def test_a_closed_reader_says_so(tmp_path: Path) -> None:
    st = Study(_file(tmp_path / "s.duckdb"), read_only=True)
    assert len(ok_runs(st)) == 2
    st.close()
    with pytest.raises(StudyError, match="closed"):
        ok_runs(st)
