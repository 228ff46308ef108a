"""Train a bot model from labelled accounts and write it with its figures.

Used by `scripts/train_bot_model.py` (the shipped model, from ../shared/data/labelled) and by
`botwatch train-bot-model LABELS.csv` (a user's own labels). Both write the model file, a JSON of
figures and a reliability SVG, so every number in the model card can be regenerated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from botwatch.accounts.profile import MODEL_FEATURES
from botwatch.accounts.reliability_svg import reliability_svg
from botwatch.accounts.training import cross_dataset, fit_model, metrics, reliability, shared_features


def usable_features(frame: pd.DataFrame) -> list[str]:
    """Model features the labelled frame fills at least somewhere (all-NaN columns teach nothing)."""
    return [f for f in MODEL_FEATURES if frame[f].notna().any()]


def train_and_report(frames: list[pd.DataFrame], model_out: Path, figures_out: Path, svg_out: Path) -> dict[str, Any]:
    """Pool `frames` (each with features, `label`, `source`), train + calibrate, evaluate within
    each source out-of-fold and across sources, write model/figures/SVG; return the figures."""
    pooled = pd.concat(frames, ignore_index=True)
    features = MODEL_FEATURES  # the stage feeds all of them; NaN where a source lacks one
    sources = [str(f["source"].iloc[0]) for f in frames]
    figures: dict[str, Any] = {"features": features, "sources": {}, "cross": []}
    model, oof = fit_model(pooled, features)
    y = pooled["label"].to_numpy(int)
    figures["pooled_oof"] = metrics(y, oof)
    curves = [("pooled, out-of-fold", reliability(y, oof))]
    for src in sources:
        m = (pooled["source"] == src).to_numpy()
        figures["sources"][src] = {"oof": metrics(y[m], oof[m]), "features_filled": [f for f in features if pooled.loc[m, f].notna().any()]}
    if len(frames) >= 2:
        for a in frames:
            for b in frames:
                if a is b:
                    continue
                feats = shared_features(a, b, MODEL_FEATURES)
                res = cross_dataset(a, b, feats)
                figures["cross"].append({"train": res.train, "test": res.test, "features": res.features, "metrics": res.metrics, "curve": res.curve})
                curves.append((f"train {res.train} → test {res.test}", res.curve))
    model.meta = {
        "trained_on": {s: figures["sources"][s]["oof"]["n"] for s in sources},
        "pooled_oof": figures["pooled_oof"],
        "cross": [{"train": c["train"], "test": c["test"], **{k: c["metrics"][k] for k in ("auc", "f1", "brier")}} for c in figures["cross"]],
        "reliability": curves[0][1],
        "cross_curves": [{"train": c["train"], "test": c["test"], "curve": c["curve"]} for c in figures["cross"]],
        "features": features,
    }
    model.save(model_out)
    figures_out.parent.mkdir(parents=True, exist_ok=True)
    figures["pooled_curve"] = curves[0][1]
    figures_out.write_text(json.dumps(figures, indent=1, sort_keys=True), encoding="utf-8")
    svg_out.parent.mkdir(parents=True, exist_ok=True)
    svg_out.write_text(reliability_svg(curves, title="Bot model reliability"), encoding="utf-8")
    return figures
