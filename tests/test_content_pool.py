"""The content stage's worker pool (botwatch.content.pool) must write what one process writes:
the same rows, values and row order, batch after batch, whichever worker a text went to."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pytest

from botwatch.content.pool import LabelPool, PoolError, needs_detector
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


def test_a_failing_worker_is_reported_not_hung() -> None:
    lab = Labeller.for_election(UK)
    with LabelPool(lab, 2) as pool:
        with pytest.raises(PoolError, match="failed"):
            pool(posts([{"text": "x"}]).drop_columns(["kind"]))


def test_the_detector_is_loaded_only_when_some_post_lacks_a_usable_tag() -> None:
    assert not needs_detector(["en", "English", "ru"])
    assert needs_detector(["en", None]) and needs_detector(["und"])
