"""Features of one profile snapshot: counts, growth rates, and the shape of handle and name.

These are the only features the labelled data sets share with a study (they hold profiles, not
the accounts' posts), so the shipped bot model uses exactly these. The same function turns a
study's `accounts` rows and a labelled CSV into model input, which keeps training and scoring
from drifting apart. Missing fields stay NaN: LightGBM routes them down a learned branch rather
than pretending they are zero.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from difflib import SequenceMatcher

import numpy as np
import pandas as pd

# In the order the model sees them. Changing this list means retraining the shipped model.
MODEL_FEATURES: list[str] = [
    "log_followers",
    "log_following",
    "log_posts_count",
    "ff_ratio_log10",
    "age_days",
    "posts_per_day_life",
    "followers_per_day",
    "following_per_day",
    "handle_len",
    "handle_digits",
    "handle_digit_share",
    "handle_entropy",
    "handle_upper_share",
    "handle_generated15",
    "name_len",
    "name_digits",
    "name_handle_similarity",
    "description_len",
    "has_location",
    "default_profile",
    "default_image",
    "verified",
]

_GENERATED = re.compile(r"^[A-Za-z0-9]{15}$")
_ALNUM = re.compile(r"[^a-z0-9]")


def char_entropy(s: str) -> float:
    """Shannon entropy (bits per character) of a string; random handles score high."""
    if not s:
        return float("nan")
    counts = Counter(s.lower())
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def is_generated_handle(handle: str | None) -> bool:
    """The seed signal: a 15-character alphanumeric handle with a run of digits, the shape
    Twitter proposed by default (name fragment + digits, cut at the 15-character limit)."""
    if not handle or not _GENERATED.match(handle):
        return False
    return sum(ch.isdigit() for ch in handle) >= 4


def name_handle_similarity(name: str | None, handle: str | None) -> float:
    """0..1 similarity of display name and handle, letters and digits only (mismatch is a signal)."""
    if not name or not handle:
        return float("nan")
    a, b = _ALNUM.sub("", name.lower()), _ALNUM.sub("", handle.lower())
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b).ratio()


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _bool(s: pd.Series) -> pd.Series:
    return s.map(lambda v: np.nan if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else float(bool(v))).astype("float64")


def _texts(s: pd.Series, keep_empty: bool = False) -> list[str | None]:
    """Python strings or None (pandas 3 string columns turn None into NaN on every map)."""
    return [v if isinstance(v, str) and (keep_empty or v) else None for v in s.astype("object").tolist()]


def _apply(values: list[str | None], fn) -> list[float]:  # type: ignore[no-untyped-def]
    return [float(fn(v)) if v is not None else np.nan for v in values]


def profile_features(df: pd.DataFrame, ref_time: pd.Series | None = None) -> pd.DataFrame:
    """Model features for each row of `df` (canonical profile columns; any may be absent).

    `ref_time` is when the snapshot was taken (counts are as of then); age and per-day rates are
    measured up to it. Returns a frame with `MODEL_FEATURES` columns, index aligned with `df`.
    """
    n = len(df)
    col = lambda c: df[c] if c in df.columns else pd.Series([None] * n, index=df.index, dtype="object")  # noqa: E731
    out = pd.DataFrame(index=df.index)
    followers, following, posts = _num(col("followers")), _num(col("following")), _num(col("posts_count"))
    out["log_followers"] = np.log1p(followers)
    out["log_following"] = np.log1p(following)
    out["log_posts_count"] = np.log1p(posts)
    out["ff_ratio_log10"] = np.log10((followers + 1) / (following + 1))
    created = pd.to_datetime(col("created_at"), errors="coerce")
    if ref_time is None:
        age = pd.Series(np.nan, index=df.index)
    else:
        age = (pd.to_datetime(ref_time, errors="coerce") - created).dt.total_seconds() / 86400.0
        age = age.where(age >= 0)
    out["age_days"] = age
    days = age.clip(lower=1.0)
    out["posts_per_day_life"] = posts / days
    out["followers_per_day"] = followers / days
    out["following_per_day"] = following / days
    h = _texts(col("handle"))
    out["handle_len"] = _apply(h, len)
    out["handle_digits"] = _apply(h, lambda v: sum(c.isdigit() for c in v))
    out["handle_digit_share"] = out["handle_digits"] / out["handle_len"]
    out["handle_entropy"] = _apply(h, char_entropy)
    out["handle_upper_share"] = _apply(h, lambda v: sum(c.isupper() for c in v) / len(v))
    out["handle_generated15"] = _apply(h, lambda v: float(is_generated_handle(v)))
    names = _texts(col("display_name"), keep_empty=True)
    out["name_len"] = _apply(names, len)
    out["name_digits"] = _apply(names, lambda v: sum(c.isdigit() for c in v))
    out["name_handle_similarity"] = [name_handle_similarity(a, b) if a is not None and b is not None else np.nan for a, b in zip(names, h)]
    out["description_len"] = _apply(_texts(col("description"), keep_empty=True), len)
    out["has_location"] = _apply(_texts(col("location"), keep_empty=True), lambda v: float(bool(v.strip())))
    out["default_profile"] = _bool(col("default_profile"))
    out["default_image"] = _bool(col("default_image"))
    out["verified"] = _bool(col("verified"))
    return out[MODEL_FEATURES]
