"""Turning account features into `account_scores` and `account_evidence` rows.

Bot probability comes from the shipped (or user-trained) profile model, times a bounded
behaviour ratio for accounts with enough posts in the study (`bot_behaviour`); the seed signals are
added to the evidence as observations, not to the probability (see `signals`). Origin comes from
the naive-Bayes model in `origin`. An account with no profile counts at all gets a NULL bot
probability rather than the model's base rate, because "we know nothing" is not "47% bot".
"""

from __future__ import annotations

import dataclasses

import itertools
import math
from json.encoder import encode_basestring, encode_basestring_ascii  # type: ignore[attr-defined]
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.accounts import bot_behaviour, origin_shifts, origin_textpool, signals
from botwatch.accounts.botmodel import BotModel, EvidenceColumns
from botwatch.exact_round import none_where, rounded_list
from botwatch.language_names import language_code
from botwatch.prob_text import prob2
from botwatch.accounts.features import AccountData, pairs_of
from botwatch.accounts.frame_values import created_after_seen, midpoint_series, python_values
from botwatch.accounts.gc_pause import gc_paused
from botwatch.accounts.ood import assess
from botwatch.accounts.json_text import flat_object, region_of
from botwatch.accounts.origin import OriginInput, OriginResult, codes, scripts_in
from botwatch.accounts.origin_columns import OriginColumns, evidence_slots, language_groups, posterior_columns
from botwatch.accounts import origin_table
from botwatch.accounts.origin_prior import NEAR_MIN, StudyPrior
from botwatch.accounts.origin_table import OriginTable
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
UNKNOWN_BOT = "no profile facts the model reads (account age, likes, posts per day, default profile or image) in the data: bot probability unknown"
# An account whose recorded creation date is later than it was first seen has no age (profile
# features): "no profile facts ... in the data" was said of it although the data hold a creation
# date, one that cannot be right.
UNKNOWN_BOT_CREATED_LATE = ("its recorded creation date is later than the study first saw the account, which cannot be right, so its age is unknown; "
                            "no other profile fact the model reads (likes, posts per day, default profile or image) is in the data: "
                            "bot probability unknown")

# A Bluesky account's profile facts come from the profile views `collect bluesky` looked up at the
# AppView; one without any was never looked up. The docs' first Bluesky run (`--no-profiles`, the
# fake Jetstream) gave every account "bot probability unknown" and nothing said why or what to do.
UNKNOWN_BOT_BLUESKY = (UNKNOWN_BOT + "; a Bluesky account's come from the profile lookups of `botwatch collect bluesky` (none for a "
                       "capture made with --no-profiles; an account still waiting is looked up when the same collect command runs "
                       "again), then `botwatch ingest` and `botwatch analyze`")


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


def _clean(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def _midpoints(first: pd.Series, last: pd.Series, seen: pd.Series) -> list[datetime | None]:
    """`midpoint_series` as `datetime`s, for the whole column at once."""
    when = midpoint_series(first, last, seen)
    out: list[datetime | None] = [None if pd.isna(t) else t for t in when.dt.to_pydatetime()]
    return out


def origin_inputs(data: AccountData) -> list[OriginInput]:
    """One OriginInput per account row, in `data.features` order."""
    f, acc = data.features, data.accounts
    script_cols = [c for c in f.columns if c.startswith("n_script_")]
    keys = list(zip(f["platform"].tolist(), f["account_id"].tolist()))
    n_posts = python_values(f["n_posts"])
    cells = python_values(f["active_hours"]) if "active_hours" in f.columns else [None] * len(f)  # origin.hours_readable
    days = python_values(f["active_days"]) if "active_days" in f.columns else [None] * len(f)  # origin_shifts.days_readable
    when = _midpoints(f["first_post"], f["last_post"], acc["last_seen"])
    # Script counts as one integer matrix (NULL: no posts) instead of one dict per account.
    scripts = f[script_cols].astype("float64").fillna(0).to_numpy(np.int64) if script_cols else np.zeros((len(f), 0), np.int64)
    names = [c[len("n_script_"):] for c in script_cols]
    has_script = np.flatnonzero(scripts.any(axis=1)).tolist() if len(names) else []
    post_scripts: list[dict[str, int]] = [{} for _ in keys]
    for i in has_script:
        post_scripts[i] = {k: int(v) for k, v in zip(names, scripts[i].tolist()) if v}
    cols = {c: python_values(acc[c]) for c in ("location", "extra", "account_lang", "time_zone", "utc_offset", "display_name", "description")}
    langs, clients, hours = pairs_of(data, "langs"), pairs_of(data, "clients"), pairs_of(data, "hours")
    out = []
    regions: dict[str | None, Any] = {}  # per distinct `extra` text (a study repeats a few dozen): parsed once
    for i, key in enumerate(keys):
        raw = cols["extra"][i]
        if raw not in regions:
            regions[raw] = region_of(raw) if raw else None
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
                post_langs=langs.get(key, {}),
                post_scripts=post_scripts[i],
                n_posts=0 if n_posts[i] is None else int(n_posts[i]),
                hour_counts=hours.get(key),
                clients=clients.get(key, {}),
                when=when[i],
                behaviour=data.behaviour.get(key),
                shift_counts=data.shift_counts.get(key),
                shift_from_desk=key in data.desk_shift,
                desk_own_posts=data.desk_shift.get(key),
                active_cells=None if cells[i] is None else int(cells[i]),
                active_days=None if days[i] is None else int(days[i]),
            )
        )
    return out


