"""The origin posteriors of a whole batch from its columns, per evidence kind, with the same numbers
and sentences as `origin_batch.origin_posteriors(scoring.origin_inputs(data))`.

Why: building one `OriginInput` per account and walking `origin.evidence_vectors` for each was
about 2.5 of the origin pass's CPU-seconds per 100k accounts, though nearly every item is a
function of one profile value (a place, a time zone, an interface language, a set of tagged post
languages) that many accounts share. Here each kind is one *slot*: its item is looked up once
per distinct value of the batch (with the same cached functions `evidence_vectors` calls) and
every account gets an index into a table of distinct items (-1: none). The slots are in
`evidence_vectors`' order, so an account's items are its non-empty slots read left to right.
Accounts whose slot indices are the same have the same posterior and sentences: each distinct
row of indices is computed once and its result is given to its accounts (on a study without
repetition this is no saving, and no loss beyond one hash factorisation per slot column,
`distinct_rows`).

Exactness: an account's log posterior is the log prior plus the log of each of its item vectors
in its item order, as in `origin_posterior`; an empty slot adds an exact zero, which changes no
float. Items that are the account's own (office hours, the behaviour items) get their own table
rows, as their vectors are computed per account. `tests/test_accounts_origin_columns.py` holds
this path to the per-account one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from botwatch.accounts import origin_desk, origin_shifts
from botwatch.accounts.circadian import MIN_ACTIVE_CELLS
from botwatch.accounts.origin import (
    FLOOR_LOCATION,
    IGNORED_LANGS,
    MIN_TAGGED_POSTS,
    NO_EVIDENCE,
    OriginResult,
    _account_lang_item,
    _client_item,
    _cyrillic_item,
    HOURS_WITHHELD,
    _hours_item,
    _hours_withheld_item,
    _place_item,
    _post_langs_item,
    _post_script_item,
    _profile_script_item,
    _region_item,
    _regional_client,
    _time_zone_item,
    _utc_offset_item,
    codes,
    office_factor,
    scripts_in,
)
from botwatch.accounts.frame_values import midpoint_series, python_values
from botwatch.accounts.origin_batch import CHUNK, lead_sentence, posteriors
from botwatch.accounts.origin_signals import behaviour_items, parameters

DEFAULT_WHEN = datetime(2016, 6, 15)  # `evidence_vectors`' date for an account without one
# Fixed slots, in `evidence_vectors`' order; the behaviour items follow, one slot each.
SLOTS = ("location", "region", "time_zone|utc_offset", "account_lang", "profile_script", "post_langs|post_script", "post_cyrillic", "office|hours", "client")
_TEXTS = pa.list_(pa.string())


class _Table:
    """The batch's distinct evidence items: kind, likelihood vector (read only) and sentence."""

    def __init__(self) -> None:
        self.kinds: list[str] = []
        self.vectors: list[np.ndarray] = []
        self.sentences: list[str] = []
        self._ids: dict[tuple[str, int], int] = {}
        self._held: list[Any] = []  # keeps each keyed object alive, so its id() stays its own

    def add(self, kind: str, item: tuple[np.ndarray, str] | None) -> int:
        """The item's row (-1 for None); the same item object (a cached profile value) gets one row."""
        if item is None:
            return -1
        key = (kind, id(item))  # a region's item can be the location item's object, under another kind
        got = self._ids.get(key)
        if got is None:
            got = self._ids[key] = len(self.kinds)
            self._held.append(item)
            self.kinds.append(kind)
            self.vectors.append(item[0])
            self.sentences.append(item[1])
        return got

    def own(self, kind: str, vector: np.ndarray, sentence: str) -> int:
        """A row for an item computed for one account."""
        self.kinds.append(kind)
        self.vectors.append(vector)
        self.sentences.append(sentence)
        return len(self.kinds) - 1


@dataclass
class Slots:
    """Each account's items as table rows, one column per slot (-1: no item of that slot)."""

    index: np.ndarray  # (accounts, slots) int64
    table: _Table


def _distinct(values: "pd.Series | list[Any]") -> tuple[np.ndarray, list[Any]]:
    """(code per value, distinct values as Python objects); every missing marker (None, NaN, NA) gets -1."""
    codes_, uniques = pd.factorize(values if isinstance(values, pd.Series) else pd.Series(values, dtype=object), use_na_sentinel=True)
    return np.asarray(codes_, np.int64), uniques.tolist()


