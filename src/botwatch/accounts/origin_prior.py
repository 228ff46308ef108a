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

import dataclasses
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from botwatch.accounts.origin_pool import KEEP, MIN_KEPT, moved_p, others_scale

PRIOR_LOGIT_SD = 2.0  # prior sd of logit π around the calibration mix (odds ×e^±4 at 95%)
# Candidate shares π: log-spaced from 0.0001 to 0.1, every 0.0025 from 0.1 to 0.9, and the mirror
# of the first part from 0.9 to 0.9999 (1 − log-spaced), so a share near 1 is resolved as finely as
# one near 0. The grid ended at 0.9975 before: a study whose accounts were nearly all home (or,
# near Russia, nearly all Russia-run) piled its whole posterior on that last point, and printed
# "99.7% [99.8, 99.8]", an interval that did not hold its own estimate.
GRID = np.unique(np.concatenate([np.logspace(-4, -1, 200), np.arange(0.1, 0.9, 0.0025), 1.0 - np.logspace(-4, -1, 200)]))
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
    home_share: "HomeShare | None" = None  # the study's home share, estimated beside it (`estimate_home`)
    # Which accounts the estimate is over, in words (`NEAR_SCOPE`, `FAR_SCOPE`; "" for all of the study's).
    scope: str = ""
    # The share estimated apart for the accounts near Russia (`apply_stratified`), when the study has any.
    near: "StudyPrior | None" = None

    def sentence(self, before: float, after: float) -> str:
        """Words for one account: what the study's mix is and how far it moved P(Russia)."""
        whose = f"the {self.accounts:,} accounts with origin evidence {self.scope}" if self.scope else f"all {self.accounts:,} accounts with origin evidence"
        of = "of them" if self.scope else "of this study's accounts"
        return (f"study prior: from {whose}, an estimated {self.share:.1%} "
                f"[{self.lo:.1%}, {self.hi:.1%}] {of} are run from Russia (calibration assumed "
                f"{self.base:.1%}); this moves P(Russia) from {before:.3f} to {after:.3f}. It says what the study is made of, "
                f"not something new about this account")

    def overall(self) -> float:
        """The Russia share of all the study's accounts with origin evidence (both strata together)."""
        if self.near is None:
            return self.share
        n = self.accounts + self.near.accounts
        return (self.share * self.accounts + self.near.share * self.near.accounts) / n if n else self.share


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
    share = float((w * GRID).sum())
    # The interval is read off grid cells and the estimate is the posterior mean: with the mass
    # piled on a few cells at one end the mean can fall just outside the cells' 2.5-97.5% range.
    # The interval is widened to hold it, so a printed estimate never lies outside its own interval.
    return StudyPrior(share, float(min(lo, share)), float(max(hi, share)), accounts, base, w)


def adjust(p_russia: Sequence[float], prior: StudyPrior) -> np.ndarray:
    """P(Russia) per account under the study's own share (π integrated over its posterior): each
    account's log-odds moved by logit(π) − logit(base), on its own unclipped P (`origin_pool.moved_p`:
    a P of 0 or 1 stays, and a share above the calibration mix never lowers P(Russia); clipping
    P to [EPS, 1 − EPS] first did, for accounts above 1 − EPS)."""
    p = np.asarray(p_russia, float)
    out = np.empty_like(p)
    keep = prior.weights > 1e-12 * prior.weights.max()
    g, w = GRID[keep], prior.weights[keep] / prior.weights[keep].sum()
    shift = np.log(g) - np.log1p(-g) - float(np.log(prior.base) - np.log1p(-prior.base))
    for s in range(0, len(p), 20_000):
        x = p[s:s + 20_000]
        out[s:s + 20_000] = (w[:, None] * moved_p(x[None, :], shift[:, None])).sum(0)
    # The weights sum to one only up to rounding (numpy 2.4's summation order left a P of 1 at
    # 1 − 1e-16 and one of 0.9999999 above 1): a P of 0 or 1 stays exactly, and none leaves [0, 1].
    return np.where((p == 0.0) | (p == 1.0), p, np.clip(out, 0.0, 1.0))


