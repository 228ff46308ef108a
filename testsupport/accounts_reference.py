"""The slow, plain forms of accounts-stage code that faster paths replaced: what the tests hold
the package's paths to, value for value, and what `benchmarks/accounts_cpu_paths.py` and
`benchmarks/score_functions.py` time them against.

Why here and not in `botwatch`: nothing the package or its scripts run calls them, and kept in
`src` they read as live code (and ship in the wheel). Each is the code as it stood before its
fast path, on the package's own tables and constants, so a change to those reaches both sides.
"""

from __future__ import annotations

import itertools
import unicodedata
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.accounts import gazetteer, origin_behaviour as ob, origin_behaviour_batch as obb, origin_prior as op, origin_shifts, profile, scoring, signals
from botwatch.accounts.features import AccountData
from botwatch.accounts.json_text import flat_object
from botwatch.accounts.origin import OriginResult, codes
from botwatch.accounts.origin_batch import origin_posteriors
from botwatch.accounts.origin_columns import results_of
from botwatch.accounts.origin_signals import precompute as precompute_behaviour
from botwatch.origin_rule import FOREIGN_THRESHOLD


@lru_cache(maxsize=1)
def detector() -> Any:
    """gender-guesser's own detector, which `signals._name_list` reads the name file as."""
    import gender_guesser.detector as gg

    return gg.Detector(case_sensitive=False)


def english_female_detector(name: str) -> bool:
    """The reference for `signals._english_female`: gender-guesser's detector asked."""
    d = detector()
    return any(d.get_gender(name, country) in ("female", "mostly_female") for country in ("great_britain", "usa"))


def known_name_detector(name: str) -> bool:
    """The reference for `signals._known_name`: the detector answers "unknown" for a name it lacks."""
    return detector().get_gender(name) not in ("unknown",)


def day_tables_per_day() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference for `origin_behaviour_batch._day_tables`: each day asked of `origin_behaviour`."""
    first, last = obb._FIRST_YEAR, obb._LAST_YEAR
    n = (date(last, 12, 31) - date(first, 1, 1)).days + 1
    days = [date(first, 1, 1) + timedelta(days=i) for i in range(n)]
    ru = np.fromiter((ob.is_ru_holiday(d) for d in days), bool, n)
    us = np.fromiter((ob.is_us_holiday(d) for d in days), bool, n)
    changes = np.array(sorted((c - obb._EPOCH).days for y in range(first, last + 1) for c in ob.us_changes(y) + ob.eu_changes(y)), np.int64)
    return ru, us, changes


def chunk_log_likelihood_whole(lam: np.ndarray) -> np.ndarray:
    """The reference for `origin_prior._chunk_log_likelihood`: one array over the whole grid."""
    return np.log(op.GRID[:, None] * lam[None, :] + 1 - op.GRID[:, None]).sum(1)


def name_handle_similarity(name: str | None, handle: str | None) -> float:
    """The reference for `profile.name_handle_similarities`, one pair at a time: NaN when either
    is missing, 0 when either has no letter or digit, else the `SequenceMatcher` ratio (the
    package's, cydifflib where installed) of the two lower-cased, letters and digits only."""
    if not name or not handle:
        return float("nan")
    a, b = profile._ALNUM.sub("", name.lower()), profile._ALNUM.sub("", handle.lower())
    if not a or not b:
        return 0.0
    if a == b and len(b) < 200:  # every character matches
        return 1.0
    return profile.SequenceMatcher(None, a, b).ratio()


def origin_results(data: AccountData, home: str | None) -> list[OriginResult]:
    """`scoring.origin_result_columns` as one `OriginResult` per account (what the tests compare
    and pool; the stage keeps the columns)."""
    return results_of(scoring.origin_result_columns(data, home))


def origin_results_per_account(data: AccountData, home: str | None) -> list[OriginResult]:
    """The reference for `scoring.origin_result_columns`: an `OriginInput` per account, its
    evidence from `origin.evidence_vectors`, the posteriors by `origin_batch.origin_posteriors`."""
    precompute_behaviour(data.behaviour.values())
    origin_shifts.precompute(data.shift_counts.values(), codes())
    return origin_posteriors(scoring.origin_inputs(data), home=home)


def origin_cells(origins: list[OriginResult]) -> tuple[list[str | None], list[str]]:
    """The `origin_probabilities` and `origin_evidence` cells as `score` wrote them per account
    before Arrow built them: `flat_object` of each account's probabilities (None for none), and
    `_json_lists` of its evidence."""
    return ([flat_object(o.probabilities) if o.probabilities else None for o in origins],
            scoring._json_lists(list(itertools.chain.from_iterable(o.evidence for o in origins)),
                                [0, *itertools.accumulate(len(o.evidence) for o in origins)]))


def probability_cells(origins: list[OriginResult]) -> pa.StringArray:
    """Each account's `origin_probabilities` cell built by Arrow from a list of results, as
    `score` did before it took an `OriginTable` (`scoring._probability_cells_table` is that
    path now): each distinct country code escaped once, each value's text from
    `_float_texts`, the pairs joined per account. A cell `flat_object` would not write from
    finite floats and str keys (NaN, inf, another type) is left to it."""
    n = len(origins)
    dicts = [o.probabilities for o in origins]
    lengths = np.fromiter(map(len, dicts), np.int64, n)
    keys = list(itertools.chain.from_iterable(dicts))
    values = list(itertools.chain.from_iterable(d.values() for d in dicts))
    if not set(map(type, keys)) <= {str} or not set(map(type, values)) <= {float}:
        return pa.array([flat_object(d) if d else None for d in dicts], pa.string())
    codes_, distinct = pd.factorize(pd.Series(keys, dtype=object))
    return scoring._probability_cells_flat(np.asarray(codes_, np.int64), distinct.tolist(), np.array(values, np.float64),
                                           np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), lambda i: dicts[i])