def _by_value(values: "pd.Series | list[Any]", item_of: Any, table: _Table) -> np.ndarray:
    """A slot whose item is a function of one value: `item_of(value)` -> (kind, item) or None, once per distinct value."""
    code, uniques = _distinct(values)
    ids = np.array([table.add(*got) if (got := item_of(v)) is not None else -1 for v in uniques] + [-1], np.int64)
    return ids[code]  # code -1 reads the appended -1


def evidence_slots(data: Any, home: str | None) -> Slots:
    """The slots of every account of `data` (an `AccountData`), in `data.features` order: what
    `origin.evidence_vectors(scoring.origin_inputs(data)[i], frozenset(), home)` gives account i."""
    from botwatch.accounts.json_text import region_of

    f, acc = data.features, data.accounts
    n = len(f)
    table = _Table()
    keys = list(zip(f["platform"].tolist(), f["account_id"].tolist()))
    fixed = np.full((n, len(SLOTS)), -1, np.int64)
    cols = {c: acc[c] for c in ("location", "extra", "account_lang", "time_zone", "display_name", "description")}  # read per distinct value
    offsets = python_values(acc["utc_offset"])
    region_floor = float(parameters()["profile"]["region_floor"])

    fixed[:, 0] = _by_value(cols["location"], lambda v: ("location", _place_item(v, "profile location", FLOOR_LOCATION, home, True)) if v else None, table)

    def region(raw: Any) -> tuple[str, Any] | None:
        r = region_of(raw) if raw else None
        ok = r if isinstance(r, str) and r.lower() != "unknown" else None
        return ("region", _region_item(ok, region_floor, home)) if ok else None

    fixed[:, 1] = _by_value(cols["extra"], region, table)

    when = midpoint_series(f["first_post"], f["last_post"], acc["last_seen"])
    dated = when.notna().to_numpy()
    year = np.where(dated, when.dt.year.fillna(DEFAULT_WHEN.year).to_numpy(np.int64), DEFAULT_WHEN.year)
    month = np.where(dated, when.dt.month.fillna(DEFAULT_WHEN.month).to_numpy(np.int64), DEFAULT_WHEN.month)
    tz = _by_value(cols["time_zone"], lambda v: ("time_zone", _time_zone_item(v)) if v else None, table)
    offset_rows = [i for i in np.flatnonzero(tz < 0).tolist() if offsets[i] is not None]
    if offset_rows:
        combos = [(round(int(offsets[i]) / 60), int(year[i]), int(month[i])) for i in offset_rows]
        tz[offset_rows] = _by_value(combos, lambda c: ("utc_offset", _utc_offset_item(*c)), table)
    fixed[:, 2] = tz

    fixed[:, 3] = _by_value(cols["account_lang"], lambda v: ("account_lang", _account_lang_item(v)) if v else None, table)

    name_code, name_values = _distinct(cols["display_name"])
    desc_code, desc_values = _distinct(cols["description"])
    name_scripts = [frozenset(scripts_in(v)) for v in name_values] + [frozenset()]
    desc_scripts = [frozenset(scripts_in(v)) for v in desc_values] + [frozenset()]
    has_name = np.array([bool(s) for s in name_scripts], bool)[name_code]
    has_desc = np.array([bool(s) for s in desc_scripts], bool)[desc_code]
    rows = np.flatnonzero(has_name | has_desc).tolist()
    if rows:
        sets = [tuple(sorted(name_scripts[name_code[i]] | desc_scripts[desc_code[i]])) for i in rows]
        fixed[rows, 4] = _by_value(sets, lambda s: ("profile_script", _profile_script_item(s)), table)

    fixed[:, 5] = _post_languages(data, keys, f, table)
    fixed[:, 6] = _cyrillic(f, table)
    fixed[:, 7] = _hours(data, keys, year, month, home, table, _count(f, "active_hours"), _count(f, "active_days"))
    fixed[:, 8] = _clients(data, keys, table)

    behaviour: list[tuple[int, list[int]]] = []
    if data.behaviour:
        for i, k in enumerate(keys):
            b = data.behaviour.get(k)
            if b is not None:
                got = [table.own(it.kind, np.exp(it.log_l), it.sentence) for it in behaviour_items(b, codes(), home)]
                if got:
                    behaviour.append((i, got))
    width = max((len(g) for _, g in behaviour), default=0)
    extra = np.full((n, width), -1, np.int64)
    for i, got in behaviour:
        extra[i, :len(got)] = got
    slots = np.hstack([fixed, extra]) if width else fixed
    # The withheld-hours note alone is no evidence (`origin.only_withheld`): such rows read unknown.
    note = np.array([k == HOURS_WITHHELD for k in table.kinds] + [False], bool)[fixed[:, 7]]
    alone = note & ((slots >= 0).sum(axis=1) == 1)
    slots[alone, 7] = -1
    return Slots(slots, table)


