"""Turning account features into `account_scores` and `account_evidence` rows.

Bot probability comes from the shipped (or user-trained) profile model, times a bounded
behaviour ratio for accounts with enough posts in the study (`bot_behaviour`); the seed signals are
added to the evidence as observations, not to the probability (see `signals`). Origin comes from
the naive-Bayes model in `origin`. An account with no profile counts at all gets a NULL bot
probability rather than the model's base rate, because "we know nothing" is not "47% bot".
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from botwatch.accounts import bot_behaviour, origin_shifts, origin_textpool, signals
from botwatch.accounts.botmodel import BotModel
from botwatch.accounts.features import AccountData
from botwatch.accounts.gc_pause import gc_paused
from botwatch.accounts.ood import assess
from botwatch.accounts.json_text import flat_object, string_list
from botwatch.accounts.origin import OriginInput, OriginResult, codes, scripts_in
from botwatch.accounts.origin_batch import origin_posteriors
from botwatch.accounts.origin_prior import apply_study_prior
from botwatch.accounts.origin_signals import precompute as precompute_behaviour
from botwatch.accounts.signals import ENGLISH_SPEAKING
from botwatch.origin_rule import FOREIGN_THRESHOLD
from botwatch.schema import ACCOUNT_EVIDENCE, ACCOUNT_SCORES

# Without at least one of these the model would only echo its base rate (a handle alone says
# little): such an account gets NULL, "unknown", not the base rate.
REQUIRED_ANY = ("log_age_days", "log_likes", "log_posts_per_day", "default_profile", "default_image")
# Kinds of automation the data can name (docs/model-card-bot.md gives each one's rates on every
# labelled source). Each is a documented rule over account_features, not a fitted score.
KIND_RULES: dict[str, tuple[str, str]] = {
    "self_declared": ("the profile calls the account a bot", "self_declared_bot"),
    "automation_described": ("the description names automation (automated, feed, every hour, made by ...)", "automation_words"),
    "amplifier": ("80%+ of its posts in the study are retweets (10+ posts)", "amplifier"),
}


def bot_kinds(rec: dict[str, Any]) -> dict[str, bool | None]:
    """Per kind: True, False, or None when the facts it needs are unknown."""
    out: dict[str, bool | None] = {}
    for kind, (_label, col) in KIND_RULES.items():
        v = rec.get(col)
        out[kind] = None if v is None else bool(float(v) >= 1) if not isinstance(v, bool) else v
    return out
OBSERVED_PREFIX = "also observed (not part of the probability): "


@lru_cache(maxsize=64)
def _kinds_json(kinds: tuple[tuple[str, bool | None], ...]) -> str:
    """The `bot_kinds` cell: a handful of distinct values, each written once."""
    return flat_object(dict(kinds))
# The account_features columns the per-account rows read (`signal_sentences`, `bot_kinds`, the
# keys): converting only these to Python records is most of the saving of the row loop.
ROW_COLUMNS = (
    "platform", "account_id", "n_posts", "handle", "display_name", "handle_generated15", "female_name_mismatch",
    "created_after_trigger", "in_unison", "cluster_size", "cluster_id", "posts_per_day_study", "anonymity",
    "retweet_share", "gap_cv", *(col for _label, col in KIND_RULES.values()),
)


def _extra(value: Any) -> dict[str, Any]:
    if not isinstance(value, str) or not value:
        return {}
    try:
        obj = json.loads(value)
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


def _clean(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def _values(col: pd.Series) -> list[Any]:
    """A column as Python values with every missing marker (NaN, NA, NaT) as None: `_clean` over
    the whole column, with the test done once by pandas instead of once per cell in Python."""
    vals = col.tolist()
    missing = col.isna().to_numpy()
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            vals[i] = None
    return vals


def _midpoints(first: pd.Series, last: pd.Series, seen: pd.Series) -> list[datetime | None]:
    """A typical time of each account's posts (the middle of its first and last post, else when
    the profile was last seen), as `datetime`s, for the whole column at once."""
    first, last, seen = pd.to_datetime(first), pd.to_datetime(last), pd.to_datetime(seen)
    mid = first + (last - first) / 2
    when = mid.where(first.notna() & last.notna(), seen)
    out: list[datetime | None] = [None if pd.isna(t) else t for t in when.dt.to_pydatetime()]
    return out


def origin_inputs(data: AccountData) -> list[OriginInput]:
    """One OriginInput per account row, in `data.features` order."""
    f, acc = data.features, data.accounts
    script_cols = [c for c in f.columns if c.startswith("n_script_")]
    keys = list(zip(f["platform"].tolist(), f["account_id"].tolist()))
    n_posts = _values(f["n_posts"])
    when = _midpoints(f["first_post"], f["last_post"], acc["last_seen"])
    # Script counts as one integer matrix (NULL: no posts) instead of one dict per account.
    scripts = f[script_cols].astype("float64").fillna(0).to_numpy(np.int64) if script_cols else np.zeros((len(f), 0), np.int64)
    names = [c[len("n_script_"):] for c in script_cols]
    has_script = np.flatnonzero(scripts.any(axis=1)).tolist() if len(names) else []
    post_scripts: list[dict[str, int]] = [{} for _ in keys]
    for i in has_script:
        post_scripts[i] = {k: int(v) for k, v in zip(names, scripts[i].tolist()) if v}
    cols = {c: _values(acc[c]) for c in ("location", "extra", "account_lang", "time_zone", "utc_offset", "display_name", "description")}
    out = []
    regions: dict[str | None, Any] = {}  # per distinct `extra` text (a study repeats a few dozen): parsed once
    for i, key in enumerate(keys):
        raw = cols["extra"][i]
        if raw not in regions:
            regions[raw] = _extra(raw).get("region") if raw else None
        region = regions[raw]
        off = cols["utc_offset"][i]
        out.append(
            OriginInput(
                location=cols["location"][i],
                region=region if isinstance(region, str) and region.lower() != "unknown" else None,
                account_lang=cols["account_lang"][i],
                time_zone=cols["time_zone"][i],
                utc_offset=None if off is None else int(off),
                display_name=cols["display_name"][i],
                description=cols["description"][i],
                post_langs=data.langs.get(key, {}),
                post_scripts=post_scripts[i],
                n_posts=0 if n_posts[i] is None else int(n_posts[i]),
                hour_counts=data.hours.get(key),
                clients=data.clients.get(key, {}),
                when=when[i],
                behaviour=data.behaviour.get(key),
                shift_counts=data.shift_counts.get(key),
            )
        )
    return out


def _female_name_mismatch(data: AccountData, origins: list[OriginResult]) -> list[bool]:
    """The female-name seed signal needs the origin: an English woman's name on an account whose
    origin, languages or profile script point elsewhere."""
    f = data.features
    mismatch = []
    # Whole columns as lists: one pandas lookup per column, not four per account.
    columns = zip(f["english_female_name"].tolist(), data.accounts["account_lang"].tolist(), f["top_lang"].tolist(),
                  data.accounts["description"].tolist())
    for o, (fem_v, lang_v, top_v, desc_v) in zip(origins, columns):
        fem = bool(fem_v)
        lang = _clean(lang_v)
        top_lang = _clean(top_v)
        elsewhere = (o.country is not None and o.country not in ENGLISH_SPEAKING and (o.probability or 0) >= 0.5) or (
            lang is not None and not str(lang).lower().startswith("en")) or (top_lang is not None and top_lang != "en")
        elsewhere = elsewhere or bool(scripts_in(_clean(desc_v)))
        mismatch.append(fem and elsewhere)
    return mismatch


def _evidence_rows(ev: dict[str, list[Any]], platform: str, account_id: str, bot_items: list[dict[str, Any]], observed: list[str],
                   o: OriginResult) -> None:
    """Append one account's `account_evidence` rows to the columns `ev`: the model's reasons, the
    observed signals, the origin evidence."""
    pairs = list(zip(["prior"] + o.items, o.evidence))
    nb, ns, no = len(bot_items), len(observed), len(pairs)
    # Whole runs per column (a few list extends per account, not eight appends per row).
    ev["platform"].extend([platform] * (nb + ns + no))
    ev["account_id"].extend([account_id] * (nb + ns + no))
    ev["kind"].extend(["bot"] * nb + ["signal"] * ns + ["origin"] * no)
    ev["rank"].extend([*range(1, nb + 1), *range(1, ns + 1), *range(1, no + 1)])
    ev["feature"].extend([e["feature"] for e in bot_items] + [None] * ns + ([kind for kind, _ in pairs] if o.items else [None] * no))
    ev["value"].extend([e["value"] for e in bot_items] + [None] * (ns + no))
    ev["contribution"].extend([e["contribution"] for e in bot_items] + [None] * (ns + no))
    ev["sentence"].extend([e["sentence"] for e in bot_items] + observed + [sentence for _, sentence in pairs])


@gc_paused
def score(data: AccountData, model: BotModel, home: str | None, study_prior: bool = True,
          text_neighbours: origin_textpool.Neighbours | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(account_scores, account_evidence) frames for every account in `data`.

    With `study_prior` P(Russia) is re-weighted by the study's own estimated share of Russia-run
    accounts (`origin_prior`); without it, by the share in the calibration data. With
    `text_neighbours` (a study-level query, `origin_textpool.neighbours`) each account's origin
    evidence is first pooled with that of the accounts posting the same texts.
    """
    f = data.features
    X = f[model.features].astype("float64")
    known = f[[c for c in REQUIRED_ANY if c in f.columns]].astype("float64").notna().any(axis=1).to_numpy()
    probs = np.full(len(f), np.nan)
    items: list[list[dict[str, Any]]] = [[] for _ in range(len(f))]
    low, high = np.full(len(f), np.nan), np.full(len(f), np.nan)
    ood = np.zeros(len(f), dtype=bool)
    reasons: list[str | None] = [None] * len(f)
    if known.any():
        probs[known] = model.predict(X[known])
        for j, ev in zip(np.flatnonzero(known), model.evidence(X[known])):
            items[j] = ev
        a = assess(model, X[known], probs[known])
        idx = np.flatnonzero(known)
        low[idx], high[idx], ood[idx] = a["low"], a["high"], a["ood"]
        for j, r in zip(idx, a["reasons"]):
            reasons[j] = r
    # Behaviour in the study (bot_behaviour): a bounded ratio on the odds, only for accounts with
    # enough posts showing a measured pattern; every other account keeps the profile probability.
    profile_probs = probs
    beh = bot_behaviour.apply(f, probs, low, high)
    probs, low, high = beh.probability, beh.low, beh.high
    for j, item in beh.items.items():
        items[j] = [item, *items[j]]
    precompute_behaviour(data.behaviour.values())
    origin_shifts.precompute(data.shift_counts.values(), codes())  # all accounts' office-hours likelihoods at once
    origins = origin_posteriors(origin_inputs(data), home=home)
    origins = origin_textpool.apply(origins, list(zip(f["platform"].tolist(), f["account_id"].tolist())), text_neighbours)
    prior = None
    if study_prior:
        origins, prior = apply_study_prior(origins, home)
    f["female_name_mismatch"] = _female_name_mismatch(data, origins)
    cols = [c for c in ROW_COLUMNS if c in f.columns]
    values = [_values(f[c]) for c in cols]
    ev = {name: [] for name in ACCOUNT_EVIDENCE.names}  # type: dict[str, list[Any]]
    unknown_bot = ["no profile facts the model reads (account age, likes, posts per day, default profile or image) in the data: bot probability unknown"]
    prob_list, low_list, high_list = probs.tolist(), low.tolist(), high.tolist()
    profile_list, lr_list = profile_probs.tolist(), beh.lr.tolist()
    known_list, ood_list = known.tolist(), ood.tolist()
    # Per account only what needs Python per account (sentences, JSON cells); the plain columns
    # are whole-column comprehensions below (one list each instead of 17 appends per account).
    bot_evidence, kinds, signal_cells, n_signals = [], [], [], []
    for i, row in enumerate(zip(*values)):
        rec = dict(zip(cols, row))
        observed = signals.signal_sentences(rec, home)
        if not known_list[i]:
            bot_sentences = list(unknown_bot)
        else:
            bot_sentences = [e["sentence"] for e in items[i]]
            if ood_list[i]:
                bot_sentences.insert(0, f"{reasons[i]}: the probability is uncertain, between {low[i]:.2f} and {high[i]:.2f}")
        bot_sentences += [OBSERVED_PREFIX + s for s in observed]
        bot_evidence.append(string_list(bot_sentences))
        signal_cells.append(string_list(observed))
        n_signals.append(len(observed))
        kinds.append(_kinds_json(tuple(bot_kinds(rec).items())))
        _evidence_rows(ev, rec["platform"], rec["account_id"], items[i], observed, origins[i])
    def rounded(xs: list[float], digits: int = 4) -> list[float | None]:
        return [None if math.isnan(x) else round(x, digits) for x in xs]

    scores: dict[str, list[Any]] = {
        "platform": values[cols.index("platform")],
        "account_id": values[cols.index("account_id")],
        "bot_probability": rounded(prob_list),
        "bot_evidence": bot_evidence,
        "origin_country": [o.country for o in origins],
        "origin_probability": [None if o.probability is None else round(o.probability, 4) for o in origins],
        "origin_probabilities": [flat_object(o.probabilities) if o.probabilities else None for o in origins],
        "origin_evidence": [string_list(o.evidence) for o in origins],
        "likely_automated": [None if math.isnan(p) else bool(p >= 0.5) for p in prob_list],
        "foreign_origin": [None if o.country is None or home is None else bool(1.0 - o.probabilities.get(home, 0.0) >= FOREIGN_THRESHOLD) for o in origins],
        "signals": signal_cells,
        "n_signals": n_signals,
        "n_posts": values[cols.index("n_posts")] if "n_posts" in cols else [None] * len(f),
        "bot_probability_low": rounded(low_list),
        "bot_probability_high": rounded(high_list),
        "bot_ood": [o if k else None for o, k in zip(ood_list, known_list)],
        "bot_ood_reason": reasons,
        "bot_kinds": kinds,
        "bot_profile_probability": rounded(profile_list),
        "bot_behaviour_lr": rounded(lr_list, 3),
    }
    # Object columns: the table schema types them when they are written; letting pandas infer
    # (and convert strings to Arrow) here only to turn them back was a tenth of this function.
    out = pd.DataFrame(scores, columns=ACCOUNT_SCORES.names, dtype=object)
    if prior is not None:
        out.attrs["study_prior"] = (prior.share, prior.lo, prior.hi, prior.accounts)
    evidence = pd.DataFrame(ev, columns=ACCOUNT_EVIDENCE.names, dtype=object)
    return out, evidence
