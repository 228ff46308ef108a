"""scripts/measure_origin_batch.py: the helpers that read "created together" from Twitter user ids
(docs/methods.md, "Created together"). Small inputs only; the measurement itself runs on the
development study."""

from __future__ import annotations

import numpy as np

from testsupport.scripts import load_script


def test_snowflake_id_carries_its_creation_time() -> None:
    mod = load_script("measure_origin_batch")
    # 868099328103112704 (an IRA handle's intact congress id): created 2017-05-26 13:39:42.982 UTC
    assert mod.snowflake_ms(868099328103112704) == 1495805982982
    assert mod.snowflake_ms(0) == mod.EPOCH_MS


def test_a_float_rounded_long_id_is_an_interval_and_the_intact_id_replaces_it_only_when_it_agrees() -> None:
    mod = load_script("measure_origin_batch")
    assert mod.ira_user_id("2535564756", "") == (2535564756, 0)
    assert mod.ira_user_id("868000000000000000", "868099328103112704") == (868099328103112704, 0)
    # a congress id that does not round to the external one is not trusted: the rounding stays
    assert mod.ira_user_id("868000000000000000", "905874659358453760") == (868000000000000000, 5 * 10**14)
    assert mod.ira_user_id("871003000000000000", "") == (871003000000000000, 5 * 10**11)
    assert mod.ira_user_id("", "905874659358453760") is None
    assert mod.ira_user_id("9.06E+17", "") is None


def test_sequential_ids_are_not_clocks_and_snowflake_halves_round_up_to_whole_ms() -> None:
    mod = load_script("measure_origin_batch")
    assert mod.position(2535564756, 0) == ("seq", 2535564756, 0)
    kind, ms, half = mod.position(871003000000000000, 5 * 10**11)
    assert kind == "snow" and ms == mod.snowflake_ms(871003000000000000)
    assert half == -(-5 * 10**11 // (1 << 22)) and half * (1 << 22) >= 5 * 10**11


def test_near_counts_never_count_an_account_as_its_own_neighbour() -> None:
    mod = load_script("measure_origin_batch")
    pos = np.array([100, 105, 200], dtype=np.int64)
    zero = np.zeros(3, dtype=np.int64)
    keys = np.array(["a", "b", "c"])
    got = mod.near_counts(pos, zero, keys, pos, zero, keys, 10, certain=True, chunk=2)
    assert got.tolist() == [1, 1, 0]


def test_rounding_counts_near_only_when_certain_for_one_side_and_when_possible_for_the_other() -> None:
    mod = load_script("measure_origin_batch")
    q = np.array([0], dtype=np.int64)
    p, ph = np.array([15], dtype=np.int64), np.array([6], dtype=np.int64)
    args = (q, np.zeros(1, dtype=np.int64), np.array(["q"]), p, ph, np.array(["p"]))
    # |Δ| = 15, radius 10: possibly near (15 - 6 ≤ 10), not certainly (15 + 6 > 10)
    assert mod.near_counts(*args, 10, certain=False).tolist() == [1]
    assert mod.near_counts(*args, 10, certain=True).tolist() == [0]
    assert mod.near_counts(*args, 21, certain=True).tolist() == [1]


def test_the_likelihood_ratio_is_read_at_the_cautious_ends() -> None:
    mod = load_script("measure_origin_batch")
    cell = {"runs": 50, "runs_n": 100, "brexit": 10, "brexit_n": 1000}
    lr = mod.ratio(cell)
    assert lr < 0.5 / 0.01  # below the point estimate
    assert abs(lr - mod.wilson(50, 100)[1] / mod.wilson(10, 1000)[2]) < 1e-12


def test_id_windows_are_translated_to_minutes_by_the_averaged_creation_rate(monkeypatch) -> None:
    mod = load_script("measure_origin_batch")
    # one id a second: a window of ±600 ids is 20 minutes wide; one stray profile does not bend it
    uid = np.arange(0, 400_000_000, 1_000_000, dtype=np.int64)
    ms = uid * 1000
    ms[200] = 0
    monkeypatch.setattr(mod, "profile_times", lambda data: mod.pd.DataFrame({"uid": uid, "ms": ms}))
    got = mod.id_minutes(None)(np.array([150_000_000.0, 250_000_000.0]), 600)
    assert np.allclose(got, 20.0, rtol=0.01)


def test_the_what_if_item_multiplies_russia_for_the_flagged_inputs_only(monkeypatch) -> None:
    mod = load_script("measure_origin_batch")
    monkeypatch.setattr(mod.origin, "evidence_vectors", lambda inp, exclude=frozenset(), home=None: [])
    a, b = object(), object()
    vec = mod.boost_item({id(a)}, 20.0)
    (name, v, _said), = vec(a)
    assert name == "created_together"
    ru = mod.origin.codes().index("RU")
    assert v[ru] == 1.0 and np.allclose(np.delete(v, ru), 1 / 20)
    assert vec(b) == []