def _female_name_mismatch(data: AccountData, origins: "list[OriginResult] | OriginTable") -> list[bool | None]:
    """The female-name seed signal needs the origin: an English woman's name on an account whose
    origin, languages or profile script point elsewhere. None (unknown) where the archive gives
    no display name (`english_female_name` is NA there)."""
    f = data.features
    # Only an account with an English woman's name can mismatch (`fem and elsewhere`): the tests
    # of the origin, languages and script run for those alone, each column read as a list once.
    names = f["english_female_name"].tolist()
    mismatch: list[bool | None] = [None if pd.isna(v) else False for v in names]
    female = [i for i, v in enumerate(names) if not pd.isna(v) and v]
    if not female:
        return mismatch
    pick = lambda values: [values[i] for i in female]  # noqa: E731
    columns = zip(pick(data.accounts["account_lang"].tolist()), pick(f["top_lang"].tolist()), pick(data.accounts["description"].tolist()))
    for i, (lang_v, top_v, desc_v) in zip(female, columns):
        mismatch[i] = _points_elsewhere(origins[i], lang_v, top_v, desc_v)
    return mismatch


def _points_elsewhere(o: OriginResult, lang_v: Any, top_v: Any, desc_v: Any) -> bool:
    """The mismatch half of the signal, one rule for both paths: the origin (a country outside
    `ENGLISH_SPEAKING` at P ≥ 0.5), the account's language, its top post language or a non-Latin
    script in its description points away from the English-speaking world."""
    lang = _clean(lang_v)
    top_lang = _clean(top_v)
    # The top post tag as a language code ("EN", "en-GB" are English; "in" is Indonesian).
    top_code = None if top_lang is None else language_code(str(top_lang).strip().lower())
    return (o.country is not None and o.country not in ENGLISH_SPEAKING and (o.probability or 0) >= 0.5) or (
        lang is not None and not str(lang).lower().startswith("en")) or (top_code is not None and top_code != "en") or bool(
        scripts_in(_clean(desc_v)))


def _observed(f: pd.DataFrame, home: str | None) -> list[list[str]]:
    """Each account's seed-signal sentences (`signals.signal_sentences`), read per account only
    where a column test says one may fire: most accounts show none, and the row dict was most of
    the cost of asking every account."""
    out: list[list[str]] = [[] for _ in range(len(f))]
    cols = [c for c in ROW_COLUMNS if c in f.columns]
    rows = np.flatnonzero(signals.may_fire(f)).tolist()
    if rows:
        sub = f.iloc[rows]
        values = [python_values(sub[c]) for c in cols]
        for i, row in zip(rows, zip(*values)):
            out[i] = signals.signal_sentences(dict(zip(cols, row)), home)
    return out


def _kinds_cells(f: pd.DataFrame) -> list[str]:
    """The `bot_kinds` cell of every account (`bot_kinds` per column instead of per row dict).

    Each kind's state (unknown, False, True) is read a column at a time (`_kind_states`), the
    three states make one of at most 27 codes per account, and each code present is written
    once (`_kinds_json`): no per-account tuple, lookup or conversion."""
    n = len(f)
    code = np.zeros(n, np.int64)
    for _label, col in reversed(KIND_RULES.values()):
        code = code * 3 + (_kind_states(f[col]) if col in f.columns else 0)
    present, inverse = np.unique(code, return_inverse=True)
    names = tuple(KIND_RULES)
    cells = []
    for c in present.tolist():
        states: list[bool | None] = []
        for _ in names:
            c, st = divmod(c, 3)
            states.append((None, False, True)[st])
        cells.append(_kinds_json(tuple(zip(names, states))))
    return np.array(cells, dtype=object)[inverse.reshape(-1)].tolist() if n else []


