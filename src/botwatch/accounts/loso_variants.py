"""Candidate bot models compared on the leave-one-source-out table, with intervals.

Why this module: a model choice must be made on how a model scores the source it never saw
(`loso.loso_table`), and with three labelled sources one held-out AUC moves by a few hundredths
with the trees' random seed and with which accounts a source happened to hold. So every candidate
here is scored over several training seeds, and the held-out accounts are resampled (stratified
bootstrap, each source on its own) to give intervals on each source's AUC, on the worst source
and on the mean over sources, and *paired* intervals on the difference from the shipped model
(the same resamples for both, so the interval is on the change, not on two noisy levels).

The candidates are the directions the literature and issue 12 name: smaller or additive trees,
stronger regularisation, logistic regression on rank-transformed features, per-source rank
normalisation of the era-dependent rates, and Botometer-v4-style ensembles of per-source
specialists. Nothing here is fitted to generated data; `scripts/compare_bot_models.py` runs it
on ../shared/data/labelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from botwatch.accounts.loso import Fitter, Predictor, loso_splits, source_weights
from botwatch.accounts.rank_linear import mid_ranks, rank_steps
from botwatch.numeric import sum_left_to_right

# Continuous features whose scale depends on when and how a set was collected (rates and counts
# grow with the platform's age and with a collection's popularity band); flags and word counts
# are left as they are.
ERA_DEPENDENT: tuple[str, ...] = (
    "log_likes", "log_likes_per_day", "likes_per_post_log", "log_age_days", "log_posts_per_day",
)


@dataclass
class Held:
    """One held-out source: its labels and, per training seed, the predicted probabilities."""

    source: str
    y: np.ndarray
    p: list[np.ndarray]


def loso_predictions(frames: Sequence[pd.DataFrame], make_fit: Callable[[int], Fitter], features: Sequence[str],
                     seeds: Sequence[int] = (7,)) -> list[Held]:
    """For each source, the held-out probabilities of models trained on the other sources, one
    array per seed (`make_fit(seed)` gives the fitter)."""
    out = []
    for src, train, test in loso_splits(frames):
        ps = [np.asarray(make_fit(s)(train, features)(test), float) for s in seeds]
        out.append(Held(str(src), test["label"].to_numpy(int), ps))
    return out


def _auc_fast(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC by mid-ranks (ties count half), the Mann-Whitney form; fast enough for thousands of
    bootstrap resamples."""
    from scipy.stats import rankdata

    r = rankdata(p)
    pos = y == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    return float((r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def bootstrap_indices(held: Sequence[Held], n_boot: int, seed: int = 0) -> list[list[np.ndarray]]:
    """Stratified resamples of each held-out source (bots and humans resampled apart, so every
    resample keeps the source's class counts); shared by all candidates for paired intervals."""
    rng = np.random.default_rng(seed)
    out = []
    for h in held:
        pos, neg = np.flatnonzero(h.y == 1), np.flatnonzero(h.y == 0)
        out.append([np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))]) for _ in range(n_boot)])
    return out


def auc_matrix(held: Sequence[Held], idx: list[list[np.ndarray]]) -> np.ndarray:
    """AUC per (resample, source), each the mean over the training seeds."""
    n_boot = len(idx[0])
    m = np.zeros((n_boot, len(held)))
    for j, h in enumerate(held):
        for b in range(n_boot):
            ii = idx[j][b]
            m[b, j] = np.mean([_auc_fast(h.y[ii], p[ii]) for p in h.p])
    return m


