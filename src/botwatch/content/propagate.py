"""Stance from the study itself: an account's stance toward each party, learnt from its own posts
and spread over the retweet network, used as a prior for the account's unclear posts.

Why: influence accounts are consistent (a right troll stays anti-Democrat post after post), and
accounts that retweet the same posts rarely disagree. A post that names a party without a clear
cue ("Hillary in Ohio today") is read far better knowing who wrote it.

How, per (account, party):
1. Weak labels from the account's posts: a decisive cue (the party's account, a retweet of it, a
   pro or anti hashtag or slogan, a rival party's cue; KEEP_RULES) counts 1 toward its side; any
   other answer (the trained model, a sentiment rule, no cue) counts SOFT_WEIGHT toward support,
   oppose or neutral. The hand labels are never an input.
2. The retweet graph of the study: an account and a "node" are linked when the account retweeted
   that handle ("RT @handle"; the handle's own account joins the node) or posted a text that at
   least one other account of the study also posted (retweets of the same post, copy-pasted
   posts). Neighbours' counts are averaged per node (leaving the account itself out), then over
   the account's nodes, and added with a damping factor: counts' = own + DAMPING * mean of the
   neighbours' counts, a few rounds (label propagation on evidence counts).
3. The prior: each class's share of the counts, shrunk toward none (share = count / (total +
   SHRINK)), computed for every row with that row's own answer left out, so a post never votes
   for itself. Where a row's answer is not decisive, the prior's top class has a share >=
   THRESHOLD and differs from the answer, the row takes it; rule `account_prior` when the
   account's own other posts alone clear the threshold, `retweet_neighbours` when it took the
   neighbours to. The evidence says which, with the shares and counts. Where the prior agrees
   with the post's own answer, nothing changes and the post's own cue keeps the credit.

SOFT_WEIGHT, SHRINK, DAMPING and THRESHOLD were fitted on the dev part of the hand labels only
(scripts/fit_stance_prior.py, with out-of-fold model answers on dev); the test part measures.
Two implementations of the same arithmetic. The content stage runs `content.prior_engine`: every
step an Ibis expression the study's engine runs (DuckDB, or Spark's executors), nothing but row
counts collected. This module's numpy and scipy.sparse version (one Ibis query for the graph,
then arrays, no loop over posts) holds everything in memory: it is the reference the engine's
rows are tested against, and what scripts/fit_stance_prior.py runs over many weights at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from botwatch import mastodon_instance
from botwatch.content.stance import DECISIVE_RULES, NEUTRAL, OPPOSE, SUPPORT

ACCOUNT_PRIOR, NEIGHBOURS = "account_prior", "retweet_neighbours"



def evidence_words(cues: list[str], platforms: list[str | None]) -> tuple[list[str], list[str]]:
    """Per row, the cue's words ("account's other posts", "retweet neighbours") and the close of the
    sentence naming its links (" shared retweet links); this post alone read "), in the words of
    the row's platform: a Mastodon post's were "retweet neighbours" and "shared retweet links",
    where its accounts boost ("boost neighbours"). The rule key stays `retweet_neighbours`."""
    from botwatch.reshare_words import reshare_words

    nouns = {p: reshare_words([p]).noun for p in set(platforms)}
    cue = [f"{nouns[p]} neighbours" if c == NEIGHBOURS else "account's other posts" for c, p in zip(cues, platforms)]
    links = [f" shared {nouns[p]} links); this post alone read " for p in platforms]
    return cue, links
MIN_SHARED_TEXT = 20  # characters: shorter identical texts ("Good morning") say nothing about who agrees
# Rules whose answer stands whatever the account's prior: the explicit cues, and the rival's own
# account or pro cue (a post of party A's account naming party B).
KEEP_RULES = frozenset(DECISIVE_RULES) | {"rival_pro_cue"}
CLASSES = (SUPPORT, OPPOSE, NEUTRAL)
NO_OWN = "no stance"  # the evidence's "this post alone read ..." for a row without its own answer


@dataclass(frozen=True)
class PriorParams:
    """The four weights of the prior (fitted on dev; see the module docstring)."""

    # Refitted for the model of the second training draw (scripts/fit_stance_prior.py, dev only):
    # dev mean macro-F1 0.670 against 0.662 with the earlier weights (1.0, 4, 0.25, 0.3, three
    # classes) and 0.642 without a prior. Damping 0 to 1 tie on dev; 0.25 keeps the neighbours.
    soft_weight: float = 1.0
    shrink: float = 1.0
    damping: float = 0.25
    threshold: float = 0.6
    rounds: int = 3
    classes: tuple[str, ...] = (SUPPORT, OPPOSE)  # which answers the prior may give


PARAMS = PriorParams()


def graph_edges(posts: ir.Table, accounts: ir.Table) -> ir.Table:
    """(account_id, node) links of the retweet graph, as an Ibis expression (any engine).

    `account_id` here is the account key `platform:account_id` (`account_keys`: one id may exist
    on two platforms). Nodes are 'h:<platform>:<handle>' (the account retweeted that handle; the
    handle's own account belongs to the node too), 'd:bluesky:<did>' (the same for a Bluesky
    repost, which names the account by DID) and 't:<text>' (a text posted by two or more
    accounts)."""
    rt = posts.filter(posts.ref_handle.notnull() & (posts.kind == "retweet"))
    by_handle = rt.select(account_id=rt.platform + ":" + rt.account_id,
                          node=ibis.literal("h:") + rt.platform + ":" + mastodon_instance.shown_handle(rt.platform, rt.ref_handle, rt.ref_account_id).lower())
    own = accounts.filter(accounts.handle.notnull())
    own = own.select(account_id=own.platform + ":" + own.account_id,
                     node=ibis.literal("h:") + own.platform + ":" + mastodon_instance.shown_handle(own.platform, own.handle, own.account_id).lower())
    # Texts are grouped by the engine's hash (DuckDB: 64-bit; Spark: 32-bit murmur3), cheaper than
    # grouping long strings; a collision between texts of two accounts adds one spurious link.
    texts = posts.filter(posts.text.notnull() & (posts.text.length() >= MIN_SHARED_TEXT))
    texts = texts.select(account_id=texts.platform + ":" + texts.account_id, h=texts.text.hash()).distinct()
    shared = texts.group_by("h").aggregate(n=texts.account_id.nunique()).filter(lambda t: t.n >= 2).select("h")
    by_text = texts.semi_join(shared, "h")
    by_text = by_text.select(account_id=by_text.account_id, node=ibis.literal("t:") + by_text.h.cast("string"))
    handles = by_handle.distinct()
    own_in = own.semi_join(handles, "node").select("account_id", "node")
    # A Bluesky repost names whom it reposts by DID alone (no `ref_handle`), so none was a link:
    # its node is 'd:bluesky:<did>', and the account of that DID belongs to it.
    brt = posts.filter(posts.ref_handle.isnull() & posts.ref_account_id.notnull() & (posts.kind == "retweet") & (posts.platform == "bluesky"))
    dids = brt.select(account_id=brt.platform + ":" + brt.account_id, node=ibis.literal("d:bluesky:") + brt.ref_account_id).distinct()
    bsky = accounts.filter(accounts.platform == "bluesky")
    own_did = bsky.select(account_id=bsky.platform + ":" + bsky.account_id, node=ibis.literal("d:bluesky:") + bsky.account_id)
    own_did = own_did.semi_join(dids, "node").select("account_id", "node")
    return ibis.union(handles, own_in, by_text, dids, own_did, distinct=True)


@dataclass
class Graph:
    """Account × node incidence over the accounts of the rows being labelled."""

    account_index: dict[str, int]
    incidence: sparse.csr_matrix  # [account, node] 1 where linked

    @classmethod
    def from_edges(cls, account_ids: np.ndarray, edges: pa.Table) -> "Graph":
        acc = pc.unique(pa.concat_arrays([pa.array(account_ids, pa.string()), edges.column("account_id").combine_chunks().cast(pa.string())]))
        index = {a: i for i, a in enumerate(acc.to_pylist())}
        e_acc = pc.index_in(edges.column("account_id").cast(pa.string()), value_set=acc).to_numpy(zero_copy_only=False)
        nodes = edges.column("node").combine_chunks().cast(pa.string()).dictionary_encode()
        e_node = nodes.indices.to_numpy(zero_copy_only=False)
        mat = sparse.csr_matrix((np.ones(len(e_acc)), (e_acc, e_node)), shape=(len(acc), len(nodes.dictionary)))
        mat.data[:] = 1.0  # duplicate links count once
        return cls(index, mat)

    def neighbour_mean(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per account, the mean over its shared nodes of the other members' mean `x` (rows of
        `x` are accounts), and how many such nodes it has (0: no neighbours, mean 0)."""
        b = self.incidence
        size = np.asarray(b.sum(axis=0)).ravel()
        inv = np.where(size >= 2, 1.0 / np.maximum(size - 1, 1), 0.0)
        node_sum = b.T @ x  # [node, party]
        per_acc = b @ (node_sum * inv[:, None]) - x * (b @ inv)[:, None]
        deg = b @ (size >= 2).astype(float)
        mean = np.divide(per_acc, deg[:, None], out=np.zeros_like(per_acc), where=deg[:, None] > 0)
        return mean, deg


