"""The content stage's fifth round of shortcuts must give the very answers of the plain code:
party keywords matched first with one pattern per party (all its words) and each of its own
patterns only on the rows that one matched, hashtag fragments first with one pattern for every
party, and the country cue read only where a context name may count (`match.match_batch`),
checked against the plain loop that ran every pattern over every row the union matched. Each
test fails if a narrowing drops a row a pattern matches or sets a signal the plain loop does not."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest

from botwatch.content.match import PartyMatcher, _matches, compile_matcher, match_batch, party_mask
from botwatch.content.normalize import norm_text
from botwatch.elections import load_election
from tests.test_content import posts
from tests.test_content_speed_exact3 import _fixture_texts, _pieces


def _plain_hits(m: PartyMatcher, batch: pa.Table) -> np.ndarray:
    """`match_batch` as it was before the narrowing: tags and accounts as now, then every text
    pattern over every row the union matched (the plain loop, written out)."""
    hits = match_batch(replace(m, union_pattern=None, fragment_patterns={}), batch)  # tags and accounts only
    text = norm_text(batch.column("text").combine_chunks())
    if m.fragment_patterns:
        rows = np.flatnonzero(np.asarray([("#" in t) if t is not None else False for t in text.to_pylist()], dtype=bool))
        if len(rows):
            sub = text.take(pa.array(rows))
            for party, pat in m.fragment_patterns.items():
                hits[rows[_matches(sub, pat)], m.slot(party, "topic_tag")] = True
    if m.exclude_pattern:
        import pyarrow.compute as pc

        text = pc.replace_substring_regex(text, m.exclude_pattern, " ")
    rows = np.flatnonzero(_matches(text, m.union_pattern))
    if len(rows):
        sub = text.take(pa.array(rows))
        for key, pat in m.kw_patterns.items():
            hits[rows[_matches(sub, pat)], m.slot(*key)] = True
        if m.context_patterns:
            sure = party_mask(m, hits[rows]).any(axis=1)
            if m.cue_pattern:
                sure |= _matches(sub, m.cue_pattern)
            for party, pat in m.context_patterns.items():
                got = _matches(sub, pat) & sure
                hits[rows[got], m.slot(party, "topic_kw")] = True
    return hits


def _texts(election, n: int, seed: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Fixture posts and random ones built of every name the preset knows, its country cues and
    the phrases it blanks, in every case, glued with spaces, hashes and punctuation."""
    rng = random.Random(seed)
    pieces = _pieces(election) + [w for w in election.context_cues] + list(election.exclude_phrases) + list(election.keywords)
    pieces += [w.upper() for w in pieces[:40]] + ["labourer", "tory-ish", "#" + "x" * 3, "@someone", "http://t.co/x"]
    texts = list(_fixture_texts())
    texts += [rng.choice([" ", "  ", " #", ", ", "-", ""]).join(rng.choices(pieces, k=rng.randint(1, 12))) for _ in range(n)]
    texts += [rng.choice(pieces) for _ in range(n // 10)]
    return texts


@pytest.mark.parametrize("preset", ["uk-ge2017", "us-2016"])
def test_narrowed_matching_equals_every_pattern_over_every_row(preset: str) -> None:
    election = load_election(preset)
    m = compile_matcher(election)
    rng = random.Random(50)
    texts = _texts(election, 4000, 51)
    handles = [h for p in election.parties for h in p.accounts][:6] + ["someone", None]
    rows = [{"text": t, "mentions": [rng.choice(handles[:-1])] if rng.random() < 0.1 else [],
             "handle": rng.choice(handles) if rng.random() < 0.1 else "someone"} for t in texts]
    rows.append({"text": None})
    batch = posts(rows)
    got, want = match_batch(m, batch), _plain_hits(m, batch)
    assert got.shape == want.shape
    bad = np.flatnonzero((got != want).any(axis=1))
    assert not len(bad), [(texts[i] if i < len(texts) else None, [m.slots[j] for j in np.flatnonzero(got[i] != want[i])]) for i in bad[:5]]
    # The cases the narrowing touches are all met: keyword signals of parties with several
    # patterns, hashtag fragments and context names with and without a cue.
    kw = [j for j, (p, s) in enumerate(m.slots) if p in m.party_patterns and s.endswith("_kw")]
    assert m.party_patterns and want[:, kw].sum() > 500
    frag = [m.slot(p, "topic_tag") for p in m.fragment_patterns]
    assert want[:, frag].sum() > 100
    if m.context_patterns:
        assert m.cue_pattern and m.fragment_union
        ctx_only = np.zeros(len(want), bool)
        for p, pat in m.context_patterns.items():
            ctx_only |= _matches(norm_text(batch.column("text").combine_chunks()), pat)
        sure_rows = party_mask(m, want).any(axis=1)
        # uk-ge2017 fences eight names, us-2016 one ("stein"): fewer of its generated rows meet one.
        least = 100 if preset == "uk-ge2017" else 5
        assert (ctx_only & sure_rows).sum() > least and (ctx_only & ~sure_rows).sum() > least


def test_party_pattern_is_the_union_of_its_own() -> None:
    """Each party's narrowing pattern is built from every word of its own patterns (so a row one
    of them matches is never dropped), and parties with one pattern are not narrowed."""
    for preset in ("uk-ge2017", "us-2016"):
        election = load_election(preset)
        m = compile_matcher(election)
        for party in election.parties:
            own = [pat for (p, _s), pat in m.kw_patterns.items() if p == party.key] + ([m.context_patterns[party.key]] if party.key in m.context_patterns else [])
            if len(own) < 2:
                assert party.key not in m.party_patterns
                continue
            union = m.party_patterns[party.key]
            words = [w.strip().casefold() for w in party.keywords + party.keywords_pro + party.keywords_anti + party.keywords_context if w.strip()]
            sample = pa.array([f"x {w} y" for w in words] + [w for w in words])
            assert _matches(sample, union).all(), (preset, party.key)
            for pat in own:
                hit = _matches(sample, pat)
                assert not (hit & ~_matches(sample, union)).any()


# --- the account prior's decisions, in steps (`prior_engine.decisions`) -------------------------

from botwatch.content import prior_engine as PE  # noqa: E402
from botwatch.content.propagate import CLASSES, PARAMS, PriorParams, graph_edges  # noqa: E402
from tests.test_content_prior_engine import LOOSE, labelled  # noqa: E402,F401 - the module's labelled sample


def _decisions_one_expression(v, counts, params: PriorParams):  # type: ignore[no-untyped-def]
    """`prior_engine.decisions` as it was: one expression, each share written out wherever used."""
    import ibis

    SIDES, f = PE.SIDES, PE._f
    c_r = counts.rename(**{f"c_{s}": s for s in SIDES}, **{f"co_{s}": f"own_{s}" for s in SIDES}, c_key="_key", c_party="party", c_deg="deg")
    t = v.left_join(c_r, (v._key == c_r.c_key) & (v.party == c_r.c_party))
    n_deg = t.c_deg.fill_null(0)
    zero = f(0.0)
    mine = {s: t[f"c_{s}"].fill_null(zero) - t[f"_v_{s}"] for s in SIDES}
    mine_own = {s: t[f"co_{s}"].fill_null(zero) - t[f"_v_{s}"] for s in SIDES}
    total = mine["s"] + mine["o"] + mine["n"] + f(params.shrink)
    total_own = mine_own["s"] + mine_own["o"] + mine_own["n"] + f(params.shrink)
    share = {s: mine[s] / total for s in SIDES}
    share_own = {s: mine_own[s] / total_own for s in SIDES}
    best = ibis.cases(((share["s"] >= share["o"]) & (share["s"] >= share["n"]), 0), (share["o"] >= share["n"], 1), else_=2)
    pick = lambda d: ibis.cases((best == 0, d["s"]), (best == 1, d["o"]), else_=d["n"])  # noqa: E731
    side = ibis.cases((best == 0, CLASSES[0]), (best == 1, CLASSES[1]), else_=CLASSES[2])
    top = pick(share)
    allowed = best.isin([CLASSES.index(c) for c in params.classes])
    decide = (t._key.notnull() & ~t._keep & allowed & (top >= f(params.threshold)) & (t.stance.isnull() | (t.stance != side))).fill_null(False)
    cue = (pick(share_own) >= f(params.threshold)).ifelse(PE.ACCOUNT_PRIOR, PE.NEIGHBOURS)
    null_s = ibis.null().cast("string")
    cols = {c: t[c] for c in POST_PARTY_NAMES}
    cols["stance"] = decide.ifelse(side, t.stance)
    cols["stance_rule"] = decide.ifelse(cue, t.stance_rule)
    extra = {"_p_new": decide.ifelse(side, null_s), "_p_cue": decide.ifelse(cue, null_s), "_p_was": t.stance, "_p_top": top,
             "_p_own_s": mine_own["s"], "_p_own_o": mine_own["o"], "_p_own_n": mine_own["n"], "_p_deg": n_deg.cast("int64")}
    return t.select(**cols, **extra)


from botwatch.content.tables import POST_PARTY as _PP  # noqa: E402

POST_PARTY_NAMES = _PP.names


@pytest.mark.parametrize("params", [PARAMS, LOOSE], ids=["shipped", "loose"])
def test_staged_decisions_equal_the_one_expression(labelled, params: PriorParams) -> None:  # type: ignore[no-untyped-def]
    """Both read the same stored counts (the rounds' sums are the engine's, in no fixed order), so
    every column, floats included, must be equal bit for bit; and rows must change."""
    from botwatch import open_study

    with open_study(labelled, read_only=False) as st:
        v = PE.votes(st.table("post_party"), params)
        counts = PE._store(st, "_t_own", PE.own_counts(v))
        edges = PE._store(st, "_t_edges", graph_edges(st.table("posts"), st.table("accounts")))
        lk = PE._store(st, "_t_links", PE.links(edges))
        deg = PE._store(st, "_t_deg", PE.degrees(lk))
        for r in range(params.rounds):
            counts = PE._store(st, f"_t_x{r}", PE.next_round(counts, lk, deg, params.damping))
        order = ["platform", "post_id", "party"]
        got = st.expr_arrow(PE.decisions(v, counts, params).order_by(order))
        want = st.expr_arrow(_decisions_one_expression(v, counts, params).order_by(order))
    assert got.schema == want.schema and got.num_rows == want.num_rows > 1000
    for col in want.column_names:
        a, b = want.column(col).to_pylist(), got.column(col).to_pylist()
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y and not (x != x and y != y)]
        assert not diff, f"{col}: {len(diff)} rows differ, e.g. {a[diff[0]]!r} != {b[diff[0]]!r}"
    assert sum(x is not None for x in want.column("_p_new").to_pylist()) > 20
