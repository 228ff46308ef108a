"""Behaviour in the study as a bounded likelihood ratio on the bot probability.

The labelled sets hold profiles, not posts, so no classifier over behaviour can be trained and
tested across sources. What can be measured on real data is how often *ordinary* accounts (the
brexit-2016 and gop-debate-2015 election archives) show a pattern, given how many posts they have
in the study: the false-alarm side. The other side is measured on accounts known to be run by an
organisation (the IRA handles, Clemson/FiveThirtyEight, through their posts naming the 2016 race:
keyword-collected like the ordinary archives), which are weak positives: most are
human-run trolls, not software, so their rates understate what a real bot shows and the ratio
leans conservative.

Per pattern k and posts bin b (10-19, 20-99, 100+ posts in the study):

    LR(k, b) = clip( lower95(organised rate) / upper95(ordinary rate), 1, LR_CAP )

measured on the fit part of a fixed hash split of both groups (`scripts/fit_bot_behaviour.py`;
the numbers live in `data/bot_behaviour.json`). An account with at least MIN_POSTS posts gets the
largest LR among the patterns it shows (the patterns overlap, so they are not multiplied), and

    logit(p) = logit(p_profile) + log LR,   clipped to [0.01, 0.99].

Absence of a pattern is not read as evidence of a human (LR 1): many automated accounts show none.
Accounts with fewer posts, with no pattern, or without a profile probability keep the profile
probability exactly, so the one-status-per-account path is unchanged.

Everything here is columns: one boolean matrix over the accounts, a table lookup and a maximum;
Python only writes the sentence of the (few) accounts where a pattern fired.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from botwatch.count_text import two_figures
from botwatch.prob_text import fixed, percent

MIN_POSTS = 10  # below this an account's study posts say too little about its habits
POST_BINS: tuple[tuple[int, int], ...] = ((10, 19), (20, 99), (100, 10**12))
LR_CAP = 10.0  # at most ×10 on the odds (+2.3 log-odds) from behaviour, however rare the pattern
PROB_FLOOR, PROB_CEIL = 0.01, 0.99  # as the profile model's own output


@dataclass(frozen=True)
class Pattern:
    """A behaviour the Three A's literature and investigators read as automation."""

    name: str
    column: str  # an account_features column
    above: bool  # fires when the value is >= threshold (True) or < threshold (False)
    threshold: float
    what: str  # words for the pattern, with {v} the account's value (formatted by `fmt`)
    fmt: str  # "pct" (share → %), "num", "cv"


PATTERNS: tuple[Pattern, ...] = (
    Pattern("clockwork", "gap_cv", False, 0.3, "posts at near-constant intervals (gap variation {v})", "cv"),
    # Under a minute, not 10 s: the IRA CSV gives times to the minute, where a gap under 60 s is
    # "the same clock minute" (never more than the true share, so the IRA side is not overstated).
    Pattern("bursts", "share_gaps_under_60s", True, 0.25, "{v} of its posts follow the previous one within a minute", "pct"),
    Pattern("duplicates", "dup_text_share", True, 0.3, "{v} of its posts repeat a text it already posted", "pct"),
    Pattern("amplifier", "retweet_share", True, 0.8, "{v} of its posts are retweets", "pct"),
    Pattern("hyperactive", "posts_per_day_study", True, 72.0, "{v} posts a day (72 or more; the Three A's 'activity' is over 72)", "num"),
    Pattern("round_the_clock", "hour_entropy_bits", True, 4.4, "posts spread evenly over the 24 hours of the day ({v} bits of 4.58)", "num"),
)
NAMES = tuple(p.name for p in PATTERNS)


def bin_labels() -> tuple[str, ...]:
    return tuple(f"{lo}+" if hi >= 10**12 else f"{lo}-{hi}" for lo, hi in POST_BINS)


