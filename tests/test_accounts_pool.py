"""The accounts stage's passes in forked workers (botwatch.accounts.pool) must write what one
process writes: the same three tables, row for row and in order; a worker that fails or dies must
surface as a clear error (no hang, no worker left behind), and small studies stay in-process."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.accounts import batches
from botwatch.accounts import pool as account_pool
from botwatch.accounts.stage import run_accounts
from botwatch.elections import load_election
from botwatch.forkpool import OneBatchLate, PoolError, Workers, ipc

TABLES = ("account_features", "account_scores", "account_evidence")
US = load_election("us-2016")


def _tables(st) -> dict[str, pa.Table]:  # type: ignore[no-untyped-def]
    return {t: st.query_arrow(f"SELECT * FROM {t}") for t in TABLES}


@pytest.fixture()
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many workers each pool forked (one entry per pool), recorded as they start."""
    started: list[int] = []
    enter = Workers.__enter__

    def spy(self: Workers) -> Workers:
        started.append(self.count)
        return enter(self)

    monkeypatch.setattr(Workers, "__enter__", spy)
    return started


@pytest.fixture(scope="module")
def one_process(sample_study_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pa.Table]]:
    """A copy of the sample after `run_accounts(workers=1, batch_rows=100)`, and its three tables,
    once for the module: both pool tests and the failing-worker test began with that same run on
    their own copy (the tables are immutable; tests copy the study before writing)."""
    from botwatch import open_study
    from testsupport.study_copies import copy_study

    path = copy_study(sample_study_path, tmp_path_factory.mktemp("one_process") / "s.duckdb")
    started: list[int] = []
    enter = Workers.__enter__
    with pytest.MonkeyPatch.context() as mp_, open_study(path, read_only=False) as st:
        mp_.setattr(Workers, "__enter__", lambda self: (started.append(self.count), enter(self))[1])  # as `forks` records
        run_accounts(st, US, with_clusters=False, workers=1, batch_rows=100)
        assert not started  # one process forks no pool
        return path, _tables(st)


@pytest.fixture()
def scored_study(one_process: tuple[Path, dict[str, pa.Table]], tmp_path: Path) -> Iterator[object]:
    """A private, writable copy of `one_process`'s study, open."""
    from botwatch import open_study
    from testsupport.study_copies import copy_study

    with open_study(copy_study(one_process[0], tmp_path / "s.duckdb"), read_only=False) as st:
        yield st


@pytest.mark.parametrize("whole", [True, False], ids=["whole-batches", "shares"])
def test_the_pool_writes_what_one_process_writes(scored_study, one_process, monkeypatch: pytest.MonkeyPatch, forks: list[int], whole: bool) -> None:  # type: ignore[no-untyped-def]
    st = scored_study  # after `run_accounts(workers=1, batch_rows=100)`, which forked nothing (`one_process`)
    one = one_process[1]
    monkeypatch.setattr(account_pool, "POOL_MIN", 0)
    monkeypatch.setattr(account_pool, "WHOLE_BATCHES", whole)
    # 262 accounts in batches of 100: three batches, to the workers in turn or each cut in two;
    # pooling and the study prior read accounts of other batches and of the other worker's.
    run_accounts(st, US, with_clusters=False, workers=2, batch_rows=100)
    assert forks == [2, 2]  # the origin pass and the scoring pass
    pooled = _tables(st)
    for t in TABLES:
        assert pooled[t].schema == one[t].schema, t
        assert pooled[t].num_rows == one[t].num_rows > 0, t
        for name in one[t].column_names:
            a, b = one[t].column(name).to_pylist(), pooled[t].column(name).to_pylist()
            # DuckDB's parallel stddev of gaps may differ in the last bits between runs.
            same = [x == y or (isinstance(x, float) and isinstance(y, float) and abs(x - y) <= 1e-12 * max(abs(x), 1)) for x, y in zip(a, b)]
            assert all(same), f"{t}.{name}"
    assert not mp.active_children()
    assert not [t for t in st.tables() if t.startswith("_botwatch")]


def test_a_small_study_stays_in_process(sample_study, forks: list[int]) -> None:  # type: ignore[no-untyped-def]
    assert sample_study.count("accounts") < account_pool.POOL_MIN
    assert batches.pool_workers(sample_study, "accounts", None) == 1
    assert batches.pool_workers(sample_study, "accounts", 4) == 1
    run_accounts(sample_study, US, with_clusters=False, workers=2)
    assert not forks


