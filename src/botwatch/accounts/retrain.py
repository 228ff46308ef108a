"""Train a bot model from labelled accounts and write it with its figures.

Used by `scripts/train_bot_model.py` (the shipped model, from ../shared/data/labelled) and by
`botwatch train-bot-model LABELS.csv` (a user's own labels). Both write the model file, a JSON of
figures and a reliability SVG, so every number in the model card can be regenerated. With more
than one source the figures lead with the leave-one-source-out table (`loso`), and each feature
gets its held-out importance and the stability of its direction across sources. A model whose
out-of-fold AUC is near chance carries a `quality_warning` (`model_quality`), which the training
command prints and `botwatch explain` and the report repeat.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from botwatch.accounts.loso import Fitter, Predictor, loso_splits, loso_table, scores
from botwatch.accounts.model_quality import WARNING_KEY, quality_warning
from botwatch.accounts.botmodel import AGE_DEPENDENT, AGE_REFERENCE_KEY, age_reference
from botwatch.accounts.ood import feature_ranges
from botwatch.accounts.reliability_svg import reliability_svg
from botwatch.accounts.training import SHIPPED_FEATURES, fit_model, metrics, reliability


def _fit(train: pd.DataFrame, features: Sequence[str]) -> Predictor:
    model, _ = fit_model(train, list(features))
    return model.predict


def age_unknown_loso(frames: Sequence[pd.DataFrame], features: Sequence[str]) -> list[dict[str, Any]]:
    """For each source: fitted on the others, the held-out source scored with its age and the
    rates divided by it unknown (`botmodel.AGE_DEPENDENT`, a profile with no time it was seen),
    as LightGBM reads a value it never saw missing (0: a one-day-old account; what the model did
    until 2026-12-05) and averaged over the training accounts' ages (`botmodel.age_reference`,
    what it does now), with the age known beside them. Each: AUC, ECE and the mean probability."""
    rows = []
    for src, train, test in loso_splits(frames):
        model, _ = fit_model(train, list(features))
        y = test["label"].to_numpy(int)
        X = test[[*features, *(["log_posts_count"] if "log_posts_count" in test.columns else [])]].astype("float64")
        blind = X.copy()
        blind[[c for c in AGE_DEPENDENT if c in blind.columns]] = np.nan
        row: dict[str, Any] = {"held_out": src, "n": len(test), "bots": int(y.sum())}
        for name, frame, ref in (("age_known", X, []), ("unknown_as_zero", blind, []), ("unknown_averaged", blind, age_reference(train))):
            model.meta = {AGE_REFERENCE_KEY: ref}
            p = model.predict(frame)
            m = scores(y, p)
            row[name] = {"auc": m["auc"], "ece": m["ece"], "mean_p": round(float(p.mean()), 4)}
        rows.append(row)
    return rows


# What a study read from Twitter API v2 lacks of the shipped features: v2 user objects carry no
# likes count and no profile theme (`default_profile`), so every such study scores without them.
V2_UNKNOWN: tuple[str, ...] = ("log_likes", "log_likes_per_day", "default_profile")


def unknown_view_loso(frames: Sequence[pd.DataFrame], features: Sequence[str], unknown: Sequence[str] = V2_UNKNOWN,
                      seed: int | None = None) -> list[dict[str, Any]]:
    """For each source: fitted on the others (training `seed`, the shipped one when None), the
    held-out source scored as it is and again with `unknown` unknown, each with AUC, ECE, mean
    probability, the share counted at 0.5 and the share of its humans counted (false alarms).

    Why: a study's count of likely automated accounts is what a report quotes, and a study read
    from v2 has neither likes nor theme; whether the count runs high there must be measured on
    labelled accounts read the same way, never on the unlabelled samples themselves."""
    rows = []
    for src, train, test in loso_splits(frames):
        model, _ = fit_model(train, list(features), params=None if seed is None else {"seed": seed})
        y = test["label"].to_numpy(int)
        X = test[list(features)].astype("float64")
        blind = X.copy()
        blind[[c for c in unknown if c in blind.columns]] = np.nan
        row: dict[str, Any] = {"held_out": src, "n": len(test), "bots": int(y.sum())}
        for name, frame in (("as_is", X), ("unknown", blind)):
            p = model.predict(frame)
            m = scores(y, p)
            row[name] = {"auc": m["auc"], "ece": m["ece"], "mean_p": round(float(p.mean()), 4), "counted_share": round(m["counted"] / len(y), 4),
                         "humans_counted_share": round(float((p[y == 0] >= 0.5).mean()), 4) if (y == 0).any() else float("nan")}
        rows.append(row)
    return rows


def feature_stability(frames: Sequence[pd.DataFrame], features: Sequence[str]) -> list[dict[str, Any]]:
    """Per feature and source, the feature's own AUC (0.5 = no signal; below 0.5 = higher values
    mean human) where the source fills it; `stable` when every filled source leans the same way."""
    from sklearn.metrics import roc_auc_score

    out = []
    for f in features:
        row: dict[str, Any] = {"feature": f, "auc_by_source": {}}
        for fr in frames:
            m = fr[f].notna().to_numpy()
            y = fr["label"].to_numpy(int)[m]
            if m.sum() >= 50 and len(set(y.tolist())) == 2 and fr.loc[m, f].nunique() > 1:
                row["auc_by_source"][str(fr["source"].iloc[0])] = round(float(roc_auc_score(y, fr.loc[m, f])), 3)
        sides = {np.sign(a - 0.5) for a in row["auc_by_source"].values() if abs(a - 0.5) >= 0.02}
        row["stable"] = len(sides) <= 1
        out.append(row)
    return out


def loso_importance(frames: Sequence[pd.DataFrame], features: Sequence[str], seed: int = 3) -> list[dict[str, Any]]:
    """Per feature: how much the held-out AUC falls when that feature is shuffled within the
    held-out source (permutation importance measured only on sources the model never saw)."""
    rng = np.random.default_rng(seed)
    drops: dict[str, dict[str, float]] = {f: {} for f in features}
    for src, train, test in loso_splits(frames):
        predict = _fit(train, features)
        y = test["label"].to_numpy(int)
        base = scores(y, predict(test))["auc"]
        for f in features:
            if test[f].notna().sum() == 0:
                continue
            shuffled = test.copy()
            shuffled[f] = rng.permutation(shuffled[f].to_numpy())
            drops[f][src] = round(float(base - scores(y, predict(shuffled))["auc"]), 4)
    return [{"feature": f, "auc_drop_by_held_out_source": d, "mean_drop": round(float(np.mean(list(d.values()))), 4) if d else None} for f, d in drops.items()]


def within_source_predictions(frames: Sequence[pd.DataFrame], source: str, features: Sequence[str], folds: int = 5, seed: int = 7,
                              fit: Fitter = _fit) -> tuple[np.ndarray, np.ndarray]:
    """(labels, out-of-fold probabilities) of `source`'s accounts, each fold scored by `fit`
    trained on the source's other folds plus every other source (the shipped model's situation
    for accounts like that source's). One loop for the shipped model (`within_source_oof`) and
    the candidates compared against it (`loso_variants.within_source`)."""
    from sklearn.model_selection import StratifiedKFold

    pooled = pd.concat(list(frames), ignore_index=True)
    own = pooled[pooled["source"] == source].reset_index(drop=True)
    rest = pooled[pooled["source"] != source]
    y = own["label"].to_numpy(int)
    p = np.zeros(len(own))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y):
        p[te] = fit(pd.concat([own.iloc[tr], rest], ignore_index=True), features)(own.iloc[te].reset_index(drop=True))
    return y, p


def within_source_oof(frames: Sequence[pd.DataFrame], source: str, features: Sequence[str], folds: int = 5, seed: int = 7,
                      fit: Fitter = _fit) -> dict[str, float]:
    """`source` scored out-of-fold by models (`fit`; default the shipped training) trained on its
    other folds plus every other source (the shipped model's situation for accounts like that
    source's)."""
    return scores(*within_source_predictions(frames, source, features, folds, seed, fit))


def threshold_intervals(y: np.ndarray, oof: np.ndarray, boot: int) -> dict[str, float | None]:
    """95% intervals for the out-of-fold F1 at 0.5 and Brier score (`f1_low`, `f1_high`,
    `brier_low`, `brier_high`), from `boot` resamples of the accounts, as `evaluate-accounts` gives
    its own (`evaluate.bot_figures`: one fixed seed). Both ends are None where every resample gave
    one value (F1 1.000 where every bot outscored every human): no spread measured, not a certainty.
    Why: `train-bot-model` printed "F1 1.000 at 0.5, Brier 0.004" of 30 accounts beside an AUC
    with its interval, as firm as the shipped model's figures of thousands; the report quoted it so."""
    from botwatch.accounts.evaluate import bot_figures

    out: dict[str, float | None] = {}
    figs = bot_figures(np.asarray(y, int), np.asarray(oof, float), boot)
    for name in ("f1", "brier"):
        lo, hi = figs.interval(name)
        measured = lo == lo and hi == hi  # NaN: no interval measured
        out.update({f"{name}_low": round(lo, 4) if measured else None, f"{name}_high": round(hi, 4) if measured else None})
    return out


def train_and_report(frames: list[pd.DataFrame], model_out: Path, figures_out: Path, svg_out: Path, features: Sequence[str] | None = None,
                     record_accounts: bool = False, boot: int = 0, full: bool = True, extra_meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """Pool `frames` (each with features, `label`, `source`), train + calibrate, evaluate (LOSO when
    there are several sources), write model/figures/SVG; return the figures. `record_accounts`
    (a user's model, `botwatch train-bot-model`) stores digests of the training accounts' ids and
    handles in the model file (`training_accounts.TRAINING_KEY`), so a study scored with it can
    count the accounts it was trained on; the shipped model's are in `data/training_accounts.tsv.gz`.
    `boot` > 0 (a user's model) adds bootstrap intervals for the out-of-fold F1 and Brier score
    (`threshold_intervals`); 0 keeps the shipped model's file as it was fitted. `full` False (a
    user's labels with the shipped sources, `train-bot-model --with-shipped`) leaves out the
    figures only the model card reads (the table with `verified`, feature stability and held-out
    importance, the within-source folds: about 28 of 37 model fits with four sources) and gives
    each LOSO row its AUC interval (`auc_low`, `auc_high`); the meta holds the same keys either way. `extra_meta` is stored in the meta
    beside it (what `--with-shipped` measured of the shipped model on the user's set)."""
    features = list(features or SHIPPED_FEATURES)
    pooled = pd.concat(frames, ignore_index=True)
    sources = [str(f["source"].iloc[0]) for f in frames]
    figures: dict[str, Any] = {"features": features, "sources": {}}
    model, oof = fit_model(pooled, features)
    y = pooled["label"].to_numpy(int)
    figures["pooled_oof"] = metrics(y, oof)
    interval, warning = quality_warning(y, oof)
    figures["pooled_oof"].update(auc_low=interval["auc_low"], auc_high=interval["auc_high"])
    if boot > 0:
        figures["pooled_oof"].update(threshold_intervals(y, oof, boot))
    if warning:
        figures[WARNING_KEY] = warning
    curves = [("pooled, out-of-fold", reliability(y, oof))]
    for src in sources:
        m = (pooled["source"] == src).to_numpy()
        figures["sources"][src] = {"n": int(m.sum()), "bots": int(y[m].sum()), "features_filled": [f for f in features if pooled.loc[m, f].notna().any()]}
    if len(frames) >= 2 and not full:
        figures["loso"] = loso_table(frames, _fit, features, intervals=True)
        figures["loso_age_unknown"] = age_unknown_loso(frames, features)
    elif len(frames) >= 2:
        figures["loso"] = loso_table(frames, _fit, features)
        figures["loso_with_verified"] = loso_table(frames, _fit, [*features, "verified"]) if "verified" in pooled.columns else []
        figures["feature_stability"] = feature_stability(frames, features)
        figures["loso_importance"] = loso_importance(frames, features)
        figures["loso_age_unknown"] = age_unknown_loso(frames, features)
        for src in sources:
            if pooled.loc[pooled["source"] == src, "label"].nunique() == 2:
                figures["sources"][src]["oof_with_other_sources"] = within_source_oof(frames, src, features)
    model.meta = {
        "trained_on": {s: figures["sources"][s]["n"] for s in sources},
        "pooled_oof": figures["pooled_oof"],
        "loso": figures.get("loso", []),
        "reliability": curves[0][1],
        "features": features,
        "feature_ranges": feature_ranges(pooled, features),
        AGE_REFERENCE_KEY: age_reference(pooled),  # where a profile's age is unknown (`BotModel.raw`)
        "loso_age_unknown": figures.get("loso_age_unknown", []),  # its interval (`ood.age_unknown_band`)
    }
    model.meta.update(extra_meta or {})
    if warning:  # read back by `botwatch explain` and the report whenever this model scored a study
        model.meta[WARNING_KEY] = warning
    if record_accounts:
        from botwatch.accounts.training_accounts import TRAINING_KEY, training_record

        model.meta[TRAINING_KEY] = training_record(pooled.get("account_id"), pooled.get("handle"), pooled.get("unique_id"))
    model.save(model_out)
    figures["pooled_curve"] = curves[0][1]
    with _named(figures_out):
        figures_out.parent.mkdir(parents=True, exist_ok=True)
        figures_out.write_text(json.dumps(figures, indent=1, sort_keys=True), encoding="utf-8")
    with _named(svg_out):
        svg_out.parent.mkdir(parents=True, exist_ok=True)
        svg_out.write_text(reliability_svg(curves, title="Bot model reliability"), encoding="utf-8")
    return figures


@contextmanager
def _named(path: Path) -> Iterator[None]:
    """An OSError raised while writing `path` carries its name. Why: a disk that fills during the
    write ("No space left on device" from write or close) gives none, and `train-bot-model`, which
    says the file it could not write by the error's name, then named the model, saved whole
    before, as that file."""
    try:
        yield
    except OSError as exc:
        if not exc.filename:
            exc.filename = str(path)
        raise