def study_base(home: str | None) -> float | None:
    """The calibration mix m0 when a study prior applies at all: not when the election's own
    country is Russia (then Russia is home, not a foreign origin), nor without calibration."""
    from botwatch.accounts.origin_signals import parameters

    base = (parameters().get("calibration") or {}).get("russia_share")
    return None if home == "RU" or not base else float(base)


def evidence_p_russia(results: list) -> np.ndarray:  # list[OriginResult]
    """P(Russia) of the accounts with origin evidence (those the study prior reads and moves)."""
    return np.array([r.p_russia for r in results if r.country is not None and r.p_russia is not None], float)


# The accounts near Russia: at least `NEAR_MIN` shared-text neighbours whose own evidence places them in
# Russia (`origin_textpool.near_russia`). Chosen on the development part (docs/methods.md, "Study prior
# near Russia"; scripts/measure_origin_neighbour_prior.py: 1 to 5 neighbours, by a rule written before
# the run).
NEAR_MIN = 1
NEAR_SCOPE = "that post the same texts as an account whose own evidence places it in Russia"
FAR_SCOPE = "that post no text in common with an account whose own evidence places it in Russia"


def apply_stratified(results: list, home: str | None, near: "Sequence[bool] | np.ndarray | None",
                     prior: StudyPrior | None = None) -> tuple[list, StudyPrior | None]:  # list[OriginResult]
    """`apply_study_prior` with the accounts near Russia (`near`, per result) on a share of their own.

    Why: a desk's accounts post the same texts, and the accounts around an account whose own
    evidence places it in Russia are not the rest of an election sample: one share for both lent
    the posing accounts of a desk the sample's small share (and the sample a little of the desk's).
    Each stratum's share is estimated from its own accounts exactly as the study prior is (a
    handful of accounts cannot move it far from the calibration mix), and each account is
    re-weighted by its stratum's. The far stratum's estimate is returned, the near one as its
    `near` (None without accounts near Russia: then this is `apply_study_prior`). `prior`: both
    estimated beforehand (the stage's, over all batches); else they are estimated from `results`."""
    mask = np.zeros(len(results), bool) if near is None else np.asarray(near, bool)
    if not mask.any() and (prior is None or prior.near is None):
        return apply_study_prior(results, home, prior)
    base = study_base(home)
    if base is None:
        return results, None
    idx_near, idx_far = np.flatnonzero(mask).tolist(), np.flatnonzero(~mask).tolist()
    near_r, far_r = [results[i] for i in idx_near], [results[i] for i in idx_far]
    if prior is None:
        pn, pf = evidence_p_russia(near_r), evidence_p_russia(far_r)
        near_prior = dataclasses.replace(estimate(pn, base), scope=NEAR_SCOPE) if len(pn) else None
        far_prior = dataclasses.replace(estimate(pf, base), scope=FAR_SCOPE) if len(pf) else None
    else:
        far_prior, near_prior = prior, prior.near
    out = list(results)
    for idx, rs, pr in ((idx_near, near_r, near_prior), (idx_far, far_r, far_prior)):
        if pr is not None and rs:
            got, _ = apply_study_prior(rs, home, dataclasses.replace(pr, near=None))
            for i, r in zip(idx, got):
                out[i] = r
    top = far_prior if far_prior is not None else near_prior
    return out, None if top is None else dataclasses.replace(top, near=near_prior)


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
            old_c = old  # unclipped: the other countries are rescaled from what they held (`origin_pool.others_scale`)
            scale = others_scale(old, new)
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