def _kind_states(col: pd.Series) -> np.ndarray:
    """Per cell 0 (missing: unknown), 1 (False) or 2 (True), as `bot_kinds` reads a value: a bool as
    itself, anything else as `float(v) >= 1`. Numeric and boolean columns are compared as float64
    arrays (the conversion `float` makes); any other column is read value by value."""
    missing = col.isna().to_numpy()
    if col.dtype == "boolean" or (isinstance(col.dtype, np.dtype) and col.dtype.kind in "biuf"):
        true = col.to_numpy(dtype="float64", na_value=np.nan) >= 1
    else:
        true = np.array([False if m else bool(v) if isinstance(v, bool) else bool(float(v) >= 1)
                         for v, m in zip(col.tolist(), missing.tolist())], dtype=bool)
    return np.where(missing, 0, np.where(true, 2, 1))


AUTOMATION_SHOWN = 5  # matched words named in the automation evidence sentence, the rest as "…"


def _name_automation_words(items: EvidenceColumns, accounts: pd.DataFrame, known_idx: np.ndarray) -> EvidenceColumns:
    """`items` with each automation-words sentence naming the words its description matched:
    "automation words in the description (automated, feed, ...) 1" gave the reader the list of
    kinds of words and a count, never which word counted (a "feed" in "news feed" and an
    "automated" read alike). The description is read again here (`profile.automation_matches`);
    the words are attacker-written text, put in the sentence as they are (the report escapes it).
    `known_idx`: the accounts row of each row of `items`."""
    at = [i for i, (f, v) in enumerate(zip(items.feature, items.value)) if f == "automation_words" and v is not None and v >= 1]
    if not at or "description" not in accounts.columns:
        return items
    from botwatch.accounts.botmodel import _tail, describe_value
    from botwatch.accounts.profile import automation_matches

    descriptions = accounts["description"]
    texts = [None] * len(at)
    for k, i in enumerate(at):
        d = descriptions.iloc[int(known_idx[items.row[i]])]
        words = automation_matches(d if isinstance(d, str) else None)
        if not words:  # the count came from another reader of the text: keep the sentence as it was
            continue
        shown = ", ".join(f'"{w}"' for w in words[:AUTOMATION_SHOWN]) + (", …" if len(words) > AUTOMATION_SHOWN else "")
        c = items.contribution[i]
        texts[k] = (f"automation words in the description {describe_value('automation_words', items.value[i])} ({shown}): "
                    + _tail("raised" if c > 0 else "lowered", c))
    keep = [k for k, t in enumerate(texts) if t is not None]
    if not keep:
        return items
    mask = np.zeros(len(items.feature), dtype=bool)
    mask[[at[k] for k in keep]] = True
    sentence = pc.replace_with_mask(items.sentence, pa.array(mask), pa.array([texts[k] for k in keep], pa.string()))
    return dataclasses.replace(items, sentence=sentence)


