"""The content stage's worker pool (botwatch.content.pool) must write what one process writes:
the same rows, values and row order, batch after batch, whichever worker a text went to."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest

from botwatch.content.pool import LabelPool, OneBatchLate, PoolError, needs_detector
from botwatch.content.stage import Labeller
from botwatch.elections import load_election
from tests.test_content import posts

UK = load_election("uk-ge2017")
US = load_election("us-2016")
FIXTURES = Path(__file__).parent / "fixtures" / "content"


def _rows() -> list[dict]:
    """Real IRA posts (party names, retweets, emoji), each text twice more as retweets of other
    accounts (so the model caches are hit and missed), and posts without a language tag."""
    with open(FIXTURES / "ira_stance_posts.csv", encoding="utf-8", newline="") as f:
        real = [r["content"] for r in csv.DictReader(f)][:300]
    rows = [{"text": t} for t in real]
    rows += [{"text": t, "kind": "retweet", "ref_handle": h} for t in real[:100] for h in ("HillaryClinton", "someone")]
    rows += [{"text": "Die Wahl ist morgen, Trump oder Clinton", "lang": None}, {"text": "Vote Trump today!", "lang": "und"}]
    return rows


@pytest.mark.parametrize("election", [US, UK], ids=["us-2016", "uk-ge2017"])
def test_pool_writes_what_one_process_writes(election) -> None:  # type: ignore[no-untyped-def]
    table = posts(_rows())
    serial = Labeller.for_election(election)
    serial.scorer.workers = 1
    one_labels, one_party = serial.label(table)
    halves = [table.slice(0, 250), table.slice(250)]
    with LabelPool(Labeller.for_election(election), 2) as pool:
        got = [pool(h.to_batches()[0] if i else h) for i, h in enumerate(halves)]
    # The serial labeller saw one batch; the pool two: compare batch by batch against it too.
    serial2 = Labeller.for_election(election)
    serial2.scorer.workers = 1
    want = [serial2.label(h) for h in halves]
    for (labels, party), (w_labels, w_party) in zip(got, want):
        assert labels.equals(w_labels)
        assert party.equals(w_party)  # same rows in the same order: party by party, then row order
    assert pa.concat_tables([g[0] for g in got]).equals(one_labels)
    assert len(one_party) == sum(len(g[1]) for g in got) > 50


def test_one_batch_late_returns_each_batch_once_in_order() -> None:
    """`OneBatchLate` (the stage's way to write while the workers label) hands each batch's rows
    back one call later and the last in `drain`: the same tables, in the same order, as calling
    the pool batch by batch; nothing lost, nothing twice."""
    table = posts(_rows())
    parts = [table.slice(0, 150), table.slice(150, 0), table.slice(150, 200), table.slice(350)]
    with LabelPool(Labeller.for_election(US), 2) as pool:
        want = [pool(p) for p in parts]
    with LabelPool(Labeller.for_election(US), 2) as pool:
        late = OneBatchLate(pool)
        got = [late(p) for p in parts]
        got += late.drain()
        assert late.drain() == []
    assert got[0][0].num_rows == got[0][1].num_rows == 0  # the first call has nothing to give yet
    assert len(got) == len(want) + 1
    for (labels, party), (w_labels, w_party) in zip(got[1:], want):
        assert labels.equals(w_labels) and party.equals(w_party)
    assert late.overlapped_cpu >= 0.0


def test_one_batch_late_reports_a_failing_worker() -> None:
    with LabelPool(Labeller.for_election(UK), 2) as pool:
        late = OneBatchLate(pool)
        late(posts([{"text": "x"}]).drop_columns(["kind"]))
        with pytest.raises(PoolError, match="failed"):
            late.drain()


def test_a_failing_worker_is_reported_not_hung() -> None:
    lab = Labeller.for_election(UK)
    with LabelPool(lab, 2) as pool:
        with pytest.raises(PoolError, match="failed"):
            pool(posts([{"text": "x"}]).drop_columns(["kind"]))


def test_the_detector_is_loaded_only_when_some_post_lacks_a_usable_tag() -> None:
    assert not needs_detector(["en", "English", "ru"])
    assert needs_detector(["en", None]) and needs_detector(["und"])


def test_workers_exit_when_the_parent_dies(tmp_path: Path) -> None:
    """A parent killed without closing the pool (a crash, SIGKILL) must not leave its workers
    waiting on their pipes forever: each worker closes the pipe ends the fork copied to it."""
    import os
    import subprocess
    import sys
    import time

    script = (
        "import os, sys\n"
        "from botwatch.content.pool import LabelPool\n"
        "from botwatch.content.stage import Labeller\n"
        "from botwatch.elections import load_election\n"
        "lab = Labeller.for_election(load_election('uk-ge2017'), use_model=False)\n"
        "pool = LabelPool(lab, 2, load_detector=False).__enter__()\n"
        "open(sys.argv[1], 'w').write(' '.join(str(p.pid) for p in pool.procs))\n"
        "os._exit(0)\n"
    )
    # Pids and errors go through files: workers that outlive the parent would hold a pipe open.
    where, errors = tmp_path / "pids", tmp_path / "stderr"
    with open(errors, "w") as err:
        subprocess.run([sys.executable, "-c", script, str(where)], stdout=subprocess.DEVNULL, stderr=err, timeout=120)
    pids = [int(p) for p in where.read_text().split()] if where.exists() else []
    assert len(pids) == 2, errors.read_text()

    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/status") as f:
                return "\nState:\tZ" not in f.read()
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 20
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [p for p in pids if alive(p)]
    for p in left:  # do not leave them behind if the test fails
        os.kill(p, 9)
    assert not left


class _SlowLabeller:
    """A labeller whose batches take a second: the parent fails while a worker still holds one."""

    use_model = False

    def __init__(self) -> None:
        import types

        self.scorer = types.SimpleNamespace(scored=0, workers=1)

    def label_rows(self, table: pa.Table) -> tuple[pa.Table, pa.Table, list[int]]:
        import time

        time.sleep(1.0)
        from botwatch.content.tables import POST_LABELS, POST_PARTY

        return POST_LABELS.empty_table(), POST_PARTY.empty_table(), []


def test_a_parent_failing_mid_stream_leaves_no_worker_traceback(capfd: pytest.CaptureFixture[str]) -> None:
    """The parent fails (an insert error, a MemoryError) while `OneBatchLate` keeps the workers
    busy: its error is the one raised, and the workers, whose answers find the pipe closed, exit
    without printing a traceback of their own."""
    with pytest.raises(RuntimeError, match="insert failed"):
        with LabelPool(_SlowLabeller(), 2, load_detector=False) as pool:  # type: ignore[arg-type]
            late = OneBatchLate(pool)
            late(posts([{"text": f"post {i}"} for i in range(20)]))
            raise RuntimeError("insert failed")
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_a_detector_that_cannot_load_fails_the_pool_in_one_error_without_a_thread_traceback(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Walk (`ulimit -f 33000; botwatch analyze`): py3langid writes its model to a temporary file
    while it loads, in a thread beside the other models. The thread's OSError printed a traceback
    on the terminal, and the workers then met it again as "content worker 0 failed:"."""
    import errno
    import threading

    import botwatch.content.pool as content_pool

    def too_large() -> None:
        raise OSError(errno.EFBIG, "File too large")

    seen: list[object] = []
    monkeypatch.setattr(content_pool, "_batch", too_large)
    monkeypatch.setattr(threading, "excepthook", seen.append)
    with pytest.raises(OSError, match="File too large"):
        with LabelPool(Labeller.for_election(UK), 2):
            pass
    assert seen == []  # raised where the pool is made, not printed by the thread