def prior_decisions(
    acc: np.ndarray, party: np.ndarray, stance: np.ndarray, rule: np.ndarray, n_parties: int, graph: Graph | None, params: PriorParams = PARAMS
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row: (new stance or '' where unchanged, cue (ACCOUNT_PRIOR/NEIGHBOURS or ''), the
    prior's share for its top class, the account's own other support / oppose / neutral counts
    (row left out) as one [row, 3] array, the account's shared retweet nodes) over integer
    account and party codes."""
    n_acc = len(graph.account_index) if graph is not None else (int(acc.max()) + 1 if len(acc) else 0)
    keep = np.isin(rule, list(KEEP_RULES))
    w = np.where(keep, 1.0, params.soft_weight)
    # Evidence per class (support, oppose, neutral) from each row's answer, weighted.
    votes = np.stack([np.where(stance == c, w, 0.0) for c in CLASSES], axis=1)
    shape = (n_acc, n_parties)
    g = acc * n_parties + party
    own = np.stack([np.bincount(g, votes[:, k], n_acc * n_parties).reshape(shape) for k in range(3)], axis=2)
    counts = own.copy()
    deg = np.zeros(n_acc)
    if graph is not None and graph.incidence.nnz and params.damping > 0:
        flat = own.reshape(n_acc, -1)
        cur = flat.copy()
        for _ in range(params.rounds):
            nb, deg = graph.neighbour_mean(cur)
            cur = flat + params.damping * nb
        counts = cur.reshape(own.shape)
    # Leave the row's own answer out, then shares of each class, shrunk toward none.
    mine = counts[acc, party] - votes
    mine_own = own[acc, party] - votes
    share = mine / (mine.sum(axis=1, keepdims=True) + params.shrink)
    share_own = mine_own / (mine_own.sum(axis=1, keepdims=True) + params.shrink)
    best = share.argmax(axis=1)
    top = share[np.arange(len(best)), best]
    side = np.asarray(CLASSES, dtype=object)[best]
    allowed = np.isin(best, [CLASSES.index(c) for c in params.classes])
    # Only where the prior changes the answer: where it agrees, the post's own cue decided.
    decide = ~keep & allowed & (top >= params.threshold) & (side != stance)
    new = np.where(decide, side, "").astype(object)
    own_ok = share_own[np.arange(len(best)), best] >= params.threshold
    cue = np.where(decide, np.where(own_ok, ACCOUNT_PRIOR, NEIGHBOURS), "").astype(object)
    return new, cue, top, mine_own, deg[acc]


def _codes(col: pa.ChunkedArray | pa.Array, index: dict[str, int] | None = None) -> tuple[np.ndarray, list[str]]:
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if index is not None:
        keys = pa.array(list(index), pa.string())
        return pc.index_in(arr.cast(pa.string()), value_set=keys).to_numpy(zero_copy_only=False).astype(np.int64), list(index)
    enc = arr.dictionary_encode()
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


def account_keys(parties: pa.Table) -> pa.ChunkedArray:
    """`platform:account_id` per row (NULL without an author): the key the graph uses, so one id
    on two platforms is two accounts."""
    return pc.binary_join_element_wise(parties.column("platform"), parties.column("account_id"), ":")


def apply_prior(parties: pa.Table, graph: Graph | None, params: PriorParams = PARAMS) -> pa.Table:
    """`post_party` rows with unclear answers replaced by the account's prior where it is clear."""
    n = parties.num_rows
    if n == 0:
        return parties
    keys = account_keys(parties)
    if graph is None:
        graph = Graph.from_edges(pc.unique(keys.combine_chunks()).to_numpy(zero_copy_only=False), pa.table({"account_id": pa.array([], pa.string()), "node": pa.array([], pa.string())}))
    acc, _ = _codes(keys, graph.account_index)
    party, names = _codes(parties.column("party"))
    stance = np.asarray(parties.column("stance").to_pylist(), dtype=object)
    rule = np.asarray(parties.column("stance_rule").to_pylist(), dtype=object)
    new, cue, share, own, deg = prior_decisions(acc, party, stance, rule, len(names), graph, params)
    # A post without an author has no account to learn from (they would pool as one "account").
    new[~np.asarray(keys.is_valid())] = ""
    rows = np.flatnonzero(new != "")
    if not len(rows):
        return parties
    idx = pa.array(rows)
    fmt = lambda a: pc.cast(pa.array(np.round(a, 1)), pa.string())  # noqa: E731
    # A row with no answer of its own (NULL stance) still gets a sentence: NULL would join to NULL.
    was = pc.fill_null(parties.column("stance").combine_chunks().take(idx), NO_OWN)
    cue_text, links_text = evidence_words(cue[rows].tolist(), parties.column("platform").combine_chunks().take(idx).to_pylist())
    evidence = pc.binary_join_element_wise(
        pa.array(cue_text, pa.string()),
        ": ", pa.array(new[rows].tolist(), pa.string()), " share ", pc.cast(pa.array(np.round(share[rows], 2)), pa.string()),
        " (own other posts ", fmt(own[rows, 0]), " support, ", fmt(own[rows, 1]), " oppose, ", fmt(own[rows, 2]), " neutral; ",
        pc.cast(pa.array(deg[rows].astype(np.int64)), pa.string()), pa.array(links_text, pa.string()), was, "",
    )
    stance_col = np.asarray(stance, dtype=object)
    stance_col[rows] = new[rows]
    rule_col = np.asarray(rule, dtype=object)
    rule_col[rows] = cue[rows]
    ev = parties.column("stance_evidence").combine_chunks()
    ev_all = pc.replace_with_mask(ev, pa.array(np.isin(np.arange(n), rows)), evidence.cast(ev.type)) if len(rows) else ev
    out = parties.set_column(parties.schema.get_field_index("stance"), "stance", pa.array(stance_col.tolist(), pa.string()))
    out = out.set_column(out.schema.get_field_index("stance_rule"), "stance_rule", pa.array(rule_col.tolist(), pa.string()))
    return out.set_column(out.schema.get_field_index("stance_evidence"), "stance_evidence", ev_all)


def study_graph(study, account_ids: np.ndarray) -> Graph:  # type: ignore[no-untyped-def]
    """The study's retweet graph (one Ibis query, run by the study's engine)."""
    edges = graph_edges(study.table("posts"), study.table("accounts")).to_pyarrow()
    return Graph.from_edges(account_ids, edges)


def propagate_stances(study, parties: pa.Table, params: PriorParams = PARAMS) -> pa.Table:  # type: ignore[no-untyped-def]
    """The account prior over `post_party` rows held in memory, with the study's whole retweet
    graph collected (the in-memory reference; the content stage runs
    `content.prior_engine.propagate_in_engine`, which collects nothing)."""
    if parties.num_rows == 0:
        return parties
    accounts = pc.unique(account_keys(parties).combine_chunks()).to_numpy(zero_copy_only=False)
    return apply_prior(parties, study_graph(study, accounts), params)
