"""The account prior of `botwatch.content.propagate`, run by the study's engine.

Why: the prior reads every `post_party` row and every retweet / shared-text link of the study.
Done in numpy (`propagate.apply_prior`) that meant bringing all of them to the driver: 3.8 GiB
of driver memory on a 10M-post lake. Here each step is an Ibis expression the engine runs
(DuckDB in-process, Spark on its executors), and what is stored between steps stays in the
engine as temp tables, one row per account × party at most:

1. `_prior_own`: per (account key, party), the weighted support / oppose / neutral evidence
   (`votes`: 1 for a KEEP_RULES cue, SOFT_WEIGHT otherwise).
2. `_prior_edges` (`propagate.graph_edges`), then `_prior_links`: the links to nodes shared by
   two or more accounts, each with 1 / (node size - 1), and `_prior_deg`: per account, how many
   such nodes and the sum of those weights.
3. `_prior_x1` ... `_prior_xR`: the damped neighbour-mean rounds, kept sparse (only the
   (account, party) pairs with own evidence or a neighbour's), each computed as the numpy
   reference computes it: own + DAMPING * (sum over nodes of node sum / (size - 1) - x * that
   weight sum) / shared nodes. Each round carries the own counts and the shared nodes along,
   so the rows meet the last round in one join.
4. `_prior_rows` (`decisions`): per row, the shares with the row's own answer left out, the
   prior's side, and the new stance and rule where it decides. The rows it changes go through
   `map_arrow`, which writes their evidence sentence batch by batch in Python (the numbers
   rounded and printed exactly as the numpy reference printed them); `post_party` is then
   written by the engine as the unchanged rows and the changed ones.

Nothing reaches the driver but row counts. Values equal the numpy reference's up to the order of
floating-point sums (which neither engine fixes, nor did the reference's node order).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.content.propagate import ACCOUNT_PRIOR, CLASSES, KEEP_RULES, NEIGHBOURS, NO_OWN, PARAMS, PriorParams, evidence_words, graph_edges
from botwatch.content.tables import POST_PARTY

OWN, EDGES, LINKS, DEG = "_prior_own", "_prior_edges", "_prior_links", "_prior_deg"
ROWS, CHANGED = "_prior_rows", "_prior_changed"  # every row with its decision; the changed rows, evidence written
SIDES = ("s", "o", "n")  # column suffixes for CLASSES (support, oppose, neutral)
DECISION_COLUMNS = ("_p_new", "_p_cue", "_p_was", "_p_top", "_p_own_s", "_p_own_o", "_p_own_n", "_p_deg")


def _f(x: float) -> ir.FloatingValue:
    """A DOUBLE literal on every engine: Ibis prints 0.3 bare, which DuckDB reads as DECIMAL
    (exact decimal sums, not the reference's doubles); a cast from its shortest text is the
    same double everywhere."""
    return ibis.literal(repr(float(x))).cast("float64")


def votes(pp: ir.Table, params: PriorParams = PARAMS) -> ir.Table:
    """`post_party` rows with the account key `_key` (platform:account_id, NULL without an
    author), whether the rule is kept whatever the prior (`_keep`), and the row's weighted vote
    per class (`_v_s`, `_v_o`, `_v_n`)."""
    keep = pp.stance_rule.isin(sorted(KEEP_RULES)).fill_null(False)
    w = keep.ifelse(_f(1.0), _f(params.soft_weight))
    cols = {f"_v_{s}": (pp.stance == c).fill_null(False).ifelse(w, _f(0.0)) for s, c in zip(SIDES, CLASSES)}
    return pp.mutate(_key=pp.platform + ":" + pp.account_id, _keep=keep, **cols)


def own_counts(v: ir.Table) -> ir.Table:
    """Per (account key, party): the summed votes of its rows (authorless rows left out: they
    have no account to learn from), as the first round's counts: `s`, `o`, `n` (counts so far),
    `own_*` (the account's own, carried through the rounds) and `deg` (shared nodes: 0 until the
    graph is read)."""
    v = v.filter(v._key.notnull())
    own = v.group_by(["_key", "party"]).aggregate(**{s: v[f"_v_{s}"].sum() for s in SIDES})
    return own.mutate(**{f"own_{s}": own[s] for s in SIDES}, deg=ibis.literal(0, type="int64"))


def links(edges: ir.Table) -> ir.Table:
    """(account key, node, 1 / (size - 1)) for nodes linking two or more accounts; nodes of one
    account link nobody (the reference's weight 0)."""
    size = edges.group_by("node").aggregate(size=edges.count()).filter(lambda t: t.size >= 2)
    j = edges.join(size, "node")
    return j.select(_key=j.account_id, node=j.node, inv=_f(1.0) / (j.size - 1).cast("float64"))


def degrees(lk: ir.Table) -> ir.Table:
    """Per account key: its shared nodes (`deg`) and the sum of their weights (`wsum`)."""
    return lk.group_by("_key").aggregate(deg=lk.count(), wsum=lk.inv.sum())


def next_round(x: ir.Table, lk: ir.Table, deg: ir.Table, damping: float) -> ir.Table:
    """One round of counts' = own + damping * neighbour mean, over the sparse (key, party) pairs
    that have own evidence or a neighbour's. The neighbour mean is the reference's
    (A - x * wsum) / deg with A = sum over the account's nodes of node sum * weight.

    The pairs of `x` and of A meet in one group-by over both (each value summed with zeros only,
    so exactly itself), which costs one shuffle where outer joins cost several."""
    zero = _f(0.0)
    xl = lk.join(x, "_key")
    node_sum = xl.group_by(["node", "party"]).aggregate(**{f"ns_{s}": xl[s].sum() for s in SIDES})
    ln = lk.join(node_sum, "node")
    a = ln.group_by(["_key", "party"]).aggregate(**{f"a_{s}": (ln[f"ns_{s}"] * ln.inv).sum() for s in SIDES})
    from_x = x.select("_key", "party", **{f"own_{s}": x[f"own_{s}"] for s in SIDES}, **{f"x_{s}": x[s] for s in SIDES},
                      **{f"a_{s}": zero for s in SIDES})
    from_a = a.select("_key", "party", **{f"own_{s}": zero for s in SIDES}, **{f"x_{s}": zero for s in SIDES},
                      **{f"a_{s}": a[f"a_{s}"] for s in SIDES})
    both = ibis.union(from_x, from_a, distinct=False)
    cols = [f"{k}_{s}" for k in ("own", "x", "a") for s in SIDES]
    g = both.group_by(["_key", "party"]).aggregate(**{c: both[c].sum() for c in cols})
    deg_r = deg.rename(d_key="_key")
    t = g.left_join(deg_r, g._key == deg_r.d_key)
    out = {}
    for s in SIDES:
        mean = (t[f"a_{s}"] - t[f"x_{s}"] * t.wsum) / t.deg.cast("float64")
        out[s] = (t.deg.fill_null(0) > 0).ifelse(t[f"own_{s}"] + _f(damping) * mean, t[f"own_{s}"])
    return t.select("_key", "party", **out, **{f"own_{s}": t[f"own_{s}"] for s in SIDES}, deg=t.deg.fill_null(0).cast("int64"))


def decisions(v: ir.Table, counts: ir.Table, params: PriorParams = PARAMS) -> ir.Table:
    """Every `post_party` column, with stance and rule replaced where the prior decides, plus the
    numbers the evidence sentence prints (DECISION_COLUMNS; `_p_new` NULL where nothing changes).
    `counts` is the last round's (`own_counts` when nothing propagates).

    Per row, with its own vote left out: share = count / (total + shrink) over the propagated
    counts; the top class (first of support, oppose, neutral on a tie) decides where the rule is
    not kept, the class may be given, its share reaches the threshold and it differs from the
    row's answer; the cue is the account's own posts where their share alone reaches it."""
    c_r = counts.rename(**{f"c_{s}": s for s in SIDES}, **{f"co_{s}": f"own_{s}" for s in SIDES}, c_key="_key", c_party="party", c_deg="deg")
    j = v.left_join(c_r, (v._key == c_r.c_key) & (v.party == c_r.c_party))
    zero = _f(0.0)
    # Each quantity is a column of its own step, the same operations on the same doubles. Written
    # as one expression, every use of a share or of the top class repeated its whole formula: 108
    # KB of SQL for DuckDB to parse and evaluate (0.25 CPU-s of the prior's 1.6 at 200k generated
    # posts; 14 KB and 0.15 so). tests/test_content_speed_exact5.py compares both, bit for bit.
    t = j.select(*[j[c] for c in v.columns], c_deg=j.c_deg,
                 **{f"_m_{s}": j[f"c_{s}"].fill_null(zero) - j[f"_v_{s}"] for s in SIDES},
                 **{f"_mo_{s}": j[f"co_{s}"].fill_null(zero) - j[f"_v_{s}"] for s in SIDES})
    mine = {s: t[f"_m_{s}"] for s in SIDES}
    mine_own = {s: t[f"_mo_{s}"] for s in SIDES}
    # numpy's row sum over three columns is (s + o) + n, as written here.
    total = mine["s"] + mine["o"] + mine["n"] + _f(params.shrink)
    total_own = mine_own["s"] + mine_own["o"] + mine_own["n"] + _f(params.shrink)
    t = t.mutate(**{f"_sh_{s}": mine[s] / total for s in SIDES}, **{f"_sho_{s}": mine_own[s] / total_own for s in SIDES})
    share = {s: t[f"_sh_{s}"] for s in SIDES}
    # argmax, first class on a tie
    t = t.mutate(_best=ibis.cases(
        ((share["s"] >= share["o"]) & (share["s"] >= share["n"]), 0),
        (share["o"] >= share["n"], 1),
        else_=2,
    ))
    share = {s: t[f"_sh_{s}"] for s in SIDES}  # (columns of the last step)
    share_own = {s: t[f"_sho_{s}"] for s in SIDES}
    mine_own = {s: t[f"_mo_{s}"] for s in SIDES}
    n_deg = t.c_deg.fill_null(0)
    best = t._best
    pick = lambda d: ibis.cases((best == 0, d["s"]), (best == 1, d["o"]), else_=d["n"])  # noqa: E731
    side = ibis.cases((best == 0, CLASSES[0]), (best == 1, CLASSES[1]), else_=CLASSES[2])
    top = pick(share)
    allowed = best.isin([CLASSES.index(c) for c in params.classes])
    decide = (
        t._key.notnull() & ~t._keep & allowed & (top >= _f(params.threshold)) & (t.stance.isnull() | (t.stance != side))
    ).fill_null(False)
    cue = (pick(share_own) >= _f(params.threshold)).ifelse(ACCOUNT_PRIOR, NEIGHBOURS)
    null_s = ibis.null().cast("string")
    cols: dict[str, Any] = {c: t[c] for c in POST_PARTY.names}
    cols["stance"] = decide.ifelse(side, t.stance)
    cols["stance_rule"] = decide.ifelse(cue, t.stance_rule)
    extra = {
        "_p_new": decide.ifelse(side, null_s),
        "_p_cue": decide.ifelse(cue, null_s),
        "_p_was": t.stance,
        "_p_top": top,
        "_p_own_s": mine_own["s"],
        "_p_own_o": mine_own["o"],
        "_p_own_n": mine_own["n"],
        "_p_deg": n_deg.cast("int64"),
    }
    return t.select(**cols, **extra)


def with_evidence(batch: pa.RecordBatch | pa.Table) -> pa.Table:
    """`post_party` rows of one batch of `decisions`, the evidence sentence written where the
    prior changed the answer (the numpy reference's wording and number formatting)."""
    t = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    mask = pc.is_valid(t.column("_p_new")).combine_chunks() if t.num_rows else pa.array([], pa.bool_())
    out = t.select(POST_PARTY.names)
    rows = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    if not len(rows):
        return out
    sub = t.take(pa.array(rows))
    num = lambda c: np.asarray(sub.column(c).to_numpy(), dtype=float)  # noqa: E731
    fmt = lambda a: pc.cast(pa.array(np.round(a, 1)), pa.string())  # noqa: E731
    cue, links = evidence_words(sub.column("_p_cue").to_pylist(), sub.column("platform").to_pylist())
    evidence = pc.binary_join_element_wise(
        pa.array(cue, pa.string()), ": ", sub.column("_p_new").combine_chunks().cast(pa.string()),
        " share ", pc.cast(pa.array(np.round(num("_p_top"), 2)), pa.string()),
        " (own other posts ", fmt(num("_p_own_s")), " support, ", fmt(num("_p_own_o")), " oppose, ", fmt(num("_p_own_n")), " neutral; ",
        pc.cast(pa.array(np.asarray(sub.column("_p_deg").to_numpy(), dtype=np.int64)), pa.string()),
        pa.array(links, pa.string()), pc.fill_null(sub.column("_p_was").combine_chunks().cast(pa.string()), NO_OWN), "",
    )
    ev = out.column("stance_evidence").combine_chunks()
    return out.set_column(out.schema.get_field_index("stance_evidence"), "stance_evidence", pc.replace_with_mask(ev, mask, evidence.cast(ev.type)))


def _store(study: Any, name: str, expr: ir.Table) -> ir.Table:
    study.write_expr(name, expr, temp=True)
    return study.ibis.table(name)


def propagate_in_engine(study: Any, params: PriorParams = PARAMS, *, source: str = "post_party", out_name: str = "post_party",
                        batch_rows: int = 50_000) -> int:
    """The content stage's one call: apply the account prior to `source`'s rows and store the
    result as `out_name` (by default, `post_party` in place), all in the study's engine.
    Returns the rows written."""
    if study.count(source) == 0:
        return 0
    written: list[str] = []

    def store(name: str, expr: ir.Table) -> ir.Table:
        written.append(name)
        return _store(study, name, expr)

    try:
        v = votes(study.table(source), params)
        counts = store(OWN, own_counts(v))
        if params.damping > 0 and params.rounds > 0:
            edges = store(EDGES, graph_edges(study.table("posts"), study.table("accounts")))
            lk = store(LINKS, links(edges))
            deg = store(DEG, degrees(lk))
            for r in range(params.rounds):
                counts = store(f"_prior_x{r + 1}", next_round(counts, lk, deg, params.damping))
        rows = store(ROWS, decisions(v, counts, params))
        # Only the rows the prior changed go through Python (their evidence sentence); the others
        # are copied by the engine.
        changed = rows.filter(rows._p_new.notnull())
        written.append(CHANGED)
        study.map_arrow(changed, with_evidence, POST_PARTY, CHANGED, batch_rows=batch_rows, temp=True)
        kept = rows.filter(rows._p_new.isnull()).select(*POST_PARTY.names)
        done = study.ibis.table(CHANGED).select(*POST_PARTY.names)
        study.write_expr(out_name, ibis.union(kept, done.cast(kept.schema()), distinct=False))
        return int(study.count(out_name))
    finally:
        for name in written:
            study.sql(f'DROP TABLE IF EXISTS "{name}"')