def _evidence_table(f: pd.DataFrame, model_items: EvidenceColumns, known_idx: np.ndarray, behaviour_items: dict[int, dict[str, Any]],
                    observed: list[list[str]], origins: OriginTable,
                    office: "list[float | None] | None" = None) -> tuple[pd.DataFrame, pa.StringArray, list[int]]:
    """The `account_evidence` rows and each account's bot sentences (flat, with bounds).

    `office`: each account's office-hours factor (`OriginResult.office`, the `_o_office` column),
    in `f`'s order, written as the `value` of the account's `office_hours` origin row, so that the
    report's clause on accounts whose hours fit a working day in UTC+3 reads the number rather than
    parsing it back out of the sentence ("×N"). None: those rows keep no value.

    The `sentence` column is an Arrow array (`pd.ArrowDtype`), the model's sentences placed
    among the others by `take`, so that none of them becomes a Python string on its way to the
    table; the bot sentences come back as Arrow too.

    Per account, in this order: the bot reasons (the behaviour item first where it applied, then
    the model's), the observed signals, the origin evidence (the lead sentence as `prior`); each
    ranked from 1. Every block is placed at its rows' positions with numpy instead of appended
    account by account."""
    n = len(f)
    m_rows = known_idx[model_items.row] if len(model_items.row) else np.zeros(0, np.int64)
    beh_rows = np.array(sorted(behaviour_items), dtype=np.int64)
    n_beh = np.zeros(n, np.int64)
    n_beh[beh_rows] = 1
    n_bot = np.bincount(m_rows, minlength=n) + n_beh
    n_sig = np.fromiter(map(len, observed), np.int64, n)
    n_org, o_feat, o_sent = _origin_rows(origins)
    per = n_bot + n_sig + n_org
    start = np.concatenate([[0], np.cumsum(per)])
    total = int(start[-1])
    # The key, kind and rank columns are made by Arrow (`take` over each account's key, a kind's
    # name, numpy's ranks): a Python object per row, converted again by `to_arrow`, cost more.
    cols = {name: np.full(total, None, dtype=object) for name in ("feature", "value", "contribution", "sentence")}
    owner = np.repeat(np.arange(n), per)
    take_owner = pa.array(owner, pa.int64())
    arrow = {c: pa.array(python_values(f[c]), pa.string()).take(take_owner) for c in ("platform", "account_id")}
    rank = np.arange(total) - start[owner]  # 0-based position within the account
    kind = np.where(rank < n_bot[owner], 0, np.where(rank < (n_bot + n_sig)[owner], 1, 2))
    arrow["kind"] = pa.array(["bot", "signal", "origin"], pa.string()).take(pa.array(kind, pa.int64()))
    rank = rank - np.where(kind == 0, 0, np.where(kind == 1, n_bot[owner], (n_bot + n_sig)[owner]))
    arrow["rank"] = pa.array(rank + 1, pa.int64())
    # Model items: after the account's behaviour item, if any.
    at = start[m_rows] + n_beh[m_rows] + model_items.rank
    cols["feature"][at] = model_items.feature
    cols["value"][at] = model_items.value
    cols["contribution"][at] = model_items.contribution
    for r in beh_rows.tolist():
        item = behaviour_items[r]
        j = int(start[r])
        cols["feature"][j], cols["value"][j], cols["contribution"][j], cols["sentence"][j] = item["feature"], item["value"], item["contribution"], item["sentence"]
    sig_at = np.repeat(start[:-1] + n_bot, n_sig) + (np.arange(int(n_sig.sum())) - np.repeat(np.cumsum(n_sig) - n_sig, n_sig))
    cols["sentence"][sig_at] = list(itertools.chain.from_iterable(observed))
    is_org = kind == 2
    cols["feature"][is_org] = o_feat.to_pylist()
    if office is not None:
        at_office = np.flatnonzero(is_org & (cols["feature"] == origin_shifts.KIND))
        cols["value"][at_office] = [office[i] for i in owner[at_office].tolist()]
    is_model = np.zeros(total, dtype=bool)
    is_model[at] = True
    # Three sources in one `take`: the Python sentences (behaviour items, signals), the model's and
    # the origin's (both Arrow), each in its rows' order.
    rest_at = ~(is_model | is_org)
    rest = pa.array(cols["sentence"][rest_at], pa.string(), from_pandas=True)
    order = np.empty(total, np.int64)
    order[rest_at] = np.arange(len(rest))
    order[is_model] = len(rest) + np.arange(int(is_model.sum()))
    order[is_org] = len(rest) + int(is_model.sum()) + np.arange(int(is_org.sum()))
    sentence = pa.concat_arrays([rest, model_items.sentence.cast(pa.string()), o_sent.cast(pa.string())]).take(pa.array(order, pa.int64()))
    bot_bounds = np.concatenate([[0], np.cumsum(n_bot)]).tolist()
    arrow["sentence"] = sentence
    frame = pd.DataFrame({name: pd.arrays.ArrowExtensionArray(arrow[name]) if name in arrow else pd.array(cols[name], dtype=object)
                          for name in ACCOUNT_EVIDENCE.names})
    return frame, sentence.take(pa.array(np.flatnonzero(kind == 0))), bot_bounds


def _origin_rows(t: OriginTable) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """Each account's origin evidence rows: (how many, their features, their sentences), the
    sentences zipped with ["prior", *items] as the per-account loop did (a feature of None for an
    account without evidence kinds; `origin_rows_per_account` in testsupport/accounts_reference.py),
    by index arithmetic over the table's flat columns."""
    n_items, n_ev = np.diff(t.it), np.diff(t.ev)
    k = np.minimum(n_items + 1, n_ev)
    owner = np.repeat(np.arange(len(k)), k)
    pos = np.arange(int(k.sum())) - np.concatenate([[0], np.cumsum(k)])[:-1][owner]
    sent = t.evidence.take(pa.array(t.ev[owner] + pos, pa.int64()))
    n_flat = len(t.items)
    at = np.where(n_items[owner] == 0, n_flat + 1, np.where(pos == 0, n_flat, t.it[owner] + pos - 1))
    feat = pa.concat_arrays([t.items.cast(pa.string()), pa.array(["prior", None], pa.string())]).take(pa.array(at, pa.int64()))
    return k, feat, sent


def _placed(rest: pa.Array, placed: pa.Array, at: np.ndarray) -> pa.Array:
    """One array of len(at): `placed`'s items, in order, where `at` is True, `rest`'s elsewhere."""
    order = np.empty(len(at), dtype=np.int64)
    order[~at] = np.arange(len(rest))
    order[at] = len(rest) + np.arange(len(placed))
    return pa.concat_arrays([rest, placed.cast(rest.type)]).take(pa.array(order))


