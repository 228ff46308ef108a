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
from functools import lru_cache
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from botwatch.accounts.origin_pool import KEEP, MIN_KEPT, largest_first, moved_p, others_scale
from botwatch.count_text import counted, two_figures
from botwatch.prob_text import interval_digits, most_likely, percent, prob3

PRIOR_LOGIT_SD = 2.0  # prior sd of logit π around the calibration mix (odds ×e^±4 at 95%)
# Candidate shares π: log-spaced from 0.0001 to 0.1, every 0.0025 from 0.1 to 0.9, and the mirror
# of the first part from 0.9 to 0.9999 (1 − log-spaced), so a share near 1 is resolved as finely as
# one near 0. The grid ended at 0.9975 before: a study whose accounts were nearly all home (or,
# near Russia, nearly all Russia-run) piled its whole posterior on that last point, and printed
# "99.7% [99.8, 99.8]", an interval that did not hold its own estimate.
# The share's check on held-out accounts (`scripts/validate_origin.py --pool --apart`, the test part
# as a study of its own; docs/figures/origin-validation.json, `part_studies.test.strata.far` and
# `study_designs.test["ordinary accounts alone"].strata.far`): (estimate, true share) of the accounts
# sharing no text with one placed in Russia, where IRA handles were mixed in, and where none were.
# Said beside every estimate: its interval is the spread over these accounts' evidence, and accounts
# that pose well carry little evidence, so with Russia-run accounts present it read under half the
# true share and its interval did not hold it.
HELD_OUT_MIXED = (0.01, 0.0251)
HELD_OUT_NONE = (0.0006, 0.0)
HELD_OUT_NONE_ACCOUNTS = 9_525  # the accounts HELD_OUT_NONE was read over (`strata.far.accounts` there)
# What the same estimate read on short samples where none were Russia-run, measured on the development
# part only, per country of the samples (docs/methods.md, "Study prior on short samples"): each archive's
# statuses ingested as studies of their own and read under that country's election. (tweets, median
# accounts with origin evidence, 5th percentile, median, 95th percentile of the estimate.) A short
# sample's accounts carry little evidence each and the calibration map puts a weak account a little
# below the calibration mix, so a few stronger ones set the estimate: 3,000 ordinary British tweets
# read 4.7% [1.5%, 9.0%] beside "0.06% where none were", which was read over thousands of accounts. A
# study nearer one of these sizes than HELD_OUT_NONE_ACCOUNTS is told what its size read, in its own
# country's samples where they were measured (`StudyPrior.short_sample`).
HELD_OUT_SHORT: dict[str, tuple[tuple[int, int, float, float, float], ...]] = {
    # brexit-2016 under uk-ge2017 (`scripts/measure_origin_prior_small.py --election uk-ge2017`,
    # 2026-12-06): every run of that many consecutive tweets, over seven months.
    "GB": (
        (1_000, 363, 0.0052, 0.0187, 0.0720),  # 49 samples
        (3_000, 878, 0.0041, 0.0186, 0.0619),  # 16 samples
        (10_000, 2_303, 0.0086, 0.0302, 0.0363),  # 4 samples (all the part holds): the range is nearly their least and greatest
    ),
    # brexit-2016 under us-2016 (`... --election us-2016`, 2026-12-07): the same British runs read as a US
    # study reads them, the country a sample is read under being what moves the estimate most. The
    # American samples measured (`--archive gop-debate-2015`: 16 random draws of each size from the
    # part's 5,434 tweets of ONE debate evening, overlapping) read lower, 0.19% to 0.27% at 1,000
    # tweets and 0.09% to 0.11% at 3,000: one night's range, too narrow to tell a study collected over
    # weeks that its estimate shows anything, so the seven months of British runs, wider and higher,
    # are the reference and the American evening is named beside them (`SHORT_SAMPLES_NAMED`).
    "US": (
        (1_000, 363, 0.00275, 0.00364, 0.00636),  # 49 samples
        (3_000, 878, 0.00175, 0.00244, 0.00335),  # 16 samples
        (10_000, 2_303, 0.00101, 0.00141, 0.00205),  # 4 samples
    ),
}
# Whose samples a study of another country, or of none known, is quoted: the British, read under
# uk-ge2017 over seven months, the highest of those measured, so "need not show" covers more.
HELD_OUT_SHORT_FALLBACK = "GB"
# How the sentence names each reference's samples (the adjective an other-country study is told, the
# samples, and a note a study of the reference's own country is told beside them).
SHORT_SAMPLES_NAMED = {
    "GB": ("British", "ordinary British tweets", ""),
    "US": ("British", "ordinary British tweets read as a US study", "; one evening of American tweets read lower"),
}
GRID = np.unique(np.concatenate([np.logspace(-4, -1, 200), np.arange(0.1, 0.9, 0.0025), 1.0 - np.logspace(-4, -1, 200)]))
EPS = 1e-6


