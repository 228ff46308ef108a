"""Lead-lag tests between two time series: stationarity, lag selection, Granger causality and
impulse responses from a vector autoregression (statsmodels).

Steps, and why:
1. Stationarity. A VAR on trending series finds "causality" between any two things that grow
   together. Each series gets an augmented Dickey-Fuller test (Dickey & Fuller 1979; a fixed 12
   lagged differences, see `adf_p`); while either has p >= 0.05 both are differenced (the same number of times, so the
   coefficients stay comparable), at most twice.
2. Lag order by an information criterion (AIC by default; Lütkepohl 2005, ch. 4) up to `maxlags`.
3. Granger causality (Granger 1969): an F test that the lags of the cause add nothing to the
   prediction of the effect given the effect's own lags, in both directions — a lead in one
   direction only is more telling than feedback both ways.
4. Impulse responses: the response of the effect to a one-standard-deviation shock in the cause,
   orthogonalised by a Cholesky ordering with the cause first (an assumption: the cause may move
   the effect within the same bucket, not the reverse), with asymptotic 95% bands.

What it cannot show: that anyone changed their mind. Granger causality is predictability in
time; a common driver (news, a TV debate) that reaches automated accounts first would produce
the same "lead". Volume is log(1 + posts) to tame bursts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ADF_ALPHA = 0.05
MAX_DIFF = 2
MIN_OBS = 40
# Below this many buckets `adf_p` (its lag cap of a quarter of the series) seldom rejects a unit
# root even where there is none, so a short series is differenced, and read "still not
# stationary", because it is short (`ADF_WHITE_NOISE`). A wording threshold (the report says so of
# such tests), not a tuned parameter.
ADF_SHORT_OBS = 120
# Per series length, (rejected, series): how often `adf_p` < ADF_ALPHA on white noise, measured
# 2026-12-07 on `np.random.default_rng(seed).normal(size=n)` for seed 0-999 (reproduce with that
# loop). Near MIN_OBS it rejects hardly more often than its 5% level would by chance: it cannot
# tell a short stationary series from a trending one. An earlier count on 300 series gave 4% at
# 40 and 8% at 48.
ADF_WHITE_NOISE = {40: (70, 1000), 48: (69, 1000), 72: (189, 1000), 96: (322, 1000),
                   120: (541, 1000), 168: (855, 1000)}


@dataclass
class Direction:
    cause: str
    effect: str
    f_stat: float
    df_num: int
    df_den: int
    p_value: float
    irf: list[float] = field(default_factory=list)
    irf_low: list[float] = field(default_factory=list)
    irf_high: list[float] = field(default_factory=list)

    @property
    def peak(self) -> tuple[int, float, float, float]:
        """(horizon, response, low, high) of the largest absolute response after the shock bucket."""
        if len(self.irf) < 2:
            return 0, float("nan"), float("nan"), float("nan")
        h = 1 + int(np.argmax(np.abs(self.irf[1:])))
        return h, self.irf[h], self.irf_low[h], self.irf_high[h]


@dataclass
class LeadLag:
    names: tuple[str, str]
    n_obs: int
    differences: int
    adf_p: dict[str, float]
    lag: int
    criterion: str
    directions: list[Direction]
    notes: list[str] = field(default_factory=list)


def adf_p(x: np.ndarray, maxlag: int = 12) -> float:
    """ADF p-value with a fixed number of lagged differences (`maxlag`, the VAR's own ceiling;
    capped at a quarter of the series). A fixed generous lag keeps the test's size under
    autocorrelation (Schwert 1989) and costs one regression, where an AIC search over lags costs a
    dozen per test on every series; 0 for a constant series."""
    from statsmodels.tsa.stattools import adfuller

    if np.ptp(x) == 0:  # exact test: a float std of a constant can be 1e-17, not 0
        return 0.0
    maxlag = max(1, min(maxlag, len(x) // 4))
    try:
        out = adfuller(x, maxlag=maxlag, autolag=None, result_object=False)
    except TypeError:  # statsmodels before the result-object switch
        out = adfuller(x, maxlag=maxlag, autolag=None)
    return float(out[1])


def make_stationary(data: np.ndarray, names: tuple[str, str]) -> tuple[np.ndarray, int, dict[str, float]]:
    """Difference both columns together until ADF rejects a unit root for both (at most twice)."""
    d = 0
    while True:
        ps = {n: adf_p(data[:, i]) for i, n in enumerate(names)}
        if all(p < ADF_ALPHA for p in ps.values()) or d >= MAX_DIFF:
            return data, d, ps
        data = np.diff(data, axis=0)
        d += 1


def lead_lag(a: np.ndarray, b: np.ndarray, names: tuple[str, str] = ("a", "b"), *, maxlags: int = 12, criterion: str = "aic", horizon: int = 12) -> LeadLag | None:
    """Both-direction Granger tests and impulse responses for two aligned series; None if too short."""
    from statsmodels.tsa.api import VAR

    data = np.column_stack([np.asarray(a, float), np.asarray(b, float)])
    data = data[np.all(np.isfinite(data), axis=1)]
    if len(data) < MIN_OBS or np.any(np.ptp(data, axis=0) == 0):
        return None
    notes: list[str] = []
    data, d, ps = make_stationary(data, names)
    if any(p >= ADF_ALPHA for p in ps.values()):
        notes.append(f"still not stationary after {d} differences (ADF p = " + ", ".join(f"{k} {v:.3f}" for k, v in ps.items()) + ")")
    if np.any(np.ptp(data, axis=0) == 0):
        return None
    maxlags = max(1, min(maxlags, len(data) // 5))
    model = VAR(data)
    try:
        sel = model.select_order(maxlags)
        lag = int(getattr(sel, criterion) or 1)
    except Exception as exc:  # singular matrices on degenerate series
        notes.append(f"lag selection failed ({type(exc).__name__}); using 1")
        lag = 1
    lag = max(lag, 1)
    res = model.fit(lag)
    dirs: list[Direction] = []
    for ci, ei in ((0, 1), (1, 0)):
        t = res.test_causality(ei, [ci], kind="f")
        df = t.df
        dirs.append(Direction(names[ci], names[ei], float(t.test_statistic), int(df[0]), int(df[1]), float(t.pvalue)))
    # Cholesky ordering with the cause first: fit the VAR with the columns swapped for the
    # reverse direction, so each direction gets its own (favourable) ordering.
    for dr, order in zip(dirs, ((0, 1), (1, 0))):
        r = res if order == (0, 1) else VAR(data[:, list(order)]).fit(lag)
        irf = r.irf(horizon)
        se = irf.stderr(orth=True)
        resp = irf.orth_irfs[:, 1, 0]
        dr.irf = [float(x) for x in resp]
        dr.irf_low = [float(x - 1.96 * s) for x, s in zip(resp, se[:, 1, 0])]
        dr.irf_high = [float(x + 1.96 * s) for x, s in zip(resp, se[:, 1, 0])]
    return LeadLag(names, int(len(data)), d, ps, lag, criterion, dirs, notes)
