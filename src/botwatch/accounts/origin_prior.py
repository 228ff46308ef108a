"""The study's own share of Russia-run accounts (empirical Bayes), with its uncertainty.

Why: the calibrated P(Russia) of `origin` is right for the mix it was calibrated on (the
development part: `calibration.russia_share` of the accounts were Russia-run). A study is a
different mix: an election sample has few such accounts, a list of suspended accounts has many.
The per-account evidence is a likelihood ratio against that calibration mix,

    Λ_i = odds(P_i) / odds(m0),          m0 = calibration.russia_share,

and the study's share π of Russia-run accounts is estimated from all its accounts together by the
mixture likelihood Π_i (π Λ_i + 1 − π) (prior shift as in Saerens, Latinne & Decaestecker 2002),
with a normal prior on logit π centred on logit m0 (sd `PRIOR_LOGIT_SD`): wide enough that a study
of thousands of accounts is read from its own accounts, so that a handful cannot move it far. π is integrated over a grid rather than plugged in, so its uncertainty
reaches each account:

    P'_i = E_π[ π Λ_i / (π Λ_i + 1 − π) | all accounts ].

What this assumes: the accounts' evidence looks the same, given where they are run from, in the
study as in the development data (label shift). It does not make any one account's evidence
stronger: an account whose own signals are neutral gets about π. So in a study that is mostly
Russia-run, accounts posing as locals are placed in Russia because the study is, and in an
ordinary election sample the prior barely moves. The evidence sentence says so.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from botwatch.accounts.origin_pool import KEEP, MIN_KEPT

PRIOR_LOGIT_SD = 2.0  # prior sd of logit π around the calibration mix (odds ×e^±4 at 95%)
# Candidate shares π: log-spaced from 0.0001 to 0.1, then every 0.0025 up to 0.9995.
GRID = np.unique(np.concatenate([np.logspace(-4, -1, 200), np.arange(0.1, 0.9996, 0.0025)]))
EPS = 1e-6


@dataclass(frozen=True)
class StudyPrior:
    """The estimated share of Russia-run accounts among the study's accounts with evidence."""

    share: float  # posterior mean of π
    lo: float  # 95% interval
    hi: float
    accounts: int  # accounts the estimate rests on
    base: float  # m0: the mix the per-account probabilities were calibrated on
    weights: np.ndarray  # posterior over GRID

    def sentence(self, before: float, after: float) -> str:
        """Words for one account: what the study's mix is and how far it moved P(Russia)."""
        return (f"study prior: from all {self.accounts:,} accounts with origin evidence, an estimated {self.share:.1%} "
                f"[{self.lo:.1%}, {self.hi:.1%}] of this study's accounts are run from Russia (calibration assumed "
                f"{self.base:.1%}); this moves P(Russia) from {before:.3f} to {after:.3f}. It says what the study is made of, "
                f"not something new about this account")


def _odds(p: np.ndarray) -> np.ndarray:
    return p / (1 - p)


def estimate(p_russia: Sequence[float], base: float, prior_sd: float = PRIOR_LOGIT_SD) -> StudyPrior:
    """Posterior over the study's share π of Russia-run accounts from calibrated P(Russia) per account."""
    return from_log_likelihood(log_likelihood(p_russia, base), len(p_russia), base, prior_sd)


