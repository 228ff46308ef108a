"""The test against chance: is this pair's co-action count more than luck would give *this pair*?

Popular items are shared by many accounts within minutes of each other without any coordination,
and hyperactive accounts coincide with each other all the time. A null model (`edges.null_times`)
destroys coordination while keeping popularity and activity rhythms. For the default
(`account-swap`: who acted when shuffled within each day, every post keeping its own timing) the
expected count λ of each pair is computed exactly (`network.analytic_expectation`), so it does
not move between runs. For the other models the null is run `R` times and

    λ = (co-actions of the pair summed over the R null runs + prior) / (R + 1)

(`network.simulated_expectation`; `pair_pvalues` is the same in NumPy), the prior spreading the null's total co-actions S over all pairs in proportion
to the product of the two accounts' activity on shareable traces (S · act_a · act_b /
Σ_{pairs} act·act, a Chung–Lu style expectation): a few null runs rarely hit one particular pair.
λ is floored at `MIN_LAMBDA`. The p-value is the Poisson upper tail P(X ≥ observed | λ). Pairs are
kept when they pass the Benjamini–Hochberg procedure at `max_fdr`, where the family is every pair
of accounts active on shareable traces (pairs below `min_repeats` co-actions count as untested,
p = 1); each behaviour and the combination are tested separately (`network.test_pairs`). A single
global count threshold cannot do this: two accounts that each retweet thousands of posts share
dozens by chance, two quiet accounts sharing five fast retweets do not.

The report shows the pooled curves (pairs with at least k co-actions, observed vs null), and the
smallest co-action count among kept pairs as the effective threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from botwatch.stats import bh_adjusted

MIN_LAMBDA = 0.01


@dataclass
class NullResult:
    """The outcome of the test: what was tested, what was kept, and the curves behind it."""

    threshold: int  # smallest co-action count among kept pairs (min_repeats when none kept)
    fdr: float | None  # the BH level used, or None when nothing was kept
    replicates: int
    tested: int = 0
    kept: int = 0
    family: int = 0  # account pairs that could have co-acted (the multiple-testing family)
    observed_ge: dict[int, int] = field(default_factory=dict)  # k -> observed pairs with >= k co-actions
    null_ge: dict[int, float] = field(default_factory=dict)  # k -> mean null pairs with >= k co-actions
    analytic: bool = False  # expectation in closed form (True) or from the null copies
    per_test: dict[str, dict[str, int]] = field(default_factory=dict)  # test -> tested, kept, family

    def rows(self) -> list[tuple[int, int, float, float | None]]:
        """(k, observed pairs >= k, null mean >= k, pooled ratio null/observed) for every k seen."""
        ks = sorted(set(self.observed_ge) | set(self.null_ge))
        out = []
        for k in ks:
            o = self.observed_ge.get(k, 0)
            n = self.null_ge.get(k, 0.0)
            out.append((k, o, n, (min(n / o, 1.0) if o else None)))
        return out


def survival(hist: dict[int, int | float]) -> dict[int, float]:
    """From {count: pairs with exactly that count} to {k: pairs with at least k}, for k = 1..max."""
    if not hist:
        return {}
    top = max(hist)
    out: dict[int, float] = {}
    running = 0.0
    for k in range(top, 0, -1):
        running += hist.get(k, 0)
        out[k] = running
    return dict(sorted(out.items()))


def pooled_curves(observed: dict[int, int], null_hists: list[dict[int, int]]) -> tuple[dict[int, int], dict[int, float]]:
    """Observed and mean-null survival curves from exact-count histograms."""
    obs_ge = {k: int(v) for k, v in survival(dict(observed)).items()}
    reps = max(len(null_hists), 1)
    null_sum: dict[int, float] = {}
    for h in null_hists:
        for k, v in survival(dict(h)).items():
            null_sum[k] = null_sum.get(k, 0.0) + v
    return obs_ge, {k: v / reps for k, v in null_sum.items()}


def pair_pvalues(observed: np.ndarray, null_sum: np.ndarray, replicates: int, prior: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(λ, p) per pair: expected co-actions by chance and P(X >= observed) under Poisson(λ)."""
    reps = max(int(replicates), 1)
    null_sum = np.asarray(null_sum, dtype=float)
    prior = np.zeros_like(null_sum) if prior is None else np.asarray(prior, dtype=float)
    lam = np.maximum((null_sum + prior) / (reps + 1), MIN_LAMBDA)
    from scipy.stats import poisson  # here, not at the top: `botwatch.cli` says why

    p = poisson.sf(np.asarray(observed, dtype=float) - 1, lam)
    return lam, p


def benjamini_hochberg(p: np.ndarray, q: float, m_total: int | None = None) -> np.ndarray:
    """Boolean mask of discoveries at false discovery rate `q` (step-up procedure).

    `m_total` is the size of the whole family when only some hypotheses were given p-values:
    pairs that never reached `min_repeats` co-actions are untested pairs with p = 1 and still
    count, otherwise the selection (testing only pairs that already look busy) would inflate the
    discoveries among millions of account pairs that could have coincided.
    """
    return bh_adjusted(p, m_total) <= q