def moves(country: str, before: float, after: float) -> str:
    """"this moves P(X) from a to b", or "this leaves P(X) at a" where the two read alike: a New
    Zealand study whose accounts' evidence told nothing read "this moves P(NZ) from 0.294 to 0.294"."""
    a, b = prob3(before), prob3(after)
    return f"this leaves P({country}) at {a}" if a == b else f"this moves P({country}) from {a} to {b}"


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
    # The election's country the study is of (`origin_rule.origin_home`), None without one: it picks
    # the short-sample reference (`HELD_OUT_SHORT`), and says whether that reference is this study's country's.
    country: str | None = None

    def estimate(self) -> str:
        """"83.1% [74.8%, 90.3%]": the share with its interval, as every sentence and log line writes it."""
        return f"{percent(self.share, 1)} [{percent(self.lo, 1)}, {percent(self.hi, 1)}]"

    def sentence(self, before: float, after: float) -> str:
        """Words for one account: what the study's mix is and how far it moved P(Russia)."""
        whose = f"the {self.whose()}" if self.scope else ("the one account with origin evidence" if self.accounts == 1 else f"all {self.accounts:,} accounts with origin evidence")
        of = "of them" if self.scope else "of this study's accounts"
        return (f"study prior: from {whose}, an estimated {self.estimate()} {of} are run from Russia (calibration assumed "
                f"{percent(self.base, 1)}{self.held_out()}); {moves('Russia', before, after)}. It says what the study is made of, "
                f"not something new about this account")

    def held_out(self) -> str:
        """"; held out, it read …": what the same estimate read on held-out accounts whose truth is
        known, for every estimate but the near stratum's (there it read 99.6% where all were). The
        interval alone read as a measurement: on the test part's far stratum "1.0% [0.7%, 1.3%]"
        where 2.5% were Russia-run."""
        if self.scope == NEAR_SCOPE:
            return ""
        (mixed, truth), (none, _) = HELD_OUT_MIXED, HELD_OUT_NONE
        return (f"; held out, such an estimate read {percent(mixed, 1)} where {percent(truth, 1)} were, since accounts that pose well carry little "
                f"evidence, and {percent(none, 2)} where none were" + self.short_sample())

    def short_sample(self) -> str:
        """" over N accounts; on samples of T ordinary British tweets ... it read a% to b%": what an estimate over
        about this many accounts read where none were Russia-run (`HELD_OUT_SHORT`), for a study
        nearer one of those sizes than the held-out check's; "" otherwise. The samples are those read
        under the study's own country where they were measured (`reference`); a study of another
        country, or of none known (`country`), is quoted the fallback's and told so.

        Why: 3,000 ordinary British tweets (about 1,100 accounts with evidence) read "4.7% [1.5%,
        9.0%]" beside "0.06% where none were", a figure read over 9,525 accounts: a reader took the
        small study's estimate as a finding, where samples of its size with no Russia-run account
        read as much. And the country a sample is read under moves its estimate most (British runs
        of 1,000 tweets: 1.9% read as a British study, 0.36% as a US one; docs/methods.md), so a US
        study is quoted the British runs read as a US study, with the one American evening measured,
        which read lower still, named beside them."""
        ref = self.reference()
        n = max(self.accounts, 1)
        nearest = min(HELD_OUT_SHORT[ref], key=lambda row: abs(np.log(n / row[1])))
        if abs(np.log(n / nearest[1])) >= abs(np.log(n / HELD_OUT_NONE_ACCOUNTS)):
            return ""
        tweets, accounts, lo, mid, hi = nearest
        whose, so = self._reference_clause(ref)
        d = interval_digits(lo, hi, 1)  # a narrow range ("0.18% to 0.34%") read "0.2% to 0.3%" at one decimal, or "0.1% to 0.1%"
        return (f" over {HELD_OUT_NONE_ACCOUNTS:,} accounts; on samples of {tweets:,} {SHORT_SAMPLES_NAMED[ref][1]} (about {accounts:,} accounts "
                f"with origin evidence, none run from Russia{whose}) it read {percent(lo, d)} to {percent(hi, d)} (median {percent(mid, d)}), "
                f"so an estimate in that range {so} that any account here is run from Russia")

    def reference(self) -> str:
        """The country whose short samples this study is quoted: its own where they were measured
        (`HELD_OUT_SHORT`), else `HELD_OUT_SHORT_FALLBACK`."""
        return self.country if self.country in HELD_OUT_SHORT else HELD_OUT_SHORT_FALLBACK

    def _reference_clause(self, ref: str) -> tuple[str, str]:
        """The clause saying whose the short samples (of country `ref`) are, and how far their range
        carries: "does not show", and the reference's own note (`SHORT_SAMPLES_NAMED`), for a study of
        that country; the reference named, and the
        conclusion made conditional, where the study is of another country or of none known (`country`
        None: a study read with --no-election, or of a country the origin model does not know).

        Why: a study of no known country was told "does not show" flat, as if the British samples were
        its own, where the other-country case was already qualified."""
        if self.country == ref:
            return SHORT_SAMPLES_NAMED[ref][2], "does not show"
        named = SHORT_SAMPLES_NAMED[ref][0]
        if self.country is None:
            return (f"; {named} samples: this study's country is not known, so none from it were measured",
                    "need not show (if samples from its country read alike)")
        return (f"; {named} samples, another country's: none from {self.country}, this study's country, were measured",
                f"need not show (if samples from {self.country} read alike)")

    def whose(self) -> str:
        """"N accounts with origin evidence <scope>", in the singular for one account (a study's near
        stratum may hold a single account, and the log read "the 1 accounts ... that post")."""
        if self.accounts != 1:
            return f"{self.accounts:,} accounts with origin evidence" + (f" {self.scope}" if self.scope else "")
        return "1 account with origin evidence" + (" " + self.scope.replace("that post ", "that posts ", 1) if self.scope else "")

    def overall(self) -> float:
        """The Russia share of all the study's accounts with origin evidence (both strata together)."""
        if self.near is None:
            return self.share
        n = self.accounts + self.near.accounts
        return (self.share * self.accounts + self.near.share * self.near.accounts) / n if n else self.share


