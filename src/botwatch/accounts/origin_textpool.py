"""Origin evidence pooled over accounts that post the same texts: the `shared_texts` item.

Why: an account run from an office that poses well (American hours, American places) still posts
what its desk posts: the same copy-pasted texts and retweets of the same tweets as the desk's
other accounts, some of which pose less well (Moscow office hours, Russian posts). What those
accounts' own posts say about where they are run from is evidence about this one too.

Who counts as a neighbour (one study-level query, `neighbours`): two accounts that posted at least
`MIN_SHARED` identical texts (normalised as the coordination stage's co-post does: lower case, no
links, no "RT @x:" prefix; at least `MIN_TEXT_CHARS` characters), counting only texts posted by at
most `MAX_ACCOUNTS` accounts of the study (a text everybody retweets says nothing about who runs
whom). Retweets count: retweeting the same tweets is what a desk's accounts do together.

How much it counts: the neighbours' evidence is not independent (one desk, one schedule), so an
account gets the *mean* of its neighbours' own log-likelihood ratios of Russia (each read off its
calibrated P(Russia) against the calibration mix, before any study prior and before pooling),
one typical neighbour's worth however many there are, times a slope fitted on the development
part (`text_pool.slope` in `data/origin_behaviour_lr.json`, from a logistic regression of "run
from Russia" on the account's own log-ratio and its neighbours' mean; clipped to [0, 1] as the
behavioural items' slopes are). Its own evidence still counts in full; an account without origin
evidence of its own is not moved.

What it assumes: posting the same texts says "run together", not "agrees". An ordinary account
that retweets the same few tweets of Russia-run accounts would inherit their evidence. The
validation data measures this only as far as it can (docs/methods.md): the ordinary archives there
share texts with each other but almost never with the IRA handles.

Vectorised: one `numpy.bincount` over all neighbour pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from botwatch.accounts.origin_pool import moved_p, with_p_russia
from botwatch.count_text import counted, two_figures
from botwatch.prob_text import prob3

KIND = "shared_texts"
MIN_SHARED = 2  # identical texts two accounts must share (chosen on the development part: 1, 2, 3)
MAX_ACCOUNTS = 50  # a text posted by more accounts than this is too common to say who runs whom
MIN_TEXT_CHARS = 25  # as the coordination stage's co-post: shorter texts are generic
EPS = 1e-6


@dataclass(frozen=True)
class Neighbours:
    """Directed neighbour pairs of a study: account (platform, account_id) → neighbour, with the
    number of texts they share. Both directions are listed."""

    platform: list[str]
    account_id: list[str]
    other_id: list[str]
    shared: list[int]


def neighbours_expr(study: Any, min_shared: int = MIN_SHARED, max_accounts: int = MAX_ACCOUNTS) -> Any:
    """The study's neighbour pairs as one Ibis expression (columns platform, account_id, other_id,
    n): DuckDB and Spark run the same. The accounts stage stores it in the engine (`write_expr`);
    `neighbours` collects it."""
    from botwatch.coordination.behaviours import normalise_text, shared_text

    posts = study.table("posts")
    posts = posts.mutate(_text=shared_text(posts))  # without a content warning, as co-post reads it
    # A text shorter than MIN_TEXT_CHARS cannot normalise to one that long: left out before the regexes run.
    raw = posts.filter(posts._text.notnull() & (posts._text.length() >= MIN_TEXT_CHARS))
    t = raw.select("platform", "account_id", s=normalise_text(raw._text)).distinct()
    per_text = t.group_by(["platform", "s"]).aggregate(k=t.account_id.count())
    # The length test on the grouped texts, not on `t`: there DuckDB pushes it below the DISTINCT
    # and runs the regexes twice (measured: 3.4 -> 1.9 CPU-s on 385k posts). Same pairs, since
    # only texts in `common` are kept.
    common = per_text.filter((per_text.k >= 2) & (per_text.k <= max_accounts) & (per_text.s.length() >= MIN_TEXT_CHARS)).select("platform", "s")
    u = t.join(common, ["platform", "s"])
    a, b = u.view(), u.view()
    j = a.join(b, [a.platform == b.platform, a.s == b.s, a.account_id != b.account_id])
    j = j.select(platform=a.platform, account_id=a.account_id, other_id=b.account_id)
    pairs = j.group_by(["platform", "account_id", "other_id"]).aggregate(n=j.account_id.count())
    return pairs.filter(pairs.n >= min_shared)


def neighbours(study: Any, min_shared: int = MIN_SHARED, max_accounts: int = MAX_ACCOUNTS) -> Neighbours:
    """The study's neighbour pairs at the driver (validation and fitting scripts; the accounts
    stage keeps them in the engine instead)."""
    tbl = study.expr_arrow(neighbours_expr(study, min_shared, max_accounts))
    return Neighbours(tbl.column("platform").to_pylist(), tbl.column("account_id").to_pylist(),
                      tbl.column("other_id").to_pylist(), [int(x) for x in tbl.column("n").to_pylist()])


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)


def neighbour_mean(p_russia: Sequence[float], src: Sequence[int], dst: Sequence[int], base: float) -> tuple[np.ndarray, np.ndarray]:
    """Per account: the mean own log-likelihood ratio of Russia of its neighbours with evidence, and
    how many there are. p_russia: calibrated P(Russia) per account (NaN: no origin evidence);
    src → dst: neighbour pairs as account indices; base: the calibration mix."""
    p = np.asarray(p_russia, float)
    s, d = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    ok = np.isfinite(p)
    lam = np.nan_to_num(own_log_ratio(p, base), nan=0.0)
    keep = ok[d] if len(d) else np.zeros(0, bool)
    total = np.bincount(s[keep], weights=lam[d[keep]], minlength=len(p))
    count = np.bincount(s[keep], minlength=len(p)).astype(np.int64)
    mean = np.divide(total, count, out=np.zeros(len(p)), where=count > 0)
    return mean, np.where(ok, count, 0)


def own_log_ratio(p_russia: Sequence[float], base: float) -> np.ndarray:
    """Each account's own log-likelihood ratio of Russia against the calibration mix `base` (NaN
    where P(Russia) is NaN: no origin evidence). What a neighbour contributes to the mean."""
    p = np.asarray(p_russia, float)
    return np.where(np.isfinite(p), _logit(np.nan_to_num(p, nan=base)) - _logit(np.float64(base)), np.nan)


def evidence_p(results: list) -> np.ndarray:  # list[OriginResult]
    """P(Russia) per result, NaN where the account has no origin evidence (pooling neither reads nor moves it)."""
    return np.array([np.nan if r.p_russia is None or r.country is None else r.p_russia for r in results], float)


def base_mix() -> float | None:
    """The calibration mix the log-ratios are taken against; None (no pooling) without it or without a fitted slope."""
    from botwatch.accounts.origin_signals import parameters

    base = (parameters().get("calibration") or {}).get("russia_share")
    return float(base) if base and slope() > 0 else None


def slope() -> float:
    """The fitted weight of the neighbours' mean log-ratio (0 when not fitted: no pooling)."""
    from botwatch.accounts.origin_signals import parameters

    return float((parameters().get("text_pool") or {}).get("slope", 0.0))


