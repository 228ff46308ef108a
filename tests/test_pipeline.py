"""The stage runner: order from the declared graph, the checks before running, skips, subsets
(`only`, `with_deps`), stages that update another's tables, and run records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from botwatch import open_study
from botwatch import pipeline


@pytest.fixture()
def empty_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the stages a test registers (no built-ins, no installed plug-ins)."""
    monkeypatch.setattr(pipeline, "_REGISTRY", {})
    monkeypatch.setattr(pipeline, "STAGE_MODULES", [])
    import importlib.metadata as md

    real = md.entry_points
    monkeypatch.setattr(md, "entry_points", lambda group=None, **kw: [] if group == "botwatch.stages" else real(group=group, **kw) if group else real(**kw))


def _writer(name: str, table: str, calls: list[str]):  # type: ignore[no-untyped-def]
    def fn(study, ctx):  # type: ignore[no-untyped-def]
        study.sql(f"CREATE OR REPLACE TABLE {table} AS SELECT 1 AS x")
        calls.append(name)
        return 1

    fn.__name__ = fn.__qualname__ = name
    return fn


def _quiet() -> pipeline.Context:
    return pipeline.Context(log=lambda m: None)


def test_order_comes_from_the_graph_and_ties_keep_registration_order(empty_registry: None, tmp_path: Path) -> None:
    calls: list[str] = []
    # Registered consumer first: the graph, not the registration order, puts the producer first.
    pipeline.register("report_counts", needs=("counts",), writes=("report_rows",))(_writer("report_counts", "report_rows", calls))
    pipeline.register("independent", needs=("posts",), writes=("other",))(_writer("independent", "other", calls))
    pipeline.register("counts", needs=("posts",), writes=("counts",))(_writer("counts", "counts", calls))
    pipeline.register("late_reader", optional=("counts",), writes=("late",))(_writer("late_reader", "late", calls))
    assert [s.name for s in pipeline.stages()] == ["independent", "counts", "report_counts", "late_reader"]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        results = pipeline.analyze(st, _quiet())
        assert calls == ["independent", "counts", "report_counts", "late_reader"]
        assert all(status == "ok" for _, status, _ in results)
        # Each stage ran once and is recorded once.
        assert sorted(r[0] for r in st.sql("SELECT stage FROM runs")) == sorted(calls)


def test_two_writers_of_a_table_is_an_error_naming_both(empty_registry: None) -> None:
    pipeline.register("a", writes=("t",))(_writer("a", "t", []))
    pipeline.register("b", writes=("t",))(_writer("b", "t", []))
    with pytest.raises(pipeline.PipelineError, match=r"'t' is written by two stages, 'a' and 'b'"):
        pipeline.stages()


def test_a_cycle_is_an_error_naming_its_stages_and_tables(empty_registry: None) -> None:
    pipeline.register("a", needs=("tb",), writes=("ta",))(_writer("a", "ta", []))
    pipeline.register("b", needs=("ta",), writes=("tb",))(_writer("b", "tb", []))
    with pytest.raises(pipeline.PipelineError, match=r"cycle: a -\(ta\)-> b -\(tb\)-> a"):
        pipeline.stages()


def test_a_required_table_nobody_writes_is_an_error_before_anything_runs(empty_registry: None, tmp_path: Path) -> None:
    calls: list[str] = []
    pipeline.register("fine", needs=("posts",), writes=("x",))(_writer("fine", "x", calls))
    pipeline.register("typo", needs=("postz",), writes=("y",))(_writer("typo", "y", calls))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        with pytest.raises(pipeline.PipelineError, match=r"stage 'typo' needs table 'postz': no stage writes it"):
            pipeline.analyze(st, _quiet())
    assert calls == []


def test_a_stage_whose_input_was_not_made_is_skipped_with_the_reason(empty_registry: None, tmp_path: Path) -> None:
    calls: list[str] = []
    pipeline.register("labels", needs=("posts",), writes=("labels",), needs_election=True)(_writer("labels", "labels", calls))
    pipeline.register("estimates", needs=("labels",), writes=("est",))(_writer("estimates", "est", calls))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        results = pipeline.analyze(st, _quiet())
    assert results == [("labels", "skipped: needs --election", None), ("estimates", "skipped: needs labels", None)]
    assert calls == []


