"""A batch's origin results as columns: the score pass's pooling and study prior without an
`OriginResult` per account.

Why: the score pass turned the first pass's stored columns back into one `OriginResult` per
account (`batches.origins_of`), re-weighted each by the study prior (`origin_prior.apply_study_prior`,
a new object per account), and then took the objects apart again for the evidence rows and the
JSON cells. On the one-status study these object round trips were about a tenth of the stage.
Here the results stay flat arrays: the countries' codes and probabilities, the evidence sentences
and the evidence kinds, each with its accounts' bounds. Moving P(Russia) (the shared-text pooling
and the study prior, one rule: `origin_pool.with_p_russia`) is a sort of every moved account's
probabilities at once; the sentences are joined by Arrow.

The study's home share (`apply_home_share`) moves home and the third countries, not P(Russia):
each distinct input's answer comes from the per-account code once, and the accounts are rewritten
as columns. `apply_means_per_account`, `apply_study_prior_per_account` and
`apply_home_share_per_account` run the per-account code on the same table (through
`to_results`): the tests' references. Every result is the same to the last bit. Two cases go
through the per-account code for the whole table: a move or home share whose numbers (the
accounts' probabilities, old and new P(Russia)) are not all finite, which no posterior gives, so
that Python's ordering and keying of NaN are kept; and a study prior over an account with a
country but no evidence sentence, where the reference raises and the same error should reach the
caller.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.accounts.origin import OriginResult
# The per-account code's constants (`with_p_russia`, `apply_study_prior`): the two must agree.
from botwatch.accounts.origin_pool import KEEP, MIN_KEPT, others_scale
from botwatch.exact_round import round_like_python
from botwatch.prob_text import most_likely, prob3


class Origin(NamedTuple):
    """One account's country and its probability: what `scoring._points_elsewhere` reads."""

    country: str | None
    probability: float | None


@dataclass(frozen=True)
class OriginTable:
    """n accounts' origin results. `codes`/`values`: each account's countries (codes into
    `vocab`) and probabilities in the dict's order, account i's at [kv[i], kv[i + 1]); `evidence`
    and `items` likewise with `ev` and `it`. Missing markers: `country` None, `probability` and
    `p_russia` NaN where their `*_known` is False (a NaN that is known stays known)."""

    country: list[str | None]
    probability: np.ndarray
    probability_known: np.ndarray
    vocab: list[str]
    codes: np.ndarray
    values: np.ndarray
    kv: np.ndarray
    evidence: pa.Array
    ev: np.ndarray
    items: pa.Array
    it: np.ndarray
    p_russia: np.ndarray
    p_known: np.ndarray

    def __len__(self) -> int:
        return len(self.country)

    def __getitem__(self, i: int) -> Origin:
        """Account i's country and probability (`scoring._female_name_mismatch` reads these)."""
        return Origin(self.country[i], float(self.probability[i]) if self.probability_known[i] else None)

    def to_results(self) -> list[OriginResult]:
        """One `OriginResult` per account (the per-account code's input and the tests' view)."""
        keys = [self.vocab[c] for c in self.codes.tolist()]
        values, evidence, items = self.values.tolist(), self.evidence.to_pylist(), self.items.to_pylist()
        kv, ev, it = self.kv.tolist(), self.ev.tolist(), self.it.tolist()
        prob, p_ru = self.probability.tolist(), self.p_russia.tolist()
        return [OriginResult(self.country[i], prob[i] if self.probability_known[i] else None,
                             dict(zip(keys[kv[i]:kv[i + 1]], values[kv[i]:kv[i + 1]])), evidence[ev[i]:ev[i + 1]], items[it[i]:it[i + 1]],
                             p_ru[i] if self.p_known[i] else None) for i in range(len(self.country))]

    def evidence_p(self) -> np.ndarray:
        """`origin_textpool.evidence_p`: P(Russia), NaN where unknown or without a country."""
        has = np.array([c is not None for c in self.country], bool) & self.p_known
        return np.where(has, self.p_russia, np.nan)