_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'  # what `encode_basestring` escapes: control characters, quote, backslash


def _needs_escape(parts: pa.Array) -> np.ndarray:
    """Per string of `parts` (a string or large_string array): does it hold a character
    `encode_basestring` escapes (`_NEEDS_ESCAPE`)? NULL: False.

    Read off the UTF-8 bytes in numpy: each of those characters is one byte below 0x80 (0x00-0x1F,
    the quote, the backslash), and in UTF-8 every byte of a character beyond ASCII is 0x80 or
    above, so a string holds one exactly when its bytes do. The bytes are compared once and the
    few hits placed in their strings by the offsets, instead of Arrow's regular expression
    walking every string (`needs_escape_regex` in testsupport/accounts_reference.py, the tests'
    reference)."""
    n = len(parts)
    if not n:
        return np.zeros(0, bool)
    _validity, offsets_buf, data_buf = parts.buffers()[:3]
    width = np.int64 if pa.types.is_large_string(parts.type) else np.int32
    offsets = np.frombuffer(offsets_buf, width)[parts.offset:parts.offset + n + 1].astype(np.int64)
    if data_buf is None or offsets[-1] == offsets[0]:
        return np.zeros(n, bool)
    data = np.frombuffer(data_buf, np.uint8)[offsets[0]:offsets[-1]]
    at = np.flatnonzero((data < 0x20) | (data == 0x22) | (data == 0x5C)) + offsets[0]
    out = np.zeros(n, bool)
    # the string whose byte range [offsets[i], offsets[i + 1]) holds each hit (empty ranges hold none)
    out[np.searchsorted(offsets, at, side="right") - 1] = True
    if parts.null_count:
        out &= np.asarray(parts.is_valid().to_numpy(zero_copy_only=False), bool)
    return out


def _json_list_array(parts: pa.StringArray, bounds: np.ndarray) -> pa.StringArray:
    """`_json_lists` in Arrow: the JSON list of parts[bounds[i]:bounds[i + 1]] for every i.

    Each part is quoted by Arrow; only the parts holding a character JSON escapes (none of the
    model's sentences on the studies seen) go through `encode_basestring`. The lists are joined
    by `binary_join` over offsets, so no part or cell becomes a Python string on the way."""
    quoted = pc.binary_join_element_wise('"', parts, '"', "")
    hit = np.flatnonzero(_needs_escape(parts))
    if len(hit):
        flag = np.zeros(len(parts), bool)
        flag[hit] = True
        fixed = pa.array([encode_basestring(v) for v in parts.take(pa.array(hit)).to_pylist()], pa.string())
        quoted = pc.replace_with_mask(quoted, pa.array(flag), fixed)
    lists = pa.LargeListArray.from_arrays(pa.array(bounds, pa.int64()), quoted)
    return pc.binary_join_element_wise("[", pc.binary_join(lists, ", "), "]", "")


def _json_lists(parts: list[str], bounds: list[int]) -> list[str]:
    """`string_list` of parts[bounds[i]:bounds[i + 1]] for every i, escaping each part once."""
    enc = list(map(encode_basestring, parts))
    return ["[" + ", ".join(enc[a:b]) + "]" for a, b in zip(bounds[:-1], bounds[1:])]


def _bot_cells(known: np.ndarray, ood: np.ndarray, reasons: list[str | None], low: np.ndarray, high: np.ndarray,
               observed: list[list[str]], reasons_text: pa.StringArray, reason_bounds: list[int],
               created_late: np.ndarray | None = None, bluesky: np.ndarray | None = None) -> pa.StringArray:
    """Each account's `bot_evidence` cell: [why uncertain] + the bot reasons (or "unknown") + the
    observed signals, as a JSON list. `created_late`: per account, whether its recorded creation
    date is after the study first saw it (an unknown account's "unknown" then says so);
    `bluesky`: whether it is a Bluesky account (its "unknown" says where the profile comes from).

    The first and last are Python strings (one an account at most, and the signals, which are
    Python already); the reasons stay Arrow (`_evidence_table`) and are placed among them by
    `take`, and the cells are joined by Arrow (`_json_list_array`)."""
    n = len(known)
    low_list, high_list, known_list, ood_list = low.tolist(), high.tolist(), known.tolist(), ood.tolist()
    late_list = created_late.tolist() if created_late is not None else [False] * n
    bsky_list = bluesky.tolist() if bluesky is not None else [False] * n
    rest: list[str] = []
    for i in range(n):
        if not known_list[i]:
            rest.append(UNKNOWN_BOT_CREATED_LATE if late_list[i] else UNKNOWN_BOT_BLUESKY if bsky_list[i] else UNKNOWN_BOT)
        elif ood_list[i]:
            # prob2, as the range line beside it: "between 0.85 and 1.00" read as certainty where
            # `explain` said "Plausible range: 0.85 to >0.99" (@mauritscorneIis, labelled study).
            rest.append(f"{reasons[i]}: the probability is uncertain, between {prob2(low_list[i])} and {prob2(high_list[i])}")
        if observed[i]:
            rest += [OBSERVED_PREFIX + s for s in observed[i]]
    rb = np.asarray(reason_bounds, np.int64)
    n_head = (~known | ood).astype(np.int64)
    n_reasons = np.where(known, np.diff(rb), 0)
    n_sig = np.fromiter(map(len, observed), np.int64, n)
    bounds = np.concatenate([[0], np.cumsum(n_head + n_reasons + n_sig)]).astype(np.int64)
    owner = np.repeat(np.arange(n), np.diff(rb))
    kept = np.flatnonzero(known[owner])  # an account without a model score shows no reasons
    owner = owner[kept]
    at = np.zeros(int(bounds[-1]), dtype=bool)
    at[bounds[owner] + n_head[owner] + kept - rb[owner]] = True
    parts = _placed(pa.array(rest, pa.string()), reasons_text.take(pa.array(kept, pa.int64())), at)
    return _json_list_array(parts, bounds)


