"""Origin evidence pooled over coordination clusters (accounts/origin_pool.py). Hand-made
probabilities test the arithmetic only; what pooling does on real accounts is measured by
scripts/validate_origin.py --pool (docs/methods.md)."""

from __future__ import annotations

import math

import numpy as np

from botwatch.accounts.origin import OriginResult
from botwatch.accounts.origin_pool import apply_pool, pool, pooled_log_ratio
from botwatch.prob_text import p_is

BASE = 0.1


def _lr(p: float) -> float:
    return math.log(p / (1 - p)) - math.log(BASE / (1 - BASE))


def test_a_member_gets_the_mean_of_the_other_members_log_ratios() -> None:
    p = [0.9, 0.99, 0.02, 0.5, 0.3]
    cluster = [0, 0, 0, -1, 1]
    move, others = pooled_log_ratio(p, cluster, BASE)
    assert others.tolist() == [2, 2, 2, 0, 0]
    assert math.isclose(move[0], (_lr(0.99) + _lr(0.02)) / 2)
    assert math.isclose(move[2], (_lr(0.9) + _lr(0.99)) / 2)
    assert move[3] == 0 and move[4] == 0  # no cluster; alone in its cluster


def test_the_pooled_evidence_does_not_grow_with_the_cluster() -> None:
    # One typical member's worth, however many members: 50 confident members move a neutral
    # account as far as one does (a product would make it certain).
    small, _, _ = pool([BASE, 0.99], [0, 0], BASE)
    big, _, _ = pool([BASE] + [0.99] * 50, [0] * 51, BASE)
    assert math.isclose(small[0], 0.99) and math.isclose(big[0], 0.99)


def test_accounts_without_evidence_are_neither_moved_nor_counted() -> None:
    new, move, others = pool([np.nan, 0.99, 0.2], [0, 0, 0], BASE)
    assert np.isnan(new[0]) and others.tolist()[1:] == [1, 1]
    assert math.isclose(move[2], _lr(0.99))


def test_apply_pool_moves_the_most_likely_country_and_says_why() -> None:
    posing = OriginResult("US", 0.8, {"US": 0.8, "RU": 0.15, "GB": 0.05}, ["most likely US (p=0.80); prior gave US 30% before any evidence"], ["location"], 0.15)
    office = OriginResult("RU", 0.99, {"RU": 0.99}, ["most likely RU (p=0.99)"], ["post_langs"], 0.99)
    loner = OriginResult("US", 0.9, {"US": 0.9, "RU": 0.1}, ["most likely US (p=0.90)"], ["location"], 0.1)
    out = apply_pool([posing, office, loner], [3, 3, -1], BASE)
    assert out[0].country == "RU" and out[0].p_russia > 0.5
    assert out[0].items[-1] == "cluster_pool" and "1 other member of this account's cluster" in out[0].evidence[-1]
    assert out[0].evidence[0].endswith("; prior gave US 30% before any evidence")
    assert math.isclose(sum(out[0].probabilities.values()), 1.0, abs_tol=0.01)
    assert out[2] is loner  # outside any cluster: untouched


def test_apply_pool_moves_an_account_that_has_a_country_but_no_evidence_lines() -> None:
    bare = OriginResult("US", 0.8, {"US": 0.8, "RU": 0.2}, [], ["location"], 0.2)
    office = OriginResult("RU", 0.99, {"RU": 0.99}, ["most likely RU (p=0.99)"], ["post_langs"], 0.99)
    out = apply_pool([bare, office], [0, 0], BASE)
    assert out[0].p_russia > 0.2 and out[0].evidence[0].startswith(f"most likely {out[0].country} ({p_is(out[0].probability)})")
    assert len(out[0].evidence) == 2 and "1 other member of this account's cluster" in out[0].evidence[1]


def test_the_pooled_sentence_counts_cluster_members_not_co_actors() -> None:
    """"this account acts in unison with 5 other accounts with origin evidence" counted the members
    of its cluster, which Leiden groups through one another: an account may co-act beyond chance
    with one of them only. The sentence says members of its cluster."""
    from botwatch.accounts.origin_pool import sentence

    said = sentence(5, 1.0, 0.2, 0.4)
    assert "acts in unison with 5" not in said
    assert said.startswith("coordination cluster: 5 other members of this account's cluster (accounts that co-act beyond chance, each with at least one other member) have origin evidence;")