def _count(f: pd.DataFrame, name: str) -> np.ndarray | None:
    """A count the hour gates read (`active_hours`: distinct (UTC date, hour) cells, `active_days`:
    distinct UTC dates), -1 where missing (not gated, as the gates read None), or None without the column."""
    if name not in f.columns:
        return None
    return f[name].astype("float64").fillna(-1).to_numpy(np.int64)


def _lang_slot(raw: tuple[tuple[Any, int], ...], table: _Table) -> tuple[bool, int]:
    """(no tagged post, post-language row) of one account's (tag, posts) pairs in its order."""
    tagged = {x.lower(): c for x, c in raw if x and x.lower() not in IGNORED_LANGS and c > 0}
    if sum(tagged.values()) >= MIN_TAGGED_POSTS:
        return False, table.add("post_langs", _post_langs_item(tuple(tagged.items())))
    return True, -1


def _lang_slot_dicts(langs: dict[tuple[str, str], dict[str, int]], keys: list[tuple[str, str]], table: _Table) -> tuple[np.ndarray, np.ndarray]:
    """(row, no tagged post) per account from its {tag: posts} dict, in the dict's order, once per distinct dict."""
    n = len(keys)
    out = np.full(n, -1, np.int64)
    fallback = np.ones(n, bool)  # no tagged post: the post scripts may speak instead
    seen: dict[tuple[tuple[str, int], ...], tuple[bool, int]] = {}
    for i, k in enumerate(keys):
        d = langs.get(k)
        if not d:
            continue
        raw = tuple(d.items())
        got = seen.get(raw)
        if got is None:
            got = seen[raw] = _lang_slot(raw, table)
        fallback[i], out[i] = got
    return out, fallback


@dataclass
class _Pairs:
    """A (k, n) list column's pairs sorted by (row, key), as `features._pair_dicts` orders each
    account's dict (UTF-8 byte order is code-point order): each pair's row,
    its key as a code into `names` (the distinct keys, Python strings) and its count."""

    rows: np.ndarray
    code: np.ndarray
    names: list[str]
    counts: np.ndarray


def _sorted_pairs(col: pa.Array) -> _Pairs | None:
    """The pairs of `col`, or None where the dict path must decide: a NULL key, or one account
    holding the same key twice. `prepare` groups by (account, key), so neither happens there; but
    a dict keeps the *last* count of a repeated key while the list readers drop non-positive
    counts first, so on such input the two could disagree, and the dicts are the reference."""
    import pyarrow.compute as pc

    from botwatch.accounts.features import _rows_of

    rows, k, n = _rows_of(col)
    if k.null_count:
        return None
    order = pc.sort_indices(pa.table({"r": rows, "k": k}), sort_keys=[("r", "ascending"), ("k", "ascending")])
    order_np = np.asarray(order.to_numpy(zero_copy_only=False), np.int64)
    enc = pc.dictionary_encode(k.take(order))
    rows = rows[order_np]
    codes = np.asarray(enc.indices.to_numpy(zero_copy_only=False), np.int64)
    if len(rows) > 1 and bool(np.any((rows[1:] == rows[:-1]) & (codes[1:] == codes[:-1]))):
        return None
    return _Pairs(rows, codes, enc.dictionary.to_pylist(), n[order_np])


