"""`origin.origin_posterior` for many accounts at once, with the same numbers and sentences.

Why: per account, the posterior is a dozen small numpy calls (log, sum, exp, normalise,
calibrate, sort) on a vector of a few dozen countries; over 35k accounts that call overhead was
a large part of the accounts stage. Here the evidence items come from `origin.evidence_vectors`
(every likelihood and sentence, with profile values cached there), and the arithmetic runs on an
accounts × countries matrix. The stage itself now reads the same items per evidence kind over a
batch's columns (`origin_columns`, which mirrors `evidence_vectors`' rules and is tested equal to
this path); the validation scripts still come through here.

Exactness: each account's log posterior is built as in `origin_posterior`: the log prior plus the
log of each item's vector, in the account's item order (an account with fewer items adds exact
zeros), and the logs are taken vector by vector as there. The tests compare this path with
`origin_posterior` result for result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from botwatch.accounts.origin import (
    HOME_PRIOR,
    NO_EVIDENCE,
    OriginInput,
    OriginResult,
    calibrate_russia_rows,
    codes,
    evidence_vectors,
    office_factor,
    prior,
)
from botwatch.exact_round import round_like_python
from botwatch.prob_text import most_likely

CHUNK = 8192  # accounts per matrix: bounds memory (a few MB per chunk) on any study size


class Posteriors(NamedTuple):
    """Rows' calibrated posteriors and what the evidence sentences read from them."""

    p: np.ndarray  # [row, country]
    notes: list[str | None]  # the calibration sentence per row (None: not calibrated)
    order: list[list[int]]  # the `keep` most likely countries per row, most likely first
    top: list[list[float]]  # their probabilities
    top_rounded: list[list[float]]  # the same, `round(v, 4)` (as stored)


def posteriors(logs: np.ndarray, idx: np.ndarray, home: str | None, keep: int, calibrate: bool) -> Posteriors:
    """The posterior of each row of `idx` ([row, item] indices into `logs`, the item vectors'
    logs, whose last row is zeros so that -1, "no item here", adds an exact zero): the log prior
    plus each item's log in item order, normalised, then the calibration map on P(Russia). One
    function for `origin_posteriors` and the stage's `origin_columns`, so their numbers cannot
    drift apart."""
    logp = np.tile(np.log(prior(home)), (len(idx), 1))
    for j in range(idx.shape[1]):
        logp += logs[idx[:, j]]
    logp -= logp.max(axis=1, keepdims=True)
    p = np.exp(logp)
    p /= p.sum(axis=1, keepdims=True)
    notes: list[str | None] = [None] * len(idx)
    if calibrate:
        p, notes = calibrate_russia_rows(p)
    order = np.argsort(-p, axis=1)[:, :keep]
    top_p = np.take_along_axis(p, order, axis=1)
    return Posteriors(p, notes, order.tolist(), top_p.tolist(), round_like_python(top_p, 4).tolist())  # round(v, 4) of every cell at once


def lead_sentence(best: str, p: float, home: str | None) -> str:
    """The first evidence sentence: the most likely country, and the prior's home share if any."""
    suffix = f"; prior gave {home} {HOME_PRIOR:.0%} before any evidence" if home else ""
    return most_likely(best, p) + suffix


def origin_posteriors(inputs: Sequence[OriginInput], home: str | None = None, keep: int = 8,
                      calibrate: bool = True) -> list[OriginResult]:
    """`[origin_posterior(inp, home=home, keep=keep, calibrate=calibrate) for inp in inputs]`."""
    out: list[OriginResult] = []
    for s in range(0, len(inputs), CHUNK):
        out += _chunk(inputs[s:s + CHUNK], home, keep, calibrate)
    return out


def _chunk(inputs: Sequence[OriginInput], home: str | None, keep: int, calibrate: bool) -> list[OriginResult]:
    items = [evidence_vectors(inp, frozenset(), home) for inp in inputs]
    n, width, n_codes = len(items), max((len(x) for x in items), default=0), len(codes())
    # Distinct vectors (profile values share theirs across accounts), each logged once; which
    # row each item reads is placed for all items at once (a dict lookup and a numpy store per
    # item was a fifth of this function).
    vectors = [v for its in items for _, v, _ in its]
    idx = np.full((n, width), -1, np.int64)
    logs: list[np.ndarray] = []
    if vectors:
        _, first, inverse = np.unique(np.fromiter(map(id, vectors), np.uint64, count=len(vectors)), return_index=True, return_inverse=True)
        logs = [np.log(vectors[k]) for k in first.tolist()]
        lens = np.fromiter(map(len, items), np.int64, count=n)
        idx[np.repeat(np.arange(n), lens), np.arange(len(vectors)) - np.repeat(np.cumsum(lens) - lens, lens)] = inverse.reshape(-1)
    logs.append(np.zeros(n_codes))  # row -1: "no item here" adds an exact zero
    got = posteriors(np.vstack(logs), idx, home, keep, calibrate)
    names = codes()
    p_ru = got.p[:, names.index("RU")].tolist()
    out: list[OriginResult] = []
    for i, (its, o, t, tr, note) in enumerate(zip(items, got.order, got.top, got.top_rounded, got.notes)):
        if not its:
            out.append(OriginResult(None, None, {}, [NO_EVIDENCE], []))
            continue
        probs = {names[k]: r for k, v, r in zip(o, t, tr) if v >= 0.005}
        best = names[o[0]]
        sentences = [lead_sentence(best, t[0], home), *(s for _, _, s in its)]
        kinds = [k for k, _, _ in its]
        if note:
            sentences.append(note)
            kinds.append("calibration")
        out.append(OriginResult(best, t[0], probs, sentences, kinds, p_ru[i], office_factor([k for k, _, _ in its], [v for _, v, _ in its], home)))
    return out