def _odds(p: np.ndarray) -> np.ndarray:
    return p / (1 - p)


def estimate(p_russia: Sequence[float], base: float, prior_sd: float = PRIOR_LOGIT_SD, country: str | None = None) -> StudyPrior:
    """Posterior over the study's share π of Russia-run accounts from calibrated P(Russia) per account.
    `country`: the election's country the study is of, which its sentence's reference is read against."""
    return from_log_likelihood(log_likelihood(p_russia, base), len(p_russia), base, prior_sd, country=country)


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


def from_log_likelihood(ll: np.ndarray, accounts: int, base: float, prior_sd: float = PRIOR_LOGIT_SD,
                        country: str | None = None) -> StudyPrior:
    """The posterior over π from the accounts' summed `log_likelihood` (`country`: as `estimate`'s)."""
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
    return StudyPrior(share, float(min(lo, share)), float(max(hi, share)), accounts, base, w, country=country)


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
        near_prior = dataclasses.replace(estimate(pn, base, country=home), scope=NEAR_SCOPE) if len(pn) else None
        far_prior = dataclasses.replace(estimate(pf, base, country=home), scope=FAR_SCOPE) if len(pf) else None
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
    prior = prior if prior is not None else estimate(before, base, country=home)
    after = adjust(before, prior)
    out = list(results)
    # The study-prior sentence differs between accounts only in its two numbers: the rest is
    # written once (`StudyPrior.sentence` gives the same text).
    marker = "\x00"
    # The template's numbers differ, so its middle is the "moves ... from a to b" form (`moves`),
    # replaced per account by that account's own, which says "leaves" where the two read alike.
    head, _, rest = prior.sentence(0.0, 1.0).replace(moves("Russia", 0.0, 1.0), marker, 1).partition(marker)
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
            order = largest_first(probs.items())
            best, p_best = order[0]
            kept = {c: round(v, 4) for c, v in order[:KEEP] if v >= MIN_KEPT}
            hit = done[key] = (best, p_best, kept, most_likely(best, p_best), f"{head}{moves('Russia', old_c, new)}{rest}")
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
# election's talk is mostly its voters, a list of suspended troll accounts is not. So the study's
# mix of countries is estimated from its own accounts (prior shift, Saerens, Latinne &
# Decaestecker 2002) among the countries other than Russia (P(Russia) is the Russia prior's to
# set), and each account's P(home) is re-weighted by it.
#
# Over every country, not home against a fixed rest (2026-12-03). The first version estimated one
# number, home against the other countries in the stated prior's proportions. Evidence shared by
# home and a few other countries (English posts: GB, US, CA, AU, IE, ...) then read as evidence for
# home, because the fixed rest is mostly countries that do not write English: a study whose only
# evidence was English posts and posting hours was "99.6% GB", and the development part under the
# US election "91-99% American" where 21% of its ordinary accounts are. The mix is now estimated
# for every country, so what the evidence cannot tell apart stays apart only as far as the prior
# holds it, and the interval says so.
#
#     q_i(c) = P_i(c) / (1 − P_i(RU)),   L_i(c) = q_i(c) / b_i(c)   (c not RU),
#
# with b_i the composition under which the account's P was computed: the stated prior among the
# countries other than Russia (home boosted), or the population prior for an account whose own
# profile places it outside home (`origin.PLACE_ELSEWHERE`: its home boost was undone). Those
# accounts are counted with their own prior: left out (2026-12-03 morning), the accounts whose
# places name home were the only ones whose evidence spoke, and the estimate was biased towards
# home; counted against the home prior (2026-12-02), the prior's head start read as evidence.
# Countries outside an account's stored distribution (`origin_pool.KEEP`) share its remaining mass
# in proportion to b_i. Each account counts with weight 1 − P_i(RU) (its own evidence's): the share
# is of the accounts not run from Russia, and a Russia-run account's other countries (Ukraine,
# Belarus for a Russian-writing one) said nothing about them. The mix π maximises
#
#     Σ_i (1 − P_i(RU)) log Σ_c π(c) L_i(c)  +  Σ_c A b(c) log π(c)
#
# (EM with SQUAREM steps; a Dirichlet prior of `HOME_PRIOR_ACCOUNTS` accounts spread as the stated
# prior spreads them, read on the log scale of the shares); home's share is π(home), its interval
# from the curvature there (Laplace, on the logit of the share). Where the evidence cannot tell home
# from a country (the same language, no place, no separating hours), the likelihood is flat between
# them, only the prior's weight curves it, and the interval is wide: the sentence names those
# countries (`HomeShare.apart`). Each account's countries other than Russia become
# (1 − P(RU)) π(c) L_i(c) / Σ_c' π(c') L_i(c'): its posterior under the study's mix. Moving home alone
# (the third countries kept in their prior proportions) left an account with no evidence on where
# it is, in a study estimated mostly British under the US election, with GB at its prior 3% and
# Russia most likely at 0.25 (one ordinary development account); under the mix GB is most likely.
# The mix moves an account only among the countries its post languages fit (`share_prior`): a
# rare country's share of the mix is near zero, and it overruled the language of the very accounts
# that write it.
#
# Not applied when home is Russia (there is no Russia prior then either), nor to an account whose
# stored distribution lacks home (P(home) < 0.005, `origin_pool.MIN_KEPT`), nor to an account whose
# profile places it outside home (its prior is not the home prior).

