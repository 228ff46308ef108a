"""The shipped bot model: LightGBM trees over profile features, an isotonic calibration map,
and plain-sentence evidence from the trees' own SHAP values (`pred_contrib`).

The file is JSON (gzip): the booster as LightGBM's text dump, the feature list, the calibration
thresholds, and what it was trained on with its measured figures. JSON rather than pickle so
that loading a model file never runs code. `BOTWATCH_BOT_MODEL` points the stage at a model the
user trained with `botwatch train-bot-model`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.exact_round import none_where, round_like_python
from botwatch.prob_text import percent
from botwatch.accounts.tree_keys import grouped_predict, split_points
from botwatch.userfile import read_user_bytes_sha256

FORMAT = "botwatch-bot-model/1"
SHIPPED = "bot_model.json.gz"
# A calibrated probability is never reported as certain: labelled sets are small and old.
PROB_FLOOR, PROB_CEIL = 0.01, 0.99
# An account's age needs the time its profile was seen; a profile-only file (TwiBot-20's, a user
# lookup) has none. Every labelled account has its age, so the trees never saw it unknown, and
# LightGBM reads a value never missing in training as 0: an account one day old ("account age
# (days) is unknown, which raised the bot score (+0.52 log-odds)" for @kanyewest) and no posts per
# day. Training with the age unknown cost 0.006-0.009 of held-out stclab AUC at every copy weight
# tried (docs/model-card-bot.md), so the model scores such an account as it stands over the ages
# of the labelled accounts it learned from instead (`age_reference`: their deciles, in the file's
# meta), with the per-day rates taken again at each age, and averages the log-odds.
AGE_FEATURE = "log_age_days"
# The features a profile without the time it was seen leaves unknown with the age (rates per day).
AGE_DEPENDENT: tuple[str, ...] = ("log_age_days", "log_likes_per_day", "log_posts_per_day", "log_followers_per_day", "log_following_per_day")
AGE_REFERENCE_KEY = "age_reference"
# How the evidence says it (`BotModel.evidence_columns`, on accounts of unknown age only).
AGE_UNKNOWN_WORDS = (
    (r"^account age \(days\) is unknown, which ",
     "account age (days) is unknown (the score is averaged over the ages of the labelled accounts), which "),
    (r"^(posts per day over the account's life|posts liked per day of age) is unknown, which ",
     r"\1, taken from the profile's count at each of the labelled accounts' ages (the account's own age is unknown), "),
)


def age_reference(frame: pd.DataFrame) -> list[float]:
    """The deciles (10% to 90%) of the known `log_age_days` of the accounts a model learns from:
    the ages an account of unknown age is scored at (`BotModel.raw`)."""
    v = frame[AGE_FEATURE].dropna().to_numpy(float) if AGE_FEATURE in frame.columns else np.zeros(0)
    return [round(float(x), 6) for x in np.quantile(v, np.arange(1, 10) / 10)] if len(v) else []


def reference_ages(meta: Any) -> np.ndarray:
    """The model file's `age_reference` as an array of finite log-ages; empty where the file has
    none or holds something else there (a hand-edited user model: scored as a file without it)."""
    ref = meta.get(AGE_REFERENCE_KEY) if isinstance(meta, dict) else None
    if not isinstance(ref, list) or not ref or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in ref):
        return np.zeros(0)
    return np.asarray(ref, float)


def _at_ages(values: np.ndarray, features: list[str], rows: np.ndarray, ages: np.ndarray,
             posts_log: np.ndarray | None) -> np.ndarray:
    """Rows `rows` of `values` again once per reference age (row-major: row, then age), with the
    age set and the per-day rates the model reads taken again at it, as `profile` takes them
    (days = age, at least one): posts liked per day from `log_likes`, posts per day from
    `posts_log` (the profile's post count, `log_posts_count`; left as it is when not given)."""
    out = np.repeat(values[rows], len(ages), axis=0)
    k = len(ages)
    age = np.tile(ages, len(rows))
    days = np.maximum(np.expm1(age), 1.0)
    col = {f: j for j, f in enumerate(features)}
    out[:, col[AGE_FEATURE]] = age
    if "log_likes_per_day" in col and "log_likes" in col:
        likes = np.expm1(np.repeat(values[rows, col["log_likes"]], k))
        out[:, col["log_likes_per_day"]] = np.log1p(likes / days)
    if "log_posts_per_day" in col and posts_log is not None:
        out[:, col["log_posts_per_day"]] = np.log1p(np.expm1(np.repeat(posts_log[rows], k)) / days)
    return out

# How each feature reads in a sentence, and how to print its value.
_DESCRIBE: dict[str, tuple[str, str]] = {
    "log_followers": ("followers", "expm1"),
    "log_following": ("accounts followed", "expm1"),
    "log_posts_count": ("posts on the profile", "expm1"),
    "ff_ratio_log10": ("followers per account followed", "pow10"),
    "age_days": ("account age (days)", "int"),
    "posts_per_day_life": ("posts per day over the account's life", "float"),
    "followers_per_day": ("followers gained per day of age", "float"),
    "following_per_day": ("accounts followed per day of age", "float"),
    "handle_len": ("handle length", "int"),
    "handle_digits": ("digits in the handle", "int"),
    "handle_digit_share": ("share of digits in the handle", "pct"),
    "handle_entropy": ("randomness of the handle (bits/char)", "float"),
    "handle_upper_share": ("share of capitals in the handle", "pct"),
    "handle_generated15": ("15-character generated-looking handle", "bool"),
    "name_len": ("display-name length", "int"),
    "name_digits": ("digits in the display name", "int"),
    "name_handle_similarity": ("similarity of display name and handle", "pct"),
    "description_len": ("profile description length", "int"),
    "has_location": ("a profile location", "bool"),
    "default_profile": ("default profile theme", "bool"),
    "default_image": ("default profile image", "bool"),
    "verified": ("verified badge", "bool"),
    "log_age_days": ("account age (days)", "expm1"),
    "log_posts_per_day": ("posts per day over the account's life", "expm1f"),
    "log_followers_per_day": ("followers gained per day of age", "expm1f"),
    "log_following_per_day": ("accounts followed per day of age", "expm1f"),
    "log_likes": ("posts liked", "expm1"),
    "log_likes_per_day": ("posts liked per day of age", "expm1f"),
    "likes_per_post_log": ("likes given per own post", "pow10"),
    "log_listed": ("lists the account is on", "expm1"),
    "listed_per_1k_followers_log": ("lists per thousand followers", "pow10"),
    "handle_underscores": ("underscores in the handle", "int"),
    "name_words": ("words in the display name", "int"),
    "name_non_ascii_share": ("share of non-ASCII characters in the name", "pct"),
    "description_words": ("words in the description", "int"),
    "description_has_link": ("a link in the description", "bool"),
    "description_mentions": ("@mentions in the description", "int"),
    "description_hashtags": ("hashtags in the description", "int"),
    "has_url": ("a website on the profile", "bool"),
    "self_declared_bot": ("calls itself a bot (handle, name or description)", "bool"),
    "automation_words": ("automation words in the description (automated, feed, every hour, made by ...)", "int"),
    "background_image": ("profile background image", "bool"),
}


# How a known value of each kind of feature is shown (`_DESCRIBE`'s second field; any other kind
# as "float"): counts back from logs, shares as percent. One table for `describe_value` and the
# evidence heads of a whole feature at once (`_heads`), so the two cannot word a value apart.
_SHOW: dict[str, Callable[[float], str]] = {
    "expm1": lambda v: f"{math.expm1(v):,.0f}",
    "expm1f": lambda v: f"{math.expm1(v):,.2f}",
    "pow10": lambda v: f"{10 ** v:,.2f}",
    "int": lambda v: f"{v:,.0f}",
    "pct": percent,  # a share strictly between 0 and 1 never reads 0% or 100% (prob_text)
    "bool": lambda v: "yes" if v >= 0.5 else "no",
    "float": lambda v: f"{v:,.2f}",
}


# How a flag reads in a sentence, (when set, when not): "a profile location no raised the bot
# score" read as a contradiction; "no profile location: raised the bot score" does not.
_FLAG_WORDS: dict[str, tuple[str, str]] = {
    "handle_generated15": ("a 15-character generated-looking handle", "no 15-character generated-looking handle"),
    "has_location": ("a profile location", "no profile location"),
    "default_profile": ("the default profile theme", "a customised profile theme"),
    "default_image": ("the default profile image", "its own profile image"),
    "verified": ("a verified badge", "no verified badge"),
    "description_has_link": ("a link in the description", "no link in the description"),
    "has_url": ("a website on the profile", "no website on the profile"),
    "self_declared_bot": ("calls itself a bot (handle, name or description)", "does not call itself a bot"),
    "background_image": ("a profile background image", "no profile background image"),
}
# Counts whose label names what is counted, so that zero reads "no digits in the handle" rather
# than "digits in the handle 0".
_NONE_WHEN_ZERO = frozenset({"automation_words", "handle_digits", "name_digits", "handle_underscores", "description_mentions",
                             "description_hashtags", "name_words"})


def _shown(feature: str) -> tuple[str, Callable[[float], str]]:
    """`feature`'s label and how its known values are shown."""
    label, kind = _DESCRIBE.get(feature, (feature, "float"))
    return label, _SHOW.get(kind, _SHOW["float"])


def describe_value(feature: str, value: float) -> str:
    """A feature value as a reader would want it (counts back from logs, shares as percent)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    return _shown(feature)[1](value)


@dataclass
class EvidenceColumns:
    """The bot model's evidence items as columns, one entry per item, in (row, rank) order."""

    row: np.ndarray  # index of the input row the item belongs to
    rank: np.ndarray  # 0-based position among that row's items
    feature: list[str]
    value: list[float | None]
    contribution: list[float]  # rounded to 4 places, as stored
    sentence: pa.StringArray  # Arrow, so that a sentence need never be a Python string (`evidence_sentence_array`)

    @classmethod
    def empty(cls) -> EvidenceColumns:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), [], [], [], pa.array([], pa.string()))