# --- The study's own home share -------------------------------------------------------------
#
# Why: the origin prior gives the election's own country a fixed `origin.HOME_PRIOR` (30%) of the
# mass. That is a guess about what a study is made of, and it is wrong both ways: a study of an
# election's talk is mostly its voters, a list of suspended troll accounts is not. An account
# whose only evidence is English posts ended with P(home) about 0.45 under a GB election, so under
# the foreign rule (`origin_rule`: P(outside home) >= 0.5) ordinary local accounts counted foreign.
# The study's home share is estimated from its own accounts exactly as the Russia share above
# (prior shift, Saerens, Latinne & Decaestecker 2002, integrated over GRID, a normal prior on the
# logit centred on the stated share), on the accounts' P(home) among the countries other than
# Russia: P(Russia) is the Russia prior's to set (it is calibrated, and the study's Russia share
# is estimated above), so this estimate only moves mass between home and the third countries.
#
#     q_i = P_i(home) / (1 − P_i(Russia)),   Λ_i = odds(q_i) / odds(b),
#
# with b the share the stated prior gives home among the countries other than Russia (HOME_PRIOR
# over 1 − the prior's Russia mass: 30.3% under a GB or US election), the prior's centre. q_i is
# the same before and after shared-text pooling and the Russia prior (both scale the countries
# other than Russia alike), so the stage estimates it from its first pass's stored results.
#
# Not applied when home is Russia (there is no Russia prior then either), nor to an account
# whose stored distribution lacks home (P(home) < 0.005 before, `origin_pool.MIN_KEPT`): it stays
# without it, as counted foreign as before.

HOME_KIND = "home_share"


@dataclass(frozen=True)
class HomeShare(StudyPrior):
    """The estimated share of the election's own country among the study's accounts that are not
    run from Russia (`share`, `lo`, `hi`, `weights` over GRID; `base`: the stated prior's share)."""

    home: str = ""
    russia: float | None = None  # the Russia prior's estimated share of the same accounts, when known

    def overall(self) -> float | None:
        """The home share of all the study's accounts with origin evidence: share × (1 − Russia share)."""
        return None if self.russia is None else self.share * (1.0 - self.russia)

    def sentence(self, before: float, after: float) -> str:
        """Words for one account: what the study's home share is and how far it moved P(home)."""
        whole = self.overall()
        of_all = "" if whole is None else f"about {whole:.1%} of all of them, "
        return (f"study home share: from the {self.accounts:,} accounts with origin evidence that no profile place puts outside {self.home}, "
                f"an estimated {self.share:.1%} "
                f"[{self.lo:.1%}, {self.hi:.1%}] of this study's accounts not run from Russia are run from {self.home} ({of_all}where the prior "
                f"assumed {self.base:.1%} of those not run from Russia); this moves P({self.home}) from {before:.3f} to {after:.3f}. "
                f"It says what the study is made of, not something new about this account")


def home_base(home: str | None) -> float | None:
    """b: the stated prior's share of home among the countries other than Russia, when a home
    share applies at all (an election in a country the model names, other than Russia)."""
    from botwatch.accounts.origin import codes, prior

    if not home or home == "RU" or home not in codes():
        return None
    p = prior(home)
    return float(p[codes().index(home)] / (1.0 - p[codes().index("RU")]))


def home_q(p_home: np.ndarray, p_russia: np.ndarray) -> np.ndarray:
    """P(home) among the countries other than Russia, clipped away from 0 and 1."""
    q = np.asarray(p_home, float) / np.maximum(1.0 - np.asarray(p_russia, float), EPS)
    return np.clip(q, EPS, 1 - EPS)


def home_log_likelihood(q: np.ndarray, base: float) -> np.ndarray:
    """The mixture log-likelihood of these accounts' `home_q` at each home share in GRID; it adds
    up over batches as `log_likelihood` does."""
    return log_likelihood(q, base)


def home_from_log_likelihood(ll: np.ndarray, accounts: int, base: float, home: str, prior_sd: float = PRIOR_LOGIT_SD) -> HomeShare:
    """The posterior over the home share from the accounts' summed `home_log_likelihood`."""
    got = from_log_likelihood(ll, accounts, base, prior_sd)
    return HomeShare(share=got.share, lo=got.lo, hi=got.hi, accounts=got.accounts, base=got.base, weights=got.weights, home=home)