HOME_KIND = "home_share"
HOME_PRIOR_ACCOUNTS = 1.0  # A: the Dirichlet prior's weight, in accounts (about the old prior's sd 2 on the logit of the share)
# The likelihood rows are read to a factor of e^0.05 (5%): the stored probabilities are rounded to
# four decimals, which alone makes two countries the evidence treats alike differ by up to 1% in an
# account's row (0.0188 against 0.8148: Nigeria and GB for English posts at British hours), and a
# difference every account shares is read by the mix as evidence from every account: 300 such
# accounts put 41% of the study in Nigeria. Rounded, they tie, and the prior decides between them.
LIK_STEP = 0.05
# The study's mix moves an account's probability only among the countries its posts' languages fit
# within this factor of the best (`language_near`, `share_prior`): an order of magnitude. English
# fits every country within it (`origin.FLOOR_LANG_EN`), a language of a few countries does not.
SHARE_APART = 10.0
APART_MIN_SHARE = 0.01  # a country named as not told apart from home needs at least this share of the mix
APART_SD = 1.0  # ... and a posterior sd of log(π(home)/π(X)) at least this (95%: a ratio uncertain by ×7 either way)


@dataclass(frozen=True)
class HomeShare(StudyPrior):
    """The estimated share of the election's own country among the study's accounts that are not
    run from Russia (`share`, `lo`, `hi`; `weights` over GRID, the Laplace posterior of the share;
    `base`: the stated prior's share). `mix`: the estimated share of every country other than
    Russia (`mix_codes` order), which re-weights each account; `apart`: the countries the evidence
    hardly tells from home (their split with home rests on the prior)."""

    home: str = ""
    russia: float | None = None  # the Russia prior's estimated share of the same accounts, when known
    mix: np.ndarray | None = None
    apart: tuple[str, ...] = ()

    def overall(self) -> float | None:
        """The home share of all the study's accounts with origin evidence: share × (1 − Russia share)."""
        return None if self.russia is None else self.share * (1.0 - self.russia)

    def claim(self) -> str:
        """What the estimate says, as far as the evidence identifies it: the estimate and its interval,
        or, where the accounts' evidence cannot tell home from some country (`apart`), only the
        interval, with the countries named and the prior's part said."""
        whom = f"of this study's accounts not run from Russia are run from {self.home}"
        if not self.apart:
            return f"an estimated {self.estimate()} {whom}"
        names = ", ".join(self.apart[:-1]) + (" or " if len(self.apart) > 1 else "") + self.apart[-1]
        return (f"somewhere between {percent(self.lo, 1)} and {percent(self.hi, 1)} {whom}: the accounts' evidence hardly tells {self.home} from "
                f"{names}, so how they split between them is the prior's (its mode, {percent(self.share, 1)}, is what moves each account)")

    def of_all(self) -> str:
        """"about Y% of all of them, " where the Russia share is known and the estimate identified."""
        whole = self.overall()
        return "" if whole is None or self.apart else f"about {percent(whole, 1)} of all of them, "

    def sentence(self, before: float, after: float, within: bool = False) -> str:
        """Words for one account: what the study's home share is and how far it moved P(home).
        `within`: the mix moved only the countries the account's post languages fit (`share_prior`),
        the factor said to two figures as every other factor is (`count_text.two_figures`)."""
        others = (f"and, as the mix weighs them, the other countries but Russia its posts' languages fit within ×{two_figures(SHARE_APART)} of the best "
                  "(the others keep their shares)" if within else "and the other countries but Russia as the mix weighs them")
        return (f"study home share: from the {counted(self.accounts, 'account')} with origin evidence, each counted by how likely it is not run "
                f"from Russia, {self.claim()} ({self.of_all()}where the prior assumed {percent(self.base, 1)} of those not run from Russia); "
                f"{moves(self.home, before, after)}, {others}. "
                f"It says what the study is made of, not something new about this account")


@lru_cache(maxsize=1)
def mix_codes() -> tuple[str, ...]:
    """The countries of the home-share mix: the model's, without Russia."""
    from botwatch.accounts.origin import codes

    return tuple(c for c in codes() if c != "RU")


@lru_cache(maxsize=64)
def _composition(home: str | None) -> np.ndarray:
    from botwatch.accounts.origin import codes, prior

    p = prior(home)
    b = np.array([p[codes().index(c)] for c in mix_codes()], float)
    return b / b.sum()


def composition(home: str | None) -> np.ndarray:
    """The stated prior among the countries other than Russia (`mix_codes` order); `home` None:
    the population prior (no home boost)."""
    return _composition(home).copy()


def home_base(home: str | None) -> float | None:
    """b: the stated prior's share of home among the countries other than Russia, when a home
    share applies at all (an election in a country the model names, other than Russia)."""
    if not home or home not in mix_codes():
        return None
    return float(_composition(home)[mix_codes().index(home)])


def places_elsewhere(evidence: Sequence[str]) -> bool:
    """Whether an account's evidence says its own profile place is outside home (`origin.PLACE_ELSEWHERE`)."""
    from botwatch.accounts.origin import PLACE_ELSEWHERE

    return any(PLACE_ELSEWHERE in e for e in evidence)