def post_bins(n_posts: np.ndarray) -> np.ndarray:
    """Bin index per account (-1: fewer than MIN_POSTS posts or unknown)."""
    n = np.nan_to_num(np.asarray(n_posts, dtype="float64"), nan=0.0)
    out = np.full(len(n), -1, dtype=np.int64)
    for i, (lo, hi) in enumerate(POST_BINS):
        out[(n >= max(lo, MIN_POSTS)) & (n <= hi)] = i
    return out


def fired(features: pd.DataFrame) -> np.ndarray:
    """(accounts × patterns) booleans: the account shows the pattern (NaN/missing column: no)."""
    out = np.zeros((len(features), len(PATTERNS)), dtype=bool)
    for j, p in enumerate(PATTERNS):
        if p.column not in features.columns:
            continue
        v = pd.to_numeric(features[p.column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            out[:, j] = (v >= p.threshold) if p.above else (v < p.threshold)
    return out


@lru_cache(maxsize=1)
def parameters() -> dict[str, Any]:
    """The measured rates and ratios shipped in `data/bot_behaviour.json` (read once; a caller
    with other figures passes them to `lr_table` and `sentence` as `params`)."""
    return json.loads(resources.files("botwatch.accounts").joinpath("data/bot_behaviour.json").read_text(encoding="utf-8"))


def lr_table(params: dict[str, Any] | None = None) -> np.ndarray:
    """(patterns × bins) likelihood ratios; 1 where a pattern was not shown to separate."""
    params = parameters() if params is None else params
    labels = bin_labels()
    table = np.ones((len(PATTERNS), len(POST_BINS)))
    for j, p in enumerate(PATTERNS):
        cells = params.get("patterns", {}).get(p.name, {}).get("bins", {})
        for b, lab in enumerate(labels):
            lr = cells.get(lab, {}).get("lr")
            table[j, b] = min(max(float(lr), 1.0), LR_CAP) if isinstance(lr, (int, float)) else 1.0
    return table


@dataclass
class BehaviourLR:
    """Per account: the ratio applied (1 when none), which pattern gave it (-1 none), its bin."""

    lr: np.ndarray
    pattern: np.ndarray
    bin: np.ndarray
    fired: np.ndarray  # accounts × patterns, with enough posts

    @property
    def applied(self) -> np.ndarray:
        return self.pattern >= 0


def likelihood_ratios(features: pd.DataFrame, params: dict[str, Any] | None = None) -> BehaviourLR:
    """The behaviour ratio of every account in `features` (account_features rows)."""
    n = len(features)
    b = post_bins(features["n_posts"].to_numpy(dtype="float64", na_value=np.nan)) if "n_posts" in features.columns else np.full(n, -1)
    f = fired(features) & (b >= 0)[:, None]
    table = lr_table(params)
    lr_cells = np.where(f, table[:, np.maximum(b, 0)].T, 1.0)
    best = np.argmax(lr_cells, axis=1) if n else np.zeros(0, dtype=np.int64)
    lr = lr_cells[np.arange(n), best] if n else np.ones(0)
    pattern = np.where(lr > 1.0, best, -1)
    return BehaviourLR(np.where(pattern >= 0, lr, 1.0), pattern, b, f)


def combine(p: np.ndarray, lr: np.ndarray) -> np.ndarray:
    """Profile probability × behaviour ratio in log-odds; NaN stays NaN, LR 1 leaves p exactly."""
    p = np.asarray(p, dtype="float64")
    lr = np.asarray(lr, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.clip(p, 1e-9, 1 - 1e-9)
        odds = q / (1 - q) * lr
        out = np.clip(odds / (1 + odds), PROB_FLOOR, PROB_CEIL)
    return np.where(lr == 1.0, p, out)


def _value_text(p: Pattern, v: float) -> str:
    if p.fmt == "pct":  # "99.7% of its posts are retweets" (299 of 300), not "100%"
        return percent(v)
    if p.fmt == "cv":
        return f"{v:.2f}"
    return f"{v:,.1f}" if v < 100 else f"{v:,.0f}"


def _pct(x: float) -> str:
    return f"{fixed(x, 1, 100)}%" if x == 0 or x >= 0.001 else f"{fixed(x, 2, 100)}%"


def sentence(pattern: int, value: float, n_posts: int, bin_index: int, lr: float, p_before: float | None, p_after: float | None,
             params: dict[str, Any] | None = None) -> str:
    """One account's behaviour evidence in words: what it did, how often ordinary accounts do it,
    and what that did to the probability."""
    params = parameters() if params is None else params
    p = PATTERNS[pattern]
    lab = bin_labels()[bin_index]
    cell = params.get("patterns", {}).get(p.name, {}).get("bins", {}).get(lab, {})
    what = p.what.format(v=_value_text(p, value))
    k_ord, n_ord = (cell.get("ordinary") or [None, None])[:2]
    k_org, n_org = (cell.get("organised") or [None, None])[:2]
    hi = cell.get("ordinary_hi")
    base = f"behaviour in the study ({n_posts:,} posts): {what}"
    if isinstance(k_ord, int) and isinstance(n_ord, int) and n_ord and isinstance(hi, (int, float)):
        base += f"; real ordinary election accounts with {lab} posts show this in {k_ord:,} of {n_ord:,} ({_pct(k_ord / n_ord)}; at most {_pct(hi)})"
    if isinstance(k_org, int) and isinstance(n_org, int) and n_org:
        base += f", IRA-run accounts in {k_org:,} of {n_org:,}"
    base += f": bot odds ×{two_figures(lr)}"
    if p_before is not None and p_after is not None and not (math.isnan(p_before) or math.isnan(p_after)):
        base += f" (profile alone {p_before:.2f} → {p_after:.2f})"
    return base


def evidence_item(pattern: int, value: float, n_posts: int, bin_index: int, lr: float, p_before: float | None, p_after: float | None) -> dict[str, Any]:
    """The `account_evidence` row for the behaviour component (kind 'bot', feature
    'behaviour:<pattern>', contribution = natural log of the ratio)."""
    p = PATTERNS[pattern]
    return {
        "feature": f"behaviour:{p.name}",
        "value": None if math.isnan(value) else float(value),
        "contribution": round(math.log(lr), 4),
        "sentence": sentence(pattern, value, n_posts, bin_index, lr, p_before, p_after),
    }


@dataclass
class Applied:
    """The bot probability after behaviour, with what the scorer writes beside it."""

    probability: np.ndarray  # combined (the profile probability where no ratio applies)
    low: np.ndarray
    high: np.ndarray
    lr: np.ndarray  # NaN where the component did not apply (too few posts, no pattern, no profile probability)
    items: dict[int, dict[str, Any]]  # row index → the behaviour evidence item, only where it applied


def apply(features: pd.DataFrame, probability: np.ndarray, low: np.ndarray, high: np.ndarray,
          params: dict[str, Any] | None = None) -> Applied:
    """Fold the behaviour ratio into the profile probability (and its interval) of every account
    that has one; the rest are returned unchanged, value for value."""
    r = likelihood_ratios(features, params)
    prob = np.asarray(probability, dtype="float64")
    use = r.applied & ~np.isnan(prob)
    lr = np.where(use, r.lr, 1.0)
    out = combine(prob, lr)
    lo, hi = combine(np.asarray(low, dtype="float64"), lr), combine(np.asarray(high, dtype="float64"), lr)
    items: dict[int, dict[str, Any]] = {}
    idx = np.flatnonzero(use)
    if len(idx):
        cols = {p.column: pd.to_numeric(features[p.column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
                for p in PATTERNS if p.column in features.columns}
        n_posts = features["n_posts"].to_numpy(dtype="float64", na_value=np.nan)
        for i in idx.tolist():
            pat = int(r.pattern[i])
            value = float(cols[PATTERNS[pat].column][i])
            items[i] = evidence_item(pat, value, int(n_posts[i]), int(r.bin[i]), float(lr[i]), float(prob[i]), float(out[i]))
    return Applied(out, lo, hi, np.where(use, lr, np.nan), items)
