"""A user's labels beside the shipped model's labelled sources (`train-bot-model --with-shipped`).

Why (issue 12): `train-bot-model LABELS` trained on the user's labels alone, so a platform team with
a few hundred labelled accounts got a model that had forgotten everything stclab, Gilani 2017 and
botwiki + verified teach, and no figure said whether the shipped model, or one trained with their
set added, holds on *their* platform. The yardstick is leave-one-source-out, so here the user's set
is one more source:

- the shipped model scored on the user's set (`shipped_on_user`): it never saw those accounts, so
  this is a held-out figure, the one that says whether to trust the shipped model there. Accounts
  of the set that were among the shipped model's training accounts (`training_accounts`) are left
  out of it and counted;
- the leave-one-source-out table over the shipped sources plus the user's set, the user's set a
  row of it (`retrain.train_and_report` on all four);
- a one-class set (bots only, or humans only) is never a source of its own, as botwiki-2019 and
  verified-2019 are used only as a pair (`loso`): it gets the shipped model's recall (bots) or
  false-alarm rate (humans) with their intervals, and nothing is trained on it.

An account of the user's set that is also in a shipped source (by lower-cased handle, or by a
numeric or platform-unique id) is taken out of that source, keeping the user's label: a held-out
source must never hold an account the model trained on. A Mastodon or Bluesky account of the set (a
profile URL or DID among its ids) is matched by that id alone, here and against the shipped training
list: its handle or server-local number names another account on Twitter.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from botwatch.accounts.loso import THRESHOLD, Predictor, scores

# The shipped model's sources, in the order `scripts/train_bot_model.py` trains them.
SHIPPED_SOURCES = ("stclab", "gilani2017", "botwiki+verified")
# The fewest bots and humans a source trains with: `train-bot-model`'s rule for a user's set, kept
# for a shipped source that lost accounts to it.
MIN_PER_CLASS = 10
# What `load_shipped_sources` reads under its folder (the layout of ../shared/data/labelled).
SHIPPED_LAYOUT = ("stclab/bots_data.csv.gz", "stclab/nonbots_data.csv.gz", "gilani2017/bots", "gilani2017/humans",
                  "botwiki2019/profiles.csv.gz", "verified2019/profiles.csv.gz")


def load_shipped_sources(data: Path) -> list[pd.DataFrame]:
    """stclab, Gilani and the botwiki+verified pair from `data` (../shared/data/labelled's layout),
    with accounts shared between sources kept in stclab only (a held-out source must never contain
    an account the model trained on). The one loader of the shipped model's training
    (`scripts/train_bot_model.py`) and of `train-bot-model --with-shipped`."""
    from botwatch.accounts.labelled import load_gilani, load_pair, load_stclab

    stclab = load_stclab(data / "stclab")
    handles = set(stclab["handle"].dropna().str.lower())
    gilani = load_gilani(data / "gilani2017")
    gilani = gilani[~gilani["handle"].str.lower().isin(handles)].reset_index(drop=True)
    pair = load_pair(data, set(stclab["account_id"].dropna()), handles)
    return [stclab, gilani, pair]


def missing_layout(data: Path) -> list[str]:
    """The parts of `SHIPPED_LAYOUT` not under `data`: said before anything is read, so a wrong
    folder is named with what it lacks, not met as a pandas error half-way through."""
    return [p for p in SHIPPED_LAYOUT if not (data / p).exists()]


def user_source_name(name: str) -> str:
    """The user's set's source name: its file name, marked as theirs where it would read as a
    shipped source's (a file called `stclab` would join stclab's row of the table)."""
    return f"{name} (yours)" if name in SHIPPED_SOURCES else name


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """`frame[name]`, or a column of None where the set has none (a labels file may name an account
    by handle alone, or by id alone)."""
    return frame[name] if name in frame.columns else pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _other_platform(frame: pd.DataFrame) -> np.ndarray:
    """Rows holding a platform-unique id (a Mastodon profile URL, a Bluesky DID:
    `labelled.read_labels_csv`'s `unique_id`): not Twitter accounts, so their handle and numeric id
    name other accounts there (handles and Mastodon's server-local ids collide across platforms)."""
    from botwatch.accounts.training_accounts import platform_unique

    if "unique_id" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return np.asarray([platform_unique(v) for v in frame["unique_id"].tolist()], dtype=bool)


def _keys(frame: pd.DataFrame) -> tuple[set[str], set[str]]:
    """(lower-cased handles, ids) an account may be matched by. An id only where it is whole
    digits or platform-unique: 248 stclab ids were turned into "7.01E+17" by a spreadsheet, and
    one such id names many accounts. A Mastodon or Bluesky row (`_other_platform`) by its
    platform-unique id alone, as `training_accounts` matches a study's accounts."""
    from botwatch.accounts.training_accounts import platform_unique

    twitter = ~_other_platform(frame)
    handles = {h.strip().lower() for h in _column(frame, "handle")[twitter].dropna().astype(str) if h.strip()}
    ids = set()
    for col in ("account_id", "unique_id"):
        for v, tw in zip(_column(frame, col).tolist(), twitter.tolist()):
            if not isinstance(v, str):
                continue
            v = v.strip().lower()
            if platform_unique(v) or (tw and v.isdigit()):
                ids.add(v)
    return handles, ids


def _named_by(frame: pd.DataFrame, handles: set[str], ids: set[str]) -> np.ndarray:
    """Rows of `frame` whose handle or id is in `handles` / `ids`."""
    hit = np.zeros(len(frame), dtype=bool)
    if "handle" in frame.columns:
        hit |= frame["handle"].astype("string").str.strip().str.lower().isin(handles).fillna(False).to_numpy(bool)
    for col in ("account_id", "unique_id"):
        if col in frame.columns:
            hit |= frame[col].astype("string").str.strip().str.lower().isin(ids).fillna(False).to_numpy(bool)
    return hit


def without_user_accounts(frames: Sequence[pd.DataFrame], user: pd.DataFrame) -> tuple[list[pd.DataFrame], dict[str, int], list[str]]:
    """The shipped sources with the user's accounts taken out (the user's label is kept, in the
    user's source), how many each source lost, and the sources left with fewer than
    `MIN_PER_CLASS` bots or humans, which are dropped: stclab given as the user's file left stclab
    empty, or 5 accounts that then weighed as much in training as Gilani's 3,370 (every source
    weighs the same, `loso.source_weights`); a source of one class is never one of its own."""
    handles, ids = _keys(user)
    out, removed, dropped = [], {}, []
    for f in frames:
        name = str(f["source"].iloc[0])
        hit = _named_by(f, handles, ids)
        removed[name] = int(hit.sum())
        left = f[~hit].reset_index(drop=True)
        if left["label"].value_counts().reindex([0, 1], fill_value=0).min() < MIN_PER_CLASS:
            dropped.append(name)
        else:
            out.append(left)
    return out, removed, dropped


def in_shipped_training(user: pd.DataFrame) -> np.ndarray | None:
    """Which rows of the user's set the shipped bot model was trained on, by the shipped list of
    training-account digests (`training_accounts`: a Twitter id or handle, or a platform-unique
    id); None where the list is not shipped (a source checkout without it): then unknown."""
    from botwatch.accounts.training_accounts import shipped_digests, training_flags

    if shipped_digests().num_rows == 0:
        return None
    flags = training_flags()
    ids, handles, unique = (_column(user, c) for c in ("account_id", "handle", "unique_id"))
    out = []
    for i, h, u, other in zip(ids.tolist(), handles.tolist(), unique.tolist(), _other_platform(user).tolist()):
        if other:  # a Mastodon or Bluesky account: its handle or local id would name a Twitter account
            out.append(bool(flags("mastodon", u, None)["bot"]))
            continue
        i = i.strip() if isinstance(i, str) else None
        h = h.strip() if isinstance(h, str) else None
        out.append(bool(flags("twitter", i, h)["bot"]))
    return np.asarray(out, dtype=bool)


def _rate(k: int, n: int) -> dict[str, Any]:
    """k of n with its share and 95% Wilson interval (None for each where n is 0)."""
    from botwatch.stats import wilson

    share, lo, hi = wilson(k, n)
    known = n > 0
    return {"k": int(k), "n": int(n), "share": round(share, 4) if known else None,
            "low": round(lo, 4) if known else None, "high": round(hi, 4) if known else None}


def shipped_on_user(user: pd.DataFrame, predict: Predictor, trained: np.ndarray | None, boot: int = 1000) -> dict[str, Any]:
    """The shipped model's figures on the user's set, leaving out the rows `trained` marks (its
    own training accounts: not held out). Always: how many given, left out, scored, and the recall
    (bots at or above `THRESHOLD`) and false-alarm rate (humans at or above it) with 95% Wilson
    intervals. With both classes: `scores`' columns, the AUC's 95% interval (`model_quality`) and
    bootstrap intervals of F1 and Brier (`retrain.threshold_intervals`), as `train-bot-model`
    gives its own out-of-fold figures. `trained` None: the list is not shipped, so whether any
    was trained on is unknown, said by `in_training_unknown`."""
    keep = np.ones(len(user), dtype=bool) if trained is None else ~trained
    held = user[keep].reset_index(drop=True)
    y = held["label"].to_numpy(int)
    p = np.asarray(predict(held), float) if len(held) else np.zeros(0)
    bots, humans = int(y.sum()), int(len(y) - y.sum())
    out: dict[str, Any] = {"given": int(len(user)), "in_training": None if trained is None else int(trained.sum()),
                           "in_training_unknown": trained is None, "n": int(len(y)), "bots": bots,
                           "recall": _rate(int(((p >= THRESHOLD) & (y == 1)).sum()), bots),
                           "false_alarms": _rate(int(((p >= THRESHOLD) & (y == 0)).sum()), humans)}
    if bots and humans:
        from botwatch.accounts.model_quality import auc_interval95
        from botwatch.accounts.retrain import threshold_intervals

        out.update(scores(y, p))
        _, lo, hi = auc_interval95(y, p)
        out.update(auc_low=round(lo, 4), auc_high=round(hi, 4), **threshold_intervals(y, p, boot))
    return out

