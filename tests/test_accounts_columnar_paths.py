"""Whole-array rewrites in the origin model give the per-item reference's values exactly: the
DST shift's rolls as windows (`origin_behaviour._rolled`, `_best_shifts`) and the one-search gate
of `origin.scripts_in`, and each account's top language and client from one Arrow sort
(`features.top_keys`). Speed work must change no output."""

from __future__ import annotations

import math
import random

import numpy as np
import pyarrow as pa
import pytest

from botwatch.accounts import features as feats
from botwatch.accounts import origin as org
from botwatch.accounts import origin_behaviour as ob


def _reference_shift(winter: np.ndarray, summer: np.ndarray) -> float:
    """The definition: the roll of the summer day whose 1-D dot product with winter is largest."""
    return float(ob.SHIFT_STEPS[int(np.argmax([float(winter @ np.roll(summer, int(k))) for k in ob.SHIFT_STEPS]))] / 4.0)


def test_rolls_as_windows_equal_np_roll() -> None:
    summer = np.random.default_rng(0).random((7, ob.BINS))
    rolled = ob._rolled(summer)
    for r in range(len(summer)):
        for k, step in enumerate(ob.SHIFT_STEPS.tolist()):
            assert np.array_equal(rolled[r, k], np.roll(summer[r], step))


@pytest.mark.parametrize("steps", [np.arange(90, 97), np.arange(-97, -90), np.arange(-96, 96), np.arange(-3, 4)])
def test_rolls_at_any_steps_equal_np_roll(monkeypatch: pytest.MonkeyPatch, steps: np.ndarray) -> None:
    """Steps reaching a whole day (+-BINS) have no window in the tripled row; they must take the
    gather, not come back as a short or empty view (the slice does not fail on its own)."""
    monkeypatch.setattr(ob, "SHIFT_STEPS", steps)
    monkeypatch.setattr(ob, "_ROLL", (np.arange(ob.BINS)[None, :] - steps[:, None]) % ob.BINS)
    summer = np.random.default_rng(2).random((3, ob.BINS))
    rolled = ob._rolled(summer)
    assert rolled.shape == (3, len(steps), ob.BINS)
    for r in range(len(summer)):
        for k, step in enumerate(steps.tolist()):
            assert np.array_equal(rolled[r, k], np.roll(summer[r], step))


def test_best_shifts_equal_the_definition() -> None:
    rng = np.random.default_rng(1)
    sides = [(rng.integers(0, ob.BINS, int(rng.integers(10, 60))), rng.integers(0, ob.BINS, int(rng.integers(10, 60)))) for _ in range(150)]
    winter = np.vstack([ob._smoothed(w) for w, _ in sides])
    summer = np.vstack([ob._smoothed(s) for _, s in sides])
    # A day and its own roll: exact ties between shifts, where only the recheck decides.
    winter = np.vstack([winter, summer[:5], np.ones((2, ob.BINS))])
    summer = np.vstack([summer, np.roll(summer[:5], 4, axis=1), np.ones((2, ob.BINS))])
    fast = ob._best_shifts(winter, summer)
    assert fast == [_reference_shift(w, s) for w, s in zip(winter, summer)]
    assert len(set(fast)) > 3


def test_scripts_in_one_search_gate() -> None:
    texts = [None, "", "plain", "café ☕ 😀", "Ёлка", "mixed Ёж and 東京 and ש", "ελληνικά", "\u0400", "\u04ff\u0500", "\ud7af",
             "\u3040", "\u10a0x", "ä" * 50 + "ق"]

    def reference(text: str | None) -> list[str]:
        if not text or text.isascii():
            return []
        return [k for k, rx in org._SCRIPT_RE.items() if rx.search(text)]

    assert [org.scripts_in(t) for t in texts] == [reference(t) for t in texts]
    assert org.scripts_in("mixed Ёж and 東京 and ש") == ["cyrillic", "cjk", "hebrew"]


def _reference_round(x, digits):  # type: ignore[no-untyped-def]
    arr = np.asarray(x, dtype=np.float64)
    return np.array([round(v, digits) for v in arr.ravel().tolist()], dtype=np.float64).reshape(arr.shape)


