"""Origin evidence pooled over a coordination cluster: accounts that act in unison share an origin.

Why: the coordination stage finds accounts that post, retweet and link in unison beyond chance
(`coordination`). Such accounts are usually run by one desk, so what the other members' own
posts say about where they are run from is evidence about this member too: a posing account
whose own hours look American, in a cluster whose other members write Russian on Moscow office
hours, is probably run from the same office.

How much it counts: the members' evidence is not independent (one desk, one schedule), so the
product of their likelihood ratios would be badly over-confident. A member gets the *mean* of
the other members' log-likelihood ratios of Russia (each read off its calibrated P(Russia)
against the calibration mix, as `origin_prior` does): one typical member's worth of evidence,
however large the cluster. Its own evidence still counts in full.

What it assumes: cluster membership says "run together", not "agrees politically". An ordinary
account that joins a cluster with Russia-run accounts (a fan retweeting them in unison) would
inherit their evidence; the validation data cannot measure how often that happens, because the
ordinary archives there carry no retweet structure (see docs/methods.md, origin pooling).

Vectorised: one pass of `numpy.bincount` over the members of all clusters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy.special import expit

from botwatch.count_text import counted, two_figures
from botwatch.prob_text import most_likely, prob3

EPS = 1e-6
# After P(Russia) moves: at most KEEP countries, each of at least MIN_KEPT, are kept (here, in the
# study prior and in `origin_table`, which must agree to the last bit).
KEEP = 8
MIN_KEPT = 0.005


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)


def moved_p(p: "np.ndarray | float", delta: "np.ndarray | float") -> np.ndarray:
    """P(Russia) with its log-odds moved by `delta`, on the account's own unclipped log-odds (a P
    of 0 or 1 stays where it is).

    Why: every move (pooling, the study prior) used to clip P to [EPS, 1 − EPS] first. That floor
    is there to keep the other countries possible, but applied to the P being moved it acts
    against the move: an account above 1 − EPS came out *lower* after evidence for Russia (its
    P was first pulled down to 1 − EPS), one below EPS higher after evidence against. Here a
    move in favour of Russia never lowers P(Russia), and one against it never raises it. (A
    neighbour's or a study's own log-ratio is still read off a clipped P, which bounds how much
    one account can say; that bound is symmetric and never reverses a move.)"""
    with np.errstate(divide="ignore"):
        z = np.log(p) - np.log1p(-np.asarray(p, float))
    return expit(z + delta)


def others_scale(old: "np.ndarray | float", new: "np.ndarray | float") -> "np.ndarray | float":
    """The factor on the other countries when P(Russia) moves from `old` to `new` (they keep their
    relative sizes): (1 − new) / (1 − old), and 1 where `old` is 1 (the others hold nothing)."""
    if np.ndim(old) == 0:
        return (1 - new) / (1 - old) if old < 1 else 1.0
    old_a = np.asarray(old, float)
    return np.where(old_a < 1, (1 - np.asarray(new, float)) / np.where(old_a < 1, 1 - old_a, 1.0), 1.0)


def pooled_log_ratio(p_russia: Sequence[float], cluster: Sequence[int], base: float) -> tuple[np.ndarray, np.ndarray]:
    """Per account: the mean log-likelihood ratio of Russia of the *other* members of its cluster,
    and how many other members it rests on.

    p_russia: calibrated P(Russia) per account (NaN: no origin evidence, left out of the pool);
    cluster: cluster index per account (-1: in no cluster); base: the calibration mix (the share
    of Russia-run accounts the calibrated P assumes), so that logit(P) − logit(base) is the
    account's own log-likelihood ratio. Accounts in no cluster, without evidence of their own, or
    alone with evidence in theirs, get 0 from 0 others.
    """
    p = np.asarray(p_russia, float)
    c = np.asarray(cluster, np.int64)
    ok = (c >= 0) & np.isfinite(p)
    lam = np.where(ok, _logit(np.nan_to_num(p, nan=base)) - _logit(np.float64(base)), 0.0)
    size = int(c.max()) + 1 if len(c) and c.max() >= 0 else 0
    idx = np.where(ok, c, 0)
    s = np.bincount(idx, weights=lam * ok, minlength=size)
    n = np.bincount(idx, weights=ok.astype(float), minlength=size)
    at = np.where(c >= 0, c, 0)
    others = np.where(ok, n[at] - 1, 0.0) if size else np.zeros(len(c))  # an account without evidence is not moved
    total = np.where(c >= 0, s[at] - lam, 0.0) if size else np.zeros(len(c))
    mean = np.divide(total, others, out=np.zeros(len(c)), where=others > 0)
    return mean, others.astype(np.int64)


def pool(p_russia: Sequence[float], cluster: Sequence[int], base: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(Russia) per account with its cluster's pooled evidence added (unchanged outside clusters):
    (new P, the pooled log-ratio added, the number of other members it rests on)."""
    p = np.asarray(p_russia, float)
    move, others = pooled_log_ratio(p, cluster, base)
    new = np.where(others > 0, moved_p(np.nan_to_num(p, nan=base), move), p)
    return new, move, others


