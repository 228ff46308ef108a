"""What `train-bot-model LABELS --with-shipped DIR` says before and after it trains.

Why its own module: `cli/accounts.py` holds the account commands; this is the part of one option
that loads the shipped model's labelled sources, scores the user's set with the shipped model (a
held-out figure: it never saw the set) and prints the leave-one-source-out table with the user's
set as a row (`accounts/with_shipped.py` says why each). Every name printed here may come from a
file name or a labels file, so it passes through `controls_shown` and is printed without markup.
"""

from __future__ import annotations

import time
import zlib
from pathlib import Path
from typing import Any

import pandas as pd

from botwatch.cli.common import console, fail, out, warn
from botwatch.count_text import counted
from botwatch.prob_text import percent_interval
from botwatch.shown_text import controls_shown, name_shown

ONE_CLASS_SAID = ("a set of one class is never a source of its own, as botwiki-2019's bots and verified-2019's humans are used only as a "
                  "pair: it cannot be a row of the leave-one-source-out table and nothing was trained on it (docs/model-card-bot.md)")


def _rate_said(rate: dict[str, Any], what: str, of: str) -> str:
    """"recall 80 of 120 bots at 0.5 (67% [58–74%], 95% Wilson interval)"."""
    share = f"{percent_interval(rate['share'], rate['low'], rate['high'])}, 95% Wilson interval" if rate["n"] else "none to measure"
    return f"{what} {rate['k']:,} of {counted(rate['n'], of)} at 0.5 ({share})"


def shipped_figure_lines(fig: dict[str, Any]) -> list[str]:
    """The shipped model's figures on the user's set as sentences (`with_shipped.shipped_on_user`)."""
    from botwatch.auc_text import auc, auc_interval

    lines = []
    if fig["in_training_unknown"]:
        lines.append("The list of the shipped model's training accounts is not in this installation, so whether any of your accounts "
                     "were among them is unknown: the figures below are held out only if none were.")
    elif fig["in_training"]:
        lines.append(f"{fig['in_training']:,} of your {counted(fig['given'], 'account')} were among the shipped model's training "
                     "accounts and are left out of its figures below (on those it is not held out).")
    if not fig["n"]:
        lines.append("The shipped model has no held-out figure on your labels: every account of the set was among its training accounts.")
        return lines
    head = f"The shipped model on your labels (held out: it was never trained on them), {counted(fig['n'], 'account')}, {counted(fig['bots'], 'bot')}:"
    parts = []
    if fig.get("auc") is not None and fig["auc"] == fig["auc"]:
        parts.append(f"AUC {auc(fig['auc'])} (95% interval {auc_interval(fig['auc_low'], fig['auc_high'], '-')}), balanced accuracy "
                     f"{fig['balanced_accuracy']:.3f}, F1 at 0.5 {fig['f1']:.3f}{_ends(fig, 'f1')}, Brier {fig['brier']:.3f}{_ends(fig, 'brier')}, "
                     f"calibration error (ECE) {fig['ece']:.3f}")
    if fig["recall"]["n"]:
        parts.append(_rate_said(fig["recall"], "recall: it called", "bot"))
    if fig["false_alarms"]["n"]:
        parts.append(_rate_said(fig["false_alarms"], "false alarms: it called", "human"))
    lines.append(head + " " + "; ".join(parts) + ".")
    return lines


def _ends(fig: dict[str, Any], name: str) -> str:
    """" [0.640-0.750]" where `fig` holds a bootstrap interval of `name`; "" where none was measured."""
    lo, hi = fig.get(f"{name}_low"), fig.get(f"{name}_high")
    return f" [{lo:.3f}-{hi:.3f}]" if isinstance(lo, float) and isinstance(hi, float) else ""