def _bounds(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _flat(col: "pa.Array | pa.ChunkedArray") -> tuple[pa.Array, np.ndarray]:
    """A list column's values and each row's bounds (a NULL list: empty)."""
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    lengths = pc.fill_null(pc.list_value_length(col), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    return pc.list_flatten(col), _bounds(lengths)


def _encode(keys: pa.Array) -> tuple[np.ndarray, list[str]]:
    enc = pc.dictionary_encode(keys.cast(pa.string()))
    enc = enc.combine_chunks() if isinstance(enc, pa.ChunkedArray) else enc
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


def from_columns(columns: "dict[str, Any] | pa.RecordBatch | pa.Table") -> OriginTable:
    """The table of the `batches.ORIGIN_FIELDS` columns (a batch holding them, or the dict
    `origin_result_columns` returns)."""
    get = (lambda name: columns[name]) if isinstance(columns, dict) else columns.column  # noqa: E731
    country = get("_o_country")
    prob = get("_o_probability")
    p_ru = get("_o_p_russia")
    keys, kv = _flat(get("_o_keys"))
    values, kv2 = _flat(get("_o_values"))
    if not np.array_equal(kv, kv2):
        raise ValueError("origin keys and values differ in length")
    evidence, ev = _flat(get("_o_evidence"))
    items, it = _flat(get("_o_items"))
    codes, vocab = _encode(keys)
    return OriginTable(
        country=country.to_pylist(),
        probability=np.asarray(pc.fill_null(prob, np.nan).to_numpy(zero_copy_only=False), np.float64),
        probability_known=np.asarray(prob.is_valid().to_numpy(zero_copy_only=False), bool),
        vocab=vocab, codes=codes, values=np.asarray(values.to_numpy(zero_copy_only=False), np.float64), kv=kv,
        evidence=evidence.cast(pa.string()), ev=ev, items=items.cast(pa.string()), it=it,
        p_russia=np.asarray(pc.fill_null(p_ru, np.nan).to_numpy(zero_copy_only=False), np.float64),
        p_known=np.asarray(p_ru.is_valid().to_numpy(zero_copy_only=False), bool),
    )


def from_results(results: list[OriginResult]) -> OriginTable:
    """The table of per-account results (callers that hold `OriginResult`s)."""
    from botwatch.accounts.batches import origin_columns

    return from_columns(origin_columns(results))


def _splice(old_bounds: np.ndarray, rows: np.ndarray, new_lengths: np.ndarray, new_index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(take index, new bounds): every account's old entries, but accounts `rows` get the
    entries `new_index` (positions into the source the caller takes from), listed account after
    account with `new_lengths`. Old entries are positions into the same source (their own)."""
    n = len(old_bounds) - 1
    lengths = np.diff(old_bounds)
    lengths[rows] = new_lengths
    bounds = _bounds(lengths)
    owner = np.repeat(np.arange(n), lengths)
    pos = np.arange(int(bounds[-1])) - bounds[owner]
    slot = np.full(n, -1, np.int64)
    slot[rows] = np.arange(len(rows))
    new_bounds = _bounds(new_lengths)
    sel = slot[owner]
    moved = sel >= 0
    index = old_bounds[owner] + pos
    index[moved] = new_index[new_bounds[sel[moved]] + pos[moved]]
    return index, bounds


def moved(t: OriginTable, rows: np.ndarray, old: np.ndarray, new: np.ndarray, said: pa.Array, item: str) -> OriginTable:
    """`t` with P(Russia) of accounts `rows` (ascending) moved from `old` (unclipped,
    `origin_pool.moved_p`) to `new`, `said` (one sentence per row) added as evidence of kind `item`:
    `origin_pool.with_p_russia` for every row at once (the study prior's own loop is the same
    rule). The other countries keep their relative sizes; the probabilities are sorted largest
    first, ties in the dict's order with Russia last, and the first `KEEP` of at least
    `MIN_KEPT` kept, rounded to four places; the lead sentence names the new most likely country."""
    m = len(rows)
    if not m:
        return t
    rows = np.asarray(rows, np.int64)
    vocab = list(t.vocab)
    if "RU" not in vocab:
        vocab.append("RU")
    ru = vocab.index("RU")
    scale = others_scale(old, new)
    # The moved rows' (code, value) pairs in their order, Russia's dropped, then Russia at the end.
    lengths = np.diff(t.kv)[rows]
    local = np.repeat(np.arange(m), lengths)
    src = np.repeat(t.kv[rows], lengths) + (np.arange(int(lengths.sum())) - np.repeat(_bounds(lengths)[:-1], lengths))
    codes, values = t.codes[src], t.values[src] * scale[local]
    keep = codes != ru
    local, codes, values = local[keep], codes[keep], values[keep]
    pos = np.arange(len(local))
    local = np.concatenate([local, np.arange(m)])
    codes = np.concatenate([codes, np.full(m, ru, np.int64)])
    values = np.concatenate([values, new])
    # Russia after every entry of its row, spelled out for the reader: `lexsort` is stable and
    # Russia's entries are appended last, so this key changes no order (the tests pass without it).
    pos = np.concatenate([pos, np.full(m, len(pos)) + np.arange(m)])
    order = np.lexsort((pos, -values, local))
    local, codes, values = local[order], codes[order], values[order]
    per_row = np.bincount(local, minlength=m)
    first = _bounds(per_row)[:-1]
    rank = np.arange(len(local)) - first[local]
    best_code, p_best = codes[first], values[first]
    kept = (rank < KEEP) & (values >= MIN_KEPT)
    k_codes, k_values, k_local = codes[kept], round_like_python(values[kept], 4), local[kept]
    k_len = np.bincount(k_local, minlength=m)
    best_names = [vocab[c] for c in best_code.tolist()]
    leads = [most_likely(b, p) + tail for b, p, tail in zip(best_names, p_best.tolist(), _lead_tails(t, rows))]
    return _rewritten(t, rows, vocab, k_codes, k_values, k_len, best_names, p_best, new, leads, said, item)


def _lead_tails(t: OriginTable, rows: np.ndarray) -> list[str]:
    """Per account of `rows`: what its new lead keeps of the old one, from its first ';' on ("" if
    none, or no evidence)."""
    m = len(rows)
    ev_len = np.diff(t.ev)[rows]
    heads = pc.if_else(pa.array(ev_len > 0), t.evidence.take(pa.array(np.where(ev_len > 0, t.ev[rows], 0))) if len(t.evidence) else
                       pa.nulls(m, pa.string()), "").to_pylist()
    return [h[h.find(";"):] if ";" in h else "" for h in heads]


def _rewritten(t: OriginTable, rows: np.ndarray, vocab: list[str], k_codes: np.ndarray, k_values: np.ndarray, k_len: np.ndarray,
               best_names: list[str], p_best: np.ndarray, p_new: "np.ndarray | None", leads: list[str], said: pa.Array,
               item: str) -> OriginTable:
    """`t` with accounts `rows` (ascending) given new countries (`k_codes` into `vocab`, `k_values`,
    `k_len` per account, in order), most likely country and probability, P(Russia) (`p_new`; None:
    kept), and evidence [lead, old[1:], said] with `item` added to their kinds: the one per-account
    rewrite that `moved` and `apply_home_share` both make."""
    m = len(rows)
    # Keys and values: every account's own, the given ones for `rows`.
    index, kv = _splice(t.kv, rows, k_len, len(t.codes) + np.arange(len(k_codes)))
    all_codes, all_values = np.concatenate([t.codes, k_codes]), np.concatenate([t.values, k_values])
    # Evidence: [lead, old[1:], said]; items: [old..., item].
    ev_len = np.diff(t.ev)[rows]
    n_ev = len(t.evidence)
    new_ev_len = np.maximum(ev_len, 1) + 1
    nb = _bounds(new_ev_len)
    e_local = np.repeat(np.arange(m), new_ev_len)
    e_pos = np.arange(int(nb[-1])) - nb[e_local]
    e_src = t.ev[rows][e_local] + e_pos  # the old sentence at that place (positions 1 .. len - 1)
    e_src = np.where(e_pos == 0, n_ev + e_local, e_src)
    e_src = np.where(e_pos == new_ev_len[e_local] - 1, n_ev + m + e_local, e_src)
    ev_index, ev = _splice(t.ev, rows, new_ev_len, e_src)
    evidence = pa.concat_arrays([t.evidence, pa.array(leads, pa.string()), said.cast(pa.string())]).take(pa.array(ev_index, pa.int64()))
    it_len = np.diff(t.it)[rows]
    i_local = np.repeat(np.arange(m), it_len + 1)
    i_pos = np.arange(int((it_len + 1).sum())) - _bounds(it_len + 1)[i_local]
    i_src = np.where(i_pos == it_len[i_local], len(t.items), t.it[rows][i_local] + i_pos)
    it_index, it = _splice(t.it, rows, it_len + 1, i_src)
    items = pa.concat_arrays([t.items, pa.array([item], pa.string())]).take(pa.array(it_index, pa.int64()))
    country = list(t.country)
    for r, b in zip(rows.tolist(), best_names):
        country[r] = b
    probability, probability_known = t.probability.copy(), t.probability_known.copy()
    probability[rows], probability_known[rows] = p_best, True
    p_russia, p_known = t.p_russia.copy(), t.p_known.copy()
    if p_new is not None:
        p_russia[rows], p_known[rows] = p_new, True
    return OriginTable(country, probability, probability_known, vocab, all_codes[index], all_values[index], kv,
                       evidence, ev, items, it, p_russia, p_known)


def _finite(t: OriginTable, rows: np.ndarray, *arrays: np.ndarray) -> bool:
    """Whether every number a move of `rows` sorts or scales is finite (else the per-account code)."""
    if not all(np.isfinite(a).all() for a in arrays):
        return False
    lengths = np.diff(t.kv)[rows]
    src = np.repeat(t.kv[rows], lengths) + (np.arange(int(lengths.sum())) - np.repeat(_bounds(lengths)[:-1], lengths))
    return bool(np.isfinite(t.values[src]).all())


def apply_means(t: OriginTable, mean: np.ndarray, others: np.ndarray, base: float) -> OriginTable:
    """`origin_textpool.apply_means` on the table (the same values; `apply_means_per_account`)."""
    from botwatch.accounts import origin_textpool as tp

    p = t.evidence_p()
    mean_a, others_a = np.asarray(mean, float), np.asarray(others, np.int64)
    move = tp.slope() * mean_a
    new = tp.pooled_p(p, mean_a, others_a, base)
    rows = np.flatnonzero((others_a > 0) & np.isfinite(p))
    if not len(rows):
        return t
    old = p[rows]  # unclipped, as the per-account code (`origin_pool.moved_p`)
    if not _finite(t, rows, old, new[rows]):
        return apply_means_per_account(t, mean, others, base)
    said = pa.array([tp.sentence(int(k), float(mv), o, float(nw)) for k, mv, o, nw
                     in zip(others_a[rows].tolist(), move[rows].tolist(), old.tolist(), new[rows].tolist())], pa.string())
    return moved(t, rows, old, new[rows], said, tp.KIND)


def apply_means_per_account(t: OriginTable, mean: np.ndarray, others: np.ndarray, base: float) -> OriginTable:
    """The reference for `apply_means`: `origin_textpool.apply_means` over `OriginResult`s."""
    from botwatch.accounts import origin_textpool as tp

    return from_results(tp.apply_means(t.to_results(), mean, others, base))


def apply_study_prior(t: OriginTable, home: str | None, prior: Any, near: "np.ndarray | None" = None) -> tuple[OriginTable, Any]:
    """`origin_prior.apply_stratified` on the table with a prior estimated beforehand (the stage's):
    the same values (`apply_study_prior_per_account`). `near`: per account, whether it is near Russia
    (`origin_textpool.near_russia`); such accounts are re-weighted by `prior.near` when the prior
    has one. Returns (table, prior or None)."""
    from botwatch.accounts.origin_prior import adjust, moves, study_base

    base = study_base(home)
    has = np.array([c is not None for c in t.country], bool) & t.p_known
    rows = np.flatnonzero(has)
    if base is None or not len(rows):
        return t, None
    if prior is None:
        return apply_study_prior_per_account(t, home, prior, near)
    near_prior = getattr(prior, "near", None)
    mask = np.zeros(len(rows), bool) if near is None or near_prior is None else np.asarray(near, bool)[rows]
    before = t.p_russia[rows]
    strata = [(~mask, prior)] + ([(mask, near_prior)] if mask.any() else [])
    after = np.empty(len(rows))
    for m, pr in strata:
        after[m] = adjust(before[m], pr)
    old = before  # unclipped, as the per-account code
    if not _finite(t, rows, old, after) or (np.diff(t.ev)[rows] == 0).any():
        return apply_study_prior_per_account(t, home, prior, near)
    marker = "\x00"
    said = pa.array([""] * len(rows), pa.string())
    for m, pr in strata:
        head, found, rest = pr.sentence(0.0, 1.0).replace(moves("Russia", 0.0, 1.0), marker, 1).partition(marker)
        if not found:  # the sentence no longer reads "... moves P(Russia) from a to b ...": let its own code write it
            return apply_study_prior_per_account(t, home, prior, near)
        part = pc.binary_join_element_wise(head, pa.array([moves("Russia", a, b) for a, b in zip(old[m].tolist(), after[m].tolist())], pa.string()),
                                           rest, "")
        said = pc.replace_with_mask(said, pa.array(m), part) if m.any() else said
    return moved(t, rows, old, after, said, "study_prior"), prior


def apply_study_prior_per_account(t: OriginTable, home: str | None, prior: Any, near: "np.ndarray | None" = None) -> tuple[OriginTable, Any]:
    """The reference for `apply_study_prior`: `origin_prior.apply_stratified` over `OriginResult`s."""
    from botwatch.accounts import origin_prior

    results, got = origin_prior.apply_stratified(t.to_results(), home, near, prior=prior)
    return from_results(results), got


def p_home_of(codes: np.ndarray, values: np.ndarray, kv: np.ndarray, vocab: list[str], home: str) -> np.ndarray:
    """Each account's stored P(home) (0 where its distribution lacks home)."""
    n = len(kv) - 1
    out = np.zeros(n)
    if home in vocab:
        at = np.flatnonzero(codes == vocab.index(home))
        out[np.searchsorted(kv, at, side="right") - 1] = values[at]
    return out


def places_elsewhere(evidence: pa.Array, bounds: np.ndarray) -> np.ndarray:
    """Per account (evidence sentences `evidence`, account i's at [bounds[i], bounds[i + 1])):
    whether its profile places it outside home (`origin_prior.places_elsewhere`)."""
    from botwatch.accounts.origin import PLACE_ELSEWHERE

    n = len(bounds) - 1
    out = np.zeros(n, bool)
    if not len(evidence):
        return out
    hit = np.asarray(pc.fill_null(pc.match_substring(evidence, PLACE_ELSEWHERE), False).to_numpy(zero_copy_only=False), bool)
    at = np.flatnonzero(hit)
    out[np.searchsorted(bounds, at, side="right") - 1] = True
    return out


def distinct_home_rows_columns(batch: "pa.RecordBatch | pa.Table", home: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`origin_prior.home_rows` of a batch's accounts from the stored columns `_o_country`,
    `_o_keys`, `_o_values`, `_o_p_russia` and `_o_evidence` (the stage's prior pass; the sentences
    only to find accounts whose profile places them outside home, whose P was computed under the
    population prior), as (distinct rows, each account's row in them, weights): the rows are
    `distinct[which]`, and `origin_prior.compress_distinct` sums them without that copy."""
    from botwatch.accounts.origin_prior import account_weights, distinct_likelihood_rows

    keys, kv = _flat(batch.column("_o_keys"))
    values, _ = _flat(batch.column("_o_values"))
    p_ru = np.asarray(pc.fill_null(batch.column("_o_p_russia"), np.nan).to_numpy(zero_copy_only=False), np.float64)
    has = (np.asarray(batch.column("_o_country").is_valid().to_numpy(zero_copy_only=False), bool) & np.isfinite(p_ru))
    away = places_elsewhere(*_flat(batch.column("_o_evidence"))) if "_o_evidence" in batch.schema.names else np.zeros(len(p_ru), bool)
    names, vals = keys.to_pylist(), np.asarray(values.to_numpy(zero_copy_only=False), np.float64)
    at = np.flatnonzero(has).tolist()
    p_list, away_list, offsets = p_ru.tolist(), away.tolist(), np.asarray(kv).tolist()

    def inputs() -> Iterator[tuple[Hashable, Any, float, bool]]:
        for i in at:  # keyed by the countries, their probabilities bit for bit, P(Russia) and the flag
            a, b, elsewhere = offsets[i], offsets[i + 1], bool(away_list[i])
            yield ((tuple(names[a:b]), vals[a:b].tobytes(), p_list[i], elsewhere),
                   zip(names[a:b], vals[a:b].tolist()), p_list[i], elsewhere)

    return (*distinct_likelihood_rows(inputs(), home), account_weights(p_ru[has]))


def estimate_home(t: OriginTable, home: str | None) -> Any:
    """`origin_prior.estimate_home` of the table's accounts (None where it does not apply)."""
    from botwatch.accounts import origin_prior as op

    if op.home_base(home) is None or not len(t):
        return None
    return op.estimate_home(t.to_results(), home)


def mark_stated_prior(t: OriginTable, home: str | None) -> OriginTable:
    """`origin_prior.mark_stated_prior` on the table (words only: the leads a stated prior chose)."""
    from botwatch.accounts import origin_prior

    if origin_prior.home_base(home) is None or not len(t):
        return t
    return from_results(origin_prior.mark_stated_prior(t.to_results(), home))


def apply_home_share(t: OriginTable, share: Any, near: "list[np.ndarray | None] | None" = None) -> OriginTable:
    """`origin_prior.apply_home_share` on the table (`near`: per account, the countries its post
    languages fit, `origin_prior.language_near`), the same to the last bit
    (`apply_home_share_per_account`). Each distinct (countries, probabilities, P(Russia), language
    group) gets its answer once (`origin_prior.home_share_answer`, keyed as the per-account code
    keys it, so the first account of equal inputs answers for all); the accounts are then
    rewritten as columns. Why: one `OriginResult` per account there and back was about a tenth
    of the accounts stage's CPU on a one-status study (0.7 of 7.9 CPU-s in one process; 0.22-0.31
    so). A P(Russia) or probability that is not finite goes through the per-account code (Python's
    NaN keys)."""
    from botwatch.accounts import origin_prior as op

    if share is None or share.mix is None or not len(t) or share.home not in t.vocab:
        return t
    at = np.flatnonzero(t.codes == t.vocab.index(share.home))
    with_home = np.zeros(len(t), bool)
    with_home[np.searchsorted(t.kv, at, side="right") - 1] = True
    rows = np.flatnonzero(np.array([c is not None for c in t.country], bool) & t.p_known & with_home & ~places_elsewhere(t.evidence, t.ev))
    if not len(rows):
        return t
    if not _finite(t, rows, t.p_russia[rows]):
        return apply_home_share_per_account(t, share, near)
    names = [t.vocab[c] for c in t.codes.tolist()]
    values, kv, p_ru = t.values.tolist(), t.kv.tolist(), t.p_russia.tolist()
    done: dict[tuple[Any, ...], int] = {}
    answers: list[tuple[str, float, dict[str, float], float, float, str]] = []
    within: list[bool] = []
    which = np.empty(len(rows), np.int64)
    for j, i in enumerate(rows.tolist()):
        a, b = kv[i], kv[i + 1]
        group = None if near is None else near[i]
        key = (*zip(names[a:b], values[a:b]), p_ru[i], None if group is None else group.tobytes())
        k = done.get(key)
        if k is None:
            k = done[key] = len(answers)
            answers.append(op.home_share_answer(dict(zip(names[a:b], values[a:b])), p_ru[i], share, group))
            within.append(group is not None)
        which[j] = k
    vocab = list(t.vocab)
    code = {c: n for n, c in enumerate(vocab)}
    a_codes: list[int] = []
    a_values: list[float] = []
    for _, _, kept, _, _, _ in answers:
        for c, v in kept.items():
            if c not in code:
                code[c] = len(vocab)
                vocab.append(c)
            a_codes.append(code[c])
            a_values.append(v)
    a_len = np.array([len(x[2]) for x in answers], np.int64)
    k_len = a_len[which]
    src = np.repeat(_bounds(a_len)[:-1][which], k_len) + (np.arange(int(k_len.sum())) - np.repeat(_bounds(k_len)[:-1], k_len))
    k_codes, k_values = np.asarray(a_codes, np.int64)[src], np.asarray(a_values, np.float64)[src]
    best = [answers[k][0] for k in which.tolist()]
    p_best = np.array([x[1] for x in answers], np.float64)[which]
    heads = [most_likely(b, p) + clause for b, p, _, _, _, clause in answers]
    leads = [heads[k] + tail for k, tail in zip(which.tolist(), _lead_tails(t, rows))]
    said = pa.array([share.sentence(x[3], x[4], w) for x, w in zip(answers, within)], pa.string()).take(pa.array(which))
    return _rewritten(t, rows, vocab, k_codes, k_values, k_len, best, p_best, None, leads, said, op.HOME_KIND)


def apply_home_share_per_account(t: OriginTable, share: Any, near: "list[np.ndarray | None] | None" = None) -> OriginTable:
    """The reference for `apply_home_share`: `origin_prior.apply_home_share` over `OriginResult`s."""
    from botwatch.accounts import origin_prior

    if share is None or not len(t):
        return t
    return from_results(origin_prior.apply_home_share(t.to_results(), share, near))