def sentence(others: int, move: float, before: float, after: float) -> str:
    """Evidence in words for one account."""
    f = float(np.exp(min(abs(move), 700.0)))
    word = ("×" if move >= 0 else "÷") + two_figures(f)
    # `others` counts the cluster's other members with evidence, not the account's co-actors: "acts in
    # unison with 5 other accounts" was said of a member with a kept edge to one of them.
    return (f"coordination cluster: {counted(others, 'other member')} of this account's cluster (accounts that co-act beyond chance, "
            f"each with at least one other member) {'has' if others == 1 else 'have'} origin evidence; their own "
            f"evidence, pooled as one typical member's worth (mean log-ratio), moves the odds of Russia {word}: P(Russia) "
            f"from {prob3(before)} to {prob3(after)}")


def apply_pool(results: list, cluster: Sequence[int], base: float) -> list:  # list[OriginResult]
    """`results` with each clustered account's P(Russia) moved by its cluster's pooled evidence; the
    other countries keep their relative sizes, and the evidence says what moved it."""
    p = np.array([np.nan if r.p_russia is None or r.country is None else r.p_russia for r in results], float)
    new, move, others = pool(p, cluster, base)
    out = list(results)
    for i in np.flatnonzero(others > 0).tolist():
        old = float(p[i])
        out[i] = with_p_russia(results[i], old, float(new[i]), sentence(int(others[i]), float(move[i]), old, float(new[i])), "cluster_pool")
    return out


def _largest_first_key(kv: tuple[str, float]) -> tuple[bool, float]:
    return kv[1] != kv[1], -kv[1]


def largest_first(items: Iterable[tuple[str, float]]) -> list[tuple[str, float]]:
    """(country, probability) pairs largest first, equal ones in their given order, and a NaN after
    every number, as numpy's sort puts it in the columnar moves (`origin_table.moved`). Why one
    function: with a bare key of −p, where a NaN landed was up to the sort's comparisons, and
    Python 3.13 makes them in another order than 3.11 and 3.12 (the same account led with the NaN
    country on one and with Russia on the other)."""
    return sorted(items, key=_largest_first_key)


def with_p_russia(r: Any, old: float, new: float, said: str, item: str) -> Any:  # OriginResult
    """`r` with P(Russia) moved from `old` (unclipped, `moved_p`) to `new` by pooled evidence:
    the other countries keep their relative sizes, the lead sentence names the new most likely
    country, and `said` is added as the evidence of kind `item`. Shared by every pooling rule
    (clusters here, shared texts in `origin_textpool`), so they report a move the same way."""
    scale = others_scale(old, new)
    probs = {k: v * scale for k, v in r.probabilities.items() if k != "RU"}
    probs["RU"] = new
    order = largest_first(probs.items())
    best, p_best = order[0]
    kept = {k: round(v, 4) for k, v in order[:KEEP] if v >= MIN_KEPT}
    head = r.evidence[0] if r.evidence else ""  # an account may carry a country but no evidence lines
    lead = most_likely(best, p_best) + (head[head.find(";"):] if ";" in head else "")
    return type(r)(country=best, probability=float(p_best), probabilities=kept,
                   evidence=[lead, *r.evidence[1:], said], items=[*r.items, item], p_russia=new)