def load_beside(frame: pd.DataFrame, labels: Path, data: Path) -> tuple[list[pd.DataFrame], dict[str, Any]]:
    """Load the shipped sources from `data`, print the shipped model's held-out figures on the
    user's set, and return (the shipped sources without the user's accounts, then the user's set;
    what the model file records of it). A one-class set ends here (`ONE_CLASS_SAID`), after its
    figures, with nothing written; a folder without the shipped layout before anything is read."""
    from botwatch.accounts.botmodel import packaged_model
    from botwatch.accounts.with_shipped import (SHIPPED_SOURCES, in_shipped_training, load_shipped_sources, missing_layout, shipped_on_user,
                                                user_source_name, without_user_accounts)

    if not data.is_dir():
        fail(f"--with-shipped {name_shown(data)} is not a folder: give the folder of the shipped model's labelled sets "
             "(stclab/, gilani2017/, botwiki2019/, verified2019/, as ../shared/data/labelled; docs/model-card-bot.md)")
    if lacking := missing_layout(data):
        fail(f"--with-shipped {name_shown(data)} lacks {', '.join(lacking)}: give the folder of the shipped model's labelled sets "
             "(as ../shared/data/labelled; docs/model-card-bot.md)")
    t0 = time.perf_counter()
    try:
        shipped = load_shipped_sources(data)
    except (OSError, ValueError, KeyError, EOFError, zlib.error) as exc:  # a damaged or other file under the right names: said, never a traceback
        # EOFError (a .gz cut short) and zlib.error (one damaged inside) are not OSErrors: click took the
        # first for Ctrl-D, "Aborted." and exit 1, naming nothing.
        fail(f"could not read the shipped sources under {name_shown(data)}: {controls_shown(str(exc))}")
    model = packaged_model()
    given = {str(f["source"].iloc[0]): len(f) for f in shipped}
    trained_on = model.meta.get("trained_on") if isinstance(model.meta.get("trained_on"), dict) else {}
    console.print("shipped sources read in " + f"{time.perf_counter() - t0:.1f} s: "
                  + ", ".join(f"{s} {n:,}" for s, n in given.items()), highlight=False, markup=False)
    if trained_on and any(trained_on.get(s) != given.get(s) for s in SHIPPED_SOURCES):
        warn(f"{name_shown(data)} gives other accounts than the shipped model was trained on ("
             + ", ".join(f"{s} {trained_on.get(s, 0):,}" for s in SHIPPED_SOURCES)
             + "): the table below is of these files, not of the shipped model's training")
    frame = frame.assign(source=user_source_name(str(frame["source"].iloc[0])))
    fig = shipped_on_user(frame, model.predict, in_shipped_training(frame))
    for line in shipped_figure_lines(fig):
        out.print(controls_shown(line), highlight=False, markup=False)
    if frame["label"].nunique() < 2:
        fail(f"{name_shown(labels)}: {ONE_CLASS_SAID}")
    kept, removed, dropped = without_user_accounts(shipped, frame)
    if sum(removed.values()):
        console.print("your accounts also in a shipped source were taken out of it, your label kept: "
                      + ", ".join(f"{n:,} of {s}" for s, n in removed.items() if n), highlight=False, markup=False)
    if dropped:
        warn(f"{', '.join(dropped)} {'is' if len(dropped) == 1 else 'are'} left out as a source: without your accounts "
             f"{'it holds' if len(dropped) == 1 else 'each holds'} fewer than 10 bots or humans, too few to weigh as a whole source")
    if not kept:  # the set alone is `train-bot-model` without the option; trained here, it ended in KeyError 'loso'
        fail(f"no shipped source is left beside your set in {name_shown(data)}, so there is no leave-one-source-out table to give and "
             "nothing of the shipped sources to train on: train on your labels alone (without --with-shipped), or give the whole "
             "shipped layout (../shared/data/labelled)")
    record = {"sources": [str(f["source"].iloc[0]) for f in kept], "yours": str(frame["source"].iloc[0]),
              "taken_out_of_shipped_sources": removed, "left_out_as_sources": dropped, "shipped_model_on_yours": fig}
    return [*kept, frame], {"with_shipped": record}


def loso_lines(rows: list[dict[str, Any]], yours: str) -> list[str]:
    """The leave-one-source-out table (`loso.format_table`, AUC with its interval) with the user's
    row named as such, every name shown safe for a terminal."""
    from botwatch.accounts.loso import format_table

    shown = [{**r, "held_out": controls_shown(str(r["held_out"])), "trained_on": [controls_shown(str(t)) for t in r["trained_on"]]} for r in rows]
    return [f"leave-one-source-out, your set ({controls_shown(yours)}) one of the sources (AUC with its 95% interval):",
            format_table(shown)]


def weight_line(sources: dict[str, dict[str, Any]], yours: str) -> str | None:
    """What the user's set weighs in training, said beside "trained on ... N yours": every source
    weighs the same (`loso.source_weights`), so 40 accounts listed after Gilani's 3,370 read as a
    sliver of the training when they are a whole source's share, each account of theirs weighing
    as much as about 84 of Gilani's. None where the set is not smaller than every shipped source."""
    mine = sources.get(yours, {}).get("n", 0)
    others = {k: s["n"] for k, s in sources.items() if k != yours}
    if not mine or not others or mine >= max(others.values()):
        return None
    big, n = max(others.items(), key=lambda kv: kv[1])
    return (f"every source weighs the same in training, split equally between its bots and humans: your {counted(mine, 'account')} "
            f"weigh as much as {controls_shown(big)}'s {n:,}, each of yours about {n / mine:,.0f} times as much as one of theirs; "
            "the pooled out-of-fold figure below counts every account once, so it says little of your set: its row above does")