def _origin_evidence_cells_table(t: OriginTable) -> pa.StringArray:
    """Each account's `origin_evidence` cell (the JSON list of its evidence sentences), joined by
    Arrow (`_json_list_array`) from the table's sentences, instead of one Python string per
    account that `to_arrow` then encodes again."""
    return _json_list_array(t.evidence, t.ev)


# Python's repr of k / 10,000 for k = 0 .. 10,000 and the doubles they stand for: the origin
# probabilities are rounded to four decimals (`round`, `round_like_python`), so nearly every value
# is one of these, and its text is taken from here instead of written per value.
_FOURTHS = np.arange(10_001) / 10_000
_FOURTHS_TEXT = pa.array([repr(v) for v in _FOURTHS.tolist()], pa.string())


def _float_texts(values: np.ndarray) -> pa.StringArray:
    """`repr` of each finite float: from `_FOURTHS_TEXT` where the value is bit for bit one of
    `_FOURTHS` (the comparison is exact and a negative zero is excluded), by Python elsewhere."""
    with np.errstate(over="ignore", invalid="ignore"):
        k = np.clip(np.rint(np.nan_to_num(values * 10_000, nan=-1.0)), 0, 10_000).astype(np.int64)
    exact = (_FOURTHS[k] == values) & ~np.signbit(values)
    texts = _FOURTHS_TEXT.take(pa.array(k))
    other = np.flatnonzero(~exact)
    if len(other):
        texts = pc.replace_with_mask(texts, pa.array(~exact), pa.array([repr(v) for v in values[other].tolist()], pa.string()))
    return texts


def _probability_cells_table(t: OriginTable) -> pa.StringArray:
    """Each account's `origin_probabilities` cell, `flat_object` of its probabilities (NULL for
    none), built by Arrow (`_probability_cells_flat`) from an `OriginTable`, whose countries are
    str and values float64."""
    return _probability_cells_flat(t.codes, t.vocab, t.values, t.kv,
                                   lambda i: dict(zip([t.vocab[c] for c in t.codes[t.kv[i]:t.kv[i + 1]].tolist()], t.values[t.kv[i]:t.kv[i + 1]].tolist())))


def _probability_cells_flat(codes_: np.ndarray, vocab: list[str], v: np.ndarray, bounds: np.ndarray, row: Any) -> pa.StringArray:
    """The cells of accounts whose (key code, value) pairs are codes_/v[bounds[i]:bounds[i + 1]];
    `row(i)`: account i's dict, for the cells `flat_object` writes itself (a value not finite)."""
    n = len(bounds) - 1
    lengths = np.diff(bounds)
    escaped = pa.array([encode_basestring_ascii(k) for k in vocab], pa.string())
    finite = np.isfinite(v)
    pairs = pc.binary_join_element_wise(escaped.take(pa.array(codes_, pa.int64())), _float_texts(np.where(finite, v, 0.0)), ": ")
    cells = pc.binary_join_element_wise("{", pc.binary_join(pa.LargeListArray.from_arrays(pa.array(bounds, pa.int64()), pairs), ", "), "}", "")
    cells = pc.if_else(pa.array(lengths > 0), cells, pa.scalar(None, pa.string()))
    bad = np.concatenate([[0], np.cumsum(~finite)])
    odd = np.flatnonzero(bad[bounds[1:]] > bad[bounds[:-1]])  # accounts holding a value that is not finite
    if len(odd):
        mask = np.zeros(n, bool)
        mask[odd] = True
        cells = pc.replace_with_mask(cells, pa.array(mask), pa.array([flat_object(row(i)) for i in odd.tolist()], pa.string()))
    return cells