@dataclass
class BotModel:
    """A trained booster + calibration; `predict` gives calibrated probabilities."""

    booster: Any
    features: list[str]
    calib_x: np.ndarray
    calib_y: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    _points: tuple[list[np.ndarray] | None] | None = field(default=None, init=False, repr=False, compare=False)

    def raw(self, X: pd.DataFrame) -> np.ndarray:
        """Uncalibrated margins (log-odds) of the trees; a row of unknown age averaged over the
        reference ages (`age_reference`)."""
        values = X[self.features].to_numpy(dtype="float64")
        rows, ages = self._age_unknown(values)
        out = self.booster.predict(values, raw_score=True, num_threads=1)
        if len(rows):  # as `contributions` does: the rows of unknown age written over
            expanded = _at_ages(values, self.features, rows, ages, _posts_log(X))
            out[rows] = self.booster.predict(expanded, raw_score=True, num_threads=1).reshape(len(rows), len(ages)).mean(axis=1)
        return out

    def _age_unknown(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the rows whose age is unknown, the reference ages) where the model reads age and its
        file holds reference ages; no rows otherwise (a model file from before 2026-12-05)."""
        ages = reference_ages(self.meta)
        if not len(ages) or AGE_FEATURE not in self.features:
            return np.zeros(0, np.int64), np.zeros(0)
        return np.flatnonzero(np.isnan(values[:, self.features.index(AGE_FEATURE)])), ages

    def calibrate(self, margin: np.ndarray) -> np.ndarray:
        p = np.interp(margin, self.calib_x, self.calib_y)
        return np.clip(p, PROB_FLOOR, PROB_CEIL)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that each row is an automated account."""
        if len(X) == 0:
            return np.zeros(0)
        return self.calibrate(self.raw(X))

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """Tree SHAP values (n × features+1, last column the bias), in log-odds: LightGBM's own,
        asked once per group of rows that every split treats alike (`tree_keys`: the same
        values to the last bit, a fraction of the work where profiles share their shape)."""
        values = X[self.features].to_numpy(dtype="float64")
        rows, ages = self._age_unknown(values)
        out = grouped_predict(self.booster, values, self._split_points(), pred_contrib=True, num_threads=1)
        if len(rows):  # the mean of the contributions at each reference age: they sum to `raw`'s mean
            expanded = _at_ages(values, self.features, rows, ages, _posts_log(X))
            at = grouped_predict(self.booster, expanded, self._split_points(), pred_contrib=True, num_threads=1)
            out[rows] = at.reshape(len(rows), len(ages), -1).mean(axis=1)
        return out

    def _split_points(self) -> list[np.ndarray] | None:
        """`tree_keys.split_points` of this booster, read from its text once."""
        if self._points is None:
            self._points = (split_points(self.booster.model_to_string(), len(self.features)),)
        return self._points[0]

    def evidence(self, X: pd.DataFrame, top: int = 4, min_abs: float = 0.05) -> list[list[dict[str, Any]]]:
        """Per row, the largest contributions as dicts: feature, value, contribution, sentence."""
        cols = self.evidence_columns(X, top, min_abs)
        out: list[list[dict[str, Any]]] = [[] for _ in range(len(X))]
        for r, f, v, c, s in zip(cols.row.tolist(), cols.feature, cols.value, cols.contribution, cols.sentence.to_pylist()):
            out[r].append({"feature": f, "value": v, "contribution": c, "sentence": s})
        return out

    def evidence_columns(self, X: pd.DataFrame, top: int = 4, min_abs: float = 0.05) -> EvidenceColumns:
        """`evidence` as flat columns, rows in (row, rank) order: the same items, values and
        sentences, without a dict per item.

        Why: the per-item loop (a dict and a sentence per contribution, four per account) was the
        largest Python cost of scoring profiles. Here the kept cells are picked with numpy and the
        sentences are pieced together from a few distinct parts (`evidence_sentences`)."""
        if len(X) == 0:
            return EvidenceColumns.empty()
        contrib = self.contributions(X)
        values = X[self.features].to_numpy(dtype="float64")
        # All rows' orders in one call (row by row, the same sort as a 1-D argsort of each row).
        orders = np.argsort(-np.abs(contrib[:, :-1]), axis=1)[:, :top]
        tops = np.take_along_axis(contrib, orders, axis=1)
        top_values = np.take_along_axis(values, orders, axis=1)
        # A row's items stop at its first contribution below `min_abs` (they are sorted by size).
        keep = np.cumprod(np.abs(tops) >= min_abs, axis=1).astype(bool)
        row, rank = np.nonzero(keep)
        feat, c, v = orders[keep], tops[keep], top_values[keep]
        names = [self.features[j] for j in feat.tolist()]
        vs = none_where(v, np.isnan(v))  # an unknown value is None, not NaN
        sentences = evidence_sentence_array(self.features, feat, v, c)
        unknown_age = self._age_unknown(values)[0]
        if len(unknown_age):  # say how an unknown age (and the rates it divides) was scored
            averaged = sentences
            for pattern, words in AGE_UNKNOWN_WORDS:
                averaged = pc.replace_substring_regex(averaged, pattern, words)
            sentences = pc.if_else(pa.array(np.isin(row, unknown_age)), averaged, sentences)
        return EvidenceColumns(row, rank, names, vs, round_like_python(c, 4).tolist(), sentences)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "features": self.features,
            "booster": self.booster.model_to_string(),
            "calibration": {"x": [float(x) for x in self.calib_x], "y": [float(y) for y in self.calib_y]},
            "meta": self.meta,
        }

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self.to_json(), sort_keys=True).encode()
        if path.suffix == ".gz":
            with gzip.GzipFile(path, "wb", mtime=0) as fh:  # mtime=0: same model, same bytes
                fh.write(data)
        else:
            path.write_bytes(data)
        return path