def test_the_threshold_and_workers_decide(sample_study, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from botwatch import forkpool

    monkeypatch.setattr(forkpool, "cores", lambda: 8)
    monkeypatch.setattr(account_pool, "POOL_MIN", 100)
    assert sample_study.count("accounts") > 200
    assert batches.pool_workers(sample_study, "accounts", 3, batch_rows=50) == 3
    assert batches.pool_workers(sample_study, "accounts", 1, batch_rows=50) == 1  # asked for one process
    monkeypatch.setattr(account_pool, "POOL_MIN", 10_000)
    assert batches.pool_workers(sample_study, "accounts", 3, batch_rows=50) == 1


def test_never_more_workers_than_cores_or_batches(sample_study, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """`--workers 100000` forked that many processes, each able to hold a batch of about a
    gigabyte: the count is held to the cores, and to the batches there are."""
    from botwatch import forkpool

    monkeypatch.setattr(account_pool, "POOL_MIN", 100)
    n = sample_study.count("accounts")
    monkeypatch.setattr(forkpool, "cores", lambda: 2)
    assert forkpool.worker_count(100_000) == 2
    assert forkpool.worker_count(None) == 2
    assert batches.pool_workers(sample_study, "accounts", 100_000, batch_rows=100) == 2
    monkeypatch.setattr(forkpool, "cores", lambda: 64)
    assert batches.pool_workers(sample_study, "accounts", 100_000, batch_rows=100) == -(-n // 100)
    assert batches.pool_workers(sample_study, "accounts", 100_000, batch_rows=n) == 1


def test_a_lake_never_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Spark the executors are the parallelism: no count is even asked of the engine."""

    class Lake:
        engine = "spark"

        def sql(self, query: str) -> list[tuple[int]]:
            raise AssertionError("a lake study was asked for its size")

    monkeypatch.setattr(account_pool, "POOL_MIN", 0)
    assert batches.pool_workers(Lake(), "accounts", 4) == 1


def _rows(n: int) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({"platform": ["x"] * n, "account_id": [f"a{i:03d}" for i in range(n)]})


class _Echo:
    """A pass that returns its accounts' ids and the process that computed them; it fails (or
    its process dies) on the account named `bad`, but not in the process that made it."""

    def __init__(self, bad: str | None = None, die: bool = False) -> None:
        self.bad, self.die, self.parent = bad, die, os.getpid()

    def __call__(self, batch: pa.RecordBatch) -> pa.Table:
        ids = batch.column("account_id").to_pylist() if batch.num_rows else []
        if self.bad in ids and os.getpid() != self.parent:
            if self.die:
                os._exit(3)
            raise ValueError(f"cannot score {self.bad}")
        return pa.table({"account_id": pa.array(ids, pa.string()), "pid": pa.array([os.getpid()] * len(ids), pa.int64())})


@pytest.mark.parametrize("whole", [True, False], ids=["whole-batches", "shares"])
def test_batches_come_back_in_order_late(whole: bool) -> None:
    parts = [_rows(150).slice(0, 70), _rows(0), _rows(150).slice(70, 50), _rows(150).slice(120)]
    with account_pool.BatchPool(_Echo(), 2, whole=whole) as pool:
        late = OneBatchLate(pool, pool.depth)
        got = [late(p) for p in parts] + late.drain()
        assert late.drain() == []
        procs = list(pool.procs)
    assert len(got) == len(parts) + pool.depth
    assert all(g.num_rows == 0 for g in got[:pool.depth])  # nothing to give yet
    ids = pa.concat_tables(got).column("account_id").to_pylist()
    assert ids == _rows(150).column("account_id").to_pylist()
    assert len(set(pa.concat_tables(got).column("pid").to_pylist())) == 2  # both workers did some
    assert not any(p.is_alive() for p in procs)


@pytest.mark.parametrize("whole", [True, False], ids=["whole-batches", "shares"])
@pytest.mark.parametrize("die", [False, True], ids=["fails", "dies"])
def test_a_worker_that_fails_or_dies_is_a_clear_error(die: bool, whole: bool) -> None:
    with account_pool.BatchPool(_Echo(bad="a030", die=die), 2, whole=whole) as pool:
        late = OneBatchLate(pool, pool.depth)
        with pytest.raises(PoolError, match=r"accounts worker \d died" if die else r"(?s)accounts worker \d failed.*cannot score a030"):
            late(_rows(40))
            late(_rows(40).slice(35))  # (shares: this call waits for the first batch's answers)
            late.drain()
        procs = list(pool.procs)
    assert not any(p.is_alive() for p in procs)


def test_a_failing_worker_stops_the_stage_and_keeps_the_old_tables(scored_study, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    st = scored_study  # after `run_accounts(workers=1)` (`one_process`)
    before = st.count("account_scores")
    parent = os.getpid()
    score = batches.ScoreBatch.__call__

    def broken(self, batch):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            raise RuntimeError("model file unreadable")
        return score(self, batch)

    monkeypatch.setattr(batches.ScoreBatch, "__call__", broken)
    monkeypatch.setattr(account_pool, "POOL_MIN", 0)
    with pytest.raises(PoolError, match=r"(?s)accounts worker \d failed.*model file unreadable"):
        run_accounts(st, US, with_clusters=False, workers=2, batch_rows=100)
    assert not mp.active_children()
    assert st.count("account_scores") == before
    assert st.sql("SELECT current_setting('threads')")[0][0] > 1 or os.cpu_count() == 1  # the engine's threads given back


def _ids(t: pa.Table) -> tuple[pa.Table]:
    return (t.select(["account_id"]),)


def test_a_worker_dead_between_batches_is_a_clear_error() -> None:
    """A worker killed while it holds no batch: the next hand-out finds its pipe broken, which
    reached the user as a bare ConnectionResetError before."""
    from botwatch.forkpool import ipc

    with Workers(_ids, 2, "accounts") as pool:
        pool.send(0, ipc(_rows(3)))
        assert pool.receive(0)[0].num_rows == 3
        os.kill(pool.procs[0].pid, signal.SIGKILL)
        pool.procs[0].join(timeout=10)
        with pytest.raises(PoolError, match=r"accounts worker 0 died \(killed by SIGKILL"):
            pool.send(0, ipc(_rows(3)))
            pool.receive(0)
        pool.send(1, ipc(_rows(2)))  # the other still works
        assert pool.receive(1)[0].num_rows == 2
        procs = list(pool.procs)
    assert not any(p.is_alive() for p in procs)


def test_ctrl_c_is_left_to_the_parent() -> None:
    """The terminal's Ctrl-C reaches the whole process group: a worker ignores it (the parent
    stops the workers by closing their pipes), where an idle one printed a KeyboardInterrupt
    traceback of its own and died."""
    from botwatch.forkpool import ipc

    with Workers(_ids, 1, "accounts") as pool:
        pool.send(0, ipc(_rows(1)))
        pool.receive(0)  # the worker is in its loop, waiting for the next batch
        os.kill(pool.procs[0].pid, signal.SIGINT)
        time.sleep(0.2)
        pool.send(0, ipc(_rows(4)))
        assert pool.receive(0)[0].num_rows == 4


def _unsendable(t: pa.Table) -> tuple[object]:
    return (lambda: t,)  # a closure cannot be pickled


def test_an_answer_that_cannot_be_sent_is_the_worker_s_error() -> None:
    """Reported as the worker's failure with the pickling traceback, not as a worker that died."""
    from botwatch.forkpool import ipc

    with Workers(_unsendable, 1, "accounts") as pool:
        pool.send(0, ipc(_rows(2)))
        with pytest.raises(PoolError, match=r"(?s)accounts worker 0 failed:.*pickle"):
            pool.receive(0)
        pool.send(0, ipc(_rows(2)))  # and the worker is still there
        with pytest.raises(PoolError, match="failed"):
            pool.receive(0)


def test_run_content_workers_decide_its_forks(sample_study, monkeypatch: pytest.MonkeyPatch, forks: list[int]) -> None:  # type: ignore[no-untyped-def]
    """`analyze --workers` reaches the content stage's pool: one process forks nothing, two
    fork one pool of two (the threshold lowered so the sample is pooled)."""
    from botwatch import forkpool
    from botwatch.content import stage as content_stage

    monkeypatch.setattr(content_stage, "POOL_MIN", 0)
    monkeypatch.setattr(forkpool, "cores", lambda: 2)
    content_stage.run_content(sample_study, US, workers=1, log=lambda *a: None)
    assert forks == []
    content_stage.run_content(sample_study, US, workers=2, log=lambda *a: None)
    assert forks == [2]


def test_the_parent_failing_stops_the_workers() -> None:
    with pytest.raises(RuntimeError, match="insert failed"):
        with account_pool.BatchPool(_Echo(), 2) as pool:
            OneBatchLate(pool)(_rows(10))
            procs = list(pool.procs)
            raise RuntimeError("insert failed")
    assert procs and not any(p.is_alive() for p in procs)


def test_analyze_workers_reaches_both_stages(sample_study_path, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """`botwatch analyze --workers N`: the processes the content and accounts stages fork (as
    `ingest --workers` for parsing), recorded with the run."""
    import shutil

    from typer.testing import CliRunner

    from botwatch import open_study
    from botwatch.cli import app
    from botwatch.content import stage as content_stage

    seen: dict[str, object] = {}
    run, label = batches.run, content_stage.run_content

    def run_spy(*a, **k):  # type: ignore[no-untyped-def]
        seen["accounts"] = k.get("workers")
        return run(*a, **k)

    def content_spy(*a, **k):  # type: ignore[no-untyped-def]
        seen["content"] = k.get("workers")
        return label(*a, **k)

    monkeypatch.setattr(batches, "run", run_spy)
    monkeypatch.setattr(content_stage, "run_content", content_spy)
    dst = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, dst)
    res = CliRunner().invoke(app, ["analyze", str(dst), "--election", "us-2016", "--only", "content", "--only", "accounts", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert seen == {"content": 1, "accounts": 1}
    with open_study(dst, read_only=True) as st:
        assert st.sql("SELECT count(*) FROM runs WHERE stage = 'accounts' AND params LIKE '%\"workers\": 1%'")[0][0] == 1


class _Probe:
    """A pass that reports whether its process holds the gender name list, without asking for it."""

    def __call__(self, batch: pa.RecordBatch) -> pa.Table:
        from botwatch.accounts import signals

        return pa.table({"loaded": pa.array([signals._name_list.cache_info().currsize] * batch.num_rows, pa.int64())})


def test_the_workers_inherit_the_gender_name_list() -> None:
    """Loaded once before the fork (`pool.preload`), even when the warm-up's accounts never ask
    for it: each worker loading its own copy of the detector cost half a second and 22 MiB apiece."""
    from botwatch.accounts import signals

    signals._name_list.cache_clear()
    with account_pool.BatchPool(_Probe(), 2) as pool:
        late = OneBatchLate(pool, pool.depth)
        got = [late(_rows(10)), late(_rows(10))] + late.drain()
    assert pa.concat_tables(got).column("loaded").to_pylist() == [1] * 20


def test_a_failed_workers_first_line_says_why() -> None:
    """The command prints an error's first line: "content worker 0 failed:" ended there, the reason
    on the traceback's last line below it (walk: a file-size limit hit while a worker loaded)."""
    def fails(rows: pa.Table) -> tuple[Any, ...]:
        raise OSError(27, "File too large")

    with Workers(fails, 1, "content") as workers:
        workers.send(0, ipc(pa.table({"a": [1]})))
        with pytest.raises(PoolError) as err:
            workers.receive(0)
    first = str(err.value).splitlines()[0]
    assert first.startswith("content worker 0 failed: ") and "File too large" in first, str(err.value)
    assert "Traceback" in str(err.value)  # the whole traceback still follows, for BOTWATCH_DEBUG and reports


def test_a_failed_workers_first_line_is_its_exception_not_the_last_line_of_a_long_message() -> None:
    """The traceback's last line was taken for the reason: an error whose message runs over lines
    (DuckDB's "LINE 1: …", a note added to it) read "content worker 0 failed: while writing"."""
    def fails(rows: pa.Table) -> tuple[Any, ...]:
        exc = OSError(28, "No space left on device")
        exc.add_note("while writing")
        raise exc

    with Workers(fails, 1, "content") as workers:
        workers.send(0, ipc(pa.table({"a": [1]})))
        with pytest.raises(PoolError) as err:
            workers.receive(0)
    assert str(err.value).splitlines()[0] == "content worker 0 failed: OSError: [Errno 28] No space left on device", str(err.value)
