"""Origin evidence pooled over accounts posting the same texts (accounts/origin_textpool.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from botwatch import open_study
from botwatch.accounts import origin_textpool as tp
from botwatch.accounts.origin import OriginResult

TEXTS = [f"this is campaign message number {i} about the election" for i in range(5)]


def _study(path: Path, rows: list[tuple[str, str]]):  # noqa: ANN202
    st = open_study(path, read_only=False)
    st.sql("CREATE OR REPLACE TABLE posts (platform VARCHAR, account_id VARCHAR, text VARCHAR)")
    st.con.executemany("INSERT INTO posts VALUES ('twitter', ?, ?)", rows)
    return st


def test_neighbours_need_two_shared_texts_and_ignore_texts_everybody_posts(tmp_path: Path) -> None:
    rows = [("a", TEXTS[0]), ("a", "RT @desk: " + TEXTS[1] + " https://t.co/x1"), ("b", TEXTS[0].upper() + "!"), ("b", TEXTS[1] + " https://t.co/y2"),
            ("c", TEXTS[0]), ("c", "something else entirely, long enough to count"), ("a", "short one"), ("d", "short one")]
    # A text posted by more than MAX_ACCOUNTS accounts says nothing about who runs whom.
    rows += [(f"fan{i}", TEXTS[4]) for i in range(tp.MAX_ACCOUNTS + 1)] + [("a", TEXTS[4]), ("c", TEXTS[4])]
    st = _study(tmp_path / "s.duckdb", rows)
    try:
        nb = tp.neighbours(st)
    finally:
        st.close()
    pairs = {(a, b): n for a, b, n in zip(nb.account_id, nb.other_id, nb.shared)}
    # a and b share two texts (case, punctuation, links and the RT prefix do not matter); c shares one with each.
    assert pairs == {("a", "b"): 2, ("b", "a"): 2}


def _res(p: float | None) -> OriginResult:
    if p is None:
        return OriginResult(None, None, {}, ["no origin evidence"], [])
    probs = {"RU": p, "US": 1 - p}
    best = max(probs, key=probs.get)
    return OriginResult(best, probs[best], probs, [f"most likely {best} (p={probs[best]:.2f}); prior gave US 30% before any evidence"], ["location"], p)


def test_a_well_posing_account_takes_its_neighbours_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tp, "slope", lambda: 1.0)
    keys = [("twitter", k) for k in ("poser", "office1", "office2", "loner", "unknown")]
    res = [_res(0.02), _res(0.999), _res(0.995), _res(0.02), _res(None)]
    nb = tp.Neighbours(["twitter"] * 6, ["poser", "office1", "poser", "office2", "unknown", "office1"],
                       ["office1", "poser", "office2", "poser", "office1", "unknown"], [3, 3, 2, 2, 2, 2])
    out = tp.apply(res, keys, nb, base=0.07)
    assert out[0].country == "RU" and out[0].p_russia > 0.9 and tp.KIND in out[0].items
    assert "shared texts" in out[0].evidence[-1] and "2 other accounts with" in out[0].evidence[-1]
    assert out[3] is res[3]  # no neighbours: unchanged
    assert out[4] is res[4]  # no evidence of its own: not moved, and it lends none
    # office1's neighbours: the poser (evidence against Russia); 'unknown' lends nothing
    assert out[1].p_russia < res[1].p_russia and "1 other account with" in out[1].evidence[-1]


def test_no_pairs_or_no_fitted_slope_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    res = [_res(0.02), _res(0.999)]
    keys = [("twitter", "x"), ("twitter", "y")]
    nb = tp.Neighbours(["twitter"] * 2, ["x", "y"], ["y", "x"], [2, 2])
    assert tp.apply(res, keys, None, base=0.07) is res
    monkeypatch.setattr(tp, "slope", lambda: 0.0)
    assert tp.apply(res, keys, nb, base=0.07) is res


def test_the_mean_is_one_neighbours_worth() -> None:
    """Ten neighbours with the same evidence move an account as far as one does."""
    p = np.array([0.07] + [0.9] * 10)
    one, n1 = tp.neighbour_mean(p[:2], [0], [1], 0.07)
    ten, n10 = tp.neighbour_mean(p, [0] * 10, list(range(1, 11)), 0.07)
    assert n1[0] == 1 and n10[0] == 10 and np.isclose(one[0], ten[0])