def test_stage_tables_equal_with_the_reference_paths(sample_study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The bundled sample's three tables with this round's fast paths and with their references
    put back (Python's `round` per cell, the gathered rolls, every script searched): the same to
    the last bit. Fails if any fast path moves a value the stage writes."""
    import re

    from botwatch import exact_round
    from botwatch.accounts import botmodel, origin_batch
    from botwatch.accounts.stage import run_accounts
    from botwatch.elections import load_election

    tables = ("account_features", "account_scores", "account_evidence")
    election = load_election("us-2016")
    run_accounts(sample_study, election, with_clusters=False)
    fast = {t: sample_study.query_arrow(f"SELECT * FROM {t}") for t in tables}
    for module in (exact_round, botmodel, origin_batch):
        monkeypatch.setattr(module, "round_like_python", _reference_round)
    monkeypatch.setattr(ob, "_rolled", lambda summer: np.ascontiguousarray(summer[:, ob._ROLL]))
    monkeypatch.setattr(org, "_ANY_SCRIPT_RE", re.compile(r"[\s\S]"))  # the gate passes every text
    run_accounts(sample_study, election, with_clusters=False)
    for t in tables:
        slow = sample_study.query_arrow(f"SELECT * FROM {t}")
        for name in fast[t].column_names:
            if name in ("gap_std_s", "gap_cv"):  # DuckDB's parallel float aggregate: last bits move run to run
                continue
            assert slow.column(name).equals(fast[t].column(name)), f"{t}.{name}"
    assert fast["account_scores"].num_rows == sample_study.count("accounts")


def _pair_column(seed: int, n_rows: int = 3000) -> pa.Array:
    """A list column of (k, n) structs as `prepare` writes them (keys unique in a row, counts of
    at least one): NULL lists, empty ones, ties in count, the ignored languages, and keys whose
    code-point and UTF-16 orders part (an astral emoji beside U+FFFF) or that differ only in case."""
    rng = random.Random(seed)
    keys = ["en", "ru", "und", "zxx", "de", "En", "é", "z", "\uffff", "😀", "Twitter for iPhone", "Twitter Web Client", "VKontakte", ""]
    rows: list[list[dict[str, object]] | None] = []
    for _ in range(n_rows):
        r = rng.random()
        if r < 0.1:
            rows.append(None)
        elif r < 0.15:
            rows.append([])
        else:
            chosen = rng.sample(keys, rng.randint(1, 5))
            rows.append([{"k": k, "n": rng.choice([1, 1, 2, 3, 7, 2**40])} for k in chosen])
    return pa.array(rows, pa.list_(pa.struct([("k", pa.string()), ("n", pa.int64())])))


@pytest.mark.parametrize("exclude", [(), ("und", "zxx")])
@pytest.mark.parametrize("seed", [0, 1])
def test_top_keys_equal_the_per_account_loop(seed: int, exclude: tuple[str, ...]) -> None:
    """The top key and its share from one Arrow sort equal the per-account `max` over the
    {key: posts} dicts the stage used to build (`_pair_dicts`), value for value and bit for bit."""
    col = _pair_column(seed)
    dicts = feats._pair_dicts(list(range(len(col))), col)  # type: ignore[arg-type]
    want_top, want_share = feats._top_of_dicts([dicts.get(i) for i in range(len(col))], exclude)  # type: ignore[call-overload]
    got_top, got_share = feats.top_keys(pa.chunked_array([col.slice(0, 1000), col.slice(1000)]), exclude)
    assert got_top == want_top
    assert np.array_equal(got_share.view(np.int64), want_share.view(np.int64))
    assert any(t is None for t in got_top) and any(t == "😀" for t in got_top)


def test_top_keys_reads_null_keys_as_the_loop_does() -> None:
    col = pa.array([[{"k": None, "n": 2}, {"k": "en", "n": 1}], None], pa.list_(pa.struct([("k", pa.string()), ("n", pa.int64())])))
    top, share = feats.top_keys(col, ("und",))
    assert top == [None, None] and share[0] == 2 / 3 and math.isnan(share[1])
