"""The test against chance: how many co-actions a pair needs before it is unlikely to be luck.

Popular items are shared by many accounts within minutes of each other without any coordination.
To tell that apart, a null model (`edges.null_times`; by default each hour's items shuffled among
that hour's actions, every account keeping its exact times) destroys coordination while keeping
popularity and activity rhythms. Pairs that still co-act under that shuffle do so by chance. For each threshold k we compare the number
of observed pairs with at least k co-actions against the mean number under the null; their ratio
estimates the share of false edges among those kept (a false discovery rate). The threshold is the
smallest k (and at least `min_repeats`) whose estimated FDR is at most `max_fdr`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class NullResult:
    """The chosen threshold, its estimated false discovery rate and the curves behind it."""

    threshold: int
    fdr: float | None
    replicates: int
    observed_ge: dict[int, int] = field(default_factory=dict)  # k -> observed pairs with >= k co-actions
    null_ge: dict[int, float] = field(default_factory=dict)  # k -> mean null pairs with >= k co-actions

    def rows(self) -> list[tuple[int, int, float, float | None]]:
        """(k, observed pairs >= k, null mean >= k, estimated FDR) for every k seen."""
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


def choose_threshold(observed: dict[int, int], null_hists: list[dict[int, int]], *, min_repeats: int, max_fdr: float) -> NullResult:
    """Pick the smallest k >= min_repeats whose estimated FDR (null mean / observed) is <= max_fdr.

    `observed` and each null histogram map an exact co-action count to the number of pairs. When
    no k qualifies the threshold is one above the largest observed count: no edge is kept, and the
    report says that nothing beat chance.
    """
    obs_ge = {k: int(v) for k, v in survival(dict(observed)).items()}
    reps = max(len(null_hists), 1)
    null_sum: dict[int, float] = {}
    for h in null_hists:
        for k, v in survival(dict(h)).items():
            null_sum[k] = null_sum.get(k, 0.0) + v
    null_ge = {k: v / reps for k, v in null_sum.items()}
    top = max(obs_ge) if obs_ge else min_repeats
    for k in range(max(min_repeats, 1), top + 1):
        o = obs_ge.get(k, 0)
        if o == 0:
            break
        fdr = null_ge.get(k, 0.0) / o
        if fdr <= max_fdr:
            return NullResult(k, fdr, len(null_hists), obs_ge, null_ge)
    return NullResult(top + 1, None, len(null_hists), obs_ge, null_ge)