def _posts_log(X: pd.DataFrame) -> np.ndarray | None:
    """The profile's post count (`log_posts_count`) where the caller passed it beside the model's
    features (the accounts stage does), for posts per day at a reference age."""
    return X["log_posts_count"].to_numpy(dtype="float64") if "log_posts_count" in X.columns else None


def evidence_sentences(features: list[str], feat: np.ndarray, value: np.ndarray, contribution: np.ndarray) -> list[str]:
    """`sentence(features[j], v, c)` for every item (feature index j, value v, contribution c),
    written as two parts joined once per item instead of one f-string each.

    Why: the f-string (label lookup, a float formatted to `+.2f`, five pieces) was about 1.3 µs
    an item, a third of `evidence_columns` (four items an account). A sentence is a head, which
    depends only on the feature and its value ("followers 1,234 " or "followers is unknown,
    which "), and a tail, which depends only on the direction and the contribution as printed
    ("raised the bot score (+0.31 log-odds)"). Each distinct head is written once per feature
    and distinct value (by bit pattern, as -0.0 prints apart from 0.0), each distinct tail once
    per direction and distinct `round(c, 2)` (by bit pattern: `format(c, "+.2f")` prints the
    correctly rounded decimal of c, half to even, which is the decimal whose nearest double
    `round(c, 2)` returns, sign of a zero included; two contributions with the same rounded
    double therefore print alike, and the printed one is a real member of the group). Only the
    head + tail concatenation is per item. There are a few hundred distinct tails however many
    items there are, so the saving does not rest on repeated profiles. tests/test_accounts_evidence_text.py
    holds it to `sentence` on ties, zeros of both signs, NaN, infinities and huge values."""
    if len(feat) == 0:
        return []
    head_words, head_of, tail_words, tail_of = _sentence_parts(features, feat, value, contribution)
    heads = np.array(head_words, dtype=object)[head_of]
    tails = np.array(tail_words, dtype=object)[tail_of]
    return [h + t for h, t in zip(heads.tolist(), tails.tolist())]