def summarise(name: str, held: Sequence[Held], boot: np.ndarray, base_boot: np.ndarray | None) -> dict[str, Any]:
    """Point figures (full held-out sets, mean over seeds, with the seeds' min-max), 95% bootstrap
    intervals, and paired intervals of the change in worst-source and mean AUC."""
    per = {}
    for j, h in enumerate(held):
        aucs = [_auc_fast(h.y, p) for p in h.p]
        lo, hi = np.percentile(boot[:, j], [2.5, 97.5])
        per[h.source] = {"auc": float(np.mean(aucs)), "seed_min": float(np.min(aucs)), "seed_max": float(np.max(aucs)),
                         "ci": (float(lo), float(hi))}
    pts = np.array([per[h.source]["auc"] for h in held])
    row: dict[str, Any] = {"name": name, "sources": per, "worst": float(pts.min()), "mean": float(pts.mean()),
                           "worst_ci": tuple(np.percentile(boot.min(axis=1), [2.5, 97.5]).tolist()),
                           "mean_ci": tuple(np.percentile(boot.mean(axis=1), [2.5, 97.5]).tolist())}
    if base_boot is not None:
        d_worst = boot.min(axis=1) - base_boot.min(axis=1)
        d_mean = boot.mean(axis=1) - base_boot.mean(axis=1)
        row["d_worst_ci"] = tuple(np.percentile(d_worst, [2.5, 97.5]).tolist())
        row["d_mean_ci"] = tuple(np.percentile(d_mean, [2.5, 97.5]).tolist())
    return row


# ---- candidate fitters ---------------------------------------------------------------------------

def tree_fitter(params: dict[str, Any] | None = None, rounds: int | None = None, linear_weight: float | None = None) -> Callable[[int], Fitter]:
    """The shipped recipe (monotone LightGBM blended with the rank-linear model, then an isotonic
    map) with some settings changed; `linear_weight` 0 is trees alone."""
    from botwatch.accounts.training import fit_model

    def make(seed: int) -> Fitter:
        def fit(train: pd.DataFrame, features: Sequence[str]) -> Predictor:
            model, _ = fit_model(train, list(features), params={**(params or {}), "seed": seed}, rounds=rounds, linear_weight=linear_weight)
            return model.predict
        return fit
    return make