def origin_evidence_cells(origins: list[OriginResult]) -> pa.StringArray:
    """Each account's `origin_evidence` cell from a list of results, joined by Arrow
    (`scoring._origin_evidence_cells_table` is the path `score` takes now)."""
    lengths = np.fromiter(map(len, (o.evidence for o in origins)), np.int64, len(origins))
    parts = pa.array(list(itertools.chain.from_iterable(o.evidence for o in origins)), pa.string())
    return scoring._json_list_array(parts, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))


def masked_rows_per_row(X: pd.DataFrame, idx: np.ndarray, off: np.ndarray, few: np.ndarray) -> pd.DataFrame:
    """The reference for `ood.masked_rows`: each row masked on its own, as `assess` did."""
    masked = X.iloc[idx].copy()
    for k, i in enumerate(idx):
        if few[i]:
            masked.iloc[k, :] = np.nan
        else:
            masked.iloc[k, np.flatnonzero(off[i])] = np.nan
    return masked


def name_signals_per_account(accounts: pd.DataFrame) -> tuple[list[bool | None], list[float]]:
    """The reference for `features.name_signals`: `signals.english_female_first` and
    `signals.anonymity` called account by account (None: no display name to test)."""
    names = accounts["display_name"].tolist()
    firsts = [signals.first_name(v) if isinstance(v, str) else None for v in names]
    female = [signals.english_female_first(f) if isinstance(v, str) else None for v, f in zip(names, firsts)]
    anonymity = [
        signals.anonymity(a, b, c, None if pd.isna(d) else bool(d), first=f)
        for a, b, c, d, f in zip(names, *(accounts[k].tolist() for k in ("description", "location", "default_image")), firsts)
    ]
    return female, anonymity


def female_name_mismatch_per_account(data: AccountData, origins: list[OriginResult]) -> list[bool | None]:
    """The reference for `scoring._female_name_mismatch`: every account's tests, then
    `fem and elsewhere` (None where the name test is unknown)."""
    f = data.features
    mismatch = []
    columns = zip(f["english_female_name"].tolist(), data.accounts["account_lang"].tolist(), f["top_lang"].tolist(),
                  data.accounts["description"].tolist())
    for o, (fem_v, lang_v, top_v, desc_v) in zip(origins, columns):
        if pd.isna(fem_v):
            mismatch.append(None)
            continue
        fem = bool(fem_v)
        elsewhere = scoring._points_elsewhere(o, lang_v, top_v, desc_v)
        mismatch.append(fem and elsewhere)
    return mismatch


def origin_rows_per_account(origins: list[OriginResult]) -> tuple[np.ndarray, list[str | None], list[str]]:
    """The reference for `scoring._origin_rows`: the per-account loop `_evidence_table` ran."""
    o_feat: list[str | None] = []
    o_sent: list[str] = []
    n_org = np.empty(len(origins), np.int64)
    for i, o in enumerate(origins):
        k = min(len(o.items) + 1, len(o.evidence))  # zip(["prior"] + items, evidence)
        n_org[i] = k
        o_sent += o.evidence[:k]
        o_feat += ["prior", *o.items][:k] if o.items else [None] * k
    return n_org, o_feat, o_sent


def needs_escape_regex(parts: pa.Array) -> np.ndarray:
    """The reference for `scoring._needs_escape`: Arrow's regular expression per string."""
    return np.asarray(pc.fill_null(pc.match_substring_regex(parts, scoring._NEEDS_ESCAPE), False).to_numpy(zero_copy_only=False), bool)


def foreign_per_account(origins: list[OriginResult], home: str | None) -> list[bool | None]:
    """The reference for `scoring._foreign`: the per-account expression `score` wrote."""
    return [None if o.country is None or home is None else bool(1.0 - o.probabilities.get(home, 0.0) >= FOREIGN_THRESHOLD) for o in origins]