def evidence_sentence_array(features: list[str], feat: np.ndarray, value: np.ndarray, contribution: np.ndarray) -> pa.StringArray:
    """`evidence_sentences` as an Arrow string array, joined by Arrow from the distinct heads and
    tails: no sentence becomes a Python string.

    Why: the Python strings of the sentences (about 426,000 per 106k accounts) were written once
    by the join and then encoded to UTF-8 again for the table (`batches.to_arrow`) and escaped
    one by one for the JSON cells; here only the few thousand distinct parts are Python strings.
    tests/test_accounts_evidence_rows.py holds it to `evidence_sentences`."""
    if len(feat) == 0:
        return pa.array([], pa.string())
    head_words, head_of, tail_words, tail_of = _sentence_parts(features, feat, value, contribution)
    heads = pa.array(head_words, pa.string()).take(pa.array(head_of))
    tails = pa.array(tail_words, pa.string()).take(pa.array(tail_of))
    return pc.binary_join_element_wise(heads, tails, "")


def _sentence_parts(features: list[str], feat: np.ndarray, value: np.ndarray, contribution: np.ndarray) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """(distinct heads, each item's head, distinct tails, each item's tail) of `evidence_sentences`."""
    n = len(feat)
    feat = np.asarray(feat, dtype=np.int64)
    value = np.asarray(value, dtype=np.float64)
    contribution = np.asarray(contribution, dtype=np.float64)
    head_words: list[str] = []
    head_of = np.empty(n, dtype=np.int64)
    for j in np.unique(feat).tolist():
        at = np.flatnonzero(feat == j)
        feature = features[j]
        # Distinct by bit pattern, so that -0.0 and 0.0 (which print differently) stay apart.
        distinct, first, inverse = np.unique(value[at].view(np.int64), return_index=True, return_inverse=True)
        head_of[at] = len(head_words) + inverse.reshape(-1)
        head_words += _heads(feature, value[at][first].tolist())
    shown = round_like_python(contribution, 2)
    raised = contribution > 0  # as `_sentence_text` decides it (NaN and both zeros lower)
    # Each item's tail key: the rounded contribution's bit pattern and its direction. Where every
    # contribution prints within a modest range, the key is dense (hundredths, the sign of a
    # zero, the direction) and grouped without a sort; otherwise by `np.unique`.
    key, first, tail_of = _tail_groups(shown, raised)
    tail_words = [_tail("raised" if up else "lowered", x) for up, x in zip(raised[first].tolist(), contribution[first].tolist())]
    return head_words, head_of, tail_words, tail_of