def places_elsewhere(evidence: Sequence[str]) -> bool:
    """Whether an account's evidence says its own profile place is outside home (`origin.PLACE_ELSEWHERE`)."""
    from botwatch.accounts.origin import PLACE_ELSEWHERE

    return any(PLACE_ELSEWHERE in e for e in evidence)


def home_inputs(results: list, home: str) -> np.ndarray:  # list[OriginResult]
    """`home_q` of the accounts with origin evidence, P(home) 0 where the stored distribution
    lacks it (the estimate counts them; `apply_home_share` leaves them as they are).

    Accounts whose own profile places them outside home (`origin.PLACE_ELSEWHERE`) are left out:
    their P(home) was computed under the population prior, not the home prior the share is
    measured against (b), so their ratio against b counted as evidence against home that the
    prior alone had put there; and the share is not applied to them. Counting them lowered the
    home share of a study with many accounts abroad for every one of its other accounts."""
    rows = [r for r in results if r.country is not None and r.p_russia is not None and not places_elsewhere(r.evidence)]
    return home_q(np.array([float(r.probabilities.get(home, 0.0)) for r in rows], float), np.array([r.p_russia for r in rows], float))


def estimate_home(results: list, home: str | None) -> HomeShare | None:  # list[OriginResult]
    """The study's home share from these accounts (None where it does not apply or no account has evidence)."""
    base = home_base(home)
    if base is None:
        return None
    q = home_inputs(results, home)  # type: ignore[arg-type]
    if not len(q):
        return None
    return home_from_log_likelihood(home_log_likelihood(q, base), len(q), base, home)  # type: ignore[arg-type]


def apply_home_share(results: list, share: HomeShare | None) -> list:  # list[OriginResult]
    """Re-weight each account's P(home) by the study's estimated home share (integrated over its
    posterior, as `adjust` does for Russia); P(Russia) stays, the third countries keep their
    relative sizes. Accounts without evidence, whose distribution lacks home, or whose profile
    places them outside home (`origin.PLACE_ELSEWHERE`: no home prior to replace) are left as they are."""
    if share is None:
        return results
    home = share.home
    out = list(results)
    done: dict[tuple[Any, ...], tuple[str, float, dict[str, float], float, float]] = {}
    by_value = operator.itemgetter(1)
    for i, r in enumerate(results):
        if r.country is None or r.p_russia is None or home not in r.probabilities:
            continue
        if places_elsewhere(r.evidence):  # its prior is the population's, not the home prior (`origin`)
            continue
        key = (*r.probabilities.items(), r.p_russia)
        hit = done.get(key)
        if hit is None:
            p_ru = float(r.p_russia) if home != "RU" else 0.0
            old = float(r.probabilities[home])
            q = home_q(np.array([old]), np.array([p_ru]))
            new = float((1.0 - p_ru) * adjust_q(q, share)[0])
            rest_old = 1.0 - p_ru - old
            scale = (1.0 - p_ru - new) / rest_old if rest_old > EPS else 0.0
            probs = {c: (new if c == home else float(r.p_russia) if c == "RU" else v * scale) for c, v in r.probabilities.items()}
            order = sorted(probs.items(), key=by_value, reverse=True)
            best, p_best = order[0]
            kept = {c: round(v, 4) for c, v in order[:KEEP] if v >= MIN_KEPT}
            hit = done[key] = (best, p_best, kept, old, new)
        best, p_best, kept, old, new = hit
        first = r.evidence[0] if r.evidence else ""
        cut = first.find(";")
        lead = f"most likely {best} (p={p_best:.2f})" + (first[cut:] if cut >= 0 else "")
        out[i] = type(r)(country=best, probability=p_best, probabilities=dict(kept),
                         evidence=[lead, *r.evidence[1:], share.sentence(old, new)],
                         items=[*r.items, HOME_KIND], p_russia=r.p_russia)
    return out


def adjust_q(q: np.ndarray, share: StudyPrior) -> np.ndarray:
    """`adjust` for values already clipped (`home_q`): the posterior-mean share of home."""
    return adjust(q, share)
