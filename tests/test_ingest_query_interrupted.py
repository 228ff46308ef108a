"""Ctrl-C while DuckDB runs one of ingest's statements (the merge of a file's staged posts).

DuckDB runs the SIGINT handler itself, drops the KeyboardInterrupt it raises and raises
RuntimeError("Query interrupted") instead. Ingest took that for the file's own failure: the line
said "failed FILE: RuntimeError: Query interrupted", and the command went on to read the inputs
after it, though the user had pressed Ctrl-C. It now stops there, as for any other Ctrl-C.
(DuckDB 2.0.1: a SIGINT whose handler raises KeyboardInterrupt during `SELECT count(*) FROM
range(10^11)` ends it with RuntimeError "Query interrupted", no KeyboardInterrupt chained.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.ingest import runner
from botwatch.study import Study

FIX = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_an_interrupted_statement_stops_the_ingest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    merge = runner.merge_staged_posts
    calls: list[int] = []

    def interrupted(study: Study) -> tuple[int, int]:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("Query interrupted")
        return merge(study)

    monkeypatch.setattr(runner, "merge_staged_posts", interrupted)
    done: list[str] = []
    files = [FIX / "ira_tweets.csv", FIX / "twarc2_flat.jsonl", FIX / "v1_uklabour.jsonl"]
    with Study(tmp_path / "s.duckdb") as st:
        with pytest.raises(KeyboardInterrupt):
            runner.ingest(st, [str(f) for f in files], workers=1, on_file_done=lambda res: done.append(res.source))
        assert st.sql("SELECT status, message FROM runs WHERE stage = 'ingest'") == [("failed", "interrupted (Ctrl-C)")]
        assert [s for (s,) in st.sql("SELECT source FROM sources")] == [str(files[0])]
    assert done == [str(files[0])]  # the third input was not read after the interrupt