_DENSE_TAILS = 1 << 16  # hundredths spanned at most for the sort-free grouping
_DENSE_LIMIT = 2.0**40  # hundredths: below it, x100 and rint give back round(c, 2)'s integer exactly


def _tail_groups(shown: np.ndarray, raised: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups of items whose tails print alike: (keys, each group's first item, each item's
    group). Alike means the same `round(c, 2)` to the bit and the same direction."""
    n = len(shown)
    with np.errstate(invalid="ignore", over="ignore"):  # (inf and NaN take the np.unique path)
        cents = shown * 100.0
        finite = np.isfinite(cents).all() and n > 0
        lo, hi = (float(cents.min()), float(cents.max())) if finite else (0.0, 0.0)
    if finite and hi - lo < _DENSE_TAILS and -_DENSE_LIMIT < lo and hi < _DENSE_LIMIT:
        # round(c, 2) is the double nearest k/100, so rint(·×100) gives back the integer k; the
        # sign bit keeps -0.0 apart from 0.0 (only at k = 0 can the two share a k).
        k = np.rint(cents).astype(np.int64) - int(np.rint(lo))
        key = (k * 2 + np.signbit(shown)) * 2 + raised
        size = int(key.max()) + 1
        first_of = np.full(size, -1, np.int64)
        # Some item of each key (numpy does not promise which of repeated indices is written last;
        # every item of a key prints the same tail, so any one serves).
        first_of[key[::-1]] = np.arange(n - 1, -1, -1)
        used = np.flatnonzero(first_of >= 0)
        group = np.zeros(size, np.int64)
        group[used] = np.arange(len(used))
        return used, first_of[used], group[key]
    bits = np.stack([shown.view(np.int64), raised.astype(np.int64)], axis=1)
    key, first, inverse = np.unique(bits, axis=0, return_index=True, return_inverse=True)
    return key, first, inverse.reshape(-1)


def _head(feature: str, shown: str) -> str:
    """The part of a sentence before its direction, for `feature`'s value in words
    (`describe_value`): "posts liked is unknown, which ", "no profile location: ",
    "no automation words …: ", "followers 1,234: "."""
    label, show = _shown(feature)
    if shown == "unknown":
        return f"{label} is unknown, which "
    flag = _FLAG_WORDS.get(feature) if _DESCRIBE.get(feature, ("", ""))[1] == "bool" else None
    if flag is not None:
        return f"{flag[0] if shown == 'yes' else flag[1]}: "
    if feature in _NONE_WHEN_ZERO and shown == show(0.0):
        return f"no {label}: "
    return f"{label} {shown}: "


def _heads(feature: str, values: list[float]) -> list[str]:
    """`[_head(feature, describe_value(feature, x)) for x in values]` for floats: the label, the
    format and the wording looked up once for all of them.

    Why: on a study of distinct profiles the model's evidence has about 180,000 distinct (feature,
    value) pairs per 106k accounts, and the two calls and the kind's lookup per value cost more
    than the formatting. The format is `describe_value`'s own (`_SHOW`), so the text (and any
    overflow error) is the same; NaN, the only float `describe_value` calls unknown, is the only
    value unequal to itself."""
    label, show = _shown(feature)
    unknown = f"{label} is unknown, which "
    # The wording `_sentence_text` gives a known value, decided once per feature, not per value.
    flag = _FLAG_WORDS.get(feature) if _DESCRIBE.get(feature, ("", ""))[1] == "bool" else None
    if flag is not None:
        yes, no = f"{flag[0]}: ", f"{flag[1]}: "
        return [unknown if x != x else yes if x >= 0.5 else no for x in values]
    if feature in _NONE_WHEN_ZERO:
        zero, none = show(0.0), f"no {label}: "
        return [unknown if x != x else none if (shown := show(x)) == zero else f"{label} {shown}: " for x in values]
    return [unknown if x != x else f"{label} {show(x)}: " for x in values]


def _tail(direction: str, contribution: float) -> str:
    """The part of a sentence from its direction on (`_sentence_text`)."""
    return f"{direction} the bot score ({contribution:+.2f} log-odds)"


def sentence(feature: str, value: float, contribution: float) -> str:
    """One contribution in words, e.g. "followers per account followed 0.02: raised the bot score"."""
    return _sentence_text(feature, describe_value(feature, value), contribution)


def _sentence_text(feature: str, shown: str, contribution: float) -> str:
    """`sentence` with the value already in words (`describe_value`)."""
    return _head(feature, shown) + _tail("raised" if contribution > 0 else "lowered", contribution)


MODEL_FILE_LIMIT = 256 * 1024 * 1024  # a model is a few MB of JSON; a wrong path must not fill memory


def _read(path: str | Path | None) -> dict[str, Any]:
    """The parsed model file: `path`, else `BOTWATCH_BOT_MODEL`, else the shipped model.

    A file is read and parsed once per version: `analyze` checks a user's model before any stage
    runs (`model_meta`, for a one-line exit 2) and the accounts stage then loads it, and each read
    the whole file (a few MB of JSON) again. The parsed content is kept under the path and the
    file's inode, modification time and size, so a file replaced or edited since (a retrained
    model, or another file renamed over it) is read afresh, and one that cannot be read raises,
    with the reader's reason, every time."""
    return _read_hashed(path)[0]