def sentence(others: int, move: float, before: float, after: float) -> str:
    """Evidence in words for one account."""
    f = math.exp(min(abs(move), 700.0))
    word = ("×" if move >= 0 else "÷") + two_figures(f)
    return (f"shared texts: this account posted at least {MIN_SHARED} of the same texts as each of {counted(others, 'other account')} with origin "
            f"evidence; their own evidence, taken as one typical account's worth (mean log-ratio, weighted as measured on the "
            f"development part), moves the odds of Russia {word}: P(Russia) from {prob3(before)} to {prob3(after)}")


def apply(results: list, keys: Sequence[tuple[str, str]], pairs: Neighbours | None, base: float | None = None) -> list:  # list[OriginResult]
    """`results` (one per key, calibrated, before any study prior) with each account's P(Russia)
    moved by its neighbours' pooled evidence; other countries keep their relative sizes and the
    evidence says what moved it. Unchanged without pairs, parameters or a calibration mix."""
    from botwatch.accounts.origin_signals import parameters

    base = base if base is not None else (parameters().get("calibration") or {}).get("russia_share")
    if pairs is None or not pairs.account_id or slope() <= 0 or not base:
        return results
    src, dst = pair_rows(keys, pairs)
    mean, others = neighbour_mean(evidence_p(results), src, dst, float(base))
    return apply_means(results, mean, others, float(base))