def origin_result_columns(data: AccountData, home: str | None) -> OriginColumns:
    """Each account's origin posterior before any study prior, in `data.features` order, as
    columns: per evidence kind over the batch's distinct values (`origin_columns`), without an
    `OriginInput` or `OriginResult` per account. Equal to the per-account path
    (`origin_batch.origin_posteriors` of `origin_inputs`; the tests hold them equal)."""
    precompute_behaviour(data.behaviour.values())
    origin_shifts.precompute(data.shift_counts.values(), codes())  # all accounts' office-hours likelihoods at once
    return posterior_columns(evidence_slots(data, home), home)


def _foreign(t: OriginTable, home: str | None) -> list[bool | None]:
    """`foreign_origin` per account: None without a country or a home, else whether
    1 - P(home) (0 where home is not among its kept countries) reaches `FOREIGN_THRESHOLD`
    (`foreign_per_account` in testsupport/accounts_reference.py, the reference)."""
    n = len(t)
    if home is None:
        return [None] * n
    p_home = np.zeros(n)
    if home in t.vocab:
        at = np.flatnonzero(t.codes == t.vocab.index(home))
        p_home[np.searchsorted(t.kv, at, side="right") - 1] = t.values[at]
    out: list[bool | None] = (1.0 - p_home >= FOREIGN_THRESHOLD).tolist()
    for i, c in enumerate(t.country):
        if c is None:
            out[i] = None
    return out