def _updating_graph(calls: list[str]) -> None:
    """scores -> network (reads scores) -> scores_network (updates scores with the network) -> report."""
    pipeline.register("report", needs=("scores",), writes=("report",))(_writer("report", "report", calls))
    pipeline.register("scores", needs=("posts",), writes=("scores",))(_writer("scores", "scores", calls))

    @pipeline.register("scores_network", needs=("network", "scores"), updates=("scores",))
    def scores_network(study, ctx):  # type: ignore[no-untyped-def]
        calls.append("scores_network")
        study.sql("UPDATE scores SET x = 2")
        return 1

    pipeline.register("network", needs=("posts",), optional=("scores",), writes=("network",))(_writer("network", "network", calls))


def test_an_updater_runs_once_after_the_writer_and_before_later_readers(empty_registry: None, tmp_path: Path) -> None:
    calls: list[str] = []
    _updating_graph(calls)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        pipeline.analyze(st, _quiet())
        # network reads the scores before the update (it feeds the updater); report after it.
        assert calls == ["scores", "network", "scores_network", "report"]
        assert st.sql("SELECT stage FROM runs ORDER BY started_at") == [(c,) for c in calls]


def test_only_runs_the_stage_alone_when_its_inputs_exist_else_names_what_to_run(empty_registry: None, tmp_path: Path) -> None:
    calls: list[str] = []
    _updating_graph(calls)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        with pytest.raises(pipeline.PipelineError, match=r"stage 'scores_network' needs table 'network'.*run scores, network first, or add --with-deps"):
            pipeline.analyze(st, _quiet(), only=["scores_network"])
        with pytest.raises(pipeline.PipelineError, match=r"needs table 'scores'.*run scores first"):
            pipeline.analyze(st, _quiet(), only=["report"])
        assert calls == []
        # --with-deps: the upstream stages too, in order, each once.
        pipeline.analyze(st, _quiet(), only=["scores_network"], with_deps=True)
        assert calls == ["scores", "network", "scores_network"]
        calls.clear()
        # Inputs present now: the stage runs alone.
        pipeline.analyze(st, _quiet(), only=["report"])
        assert calls == ["report"]
        calls.clear()
        # A stage that finishes another's tables from this one's output runs after it: the
        # scores' network evidence otherwise kept describing the network of the run before.
        results = pipeline.analyze(st, _quiet(), only=["network"])
        assert calls == ["network", "scores_network"]
        assert [r[0] for r in results] == ["network", "scores_network"]
        calls.clear()
        pipeline.analyze(st, _quiet(), only=["network"], skip=["scores_network"])
        assert calls == ["network"]
        calls.clear()
        # A stage whose tables another stage finishes brings that stage along.
        results = pipeline.analyze(st, _quiet(), only=["scores"])
        assert calls == ["scores", "scores_network"]
        assert [r[0] for r in results] == ["scores", "scores_network"]
        calls.clear()
        with pytest.raises(pipeline.PipelineError, match="unknown stage 'nope'"):
            pipeline.analyze(st, _quiet(), only=["nope"])


def test_only_network_leaves_the_finisher_out_when_its_other_inputs_are_missing(empty_registry: None, tmp_path: Path) -> None:
    """No scores yet: `--only network` runs network alone, with no 'skipped' row for the finisher."""
    calls: list[str] = []
    _updating_graph(calls)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        results = pipeline.analyze(st, _quiet(), only=["network"])
    assert calls == ["network"] and [r[0] for r in results] == ["network"]


def test_built_in_only_coordination_brings_accounts_clusters_when_accounts_are_scored() -> None:
    present = {"posts", "accounts", "account_features", "account_scores", "account_evidence", "cluster_members"}
    names = [s.name for s, _ in pipeline.plan(pipeline.stages(), present, ["coordination"])]
    assert names == ["coordination", "accounts_clusters"]
    assert [s.name for s, _ in pipeline.plan(pipeline.stages(), {"posts"}, ["coordination"])] == ["coordination"]