def _read_hashed(path: str | Path | None) -> tuple[dict[str, Any], str]:
    """`_read` and the SHA-256 of the bytes it parsed, as stored (see `model_sha256`)."""
    key = _version(path)
    if key is None:
        raw, digest = read_user_bytes_sha256(path or os.environ["BOTWATCH_BOT_MODEL"], "bot model", MODEL_FILE_LIMIT)
        return _parse(raw), digest
    return _read_version(*key)


def model_sha256(path: str | Path | None = None) -> str:
    """The SHA-256 of the model file `load_model(path)` uses, as stored (gzip included:
    `sha256sum FILE`), hashed from the read that parsed it and cached with the parsed model, so
    recording it (the accounts stage's `runs` params) does not read a user's file a second time."""
    return _read_hashed(path)[1]


def _version(path: str | Path | None) -> tuple[str | None, tuple[int, int, int] | None] | None:
    """(path, (st_ino, mtime_ns, size)) of the model file `_read` would read ((None, None): the
    shipped one); None when the file cannot be looked at (the reader then says why). The inode
    tells apart a file renamed over the old one within the clock's resolution with the same size."""
    if path is None:
        path = os.environ.get("BOTWATCH_BOT_MODEL") or None
    if path is None:
        return None, None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return str(path), (st.st_ino, st.st_mtime_ns, st.st_size)


