#!/usr/bin/env python
"""Retrain the shipped bot model on the real labelled sets and regenerate its figures.

    /work/venv/bin/python scripts/train_bot_model.py [--data ../shared/data/labelled]

Writes src/botwatch/accounts/models/bot_model.json.gz, docs/figures/bot-model-figures.json and
docs/figures/bot-reliability.svg (the numbers quoted in docs/model-card-bot.md).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from botwatch.accounts.labelled import load_gilani, load_stclab
from botwatch.accounts.retrain import train_and_report

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "labelled")
    ap.add_argument("--model", type=Path, default=REPO / "src" / "botwatch" / "accounts" / "models" / "bot_model.json.gz")
    ap.add_argument("--figures", type=Path, default=REPO / "docs" / "figures" / "bot-model-figures.json")
    ap.add_argument("--svg", type=Path, default=REPO / "docs" / "figures" / "bot-reliability.svg")
    args = ap.parse_args()
    t0 = time.perf_counter()
    stclab = load_stclab(args.data / "stclab")
    gilani = load_gilani(args.data / "gilani2017")
    # An account in both sets would let the cross test see its own answer: keep it in stclab only.
    gilani = gilani[~gilani["handle"].str.lower().isin(set(stclab["handle"].str.lower()))].reset_index(drop=True)
    figs = train_and_report([stclab, gilani], args.model, args.figures, args.svg)
    print(json.dumps({"pooled_oof": figs["pooled_oof"], "sources": {k: v["oof"] for k, v in figs["sources"].items()},
                      "cross": [{k: c[k] for k in ("train", "test", "features", "metrics")} for c in figs["cross"]]}, indent=1))
    print(f"model: {args.model} ({args.model.stat().st_size / 1024:.0f} KiB); {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