def likelihood_row(probabilities: Any, p_russia: float, elsewhere: bool, home: str) -> np.ndarray:
    """L_i over `mix_codes` (largest 1): the account's stored distribution among the countries
    other than Russia over the composition it was computed under (see above). `probabilities`:
    (country, P) pairs or a mapping."""
    base = _composition(None if elsewhere else home)
    at = {c: j for j, c in enumerate(mix_codes())}
    q = np.zeros(len(base))
    kept = np.zeros(len(base), bool)
    items = probabilities.items() if hasattr(probabilities, "items") else probabilities
    for c, v in items:
        j = at.get(c)
        if j is not None:
            q[j] = float(v)
            kept[j] = True
    q /= max(1.0 - float(p_russia), EPS)
    rest = max(0.0, 1.0 - float(q.sum()))
    if not kept.all():
        q[~kept] = rest * base[~kept] / base[~kept].sum()
    lik = np.maximum(q, EPS * base) / base
    return np.exp(np.round(np.log(lik / lik.max()) / LIK_STEP) * LIK_STEP)


WEIGHT_QUANTUM = 2.0 ** -24  # weights are whole multiples of this: their sums are exact in any order (below 2^29 accounts)


def account_weights(p_russia: "np.ndarray | Sequence[float]") -> np.ndarray:
    """Each account's weight in the home share: 1 − P(Russia), to a multiple of `WEIGHT_QUANTUM`, so
    the engine's batches, summed in any grouping or order, give the same total to the last bit."""
    return np.round((1.0 - np.asarray(p_russia, float)) / WEIGHT_QUANTUM) * WEIGHT_QUANTUM


def home_rows(results: list, home: str) -> tuple[np.ndarray, np.ndarray]:  # list[OriginResult]
    """(L, weights) of the accounts with origin evidence: one `likelihood_row` each, weighted by
    1 − P(Russia)."""
    rows = [r for r in results if r.country is not None and r.p_russia is not None]

    def inputs() -> Iterator[tuple[Hashable, Any, float, bool]]:
        for r in rows:
            elsewhere = places_elsewhere(r.evidence)
            yield (tuple(r.probabilities.items()), float(r.p_russia), elsewhere), r.probabilities, r.p_russia, elsewhere

    return likelihood_rows(inputs(), home), account_weights([float(r.p_russia) for r in rows])


def likelihood_rows(inputs: Iterable[tuple[Hashable, Any, float, bool]], home: str) -> np.ndarray:
    """`likelihood_row` of each (key, probabilities, P(Russia), placed elsewhere), one row per
    account (`distinct_likelihood_rows`, copied out)."""
    distinct, which = distinct_likelihood_rows(inputs, home)
    return distinct[which]


def distinct_likelihood_rows(inputs: Iterable[tuple[Hashable, Any, float, bool]], home: str) -> tuple[np.ndarray, np.ndarray]:
    """(rows, which): `likelihood_row` once per distinct key, and each account's row in them. A
    study's stored distributions repeat (the accounts stage computes 277 rows for the 53,220
    accounts of a one-status labelled study, 4,226 for the 25,920 with origin evidence in the origin
    validation's), and the row was a sixth of the stage there, one numpy pass per account. The key
    must tell apart every input whose row differs (`home_rows`, `origin_table.distinct_home_rows_columns`)."""
    memo: dict[Hashable, int] = {}
    rows: list[np.ndarray] = []
    which: list[int] = []
    for key, probabilities, p_russia, elsewhere in inputs:
        k = memo.get(key)
        if k is None:
            k = memo[key] = len(rows)
            rows.append(likelihood_row(probabilities, p_russia, elsewhere, home))
        which.append(k)
    return np.array(rows, float).reshape(len(rows), len(mix_codes())), np.array(which, np.int64)