@gc_paused
def score(data: AccountData, model: BotModel, home: str | None, study_prior: "bool | StudyPrior" = True,
          origins: "list[OriginResult] | OriginTable | None" = None,
          text_neighbours: origin_textpool.Neighbours | None = None,
          near_russia: "np.ndarray | None" = None, office: "list[float | None] | None" = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(account_scores, account_evidence) frames for every account in `data`.

    With `study_prior` P(Russia) is re-weighted by the study's own estimated share of Russia-run
    accounts (`origin_prior`); without it, by the share in the calibration data. `True`
    estimates the share from `data`'s accounts; a `StudyPrior` is one estimated beforehand over
    the whole study (the stage scores a batch of accounts at a time). `origins`: the accounts'
    origin results (`origin_result_columns`), when already computed (the stage's first pass computes them, and pools
    them over accounts posting the same texts, before the prior), as a list or as the columns of
    an `origin_table.OriginTable` (what the stage passes; a list is turned into one, its integer
    probabilities into floats). With `text_neighbours` (a
    study-level query, `origin_textpool.neighbours`) each account's origin evidence is first
    pooled with that of the accounts posting the same texts (before any study prior), and the
    accounts near Russia (`origin_textpool.near_russia`) get a study prior of their own
    (`origin_prior.apply_stratified`). `near_russia`: that flag per account, when computed already
    (the stage's, from its engine-side neighbour counts). `office`: the accounts' office-hours
    factors (`_o_office`), read only with `origins` as an `OriginTable` (a list's results and the
    results computed here carry their own), written as their evidence rows' `value`.
    """
    f = data.features
    # The profile's post count beside the model's features: posts per day at each reference age
    # where the account's own age is unknown (`botmodel.age_reference`).
    X = f[[*model.features, *(["log_posts_count"] if "log_posts_count" in f.columns and "log_posts_count" not in model.features else [])]].astype("float64")
    known = f[[c for c in REQUIRED_ANY if c in f.columns]].astype("float64").notna().any(axis=1).to_numpy()
    probs = np.full(len(f), np.nan)
    low, high = np.full(len(f), np.nan), np.full(len(f), np.nan)
    ood = np.zeros(len(f), dtype=bool)
    reasons: list[str | None] = [None] * len(f)
    known_idx = np.flatnonzero(known)
    ev_cols = EvidenceColumns.empty()
    if known.any():
        probs[known] = model.predict(X[known])
        ev_cols = _name_automation_words(model.evidence_columns(X[known]), data.accounts, known_idx)
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
    # The origin results stay columns (`origin_table`) from here to the cells and rows written.
    if origins is None:
        own_cols = origin_result_columns(data, home).columns
        table = origin_table.from_columns(own_cols)
        office = own_cols["_o_office"].to_pylist()
    elif not isinstance(origins, OriginTable):
        table = origin_table.from_results(origins)
        office = [r.office for r in origins]
    else:
        table = origins  # its office-hours factors: the caller's `office`
    # The study's home share (`origin_prior.estimate_home`) is read from the results before
    # pooling, as the stage reads its first pass's stored results: the same estimate either way.
    home_share = study_prior.home_share if isinstance(study_prior, StudyPrior) else (
        origin_table.estimate_home(table, home) if study_prior else None)
    if text_neighbours is not None:
        keys = list(zip(python_values(f["platform"]), python_values(f["account_id"])))
        own = table.to_results()
        if near_russia is None:
            near_russia = origin_textpool.near_russia(own, keys, text_neighbours, NEAR_MIN)
        table = origin_table.from_results(origin_textpool.apply(own, keys, text_neighbours))
    prior = None
    if isinstance(study_prior, StudyPrior):
        table, prior = origin_table.apply_study_prior(table, home, study_prior, near_russia)
    elif study_prior:
        table, prior = origin_table.apply_study_prior(table, home, None, near_russia)  # estimated from these accounts
    if prior is not None and home_share is not None:
        # After the Russia prior: it moves home and the third countries only, P(Russia) stays.
        home_share = dataclasses.replace(home_share, russia=prior.overall())
        table = origin_table.apply_home_share(table, home_share, language_groups(data))
        prior = dataclasses.replace(prior, home_share=home_share)
    else:
        # No study home share applied: the stated home prior stands, and a lead it chose says so.
        table = origin_table.mark_stated_prior(table, home)
    f["female_name_mismatch"] = _female_name_mismatch(data, table)
    observed = _observed(f, home)
    evidence, bot_parts, bot_bounds = _evidence_table(f, ev_cols, known_idx, beh.items, observed, table, office)
    known_list, ood_list = known.tolist(), ood.tolist()
    after_seen = created_after_seen(data.accounts) if data.created_after_seen is None else data.created_after_seen
    bot_evidence = pd.arrays.ArrowExtensionArray(_bot_cells(known, ood, reasons, low, high, observed, bot_parts, bot_bounds, after_seen,
                                                                     (f["platform"] == "bluesky").to_numpy(dtype=bool, na_value=False)))
    n_sig = np.fromiter(map(len, observed), np.int64, len(f))
    signal_cells = pd.arrays.ArrowExtensionArray(_json_list_array(
        pa.array(list(itertools.chain.from_iterable(observed)), pa.string()), np.concatenate([[0], np.cumsum(n_sig)])))
    n_signals = [len(o) for o in observed]
    kinds = _kinds_cells(f)
    keys = {c: python_values(f[c]) for c in ("platform", "account_id", "n_posts") if c in f.columns}

    scores: dict[str, list[Any]] = {
        "platform": keys["platform"],
        "account_id": keys["account_id"],
        "bot_probability": rounded_list(probs, 4),
        "bot_evidence": None,
        "origin_country": list(table.country),
        "origin_probability": rounded_list(np.where(table.probability_known, table.probability, np.nan), 4),
        "origin_probabilities": None,
        "origin_evidence": None,
        "likely_automated": none_where(probs >= 0.5, np.isnan(probs)),
        "foreign_origin": _foreign(table, home),
        "signals": None,
        "n_signals": n_signals,
        # An account seen only as a retweeted, quoted or replied-to author or looked up has no post of
        # its own: 0 posts in the study, not an unknown count (its features' NULL is "no activity").
        "n_posts": [0 if n is None else n for n in keys["n_posts"]] if "n_posts" in keys else [None] * len(f),
        "bot_probability_low": rounded_list(low, 4),
        "bot_probability_high": rounded_list(high, 4),
        "bot_ood": [o if k else None for o, k in zip(ood_list, known_list)],
        "bot_ood_reason": reasons,
        "bot_kinds": kinds,
        "bot_profile_probability": rounded_list(profile_probs, 4),
        "bot_behaviour_lr": rounded_list(beh.lr, 3),
    }
    # Object columns: the table schema types them when they are written; letting pandas infer
    # (and convert strings to Arrow) here only to turn them back was a tenth of this function.
    out = pd.DataFrame(scores, columns=ACCOUNT_SCORES.names, dtype=object)
    out["bot_evidence"], out["signals"] = bot_evidence, signal_cells  # Arrow arrays, kept as they are
    out["origin_probabilities"] = pd.arrays.ArrowExtensionArray(_probability_cells_table(table))
    out["origin_evidence"] = pd.arrays.ArrowExtensionArray(_origin_evidence_cells_table(table))
    if prior is not None:
        out.attrs["study_prior"] = (prior.share, prior.lo, prior.hi, prior.accounts)
        if prior.home_share is not None:
            out.attrs["home_share"] = (prior.home_share.share, prior.home_share.lo, prior.home_share.hi, prior.home_share.accounts)
    return out, evidence