# The most model files one command asks about: the selected one (BOTWATCH_BOT_MODEL), the shipped
# one, and the recorded file as given and beside the study (`model_used._candidates`). With room for
# two, `report` on a study scored by another file than the one selected evicted and re-read (and
# re-hashed) them in turn: 41 reads of three files where 3 do.
MODEL_VERSIONS_ASKED = 4


@lru_cache(maxsize=MODEL_VERSIONS_ASKED)
def _read_version(path: str | None, version: tuple[int, int, int] | None) -> tuple[dict[str, Any], str]:
    """`_read_hashed` of one version of one file (None: the shipped model). Callers never modify it."""
    if path is None:
        raw = (resources.files("botwatch.accounts") / "models" / SHIPPED).read_bytes()
        return _parse(raw), hashlib.sha256(raw).hexdigest()
    raw, digest = read_user_bytes_sha256(path, "bot model", MODEL_FILE_LIMIT)  # user-named: bounded, gunzipped
    return _parse(raw), digest


def _parse(raw: bytes) -> dict[str, Any]:
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        got = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"not a botwatch bot model (format {got!r}, expected {FORMAT})")
    missing = [k for k in ("booster", "features", "calibration") if k not in data]
    if missing:  # checked here, so `analyze` says it in one line before the stage would fail on it
        raise ValueError(f"not a botwatch bot model (no {', '.join(missing)})")
    from botwatch.accounts.profile import ALL_FEATURES

    # A feature the accounts stage does not compute (a file from another botwatch version, or one
    # edited) failed inside the stage as "KeyError ... This is a bug in botwatch" (exit 1).
    feats = data["features"]
    unknown = [f for f in feats if f not in ALL_FEATURES] if isinstance(feats, list) else None
    if unknown is None or not feats:
        raise ValueError("not a botwatch bot model (its features are not a list of names)")
    if unknown:
        raise ValueError(f"a bot model this version of botwatch cannot use: it reads features it does not compute "
                         f"({', '.join(map(str, unknown[:5]))}); written by another version? retrain it with `botwatch train-bot-model`")
    # A file edited or damaged inside its JSON: trees cut short made LightGBM abort the process
    # ("terminate called without an active exception", no line at all), a feature list longer than
    # the trees' and a calibration without its points ended in "LightGBMError" / "KeyError ... a bug".
    booster, cal = data["booster"], data["calibration"]
    m = re.search(r"^max_feature_idx=(\d+)$", booster, re.M) if isinstance(booster, str) else None
    if m is None or "\nend of trees\n" not in booster:
        raise ValueError("not a botwatch bot model (its trees are cut short or missing)")
    if int(m.group(1)) + 1 != len(feats):
        raise ValueError(f"not a botwatch bot model (it lists {len(feats)} features and its trees read {int(m.group(1)) + 1})")
    points = [cal.get(k) if isinstance(cal, dict) else None for k in ("x", "y")]
    if not all(isinstance(v, list) and v and all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in v) for v in points) \
            or len(points[0]) != len(points[1]):
        raise ValueError("not a botwatch bot model (its calibration is not two lists of numbers of one length)")
    if not isinstance(data.get("meta", {}), dict):
        raise ValueError("not a botwatch bot model (its meta is not an object)")
    return data


