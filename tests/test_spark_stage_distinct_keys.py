"""`spark_stage.DistinctKeys`: the per-file account count a Spark ingest takes on the executor,
the same count as the set of (platform, account_id) tuples it replaced, in far less memory."""

from __future__ import annotations

import random

import pyarrow as pa

from botwatch.engines.spark_stage import DistinctKeys


def _batches(seed: int, n_batches: int, rows: int, ids: int) -> list[tuple[list, list]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n_batches):
        plat = [rng.choice(["twitter", "twitter", "mastodon", None]) for _ in range(rows)]
        acc = [None if rng.random() < 0.01 else rng.choice(["", "0", "-"]) + str(rng.randrange(ids)) if rng.random() < 0.05
               else str(rng.randrange(ids)) for _ in range(rows)]
        out.append((plat, acc))
    return out


def test_counts_what_a_set_of_tuples_counts_across_merges() -> None:
    """Keys repeat within and across batches, some ids and platforms are null, some ids are not
    numbers as written ("0123", "-5": the same digits as a plain number's, other keys), two
    platforms share ids, and there are enough keys (over 65,536 new) that the kept ones are merged
    several times."""
    keys, seen = DistinctKeys(), set()
    for plat, acc in _batches(7, 12, 20_000, 150_000):
        keys.add(pa.array(plat, pa.string()), pa.array(acc, pa.string()))
        seen.update(zip(plat, acc))
    assert len(keys) == len(seen)
    # Counting again after a read adds only what is new.
    keys.add(pa.array(["twitter", "twitter"], pa.string()), pa.array(["new-one", "0"], pa.string()))
    seen.update([("twitter", "new-one"), ("twitter", "0")])
    assert len(keys) == len(seen)


def test_an_id_that_is_only_a_prefix_is_another_key_and_empty_input_counts_nothing() -> None:
    keys = DistinctKeys()
    keys.add(pa.array([], pa.string()), pa.array([], pa.string()))
    assert len(keys) == 0
    keys.add(pa.array(["twitter", "twitter", "twitte", "twitter"]), pa.array(["12", "1", "r12", "12"]))
    assert len(keys) == 3  # ("twitter","12") twice, ("twitter","1"), ("twitte","r12") are apart
    keys.add(pa.array(["twitter"]), pa.array([12], pa.int64()))  # an integer id is the same key as its text
    assert len(keys) == 3
    big = ["18446744073709551615", "9999999999999999999", "99999999999999999999", "012"]  # 2**64 − 1, 19 and 20 digits
    keys.add(pa.array(["twitter"] * 4), pa.array(big))
    keys.add(pa.array(["twitter"] * 4), pa.array(big))
    assert len(keys) == 7