def pair_rows(keys: Sequence[tuple[str, str]], pairs: Neighbours) -> tuple[list[int], list[int]]:
    """The neighbour pairs as row positions in `keys` ((platform, account_id) per row): src[k]
    posted the same texts as dst[k]. Pairs with an account outside `keys` are left out (a batch
    or a study part holds only some of the study's accounts)."""
    at = {key: i for i, key in enumerate(keys)}
    src, dst = [], []
    for plat, a, b in zip(pairs.platform, pairs.account_id, pairs.other_id):
        i, j = at.get((plat, a)), at.get((plat, b))
        if i is not None and j is not None:
            src.append(i)
            dst.append(j)
    return src, dst


def pooled_p(p_russia: np.ndarray, mean: np.ndarray, others: np.ndarray, base: float) -> np.ndarray:
    """P(Russia) after pooling: moved by slope × the neighbours' mean log-ratio where the account
    has evidence and neighbours with evidence, else as it was (NaN: no evidence)."""
    p = np.asarray(p_russia, float)
    move = slope() * np.asarray(mean, float)
    new = moved_p(np.nan_to_num(p, nan=float(base)), move)  # never against the move (`origin_pool.moved_p`)
    return np.where((np.asarray(others) > 0) & np.isfinite(p), new, p)


def apply_means(results: list, mean: Sequence[float], others: Sequence[int], base: float) -> list:  # list[OriginResult]
    """`apply` given each account's neighbour mean log-ratio and number of neighbours with
    evidence (0: not moved), however they were computed: the accounts stage computes them in
    the engine over batches of accounts, `apply` from pairs in memory."""
    p = evidence_p(results)
    mean_a, others_a = np.asarray(mean, float), np.asarray(others, np.int64)
    move = slope() * mean_a
    new = pooled_p(p, mean_a, others_a, base)
    out = list(results)
    for i in np.flatnonzero((others_a > 0) & np.isfinite(p)).tolist():
        old = float(p[i])
        out[i] = with_p_russia(results[i], old, float(new[i]), sentence(int(others_a[i]), float(move[i]), old, float(new[i])), KIND)
    return out


def near_russia(results: list, keys: Sequence[tuple[str, str]], pairs: Neighbours | None, k: int) -> np.ndarray:  # list[OriginResult]
    """Per account: whether at least `k` of its shared-text neighbours are placed in Russia by their
    own evidence (most likely country Russia in `results`, before pooling and any study prior).
    Such accounts are estimated a study prior of their own (`origin_prior`): the accounts around a
    desk are a different population from the rest of an election sample."""
    n = len(results)
    if pairs is None or not pairs.account_id or n == 0:
        return np.zeros(n, bool)
    src, dst = pair_rows(keys, pairs)
    ru = np.array([r.country == "RU" for r in results], bool)
    s, d = np.asarray(src, np.int64), np.asarray(dst, np.int64)
    count = np.bincount(s[ru[d]], minlength=n) if len(s) else np.zeros(n, np.int64)
    return count >= k