def model_meta(path: str | Path | None = None) -> dict[str, Any]:
    """What a model was trained on and its measured figures, without importing LightGBM."""
    return dict(_read(path).get("meta", {}))


def shipped_sha256_and_meta() -> tuple[str, dict[str, Any]]:
    """The shipped model's SHA-256 and figures, whatever `BOTWATCH_BOT_MODEL` says: the report
    compares the hash a study recorded with it, to quote the shipped validation only for studies
    the shipped model scored (`botwatch.report.model_used`)."""
    data, digest = _read_version(None, None)
    return digest, dict(data.get("meta", {}))


def load_model(path: str | Path | None = None) -> BotModel:
    """Load a model file; with no path, `BOTWATCH_BOT_MODEL` or the shipped model."""
    return _build(_read(path))


def _build(data: dict[str, Any]) -> BotModel:
    import lightgbm as lgb

    booster = lgb.Booster(model_str=data["booster"])
    cal = data["calibration"]
    return BotModel(booster, list(data["features"]), np.asarray(cal["x"], float), np.asarray(cal["y"], float), data.get("meta", {}))


def packaged_model() -> BotModel:
    """The model shipped in the package, whatever `BOTWATCH_BOT_MODEL` says: `train-bot-model
    --with-shipped` scores a user's labels with it, and a user's own model selected in the shell
    must not stand in for it."""
    return _model_version(None, None)


def shipped_model() -> BotModel:
    """The model the accounts stage scores with: `BOTWATCH_BOT_MODEL`'s file, else the shipped
    one. Built once per version of the file (loading parses the tree dump), from the content
    `analyze`'s upfront check already read (`_read`), not read again."""
    key = _version(None)
    return load_model(None) if key is None else _model_version(*key)


@lru_cache(maxsize=2)
def _model_version(path: str | None, version: tuple[int, int, int] | None) -> BotModel:
    return _build(_read_version(path, version)[0])
