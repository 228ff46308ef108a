"""Turning account features into `account_scores` and `account_evidence` rows.

Bot probability comes from the shipped (or user-trained) profile model; the behaviour signals are
added to the evidence as observations, not to the probability (see `signals`). Origin comes from
the naive-Bayes model in `origin`. An account with no profile counts at all gets a NULL bot
probability rather than the model's base rate, because "we know nothing" is not "47% bot".
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from botwatch.accounts import origin_shifts, signals
from botwatch.accounts.botmodel import BotModel
from botwatch.accounts.features import AccountData
from botwatch.accounts.ood import assess
from botwatch.accounts.origin import OriginInput, OriginResult, codes, origin_as_row, origin_posterior, scripts_in
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


def origin_inputs(data: AccountData) -> list[OriginInput]:
    """One OriginInput per account row, in `data.features` order."""
    f = data.features
    script_cols = [c for c in f.columns if c.startswith("n_script_")]
    fcols = ["platform", "account_id", "n_posts", "first_post", "last_post", *script_cols]
    acols = ["location", "extra", "account_lang", "time_zone", "utc_offset", "display_name", "description", "last_seen"]
    out = []
    # Column lists zipped into rows: what `to_dict("records")` gave, without building two frames of dicts.
    frows = zip(*(f[c].tolist() for c in fcols))
    arows = zip(*(data.accounts[c].tolist() for c in acols))
    for fvals, avals in zip(frows, arows):
        fr = {k: _clean(v) for k, v in zip(fcols, fvals)}
        a = {k: _clean(v) for k, v in zip(acols, avals)}
        key = (fr["platform"], fr["account_id"])
        when = None
        if fr["first_post"] is not None and fr["last_post"] is not None:
            first, last = pd.Timestamp(fr["first_post"]), pd.Timestamp(fr["last_post"])
            when = (first + (last - first) / 2).to_pydatetime()
        elif a["last_seen"] is not None:
            when = pd.Timestamp(a["last_seen"]).to_pydatetime()
        scripts = {c[len("n_script_"):]: int(fr[c]) for c in script_cols if fr[c]}
        region = _extra(a["extra"]).get("region")
        out.append(
            OriginInput(
                location=a["location"],
                region=region if isinstance(region, str) and region.lower() != "unknown" else None,
                account_lang=a["account_lang"],
                time_zone=a["time_zone"],
                utc_offset=None if a["utc_offset"] is None else int(a["utc_offset"]),
                display_name=a["display_name"],
                description=a["description"],
                post_langs=data.langs.get(key, {}),
                post_scripts=scripts,
                n_posts=0 if fr["n_posts"] is None else int(fr["n_posts"]),
                hour_counts=data.hours.get(key),
                clients=data.clients.get(key, {}),
                when=when if isinstance(when, datetime) else None,
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


def _evidence_rows(rec: dict[str, Any], bot_items: list[dict[str, Any]], observed: list[str], o: OriginResult) -> list[dict[str, Any]]:
    """`account_evidence` rows of one account: the model's reasons, the observed signals, the origin evidence."""
    ev_rows: list[dict[str, Any]] = []
    for r, e in enumerate(bot_items):
        ev_rows.append({"platform": rec["platform"], "account_id": rec["account_id"], "kind": "bot", "rank": r + 1,
                        "feature": e["feature"], "value": e["value"], "contribution": e["contribution"], "sentence": e["sentence"]})
    for r, s in enumerate(observed):
        ev_rows.append({"platform": rec["platform"], "account_id": rec["account_id"], "kind": "signal", "rank": r + 1,
                        "feature": None, "value": None, "contribution": None, "sentence": s})
    for r, (kind, s) in enumerate(zip(["prior"] + o.items, o.evidence)):
        ev_rows.append({"platform": rec["platform"], "account_id": rec["account_id"], "kind": "origin", "rank": r + 1,
                        "feature": kind if o.items else None, "value": None, "contribution": None, "sentence": s})
    return ev_rows


def score(data: AccountData, model: BotModel, home: str | None, study_prior: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(account_scores, account_evidence) frames for every account in `data`.

    With `study_prior` P(Russia) is re-weighted by the study's own estimated share of Russia-run
    accounts (`origin_prior`); without it, by the share in the calibration data.
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
    precompute_behaviour(data.behaviour.values())
    origin_shifts.precompute(data.shift_counts.values(), codes())  # all accounts' office-hours likelihoods at once
    origins = [origin_posterior(inp, home=home) for inp in origin_inputs(data)]
    prior = None
    if study_prior:
        origins, prior = apply_study_prior(origins, home)
    f["female_name_mismatch"] = _female_name_mismatch(data, origins)
    score_rows, ev_rows = [], []
    records = f[[c for c in ROW_COLUMNS if c in f.columns]].to_dict("records")
    for i, rec in enumerate(records):
        rec = {k: _clean(v) for k, v in rec.items()}
        observed = signals.signal_sentences(rec, home)
        bot_sentences = [e["sentence"] for e in items[i]]
        if not known[i]:
            bot_sentences = ["no profile facts the model reads (account age, likes, posts per day, default profile or image) in the data: bot probability unknown"]
        elif ood[i]:
            bot_sentences.insert(0, f"{reasons[i]}: the probability is uncertain, between {low[i]:.2f} and {high[i]:.2f}")
        bot_sentences += [OBSERVED_PREFIX + s for s in observed]
        o = origins[i]
        row = {
            "platform": rec["platform"],
            "account_id": rec["account_id"],
            "bot_probability": None if math.isnan(probs[i]) else round(float(probs[i]), 4),
            "bot_evidence": json.dumps(bot_sentences, ensure_ascii=False),
            **origin_as_row(o),
            "likely_automated": None if math.isnan(probs[i]) else bool(probs[i] >= 0.5),
            "foreign_origin": None if o.country is None or home is None else bool(1.0 - o.probabilities.get(home, 0.0) >= FOREIGN_THRESHOLD),
            "signals": json.dumps(observed, ensure_ascii=False),
            "n_signals": len(observed),
            "n_posts": rec.get("n_posts"),
            "bot_probability_low": None if math.isnan(low[i]) else round(float(low[i]), 4),
            "bot_probability_high": None if math.isnan(high[i]) else round(float(high[i]), 4),
            "bot_ood": bool(ood[i]) if known[i] else None,
            "bot_ood_reason": reasons[i],
            "bot_kinds": json.dumps(bot_kinds(rec)),
        }
        score_rows.append(row)
        ev_rows += _evidence_rows(rec, items[i], observed, o)
    scores = pd.DataFrame(score_rows, columns=ACCOUNT_SCORES.names)
    if prior is not None:
        scores.attrs["study_prior"] = (prior.share, prior.lo, prior.hi, prior.accounts)
    evidence = pd.DataFrame(ev_rows, columns=ACCOUNT_EVIDENCE.names)
    return scores, evidence