def compress(lik: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct rows of `lik` with their summed weights and counts, in a fixed order (sorted by
    row): with `account_weights` the sums are exact, so batches returned by the engine in any
    grouping or order give the same estimate. Accounts with the same stored
    distribution (most of a study without places or hours) share one row."""
    if not len(lik):
        return lik.reshape(0, len(mix_codes())), np.zeros(0), np.zeros(0, np.int64)
    order = np.lexsort((weights, *lik.T[::-1]))
    lik, weights = lik[order], weights[order]
    rows, inverse, counts = np.unique(lik, axis=0, return_inverse=True, return_counts=True)
    return rows, np.bincount(inverse.ravel(), weights, len(rows)), counts


def compress_distinct(distinct: np.ndarray, which: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`compress(distinct[which], weights)`, the same arrays to the last bit, without sorting every
    account's row: the distinct rows are sorted, and the accounts only by (their row's rank,
    weight), the order in which `compress` sums each row's weights. Why: copying and sorting
    53,220 rows of the mix's width (277 distinct) was about a twelfth of the accounts stage's CPU
    on a one-status study (the prior pass 0.9 of 8.0 CPU-s in one process; 0.21 so). Rows holding
    a NaN or a negative zero (which `compress` may pick as the row's representative) go through
    `compress` itself."""
    if not len(which) or not np.isfinite(distinct).all() or (np.signbit(distinct) & (distinct == 0)).any():
        return compress(distinct[which], weights)
    rows, inverse = np.unique(distinct, axis=0, return_inverse=True)
    group = inverse.ravel()[which]
    counts = np.bincount(group, minlength=len(rows))
    if not counts.all():  # a distinct row no account has: not a row of `compress`
        used = counts > 0
        rows, counts, group = rows[used], counts[used], (np.cumsum(used) - 1)[group]
    order = np.lexsort((weights, group))
    return rows, np.bincount(group[order], weights[order], len(rows)), counts


def _em_step(pi: np.ndarray, lik: np.ndarray, weights: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    w = pi * lik
    w /= w.sum(1, keepdims=True)
    got = weights @ w + alpha
    return got / got.sum()


def _objective(pi: np.ndarray, lik: np.ndarray, weights: np.ndarray, alpha: np.ndarray) -> float:
    """The log posterior of the mix (up to a constant), on the log scale of the shares."""
    return float(weights @ np.log(lik @ pi) + alpha @ np.log(pi))


def fit_mix(lik: np.ndarray, weights: np.ndarray, base: np.ndarray, prior_accounts: float = HOME_PRIOR_ACCOUNTS,
            em_steps: int = 50, newton_steps: int = 200) -> np.ndarray:
    """The posterior mode of the mix π: a few EM steps from the stated prior, then Newton steps on
    the log-shares with a backtracking line search.

    Why Newton: where the evidence cannot tell two countries apart the log posterior is flat
    between them except for the prior's small curvature, and EM (even accelerated) creeps along
    such a ridge at a rate of about A / (accounts + A) per step: it stopped wherever it was (a
    study of English posts and British hours ended 58% GB, 40% Nigeria, where the prior's mode is
    nearly all GB). The Newton step is scaled by that curvature and reaches the mode."""
    alpha = prior_accounts * base
    pi = base.copy()
    for _ in range(em_steps):
        pi = _em_step(pi, lik, weights, alpha)
    theta = np.log(pi)
    best = _objective(pi, lik, weights, alpha)
    total = float(weights.sum()) + prior_accounts
    for _ in range(newton_steps):
        w = pi * lik
        w /= w.sum(1, keepdims=True)
        grad = weights @ w + alpha - total * pi
        if np.abs(grad).max() < 1e-9 * total:
            break
        # Off the mode the log-shares' curvature can have a negative direction (the posterior is
        # concave in the shares, not in their logarithms): its size is taken instead (a modified
        # Newton step, always uphill), and the softmax's own flat direction (all shares alike) is left out.
        lam, vec = np.linalg.eigh(_curvature(lik, weights, pi, prior_accounts))
        lam = np.abs(lam)
        keep = lam > 1e-12 * total
        step = vec[:, keep] @ ((vec[:, keep].T @ grad) / lam[keep])
        size = 1.0
        while size > 1e-8:
            t = theta + size * step
            cand = np.exp(t - t.max())
            cand /= cand.sum()
            got = _objective(np.maximum(cand, 1e-300), lik, weights, alpha)
            if got >= best:
                break
            size /= 2
        else:
            break
        theta, pi, best = np.log(np.maximum(cand, 1e-300)), cand, got
    return pi


def _curvature(lik: np.ndarray, weights: np.ndarray, pi: np.ndarray, prior_accounts: float) -> np.ndarray:
    """Minus the Hessian of the log posterior in the log-shares (softmax coordinates) at π."""
    w = pi * lik
    w /= w.sum(1, keepdims=True)
    n = float(weights.sum()) + prior_accounts
    ww = w * weights[:, None]
    return n * (np.diag(pi) - np.outer(pi, pi)) - (np.diag(ww.sum(0)) - ww.T @ w)


def estimate_mix(lik: np.ndarray, weights: np.ndarray, accounts: int, home: str, prior_accounts: float = HOME_PRIOR_ACCOUNTS) -> HomeShare:
    """The study's mix of countries other than Russia and home's share of it, from `compress`ed
    (or plain) likelihood rows and their weights."""
    base = _composition(home)
    h = mix_codes().index(home)
    pi = fit_mix(lik, weights, base, prior_accounts)
    cov = np.linalg.pinv(_curvature(lik, weights, pi, prior_accounts), hermitian=True)
    g = -pi.copy()
    g[h] += 1.0
    g /= max(1.0 - pi[h], EPS)
    sd = float(np.sqrt(max(g @ cov @ g, 0.0)))
    share = float(pi[h])
    centre = np.log(max(share, EPS)) - np.log(max(1.0 - share, EPS))
    lo, hi = (float(1.0 / (1.0 + np.exp(-(centre + k * 1.959964 * sd)))) for k in (-1, 1))
    logit = np.log(GRID) - np.log1p(-GRID)
    dens = -0.5 * ((logit - centre) / max(sd, EPS)) ** 2 - np.log(GRID) - np.log1p(-GRID) + np.log(np.gradient(GRID))
    wts = np.exp(dens - dens.max())
    apart = []
    for j in np.argsort(-pi, kind="stable").tolist():
        if j == h or pi[j] < APART_MIN_SHARE:
            continue
        v = np.zeros(len(pi))
        v[h], v[j] = 1.0, -1.0
        if np.sqrt(max(v @ cov @ v, 0.0)) >= APART_SD:
            apart.append(mix_codes()[j])
    return HomeShare(share=share, lo=min(lo, share), hi=max(hi, share), accounts=accounts, base=float(base[h]), weights=wts / wts.sum(),
                     home=home, mix=pi, apart=tuple(apart))


def estimate_home(results: list, home: str | None) -> HomeShare | None:  # list[OriginResult]
    """The study's home share from these accounts (None where it does not apply or no account has evidence)."""
    if home_base(home) is None:
        return None
    lik, weights = home_rows(results, home)  # type: ignore[arg-type]
    if not len(lik):
        return None
    rows, summed, _ = compress(lik, weights)
    return estimate_mix(rows, summed, len(lik), home)  # type: ignore[arg-type]


def home_posterior(lik: np.ndarray, share: HomeShare) -> float:
    """P(home) among the countries other than Russia for an account with likelihood row `lik`,
    under the study's estimated mix."""
    assert share.mix is not None
    h = mix_codes().index(share.home)
    w = share.mix * lik
    return float(w[h] / w.sum())


# An account's own evidence counts as "little" beside the study's mix when it moves the odds of its
# most likely country by less than this: below 3, a Bayes factor is "not worth more than a bare
# mention" (Kass and Raftery 1995, after Jeffreys).
LITTLE_EVIDENCE = 3.0


def prior_clause(best: str, post: np.ndarray, mix: np.ndarray, p_russia: float, stated: bool = False, among: str = "") -> str:
    """Words for a most likely country that the study's mix, not the account's own evidence, put
    there: ", mostly the study's prior: little evidence of its own (...)", or "".

    Why: an account whose only evidence is English posts ended "most likely GB (p=0.76)" in a
    British study. English cannot tell Britain from the US; the study's mix (most of its accounts
    British) can, so the 0.76 is the study's make-up, not this account's, and a reader took it for
    a finding. Judged among the countries other than Russia (`post` and `mix` over `mix_codes`: the
    account's P per country under the mix, and the mix): the evidence's factor on the odds of
    `best`, odds(P(best) / (1 − P(Russia))) / odds(mix share of best), below `LITTLE_EVIDENCE`. A
    'US & Canada' time zone under a US election (×50 against all but the two; P(US) 0.90 from a mix
    share of 0.32) is evidence, though the mix alone splits the two. Russia is not judged here (its
    prior is the Russia prior's).

    `stated`: `mix` is the stated prior the account's P was computed under (no study home share
    applied: the election's fixed `origin.HOME_PRIOR`), said as "the stated prior" instead of the
    study's: one English post under a British election ends "most likely GB (p=0.41)" from the
    stated 30 % alone, and that lead is the prior's no less than the mix's is.

    `among`: the countries judged, when not all but Russia (`post` and `mix` then hold only
    those, each summing to 1, and `p_russia` is 0): an Arabic-writing account's "most likely AE"
    is the study mix's pick among the countries Arabic fits (`share_prior`), however strongly its
    posts favour that group."""
    codes = mix_codes()
    if best not in codes:
        return ""
    b = codes.index(best)
    q = float(post[b]) / max(1.0 - float(p_russia), EPS)
    m = float(mix[b])
    if not (0.0 < q < 1.0 and 0.0 < m < 1.0):
        return ""
    factor = (q / (1.0 - q)) / (m / (1.0 - m))
    if factor >= LITTLE_EVIDENCE:
        return ""
    whom = among or "the countries other than Russia"
    of = "of its accounts in them" if among else "of its accounts not run from Russia"
    if stated:
        return (f", mostly the stated prior: little evidence of its own for {best} among {whom} (the stated prior "
                f"gives {best} {percent(m)} of the accounts not run from Russia before any evidence; this account's own evidence moves that only to {percent(q)})")
    return (f", mostly the study's prior: little evidence of its own for {best} among {whom} (the study's mix "
            f"gives {best} {percent(m)} {of} before any evidence; this account's own evidence moves that only to {percent(q)})")


def mark_stated_prior(results: list, home: str | None) -> list:  # list[OriginResult]
    """The leads of a study whose home share was not applied (`--no-origin-study-prior`), each
    judged by `prior_clause` against the stated prior it was computed under (`composition` of
    home, or of no home for an account whose profile places it elsewhere). Words only: every
    probability stays. No home prior stated (no election, or one in a country the model does not
    name, or in Russia): left as they are."""
    if home_base(home) is None:
        return results
    codes = mix_codes()
    out = list(results)
    done: dict[tuple[Any, ...], str] = {}
    for i, r in enumerate(results):
        if r.country is None or r.p_russia is None or r.country not in codes or not r.evidence:
            continue
        elsewhere = places_elsewhere(r.evidence)
        key = (r.country, r.probabilities.get(r.country), r.p_russia, elsewhere)
        clause = done.get(key)
        if clause is None:
            post = np.array([float(r.probabilities.get(c, 0.0)) for c in codes], float)
            clause = done[key] = prior_clause(r.country, post, _composition(None if elsewhere else home), float(r.p_russia), stated=True)
        if not clause:
            continue
        first = r.evidence[0]
        cut = first.find(";")
        lead = first[:cut] + clause + first[cut:] if cut >= 0 else first + clause
        out[i] = dataclasses.replace(r, evidence=[lead, *r.evidence[1:]])
    return out


def home_share_answer(probabilities: dict[str, float], p_russia: float, share: HomeShare,
                      near: "np.ndarray | None" = None) -> tuple[str, float, dict[str, float], float, float, str]:
    """One account's answer under the study's home share: (most likely country, its probability,
    the kept probabilities, P(home) before and after, the lead's prior clause). `near`: over
    `mix_codes`, the countries the account's post languages fit (`language_near`; None: every
    country). It reads only its arguments, so equal inputs share one answer (`apply_home_share`,
    `origin_table.apply_home_share`)."""
    home = share.home
    assert share.mix is not None
    p_ru = float(p_russia)
    old = float(probabilities[home])
    lik = likelihood_row(probabilities, p_ru, False, home)
    prior = share_prior(lik, near, share.mix, home)
    post = prior * lik
    post *= (1.0 - p_ru) / post.sum()
    new = float(post[mix_codes().index(home)])
    probs = dict(zip(mix_codes(), post.tolist()))
    if "RU" in probabilities:
        probs["RU"] = p_ru
    order = largest_first(probs.items())
    best, p_best = order[0]
    kept = {c: round(v, 4) for c, v in order[:KEEP] if v >= MIN_KEPT}
    return best, p_best, kept, old, new, _share_clause(best, post, prior, p_ru, near, home)


def _share_clause(best: str, post: np.ndarray, prior: np.ndarray, p_russia: float, near: "np.ndarray | None", home: str) -> str:
    """`prior_clause` for a lead under the study home share: judged among every country but Russia
    without a language group; among the group's countries when the lead is one of them (the mix
    chose between them); against the stated prior when it is not (the stated prior stands there)."""
    codes = mix_codes()
    if near is None or best not in codes:
        return prior_clause(best, post, prior, p_russia)
    if not near[codes.index(best)]:
        return prior_clause(best, post, _composition(home), p_russia, stated=True)
    inside_post, inside_prior = float(post[near].sum()), float(prior[near].sum())
    if inside_post <= 0.0 or inside_prior <= 0.0:
        return ""
    return prior_clause(best, np.where(near, post / inside_post, 0.0), np.where(near, prior / inside_prior, 0.0), 0.0,
                        among="the countries its posts' languages fit")


@lru_cache(maxsize=1)
def _mix_positions() -> np.ndarray:
    """Where each of `mix_codes` sits among the origin model's `codes`."""
    from botwatch.accounts.origin import codes

    return np.array([j for j, c in enumerate(codes()) if c != "RU"], np.int64)


def language_near(vector: "np.ndarray | None") -> "np.ndarray | None":
    """Over `mix_codes`: the countries an account's post-language item (`origin._post_langs_item`,
    a likelihood over the model's `codes`) fits within `SHARE_APART` of its best; None where it
    sets no country apart (no such item, or English)."""
    if vector is None:
        return None
    v = np.asarray(vector, float)[_mix_positions()]
    near = v >= v.max() / SHARE_APART
    return None if near.all() else near


def share_prior(lik: np.ndarray, near: "np.ndarray | None", mix: np.ndarray, home: str) -> np.ndarray:
    """The prior over `mix_codes` an account's countries other than Russia get under the study's
    home share (`lik`: its `likelihood_row`): the mix among the countries its post languages fit
    (`near`; None: all), the stated prior (`composition(home)`) for the others, the two groups
    weighed as the stated prior weighed them for this account. Sums to 1.

    Why: the mix is fitted to the whole study, and a country few of its accounts come from gets a
    share near zero (a country gets weight only where its accounts' evidence, summed, outweighs the
    study's size; the post-language item counts as one typical post, at most ×100). Applied to every
    country, it overruled the languages of exactly those accounts: in a British study of 2,000
    English-writing accounts, five writing only German became "most likely GB (p=0.99)", counted
    local, not foreign (docs/model-card-origin.md, "A minority writing another language"). English
    fits every country (everybody's second language on Twitter), so an English-writing account
    takes the mix over all of them as before, as does one without tagged posts."""
    if near is None:
        return mix
    base = _composition(home)
    inside = float((mix * lik)[near].sum())
    if inside <= 0.0:
        return base
    prior = np.where(near, mix * (float((base * lik)[near].sum()) / inside), base)
    return prior / prior.sum()


def apply_home_share(results: list, share: HomeShare | None, near: "Sequence[np.ndarray | None] | None" = None) -> list:  # list[OriginResult]
    """Re-weight each account's countries other than Russia by the study's estimated mix (see
    above), among the countries its post languages fit (`near`, per account: `language_near`;
    None: every country for all); P(Russia) stays. Accounts without evidence, whose distribution
    lacks home, or whose profile places them outside home (`origin.PLACE_ELSEWHERE`: no home prior
    to replace) are left as they are. The stage runs `origin_table.apply_home_share`, the same on
    columns; this is its reference."""
    if share is None or share.mix is None:
        return results
    home = share.home
    out = list(results)
    done: dict[tuple[Any, ...], tuple[str, float, dict[str, float], float, float, str]] = {}
    for i, r in enumerate(results):
        if r.country is None or r.p_russia is None or home not in r.probabilities:
            continue
        if places_elsewhere(r.evidence):  # its prior is the population's, not the home prior (`origin`)
            continue
        group = None if near is None else near[i]
        key = (*r.probabilities.items(), r.p_russia, None if group is None else group.tobytes())
        hit = done.get(key)
        if hit is None:
            hit = done[key] = home_share_answer(r.probabilities, r.p_russia, share, group)
        best, p_best, kept, old, new, clause = hit
        first = r.evidence[0] if r.evidence else ""
        cut = first.find(";")
        lead = most_likely(best, p_best) + clause + (first[cut:] if cut >= 0 else "")
        out[i] = type(r)(country=best, probability=p_best, probabilities=dict(kept),
                         evidence=[lead, *r.evidence[1:], share.sentence(old, new, group is not None)],
                         items=[*r.items, HOME_KIND], p_russia=r.p_russia)
    return out