def log_likelihood(p_russia: Sequence[float], base: float) -> np.ndarray:
    """The mixture log-likelihood of these accounts at each share in GRID. It adds up over
    accounts, so a study's is the sum over any split of its accounts (the accounts stage sums
    its batches' and passes the total to `from_log_likelihood`)."""
    p = np.clip(np.asarray(p_russia, float), EPS, 1 - EPS)
    lam = _odds(p) / _odds(np.float64(base))
    ll = np.zeros(len(GRID))
    for chunk in np.array_split(lam, max(1, len(lam) // 20_000 + 1)):
        ll = ll + _chunk_log_likelihood(chunk)
    return ll


_BLOCK_CELLS = 1 << 15  # grid points × accounts per array in `_chunk_log_likelihood` (256 KiB of float64)


def _chunk_log_likelihood(lam: np.ndarray) -> np.ndarray:
    """`np.log(GRID[:, None] * lam[None, :] + 1 - GRID[:, None]).sum(1)`, the same values, a few
    grid points at a time.

    Why: the whole (grid × 20,000 accounts) product is 90 MB, and each of its four temporaries
    was a fresh allocation the kernel had to fault in, three quarters of the time. Blocks of grid
    points small enough to stay in cache give each cell the same operations, and each grid point's
    sum is the same pairwise sum over the same row (the whole-grid expression is the tests'
    reference, in `testsupport/accounts_reference.py`)."""
    out = np.empty(len(GRID))
    step = max(1, _BLOCK_CELLS // max(1, len(lam)))
    for i in range(0, len(GRID), step):
        g = GRID[i:i + step, None]
        out[i:i + step] = np.log(g * lam[None, :] + 1 - g).sum(1)
    return out


def from_log_likelihood(ll: np.ndarray, accounts: int, base: float, prior_sd: float = PRIOR_LOGIT_SD) -> StudyPrior:
    """The posterior over π from the accounts' summed `log_likelihood`."""
    logit = np.log(GRID) - np.log1p(-GRID)
    z = (logit - np.log(base / (1 - base))) / prior_sd
    # log prior mass per grid cell: normal density in logit, times d logit/dπ, times the cell width
    ll = -0.5 * z * z - np.log(GRID) - np.log1p(-GRID) + np.log(np.gradient(GRID)) + ll
    w = np.exp(ll - ll.max())
    w /= w.sum()
    cdf = np.cumsum(w)
    lo, hi = GRID[int(np.searchsorted(cdf, 0.025))], GRID[min(int(np.searchsorted(cdf, 0.975)), len(GRID) - 1)]
    return StudyPrior(float((w * GRID).sum()), float(lo), float(hi), accounts, base, w)


def adjust(p_russia: Sequence[float], prior: StudyPrior) -> np.ndarray:
    """P(Russia) per account under the study's own share (π integrated over its posterior)."""
    p = np.clip(np.asarray(p_russia, float), EPS, 1 - EPS)
    lam = _odds(p) / _odds(np.float64(prior.base))
    out = np.empty_like(p)
    keep = prior.weights > 1e-12 * prior.weights.max()
    g, w = GRID[keep], prior.weights[keep] / prior.weights[keep].sum()
    for s in range(0, len(p), 20_000):
        x = lam[s:s + 20_000]
        out[s:s + 20_000] = (w[:, None] * (g[:, None] * x) / (g[:, None] * x + 1 - g[:, None])).sum(0)
    return out


def study_base(home: str | None) -> float | None:
    """The calibration mix m0 when a study prior applies at all: not when the election's own
    country is Russia (then Russia is home, not a foreign origin), nor without calibration."""
    from botwatch.accounts.origin_signals import parameters

    base = (parameters().get("calibration") or {}).get("russia_share")
    return None if home == "RU" or not base else float(base)


def evidence_p_russia(results: list) -> np.ndarray:  # list[OriginResult]
    """P(Russia) of the accounts with origin evidence (those the study prior reads and moves)."""
    return np.array([r.p_russia for r in results if r.country is not None and r.p_russia is not None], float)


def apply_study_prior(results: list, home: str | None = None, prior: StudyPrior | None = None) -> tuple[list, StudyPrior | None]:  # list[OriginResult]
    """Re-weight each account's P(Russia) by the study's own estimated share; other countries keep
    their relative sizes. Unknown origins stay unknown. Not applied when the election's own country
    is Russia (then Russia is the home country, not a foreign origin) or when the calibration
    parameters are missing. `prior`: the study's estimate made beforehand (over all its accounts,
    when `results` are a batch of them); without it, it is estimated from `results`. Returns the
    new results and the estimate (None if not applied)."""
    base = study_base(home)
    idx = [i for i, r in enumerate(results) if r.country is not None and r.p_russia is not None]
    if base is None or not idx:
        return results, None
    before = np.array([results[i].p_russia for i in idx], float)
    prior = prior if prior is not None else estimate(before, base)
    after = adjust(before, prior)
    out = list(results)
    # The study-prior sentence differs between accounts only in its two numbers: the rest is
    # written once (`StudyPrior.sentence` gives the same text).
    marker = "\x00"
    head, _, rest = prior.sentence(0.0, 0.0).replace("0.000 to 0.000", marker, 1).partition(marker)
    by_value = operator.itemgetter(1)
    # What an account's new probabilities and lead are depends only on its old probabilities and
    # its P(Russia) before and after; accounts with the same profile evidence share these (a
    # study of one status per account has few distinct ones), so each is worked out once.
    done: dict[tuple[Any, ...], tuple[str, float, dict[str, float], str, str]] = {}
    for i, old, new in zip(idx, before.tolist(), after.tolist()):
        r = results[i]
        key = (*r.probabilities.items(), old, new)
        hit = done.get(key)
        if hit is None:
            old_c = min(max(old, EPS), 1 - EPS)
            scale = (1 - new) / (1 - old_c)
            probs = {c: v * scale for c, v in r.probabilities.items() if c != "RU"}
            probs["RU"] = new
            # Largest first; `reverse` keeps equal values in their order, as a key of -value does.
            order = sorted(probs.items(), key=by_value, reverse=True)
            best, p_best = order[0]
            kept = {c: round(v, 4) for c, v in order[:KEEP] if v >= MIN_KEPT}
            hit = done[key] = (best, p_best, kept, f"most likely {best} (p={p_best:.2f})", f"{head}{old_c:.3f} to {new:.3f}{rest}")
        best, p_best, kept, lead, moved = hit
        first = r.evidence[0]
        cut = first.find(";")
        # The result class built directly (every field is given): `dataclasses.replace` per account cost more than the rest.
        out[i] = type(r)(country=best, probability=p_best, probabilities=dict(kept),
                         evidence=[lead + first[cut:] if cut >= 0 else lead, *r.evidence[1:], moved],
                         items=[*r.items, "study_prior"], p_russia=new)
    return out, prior