def _ranks_against(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mid-rank of each value within `reference` (its non-missing values) as a share in [0, 1];
    NaN stays NaN (`rank_linear`'s mid-ranks, which the shipped model reads, on any column)."""
    ref = np.sort(reference[~np.isnan(reference)])
    out = np.full(len(values), np.nan)
    ok = ~np.isnan(values)
    if len(ref):
        out[ok] = mid_ranks(ref, values[ok])
    return out


def logistic_rank_fitter(C: float = 1.0, bins: int | None = None) -> Callable[[int], Fitter]:
    """Logistic regression on features turned into their rank among the training accounts
    (robust to scale and outliers); a missing value sits at the middle rank (0.5), so a column a
    held-out source lacks shifts every one of its accounts alike and cannot reorder them. With
    `bins`, the rank is `rank_linear.rank_steps`' step function (what the shipped model carries, a tree per feature)."""
    from sklearn.linear_model import LogisticRegression

    def make(seed: int) -> Fitter:
        def fit(train: pd.DataFrame, features: Sequence[str]) -> Predictor:
            feats = list(features)
            ref = {f: train[f].to_numpy(float) for f in feats}
            steps = {f: rank_steps(ref[f], bins) for f in feats} if bins else {}

            def rank(f: str, v: np.ndarray) -> np.ndarray:  # a missing value at the middle rank either way
                return steps[f](v) if bins else _ranks_against(ref[f], v)

            def design(df: pd.DataFrame) -> np.ndarray:
                cols = [rank(f, df[f].to_numpy(float)) for f in feats]
                return np.nan_to_num(np.column_stack(cols), nan=0.5)

            clf = LogisticRegression(C=C, max_iter=2000)
            clf.fit(design(train), train["label"].to_numpy(int), sample_weight=source_weights(train))
            return lambda test: clf.predict_proba(design(test))[:, 1]
        return fit
    return make


def per_source_rank(inner: Callable[[int], Fitter], columns: Sequence[str] = ERA_DEPENDENT) -> Callable[[int], Fitter]:
    """Replace the era-dependent columns by each account's rank *within its own source* (training
    sources one by one; the held-out set within itself, as a study would be ranked within the
    study), then fit `inner`. Removes a source's level (era, popularity band) from those columns,
    keeping only the order inside the source."""

    def ranked(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        for _src, idx in df.groupby("source").indices.items():
            for c in columns:
                v = df[c].to_numpy(float)[idx]
                df.loc[df.index[idx], c] = _ranks_against(v, v)
        return df

    def make(seed: int) -> Fitter:
        fit_inner = inner(seed)

        def fit(train: pd.DataFrame, features: Sequence[str]) -> Predictor:
            predict = fit_inner(ranked(train), features)
            return lambda test: predict(ranked(test))
        return fit
    return make


def specialist_ensemble(inner: Callable[[int], Fitter], combine: str = "max") -> Callable[[int], Fitter]:
    """Botometer-v4 style: one model per training source (each calibrated on its own source),
    combined by the max or the mean of their probabilities. With a held-out source, only the
    other sources' specialists exist, as for a researcher's archive."""

    def make(seed: int) -> Fitter:
        fit_inner = inner(seed)

        def fit(train: pd.DataFrame, features: Sequence[str]) -> Predictor:
            parts = []
            for _src, part in train.groupby("source"):
                filled = [f for f in features if part[f].notna().mean() > 0.5]
                parts.append((fit_inner(part.reset_index(drop=True), filled), filled))

            def predict(test: pd.DataFrame) -> np.ndarray:
                ps = np.column_stack([p(test) for p, _ in parts])
                return ps.max(axis=1) if combine == "max" else ps.mean(axis=1)
            return predict
        return fit
    return make


def within_source(frames: Sequence[pd.DataFrame], source: str, fit: Fitter, features: Sequence[str],
                  folds: int = 5, seed: int = 7) -> float:
    """Out-of-fold AUC of `source` with every other source in training too (the shipped model's
    situation for accounts like that source's; the proxy for the held-back stclab figure): the
    folds of `retrain.within_source_predictions`, with `fit` in place of the shipped training."""
    from botwatch.accounts.retrain import within_source_predictions

    return _auc_fast(*within_source_predictions(frames, source, features, folds, seed, fit))


def format_rows(rows: Sequence[dict[str, Any]], sources: Sequence[str]) -> str:
    """The comparison as a Markdown table: per source AUC [95% CI], worst and mean with their
    intervals, and the paired change from the first row."""
    head = ("| candidate | " + " | ".join(sources) + " | worst | mean | Δ worst vs first row | Δ mean vs first row |\n"
            "|---|" + "---|" * (len(sources) + 4))
    lines = [head]
    for r in rows:
        cells = [f"{r['sources'][s]['auc']:.3f} [{r['sources'][s]['ci'][0]:.3f}-{r['sources'][s]['ci'][1]:.3f}]" for s in sources]
        dw = f"[{r['d_worst_ci'][0]:+.3f}, {r['d_worst_ci'][1]:+.3f}]" if "d_worst_ci" in r else "–"
        dm = f"[{r['d_mean_ci'][0]:+.3f}, {r['d_mean_ci'][1]:+.3f}]" if "d_mean_ci" in r else "–"
        lines.append(f"| {r['name']} | " + " | ".join(cells) +
                     f" | {r['worst']:.3f} [{r['worst_ci'][0]:.3f}-{r['worst_ci'][1]:.3f}]"
                     f" | {r['mean']:.3f} [{r['mean_ci'][0]:.3f}-{r['mean_ci'][1]:.3f}] | {dw} | {dm} |")
    return "\n".join(lines)


def logit_blend(parts: Sequence[tuple[Callable[[int], Fitter], float]]) -> Callable[[int], Fitter]:
    """A weighted mean of the candidates' log-odds (e.g. rank-logistic and the shipped trees)."""

    def make(seed: int) -> Fitter:
        fitters = [(mk(seed), w) for mk, w in parts]

        def fit(train: pd.DataFrame, features: Sequence[str]) -> Predictor:
            preds = [(f(train, features), w) for f, w in fitters]

            def predict(test: pd.DataFrame) -> np.ndarray:
                z = sum(w * np.log(np.clip(p(test), 1e-4, 1 - 1e-4) / (1 - np.clip(p(test), 1e-4, 1 - 1e-4))) for p, w in preds)
                return 1.0 / (1.0 + np.exp(-z / sum_left_to_right(w for _, w in preds)))
            return predict
        return fit
    return make


YOUNG_CAPS: tuple[int, ...] = (365, 730, 1095, 1826)


def with_young_age(frames: Sequence[pd.DataFrame], caps: Sequence[int] = YOUNG_CAPS) -> list[pd.DataFrame]:
    """The frames with `log_age_cap{N}` = log(1 + min(age in days, N)) added, and those columns
    given the direction of age (older means human) in the trees' monotone constraints.

    Why: account age at observation mixes two things. "Created recently" means the same in every
    era; "very old" does not, since the oldest age a set can hold is the platform's age when it was
    collected (about 11 years for stclab in 2017, 13 for the 2019 pair), and popularity-matched
    Gilani's accounts are old on both sides. An age capped at N days keeps only the first meaning,
    so it is a candidate source-invariant feature, judged on the LOSO table
    (`scripts/compare_bot_models.py --young`)."""
    from botwatch.accounts.training import MONOTONE

    out = []
    for f in frames:
        f = f.copy()
        for cap in caps:
            f[f"log_age_cap{cap}"] = np.log1p(f["age_days"].clip(upper=cap))
            MONOTONE.setdefault(f"log_age_cap{cap}", -1)
        out.append(f)
    return out


CALIBRATIONS: tuple[str, ...] = ("within", "cross-source", "half-half")


def calibration_fitter(mode: str) -> Fitter:
    """The shipped booster with its isotonic map fitted on other margins (`mode`):

    - ``within``: out-of-fold margins, folds mixing the training sources (what ships);
    - ``cross-source``: each training source's margins from a booster trained on the *other*
      training sources only, so the map learns how sure the model should be on a source it never
      saw, which a user's archive always is;
    - ``half-half``: both sets of margins, each at half weight.

    Why: held out, the shipped probabilities are over-confident in the middle bins (ECE 0.137 on
    stclab, 0.226 on Gilani). A map fitted on unseen-source margins might carry that doubt; the
    LOSO table (`scripts/compare_bot_models.py --calibration`) says whether it does."""
    if mode not in CALIBRATIONS:
        raise ValueError(f"calibration mode {mode!r}: expected one of {', '.join(CALIBRATIONS)}")
    from botwatch.accounts.botmodel import PROB_CEIL, PROB_FLOOR
    from botwatch.accounts.training import _train_booster, fit_isotonic, oof_margins, training_weights

    def fit(train: pd.DataFrame, features: Sequence[str]) -> Predictor:
        feats = list(features)
        X, y, w = train[feats].to_numpy("float64"), train["label"].to_numpy(int), training_weights(train)
        parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if mode in ("within", "half-half"):
            parts.append((oof_margins(X, y, feats, w), y, w))
        if mode in ("cross-source", "half-half"):
            unseen = np.zeros(len(y))
            for src in train["source"].drop_duplicates().tolist():
                inside = (train["source"] == src).to_numpy()
                others = train[~inside].reset_index(drop=True)
                booster = _train_booster(others[feats].to_numpy("float64"), others["label"].to_numpy(int), feats, training_weights(others))
                unseen[inside] = booster.predict(X[inside], raw_score=True)
            parts.append((unseen, y, w))
        share = 1.0 / len(parts)
        cx, cy = fit_isotonic(np.concatenate([m for m, _, _ in parts]), np.concatenate([t for _, t, _ in parts]),
                              np.concatenate([v for _, _, v in parts]) * share)
        booster = _train_booster(X, y, feats, w)

        def predict(test: pd.DataFrame) -> np.ndarray:
            margin = booster.predict(test[feats].to_numpy("float64"), raw_score=True)
            return np.clip(np.interp(margin, cx, cy), PROB_FLOOR, PROB_CEIL)
        return predict
    return fit
