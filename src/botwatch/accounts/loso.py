"""Leave-one-source-out evaluation: the yardstick for every bot-model choice.

A researcher's archive is, by definition, a source the model never saw, so the figure that matters
is how a model trained on all labelled sources but one scores the one left out. `loso_table` does
that for every source and returns one row per held-out source with AUC, balanced accuracy and F1
at the shipped threshold, Brier score and expected calibration error (ECE, 10 equal-width bins).
A source with one class (botwiki-2019 bots, verified-2019 humans) only ever enters as a pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

THRESHOLD = 0.5  # "likely automated" downstream; F1 and balanced accuracy are read here
# The labelled sources as the report and `status` name them (the model file's `held_out` keys).
SOURCE_NAMES = {"stclab": "stclab's", "gilani2017": "Gilani 2017's", "botwiki+verified": "botwiki + verified 2019's"}

Predictor = Callable[[pd.DataFrame], np.ndarray]
Fitter = Callable[[pd.DataFrame, Sequence[str]], Predictor]


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: bin-size-weighted |mean predicted - observed rate|."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            total += m.sum() * abs(p[m].mean() - y[m].mean())
    return float(total / len(y)) if len(y) else float("nan")


def scores(y: np.ndarray, p: np.ndarray, threshold: float = THRESHOLD) -> dict[str, float]:
    """AUC, balanced accuracy and F1 at `threshold`, Brier, ECE, n and bots, and how many the
    model counted at or above `threshold` with its mean probability: a count of "likely automated"
    accounts is what a report quotes, and a held-out source says how far that count moves (Gilani:
    far fewer counted than there are bots), which AUC and ECE do not. `humans_counted`: how many
    of its humans were among them, the false alarms a study made mostly of people rests on
    (stclab's humans held out: 23%), which a count beside the bot share hides."""
    from sklearn.metrics import balanced_accuracy_score, brier_score_loss, f1_score, roc_auc_score

    y = np.asarray(y, int)
    p = np.asarray(p, float)
    pred = (p >= threshold).astype(int)
    both = len(set(y.tolist())) == 2
    return {
        "n": int(len(y)),
        "bots": int(y.sum()),
        "auc": round(float(roc_auc_score(y, p)), 4) if both else float("nan"),
        "balanced_accuracy": round(float(balanced_accuracy_score(y, pred)), 4) if both else float("nan"),
        "f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        "brier": round(float(brier_score_loss(y, p)), 4),
        "ece": round(ece(y, p), 4),
        "counted": int(pred.sum()),
        "humans_counted": int(pred[y == 0].sum()),
        "mean_p": round(float(p.mean()), 4) if len(p) else float("nan"),
    }


def source_weights(frame: pd.DataFrame) -> np.ndarray:
    """Row weights giving every source the same total weight, split equally between its bots and
    humans: a big source must not decide alone what a bot looks like, and a source's own bot
    share (an artefact of how it was collected) must not become a prior."""
    w = np.ones(len(frame))
    groups = frame.groupby(["source", "label"]).indices
    n_sources = frame["source"].nunique()
    for (_src, _lab), idx in groups.items():
        w[idx] = len(frame) / (n_sources * 2 * len(idx))
    return w


def loso_splits(frames: Sequence[pd.DataFrame]) -> Iterator[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(source, training rows: every other source, held-out rows: that source) for each source in
    the order the frames hold them: the one split every leave-one-source-out figure is made on."""
    pooled = pd.concat(list(frames), ignore_index=True)
    for src in pooled["source"].drop_duplicates().tolist():
        yield src, pooled[pooled["source"] != src].reset_index(drop=True), pooled[pooled["source"] == src].reset_index(drop=True)


def loso_table(frames: Sequence[pd.DataFrame], fit: Fitter, features: Sequence[str], intervals: bool = False) -> list[dict[str, Any]]:
    """For each source: fit on the others (with `fit`), predict the held-out one, score it.
    `intervals`: each row with two classes also carries its AUC's 95% interval (`auc_low`,
    `auc_high`; `model_quality.auc_interval95`), from the scores themselves: `train-bot-model
    --with-shipped` prints them beside a user's set of a few hundred accounts, whose AUC alone read
    as firm as stclab's of 1,467."""
    rows = []
    for src, train, test in loso_splits(frames):
        predict = fit(train, features)
        p = predict(test)
        y = test["label"].to_numpy()
        row = {"held_out": src, "trained_on": sorted(train["source"].unique().tolist()), **scores(y, p)}
        if intervals and len(set(np.asarray(y, int).tolist())) == 2:
            from botwatch.accounts.model_quality import auc_interval95

            _, lo, hi = auc_interval95(np.asarray(y, int), p)
            row.update(auc_low=round(lo, 4), auc_high=round(hi, 4))
        rows.append(row)
    return rows


def within_source_oof(frame: pd.DataFrame, fit: Fitter, features: Sequence[str], folds: int = 5, seed: int = 7) -> np.ndarray:
    """Out-of-fold probabilities inside one source (the within-source figure kept for comparison)."""
    from sklearn.model_selection import StratifiedKFold

    y = frame["label"].to_numpy(int)
    out = np.zeros(len(frame))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        out[te] = fit(frame.iloc[tr].reset_index(drop=True), features)(frame.iloc[te].reset_index(drop=True))
    return out


def source_ceiling(frame: pd.DataFrame, candidates: Sequence[str], folds: int = 5, seeds: Sequence[int] = (0, 1, 2)) -> dict[str, Any]:
    """How well the profile columns one source fills separate *its own* bots from its humans, fitted
    inside that source (out-of-fold, gradient-boosted trees with no constraints), over every candidate
    column the source fills for most accounts, including those the shipped model leaves out.

    Why: a cross-source model cannot beat what the held-out source's own columns hold about its own
    labels. This in-source figure estimates a ceiling for the leave-one-source-out figure on that
    source (one learner at one setting: an estimate, not a bound), so a LOSO goal far above it is
    not one a profile model can be expected to meet.
    """
    import lightgbm as lgb
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    cols = [c for c in candidates if c in frame and frame[c].notna().mean() > 0.5 and frame[c].nunique(dropna=True) > 1]
    X = frame[cols].astype(float).to_numpy()
    y = frame["label"].to_numpy(int)
    aucs = []
    for seed in seeds:
        p = np.zeros(len(y))
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
            clf = lgb.LGBMClassifier(n_estimators=200, num_leaves=15, learning_rate=0.05, verbose=-1, random_state=seed)
            p[te] = clf.fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
        aucs.append(roc_auc_score(y, p))
    return {"source": str(frame["source"].iloc[0]), "n": len(y), "columns": cols,
            "auc_mean": float(np.mean(aucs)), "auc_min": float(np.min(aucs)), "auc_max": float(np.max(aucs))}


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """The LOSO rows as a Markdown table (what the model card leads with); rows made with
    `intervals` show the AUC's 95% interval beside it."""
    head = ("| held out | trained on | n | bots | counted at 0.5 | AUC | balanced acc. | F1 @0.5 | Brier | ECE |\n"
            "|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        got = f"{r['counted']:,}" if isinstance(r.get("counted"), int) else "—"
        spread = f" ({r['auc_low']:.3f}-{r['auc_high']:.3f})" if isinstance(r.get("auc_low"), float) and isinstance(r.get("auc_high"), float) else ""
        lines.append(
            f"| {r['held_out']} | {' + '.join(r['trained_on'])} | {r['n']:,} | {r['bots']:,} | {got} | {r['auc']:.3f}{spread} | "
            f"{r['balanced_accuracy']:.3f} | {r['f1']:.3f} | {r['brier']:.3f} | {r['ece']:.3f} |"
        )
    return "\n".join(lines)