def test_built_in_graph_orders_accounts_clusters_after_coordination_and_before_timeline() -> None:
    names = [s.name for s in pipeline.stages()]
    assert names.index("accounts") < names.index("coordination") < names.index("accounts_clusters") < names.index("timeline")
    assert names.index("timeline") < names.index("impact")
    assert len(names) == len(set(names))
    assert all(not hasattr(s, "refresh_after") for s in pipeline.stages())


def test_a_second_stage_of_the_same_name_is_refused(empty_registry: None) -> None:
    pipeline.register("dup", writes=("a",))(_writer("first", "a", []))
    with pytest.raises(pipeline.PipelineError, match="stage 'dup' is defined twice"):
        pipeline.register("dup", writes=("b",))(_writer("second", "b", []))


def test_run_order_does_not_depend_on_which_stage_module_was_imported_first() -> None:
    """A command or a test that imports a stage module early must not reorder the pipeline (ties in
    the graph are broken by where a stage is declared, not by import history)."""
    import subprocess
    import sys

    code = (
        "import botwatch.accounts.stage, botwatch.coordination.stage\n"
        "from botwatch import pipeline\n"
        "print(','.join(s.name for s in pipeline.stages()))\n"
    )
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip().split(",")
    assert got[:5] == ["coverage", "content", "accounts", "coordination", "accounts_clusters"]


def test_a_stage_cut_off_by_ctrl_c_is_recorded_as_interrupted(empty_registry: None, tmp_path: Path) -> None:
    """Its `runs` row said "KeyboardInterrupt: "; a Py4J error raised while handling the interrupt is the same case."""

    @pipeline.register("slow", needs=("posts",), writes=("slow",))
    def slow(study, ctx):  # type: ignore[no-untyped-def]
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise RuntimeError("Answer from Java side is empty")  # noqa: B904 - its context is the interrupt

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        with pytest.raises(RuntimeError):
            pipeline.analyze(st, _quiet())
        with pytest.raises(KeyboardInterrupt), st.run("other", {}):
            raise KeyboardInterrupt
        rows = st.sql("SELECT stage, status, message FROM runs WHERE stage IN ('slow', 'other') ORDER BY stage")
    assert rows == [("other", "failed", "interrupted (Ctrl-C)"), ("slow", "failed", "interrupted (Ctrl-C)")]


def test_a_duckdb_query_cut_off_by_ctrl_c_is_recorded_as_interrupted(empty_registry: None, tmp_path: Path) -> None:
    """DuckDB turns the KeyboardInterrupt of a Ctrl-C during a query into its own error, chained to
    nothing: the row said "failed: RuntimeError: Query interrupted" and the report quoted it."""
    import os
    import signal
    import threading

    @pipeline.register("long", needs=("posts",), writes=("long",))
    def long(study, ctx):  # type: ignore[no-untyped-def]
        # One DuckDB thread: the query then runs on this thread, which sees the signal within
        # milliseconds; with a worker thread on it, DuckDB took 15-20 s (7 CPU-s) about one time
        # in four to give up. Its error for the interrupt is the same either way.
        study.sql("SET threads = 1")
        threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        study.sql("SELECT count(*) FROM range(100000000000) a")

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with open_study(tmp_path / "s.duckdb", read_only=False) as st:
            with pytest.raises(BaseException):
                pipeline.analyze(st, _quiet())
            rows = st.sql("SELECT stage, status, message FROM runs WHERE stage = 'long'")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert rows == [("long", "failed", "interrupted (Ctrl-C)")]


def test_a_run_records_the_engine_of_the_study_it_ran_on(empty_registry: None, tmp_path: Path) -> None:
    """`botwatch coordination`, `estimate` and `impact` build their Context without an engine: on a
    lake their `runs` rows said engine=duckdb, and the report's Methods listed them so."""
    calls: list[str] = []
    pipeline.register("counts", needs=("posts",), writes=("counts",))(_writer("counts", "counts", calls))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        pipeline.analyze(st, _quiet())
        st.engine = "spark"  # a stand-in for a lake study (`LakeStudy.engine`), the Context left at its default
        pipeline.analyze(st, _quiet())
        engines = [json.loads(p)["engine"] for (p,) in st.sql("SELECT params FROM runs WHERE stage = 'counts' ORDER BY started_at")]
    assert engines == ["duckdb", "spark"]