def _lang_slot_lists(col: pa.Array, table: _Table) -> tuple[np.ndarray, np.ndarray] | None:
    """`_lang_slot_dicts` from the list column itself, without a dict per account: the tags are
    lower-cased and tested once per distinct tag, each account's kept (tag, posts) pairs become one
    row of pair codes, and the item is looked up once per distinct row. An account whose kept tags
    lower-case to the same tag twice (its dict keeps the first one's place and the last one's
    count) goes through `_lang_slot` on its own pairs. None where a tag is NULL."""
    n = len(col)
    out = np.full(n, -1, np.int64)
    pairs = _sorted_pairs(col)
    if pairs is None:
        return None
    lows = [x.lower() for x in pairs.names]
    low_codes, low_uniques = pd.factorize(pd.Series(lows, dtype=object))
    low_names = list(low_uniques)
    kept_name = np.array([bool(x) and low not in IGNORED_LANGS for x, low in zip(pairs.names, lows)], bool)
    keep = kept_name[pairs.code] & (pairs.counts > 0) if len(pairs.rows) else np.zeros(0, bool)
    r, low, cnt = pairs.rows[keep], np.asarray(low_codes, np.int64)[pairs.code[keep]], pairs.counts[keep]
    tagged = np.bincount(r, weights=cnt, minlength=n) >= MIN_TAGGED_POSTS  # whole numbers, exact below 2**53
    fallback = ~tagged  # no tagged post: the post scripts may speak instead
    # Accounts with one lower-cased tag twice among their kept pairs: `_lang_slot` decides all of it.
    width = int(low.max(initial=0)) + 1
    u, c = np.unique(r * width + low, return_counts=True)
    merged = np.zeros(n, bool)
    merged[u[c > 1] // width] = True
    for i in np.flatnonzero(merged).tolist():
        a, b = np.searchsorted(pairs.rows, [i, i + 1])
        raw = tuple(zip([pairs.names[j] for j in pairs.code[a:b].tolist()], pairs.counts[a:b].tolist()))
        fallback[i], out[i] = _lang_slot(raw, table)
    simple = tagged & ~merged
    if not simple.any():
        return out, fallback
    sel = simple[r]
    r, low, cnt = r[sel], low[sel], cnt[sel]
    pos = np.arange(len(r)) - np.searchsorted(r, r, side="left")  # place among the account's kept pairs
    pair_code = np.asarray(pd.factorize(low * (int(cnt.max(initial=0)) + 1) + cnt)[0], np.int64)
    accounts = np.flatnonzero(simple)
    at = np.searchsorted(accounts, r)
    grid = np.full((len(accounts), int(pos.max(initial=0)) + 1), -1, np.int64)
    grid[at, pos] = pair_code
    uniq, inverse = distinct_rows(grid)
    first = np.zeros(len(uniq), np.int64)
    first[inverse] = np.arange(len(accounts))  # an account of each distinct row (all have the same pairs)
    starts, ends = np.searchsorted(at, first, side="left").tolist(), np.searchsorted(at, first, side="right").tolist()
    low_l, cnt_l = low.tolist(), cnt.tolist()
    ids = np.array([table.add("post_langs", _post_langs_item(tuple(zip([low_names[x] for x in low_l[a:b]], cnt_l[a:b]))))
                    for a, b in zip(starts, ends)], np.int64)
    out[accounts] = ids[inverse]
    return out, fallback


def language_groups(data: Any) -> "list[np.ndarray | None]":
    """Per account of `data`, in `data.features` order: the countries (over `origin_prior.mix_codes`)
    its post-language item fits within `origin_prior.SHARE_APART` of the best, None where it sets
    none apart: the groups within which the study home share may move an account's probability
    (`origin_prior.share_prior`). Only the platform's language tags count: an account without
    tagged posts (an archive without them, read by the post scripts instead) takes the mix over
    every country, as before 2026-12-04."""
    from botwatch.accounts.origin_prior import language_near

    f = data.features
    keys = list(zip(f["platform"].tolist(), f["account_id"].tolist()))
    table = _Table()
    ids = _post_languages(data, keys, f, table)
    near = [language_near(v) if kind == "post_langs" else None for kind, v in zip(table.kinds, table.vectors)]
    return [None if i < 0 else near[i] for i in ids.tolist()]


def _post_languages(data: Any, keys: list[tuple[str, str]], f: pd.DataFrame, table: _Table) -> np.ndarray:
    """The post-language slot (else, without tagged posts, the post-script one), as `evidence_vectors`."""
    got = _lang_slot_lists(data.lists["langs"], table) if "langs" in data.lists else None
    if got is None:
        from botwatch.accounts.features import pairs_of

        got = _lang_slot_dicts(pairs_of(data, "langs"), keys, table)
    out, fallback = got
    n = len(keys)
    script_cols = [c for c in f.columns if c.startswith("n_script_")]
    if not script_cols:
        return out
    n_posts = _counts(f["n_posts"])
    scripts = f[script_cols].astype("float64").fillna(0).to_numpy(np.int64)
    rows = np.flatnonzero(fallback & (n_posts >= MIN_TAGGED_POSTS) & scripts.any(axis=1))
    if not len(rows):
        return out
    names = [c[len("n_script_"):] for c in script_cols]
    # n / n_posts of two whole numbers below 2**53: the same correctly rounded quotient as Python's.
    present = (scripts[rows] != 0) & (scripts[rows] / n_posts[rows, None] >= 0.3)
    sets = [tuple(s for s, p in zip(names, row) if p) for row in present.tolist()]
    picked = _by_value(sets, lambda s: ("post_script", _post_script_item(s)) if s else None, table)
    out[rows] = picked
    return out


def _counts(col: pd.Series) -> np.ndarray:
    """A count column (`n_posts`) as int64, each missing marker (None, NaN, NA) as 0: `int` of each
    present value, as the per-account path reads it (no float in between, so no count is rounded)."""
    return np.array([0 if v is None else int(v) for v in python_values(col)], np.int64)


def _cyrillic(f: pd.DataFrame, table: _Table) -> np.ndarray:
    """The `post_cyrillic` slot, as `evidence_vectors` (`origin._cyrillic_item`, in whole numbers)."""
    out = np.full(len(f), -1, np.int64)
    if "n_script_cyrillic" not in f.columns:
        return out
    n_posts = _counts(f["n_posts"])
    cyr = f["n_script_cyrillic"].astype("float64").fillna(0).to_numpy(np.int64)
    rows = np.flatnonzero((n_posts >= MIN_TAGGED_POSTS) & (2 * cyr >= n_posts) & (cyr > 0))
    if len(rows):
        pairs = list(zip(cyr[rows].tolist(), n_posts[rows].tolist()))
        out[rows] = _by_value(pairs, lambda kn: ("post_cyrillic", _cyrillic_item(*kn)), table)
    return out


def _hours(data: Any, keys: list[tuple[str, str]], year: np.ndarray, month: np.ndarray, home: str | None,
           table: _Table, cells: np.ndarray | None = None, days: np.ndarray | None = None) -> np.ndarray:
    """The office-hours slot (else the circadian fit, or the note that the hours were withheld),
    as `evidence_vectors`; `cells`, `days`: `_count`s (None: not gated)."""
    out = np.full(len(keys), -1, np.int64)
    # `origin.hours_readable` and `origin_shifts.days_readable` on whole columns (-1: not counted, not
    # gated), with their own bounds: one comparison per column, not a Python call per account.
    readable = np.ones(len(keys), bool) if cells is None else (cells < 0) | (cells >= MIN_ACTIVE_CELLS)
    office_ok = np.ones(len(keys), bool) if days is None else (days < 0) | (days >= origin_shifts.MIN_DAYS)
    if data.shift_counts:
        for i, k in enumerate(keys):
            counts = data.shift_counts.get(k)
            if counts is None:
                continue
            from_desk = k in data.desk_shift
            if not (from_desk or office_ok[i]):  # a desk's hours are many accounts' days
                continue
            desk_posts = int(sum(counts or ())) if from_desk else 0
            w = origin_desk.weight(desk_posts) if from_desk else 1.0
            office = origin_shifts.item(counts, codes(), home, w)
            if office is not None:
                note = origin_desk.note(data.desk_shift.get(k), desk_posts) if from_desk else ""
                out[i] = table.own(office.kind, np.exp(office.log_l), office.sentence + note)
    if "hours" in data.lists:
        _hours_from_list(data.lists["hours"], year, month, table, out, readable, cells)
        return out
    y, m = year.tolist(), month.tolist()
    hours = data.hours
    for i, k in enumerate(keys):
        hc = hours.get(k)
        if hc is not None and out[i] < 0 and sum(hc) > 0:
            t = tuple(map(int, hc))
            out[i] = (table.add("hours", _hours_item(t, y[i], m[i])) if readable[i]
                      else table.add(HOURS_WITHHELD, _hours_withheld_item(t, int(cells[i]))))  # type: ignore[index]
    return out


def _hours_from_list(col: pa.Array, year: np.ndarray, month: np.ndarray, table: _Table, out: np.ndarray,
                     readable: np.ndarray, cells: np.ndarray | None) -> None:
    """The circadian slot of `_hours` from the hours list column itself, into `out` where it is
    still empty: the accounts' 24 counts as one matrix, the item once per distinct (counts, year,
    month), which is all `_hours_item` reads (accounts with few posts share a handful); where
    `readable` is False, the withheld note once per distinct (counts, cells)."""
    from botwatch.accounts.features import hour_matrix

    counts, valid = hour_matrix(col)
    todo = valid & (out < 0) & (counts.sum(axis=1) > 0)
    rows = np.flatnonzero(todo & readable)
    if len(rows):
        uniq, inverse = distinct_rows(np.hstack([counts[rows], year[rows, None], month[rows, None]]))
        ids = np.array([table.add("hours", _hours_item(tuple(r[:24]), r[24], r[25])) for r in uniq.tolist()], np.int64)
        out[rows] = ids[inverse]
    rows = np.flatnonzero(todo & ~readable)
    if len(rows) and cells is not None:
        uniq, inverse = distinct_rows(np.hstack([counts[rows], cells[rows, None]]))
        ids = np.array([table.add(HOURS_WITHHELD, _hours_withheld_item(tuple(r[:24]), r[24])) for r in uniq.tolist()], np.int64)
        out[rows] = ids[inverse]


def _clients(data: Any, keys: list[tuple[str, str]], table: _Table) -> np.ndarray:
    """The regional-client slot: the first client (in the account's order) with posts that belongs to one country's ecosystem."""
    got = _client_slot_lists(data.lists["clients"], table) if "clients" in data.lists else None
    if got is not None:
        return got
    from botwatch.accounts.features import pairs_of

    clients = pairs_of(data, "clients")
    out = np.full(len(keys), -1, np.int64)
    seen: dict[tuple[tuple[str, int], ...], int] = {}
    for i, k in enumerate(keys):
        d = clients.get(k)
        if not d:
            continue
        raw = tuple(d.items())
        got = seen.get(raw)
        if got is None:
            got = -1
            for client, c in raw:
                hit = _regional_client((client or "").lower())
                if hit and c > 0:
                    got = table.add("client", _client_item(client, hit))
                    break
            seen[raw] = got
        out[i] = got
    return out


def _client_slot_lists(col: pa.Array, table: _Table) -> np.ndarray | None:
    """`_clients` from the list column itself: each distinct client name is tested once, and each
    account takes its first pair (in its dict's order, `_sorted_pairs`) whose client is regional
    and has posts. None where a client is NULL (left to the dict path)."""
    out = np.full(len(col), -1, np.int64)
    pairs = _sorted_pairs(col)
    if pairs is None:
        return None
    hits = [_regional_client((x or "").lower()) for x in pairs.names]
    ids = np.array([table.add("client", _client_item(x, h)) if h else -1 for x, h in zip(pairs.names, hits)] + [-1], np.int64)
    ok = np.flatnonzero((ids[pairs.code] >= 0) & (pairs.counts > 0)) if len(pairs.rows) else np.zeros(0, np.int64)
    rows, first = np.unique(pairs.rows[ok], return_index=True)  # the pairs are in row order: each row's first
    out[rows] = ids[pairs.code[ok[first]]]
    return out


@dataclass
class OriginColumns:
    """The batch's origin results as columns (`batches.ORIGIN_FIELDS`) and P(Russia) as numpy
    (NaN without origin evidence: what `origin_textpool.evidence_p` reads from the results)."""

    columns: dict[str, pa.Array]
    p_russia: np.ndarray


def distinct_rows(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct rows of `index`, in order of first appearance; each row's position among
    them). One hash factorisation per column of (code so far, this column) instead of
    `np.unique(axis=0)`, which sorts the rows as byte strings (about five times the CPU here)."""
    n = len(index)
    code = np.zeros(n, np.int64)
    for j in range(index.shape[1]):
        col = index[:, j] + 1  # -1 (no item) becomes 0
        # code < n and col <= the table's size: the pair's number stays far below 2**63
        code = np.asarray(pd.factorize(code * (int(col.max(initial=0)) + 1) + col)[0], np.int64)
    k = int(code.max(initial=-1)) + 1
    first = np.zeros(k, np.int64)
    first[code] = np.arange(n)  # a row of each code (all of them are the same row)
    return index[first], code


def posterior_columns(slots: Slots, home: str | None, keep: int = 8, calibrate: bool = True) -> OriginColumns:
    """`origin_posteriors`' results for the slots' accounts, as columns: each distinct row of
    slot indices computed once, then taken for every account that has it."""
    index, table = slots.index, slots.table
    n = len(index)
    uniq, inverse = distinct_rows(index)
    table_logs = np.vstack([np.log(v) for v in table.vectors] + [np.zeros(len(codes()))])  # row -1: an exact zero
    names = codes()
    ru = names.index("RU")
    country: list[str | None] = []
    top_p: list[float | None] = []
    keys_out: list[list[str]] = []
    values_out: list[list[float]] = []
    evidence: list[list[str]] = []
    items: list[list[str]] = []
    office: list[float | None] = []
    p_ru = np.full(len(uniq), np.nan)
    for s in range(0, len(uniq), CHUNK):
        rows = uniq[s:s + CHUNK]
        got = posteriors(table_logs, rows, home, keep, calibrate)
        p_ru[s:s + len(rows)] = got.p[:, ru]
        for r, o, t, tr, note in zip(rows.tolist(), got.order, got.top, got.top_rounded, got.notes):
            its = [x for x in r if x >= 0]
            if not its:
                country.append(None)
                top_p.append(None)
                keys_out.append([])
                values_out.append([])
                evidence.append([NO_EVIDENCE])
                items.append([])
                office.append(None)
                continue
            kept = [(names[k], rv) for k, v, rv in zip(o, t, tr) if v >= 0.005]
            best = names[o[0]]
            sentences = [lead_sentence(best, t[0], home), *(table.sentences[x] for x in its)]
            kinds = [table.kinds[x] for x in its]
            office.append(office_factor(kinds, [table.vectors[x] for x in its], home))
            if note:
                sentences.append(note)
                kinds.append("calibration")
            country.append(best)
            top_p.append(t[0])
            keys_out.append([k for k, _ in kept])
            values_out.append([v for _, v in kept])
            evidence.append(sentences)
            items.append(kinds)
    known = np.array([c is not None for c in country], bool)
    p_ru = np.where(known, p_ru, np.nan)
    take = pa.array(inverse, pa.int64())
    columns = {
        "_o_country": pa.array(country, pa.string()).take(take),
        "_o_probability": pa.array(top_p, pa.float64()).take(take),
        "_o_keys": pa.array(keys_out, _TEXTS).take(take),
        "_o_values": pa.array(values_out, pa.list_(pa.float64())).take(take),
        "_o_evidence": pa.array(evidence, _TEXTS).take(take),
        "_o_items": pa.array(items, _TEXTS).take(take),
        # NULL exactly where the account has no evidence (a NaN P(Russia) of an account with
        # evidence stays NaN, as `batches.origin_columns` of the results stored it).
        "_o_p_russia": pa.array(p_ru, pa.float64(), mask=~known).take(take),
        "_o_office": pa.array(office, pa.float64()).take(take),
    }
    return OriginColumns(columns, p_ru[inverse])


def results_of(cols: OriginColumns) -> list[OriginResult]:
    """The columns as one fresh `OriginResult` per account (callers may replace their fields)."""
    c = {k: v.to_pylist() for k, v in cols.columns.items()}
    return [OriginResult(country, prob, dict(zip(keys, values)), evidence, kinds, p, office)
            for country, prob, keys, values, evidence, kinds, p, office
            in zip(c["_o_country"], c["_o_probability"], c["_o_keys"], c["_o_values"], c["_o_evidence"], c["_o_items"], c["_o_p_russia"],
                   c["_o_office"])]

