"""Clusters of the tested network (igraph Leiden, fixed seed) and what each cluster did.

The edge list is small after the projection and the null test, so the graph work runs on one
machine with igraph. Leiden optimises the Constant Potts Model on the IDF-weighted edges (weights
scaled to mean 1): a cluster is a group whose internal weighted density beats `resolution`.
Modularity was the first choice and was dropped: on a network that is one dense coordinated
group it still splits the group in two (modularity always gains from splitting a lone blob),
which broke the planted-network recovery. Leiden's randomness comes from Python's `random`,
seeded here, so the same study gives the same clusters.

Tables written:
- `cluster_members`(cluster_id, platform, account_id, degree, strength, posts, first_at, last_at,
  handle, bot_probability, origin_country, foreign): one row per account in a kept edge;
- `clusters`(cluster_id, size, edges, density, weight_idf, behaviours, first_at, last_at,
  posts, top_amplified JSON (see `amplified_entry`), share_automated, share_foreign, scored_members, label,
  posts_first_at, posts_last_at, peak_day, peak_day_co_actions): `first_at`/`last_at` span the
  cluster's co-actions, `posts_*` its members' posts, and `peak_day` is the UTC day with the most
  co-actions inside the cluster (the tallest bar of the report's cluster timeline; ties go to the
  earliest day), so a reader knows when each network was active.
"""

from __future__ import annotations

import json
import random
from typing import Any

import igraph as ig
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.accounts.json_shape import shown_handle_sql
from botwatch.numeric import sum_left_to_right
from botwatch.origin_rule import foreign_sql
from botwatch.study import Study

DEFAULT_RESOLUTION = 0.1
# The handle of each account id the study knows (one per id), for shares that name their author by
# id alone: `_write_cluster_summaries` and the report's network picture.
REF_HANDLES = "SELECT platform, account_id, min(handle) AS handle FROM accounts WHERE handle IS NOT NULL GROUP BY platform, account_id"
# The name a share counts its author by: the handle it gives, else the one the study knows for the id.
SHOWN_REF = shown_handle_sql("p.platform", "coalesce(p.ref_handle, ra.handle)", "p.ref_account_id")
# One row per share (retweet or quote) by a cluster member that names the account it shared:
# `target` the name it is counted by, `by_handle` 1 when that is a handle, 0 for an id alone. The
# stage ranks each cluster's targets from it (`top_amplified`); the report's coordination chart
# draws them member by member: one definition, which each wrote out (and had to fix twice).
# A target named by handle and one named by id alone are kept apart (`by_handle`), so the report
# can name the second "id N" and not "@N", a handle no one has. A share that names its author by
# id alone (a Bluesky repost names a DID, never a handle) takes the handle the study's accounts
# table knows for that id: the report read "amplified id did:plc:… most" of an account whose
# handle the capture held. A Mastodon handle local to the instance collected ("alice") is counted
# with that instance (`json_shape.shown_handle_sql`): two instances' local alices were one target.
MEMBER_SHARES = f"""
    SELECT m.cluster_id, m.platform, m.account_id, lower(coalesce({SHOWN_REF}, p.ref_account_id)) AS target,
           CASE WHEN coalesce(p.ref_handle, ra.handle) IS NOT NULL THEN 1 ELSE 0 END AS by_handle, p.ref_account_id
    FROM posts p JOIN cluster_members m USING (platform, account_id)
    LEFT JOIN ({REF_HANDLES}) ra ON ra.platform = p.platform AND ra.account_id = p.ref_account_id
    WHERE p.kind IN ('retweet', 'quote') AND coalesce(p.ref_handle, p.ref_account_id) IS NOT NULL
"""
TOP_AMPLIFIED = 5  # accounts kept per cluster in `clusters.top_amplified` (the report's tie clause says "possibly more" when all tie)


def leiden(edges: list[tuple[str, str, float]], *, seed: int = 7, resolution: float = DEFAULT_RESOLUTION) -> dict[str, int]:
    """Node name -> cluster number (0 = largest cluster), from weighted undirected edges.

    Cluster numbers are ordered by size, then by the smallest member name, so they do not depend
    on igraph's internal numbering.
    """
    if not edges:
        return {}
    names = sorted({a for a, _, _ in edges} | {b for _, b, _ in edges})
    index = {n: i for i, n in enumerate(names)}
    g = ig.Graph(n=len(names), edges=[(index[a], index[b]) for a, b, _ in edges], directed=False)
    weights = [float(w) for _, _, w in edges]
    mean = sum_left_to_right(weights) / len(weights) or 1.0  # 3.11's addition (botwatch.numeric)
    g.es["weight"] = [w / mean for w in weights]
    state = random.getstate()
    random.seed(seed)
    ig.set_random_number_generator(random)
    try:
        part = g.community_leiden(objective_function="CPM", weights="weight", resolution=resolution, n_iterations=-1)
    finally:
        random.setstate(state)
    membership = list(part.membership)
    # CPM may leave an account alone although it has kept edges; it joins the cluster of the
    # neighbour it co-acts with most (a cluster of one is not a group).
    sizes: dict[int, int] = {}
    for c in membership:
        sizes[c] = sizes.get(c, 0) + 1
    for v in range(g.vcount()):
        if sizes[membership[v]] == 1 and g.degree(v) > 0:
            best = max(g.incident(v), key=lambda e: (g.es[e]["weight"], -min(g.es[e].tuple)))
            a, b = g.es[best].tuple
            # Keep the sizes current: two lone partners must end up together, not swap places
            # (which left one of them alone in a "cluster" with no edge).
            sizes[membership[v]] -= 1
            membership[v] = membership[b if a == v else a]
            sizes[membership[v]] += 1
    groups: dict[int, list[str]] = {}
    for i, c in enumerate(membership):
        groups.setdefault(c, []).append(names[i])
    # A cluster is a group: one account alone is never reported as one.
    ordered = sorted((m for m in groups.values() if len(m) >= 2), key=lambda m: (-len(m), min(m)))
    return {n: cid for cid, members in enumerate(ordered) for n in members}


def _scores_available(study: Study) -> bool:
    return "account_scores" in study.tables()


def build_clusters(study: Study, *, seed: int = 7, resolution: float = DEFAULT_RESOLUTION, country: str | None = None) -> int:
    """Cluster `coordination_edges` and write `cluster_members` and `clusters`; returns clusters.

    `country` is the election's country (ISO2): members whose origin is elsewhere count as
    foreign, by the shared rule (`botwatch.origin_rule`: P(outside country) >= 0.5).
    """
    membership, inside, edge_sums = _membership(study, seed=seed, resolution=resolution)
    # Both stay Arrow views at the driver for the two writes: `_coord_membership` was copied into
    # a temp table (a Spark job on a lake), and `clusters` found each edge's cluster by joining
    # `cluster_members` to both its ends, for the edges and again for the evidence (4 of its 5
    # reads of that table), where the driver already knew it from the clustering.
    with study.temp_view("_coord_membership", membership), study.temp_view("_coord_edge_cluster", inside):
        _write_members(study, country)
        _write_cluster_summaries(study, edge_sums)
    return study.count("clusters")


def _membership(study: Study, *, seed: int, resolution: float) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Leiden communities of the edge graph, as Arrow tables: the members (platform, account_id,
    cluster_id), the kept edges inside a cluster (platform, account_a, account_b, cluster_id),
    an edge between two clusters or to an account left out being in neither, and what those
    edges sum to per cluster (`_edge_sums`)."""
    columns = ["platform", "account_a", "account_b", "weight_idf", *_EDGE_SUMMED]
    # Every kept edge comes to the driver for Leiden on either engine (`driver_arrow`); a local
    # lake's Parquet parts are read by Arrow there, where Spark's read of them was a job (docs/testing.md).
    read = study.driver_arrow("coordination_edges", columns)
    rows = list(zip(*(read.column(c).to_pylist() for c in ("platform", "account_a", "account_b", "weight_idf"))))
    # Accounts of different platforms never share a trace, but keep names unique across platforms.
    edges = [(f"{p}\x1f{a}", f"{p}\x1f{b}", float(w or 0.0) or 1e-6) for p, a, b, w in rows]
    membership = leiden(edges, seed=seed, resolution=resolution)
    degree, strength = _degrees(rows)
    members = [[*name.split("\x1f", 1), cid] for name, cid in sorted(membership.items())]
    table = pa.Table.from_pylist(
        [dict(platform=p, account_id=a, cluster_id=c, degree=degree[(p, a)], strength=strength[(p, a)]) for p, a, c in members],
        schema=pa.schema(
            [("platform", pa.string()), ("account_id", pa.string()), ("cluster_id", pa.int64()), ("degree", pa.int64()), ("strength", pa.float64())]
        ),
    )
    at = [i for i, (ea, eb, _) in enumerate(edges) if ea in membership and membership[ea] == membership.get(eb)]
    inside = [dict(platform=rows[i][0], account_a=rows[i][1], account_b=rows[i][2], cluster_id=membership[edges[i][0]]) for i in at]
    inside_table = pa.Table.from_pylist(
        inside,
        schema=pa.schema([("platform", pa.string()), ("account_a", pa.string()), ("account_b", pa.string()), ("cluster_id", pa.int64())]),
    )
    return table, inside_table, _edge_sums(read.take(pa.array(at, pa.int64())), [d["cluster_id"] for d in inside])


# The `coordination_edges` columns `clusters` sums per cluster, beside those the clustering reads.
_EDGE_SUMMED = ("co_actions", "first_at", "last_at", "behaviours")


def _edge_sums(inside: pa.Table, clusters: list[int]) -> pa.Table:
    """Per cluster, what its inside edges (`inside`, the `coordination_edges` rows, each of the
    cluster in `clusters` at the same position) add up to: edges, weight_idf, co_actions,
    first_at, last_at and the sorted distinct behaviours (cluster_id in ascending order).

    Summed here from the rows the clustering read, not by the engine: `clusters` joined
    `coordination_edges` to the edge clusters and grouped them (a broadcast and a shuffle, Spark
    jobs on a lake). The weights are added in ascending order, as `_degrees` adds them, and the
    times keep the engine's own type (min and max of the column as read)."""
    by: dict[int, list[int]] = {}
    for i, cid in enumerate(clusters):
        by.setdefault(cid, []).append(i)
    ids = sorted(by)
    weights = inside.column("weight_idf").to_pylist()
    co = inside.column("co_actions").to_pylist()
    behaviours = inside.column("behaviours").to_pylist()
    parts = [inside.take(by[c]) for c in ids]
    summed = [[float(w) for w in (weights[i] for i in by[c]) if w is not None] for c in ids]
    return pa.table(
        {
            "cluster_id": pa.array(ids, pa.int64()),
            "edges": pa.array([len(by[c]) for c in ids], pa.int64()),
            "weight_idf": pa.array([sum_left_to_right(sorted(ws)) if ws else None for ws in summed], pa.float64()),
            "co_actions": pa.array([_int_sum(co[i] for i in by[c]) for c in ids], pa.int64()),
            "first_at": pa.array([pc.min(t.column("first_at")).as_py() for t in parts], inside.schema.field("first_at").type),
            "last_at": pa.array([pc.max(t.column("last_at")).as_py() for t in parts], inside.schema.field("last_at").type),
            "behaviours": pa.array(
                [sorted({b for i in by[c] for b in (behaviours[i] or []) if b is not None}) for c in ids], pa.list_(pa.string())
            ),
        }
    )


def _int_sum(values: Any) -> int | None:
    """SQL's sum of integers: None when every value is None."""
    got = [int(v) for v in values if v is not None]
    return sum(got) if got else None


def _degrees(rows: list[tuple[Any, ...]]) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], float | None]]:
    """Each account's kept edges and the sum of their `weight_idf` (None when none has one, as
    SQL's sum), from the (platform, account_a, account_b, weight_idf) rows the clustering read.

    Counted here, not by the engine: the rows are already at the driver, and the engine's count
    was a union, a grouping and a join (Spark jobs on a lake). The weights are added in ascending
    order, so the sum is one value on every engine and every run."""
    weights: dict[tuple[str, str], list[float]] = {}
    degree: dict[tuple[str, str], int] = {}
    for p, a, b, w in rows:
        for end in ((p, a), (p, b)):
            degree[end] = degree.get(end, 0) + 1
            got = weights.setdefault(end, [])
            if w is not None:
                got.append(float(w))
    strength = {k: (sum_left_to_right(sorted(ws)) if ws else None) for k, ws in weights.items()}
    return degree, strength


def _write_members(study: Study, country: str | None) -> None:
    """`cluster_members`: each member's degree, activity, scores (when the accounts stage ran),
    foreign flag and any known archive label."""
    scores = _scores_available(study)
    score_cols = (
        "s.bot_probability, s.origin_country, s.origin_probability"
        if scores
        else "CAST(NULL AS DOUBLE) AS bot_probability, CAST(NULL AS VARCHAR) AS origin_country, CAST(NULL AS DOUBLE) AS origin_probability"
    )
    # The shared foreign rule (botwatch.origin_rule): P(outside the election's country) >= 0.5.
    foreign = foreign_sql(country, "s") if scores and country else "CAST(NULL AS BOOLEAN)"
    score_join = "LEFT JOIN account_scores s ON s.platform = m.platform AND s.account_id = m.account_id" if scores else ""
    study.sql(
        f"""
        CREATE OR REPLACE TABLE cluster_members AS
        WITH act AS (
            SELECT p.platform, p.account_id, count(*) AS posts, min(created_at) AS first_at, max(created_at) AS last_at,
                   count(*) FILTER (WHERE kind = 'retweet') AS retweets
            FROM posts p JOIN _coord_membership m USING (platform, account_id) GROUP BY ALL
        ), cat AS (
            -- A known label from any snapshot (the IRA authors file's account_category); the
            -- accounts table keeps only the latest `extra`, which may come from a tweet row.
            SELECT s.platform, s.account_id, min(json_extract_string(s.extra, '$.account_category')) AS account_category
            FROM account_snapshots s JOIN _coord_membership m USING (platform, account_id)
            WHERE s.extra IS NOT NULL GROUP BY ALL
        )
        SELECT m.cluster_id, m.platform, m.account_id, a.handle, m.degree, round(m.strength, 4) AS strength,
               coalesce(act.posts, 0) AS posts, coalesce(act.retweets, 0) AS retweets, act.first_at, act.last_at,
               {score_cols},
               {foreign} AS "foreign",
               cat.account_category
        FROM _coord_membership m
        LEFT JOIN act USING (platform, account_id)
        LEFT JOIN accounts a ON a.platform = m.platform AND a.account_id = m.account_id
        LEFT JOIN cat ON cat.platform = m.platform AND cat.account_id = m.account_id
        {score_join}
        ORDER BY m.cluster_id, m.strength DESC, m.account_id
        """,
        [],
    )


def _write_cluster_summaries(study: Study, edge_sums: pa.Table) -> None:
    """`clusters`: size, density, behaviours, most amplified accounts and member shares per cluster."""
    # The top five per cluster as JSON, built here from rows in rank order: an ordered list
    # aggregate has no spelling DuckDB and Spark SQL share. Small by construction (5 per cluster).
    # Ranked and cut in the one query that collects them, and put in rank order here: the ranking
    # was written to a temp table and read back sorted, 9 Spark jobs on a lake (docs/testing.md).
    top: dict[int, list[dict[str, Any]]] = {}
    rows = study.sql(
        f"""
        SELECT cluster_id, target, by_handle, account_id, n, rk FROM (
            SELECT cluster_id, target, by_handle, account_id, n,
                   row_number() OVER (PARTITION BY cluster_id ORDER BY n DESC, target, by_handle DESC) AS rk
            FROM (
                SELECT cluster_id, target, by_handle, min(ref_account_id) AS account_id, count(*) AS n
                FROM ({MEMBER_SHARES}) s
                GROUP BY 1, 2, 3
            ) AS counted
        ) AS ranked
        WHERE rk <= {TOP_AMPLIFIED}
        """
    )
    for cid, target, by_handle, account_id, n, _ in sorted(rows, key=lambda r: (int(r[0]), int(r[5]))):
        top.setdefault(int(cid), []).append(amplified_entry(target, bool(by_handle), account_id, int(n)))
    # Beside each cluster's edge sums: one small view for `clusters` to join, where a view of
    # its own was one more join (a broadcast, a Spark job on a lake).
    amp = {cid: json.dumps(v, ensure_ascii=False, separators=(",", ":")) for cid, v in top.items()}
    ids = edge_sums.column("cluster_id").to_pylist()
    extra = sorted(set(amp) - set(ids))
    if extra:  # a cluster that shared but holds no edge of its own (never seen: Leiden keeps them connected; tests/test_coordination_edgeless_cluster.py)
        edge_sums = pa.concat_tables([edge_sums, pa.Table.from_pylist([{"cluster_id": c} for c in extra], schema=edge_sums.schema)])
    sums = edge_sums.append_column("top_amplified", pa.array([amp.get(c) for c in edge_sums.column("cluster_id").to_pylist()], pa.string()))
    with study.temp_view("_coord_cluster_sums", sums):
        _write_clusters_table(study)


def _write_clusters_table(study: Study) -> None:
    study.sql(
        """
        -- Sums and shares cast to BIGINT/DOUBLE: DuckDB sums BIGINT to HUGEINT and Spark keeps
        -- 1.0 and / 2.0 as DECIMAL, so without them the engines stored other types (and the
        -- exports printed 1.0 against 1.0000).
        CREATE OR REPLACE TABLE clusters AS
        WITH ranked AS (
            -- The strongest member names the cluster; ties go to the first name in order, so the
            -- label is one answer on every engine (max_by picks any of the tied rows). Ranked in
            -- the pass that sums the members up: a second read of `cluster_members` cost Spark jobs.
            SELECT *, row_number() OVER (PARTITION BY cluster_id ORDER BY strength DESC NULLS LAST, coalesce(handle, account_id)) AS rn
            FROM cluster_members
        ), m AS (
            SELECT cluster_id, count(*) AS size, CAST(sum(posts) AS BIGINT) AS posts,
                   min(first_at) AS posts_first_at, max(last_at) AS posts_last_at,
                   count(bot_probability) AS scored_members,
                   avg(CASE WHEN bot_probability IS NULL THEN NULL WHEN bot_probability >= 0.5 THEN 1.0 ELSE 0.0 END::DOUBLE) AS share_automated,
                   avg(CASE WHEN "foreign" IS NULL THEN NULL WHEN "foreign" THEN 1.0 ELSE 0.0 END::DOUBLE) AS share_foreign,
                   mode(account_category) AS top_category,
                   max(CASE WHEN rn = 1 AND strength IS NOT NULL THEN coalesce(handle, account_id) END) AS label
            FROM ranked GROUP BY ALL
        ), daily AS (
            -- Co-actions inside the cluster per UTC day, counted as the report's cluster timeline counts them.
            SELECT ma.cluster_id, CAST(least(ev.t_a, ev.t_b) AS DATE) AS day, count(DISTINCT ev.post_a || '|' || ev.post_b) AS n
            FROM coordination_evidence ev
            JOIN _coord_edge_cluster ma ON ma.platform = ev.platform AND ma.account_a = ev.account_a AND ma.account_b = ev.account_b
            GROUP BY ALL
        ), peak AS (
            SELECT cluster_id, day, n, row_number() OVER (PARTITION BY cluster_id ORDER BY n DESC, day) AS rn FROM daily
        )
        SELECT m.cluster_id, m.size, coalesce(e.edges, 0) AS edges,
               CASE WHEN m.size > 1 THEN round(CAST(coalesce(e.edges, 0) AS DOUBLE) / (m.size * (m.size - 1) / 2.0), 4) END AS density,
               round(coalesce(e.weight_idf, 0), 4) AS weight_idf, coalesce(e.co_actions, 0) AS co_actions,
               coalesce(e.behaviours, []) AS behaviours, e.first_at, e.last_at, m.posts,
               coalesce(CAST(e.top_amplified AS VARCHAR), '[]') AS top_amplified,
               m.share_automated, m.share_foreign, m.scored_members, m.top_category, m.label,
               m.posts_first_at, m.posts_last_at, peak.day AS peak_day, CAST(peak.n AS BIGINT) AS peak_day_co_actions
        FROM m LEFT JOIN _coord_cluster_sums e ON e.cluster_id = m.cluster_id
        LEFT JOIN peak ON peak.cluster_id = m.cluster_id AND peak.rn = 1
        ORDER BY m.cluster_id
        """
    )


def cluster_purity(study: Study, label_column: str = "account_category", *, shuffles: int = 50, seed: int = 7) -> dict[str, Any]:
    """How pure the clusters are against a known label (e.g. IRA account_category).

    Purity = share of clustered accounts whose label is their cluster's most common label
    (accounts without a label are left out). Small clusters are pure easily, so the same purity
    is computed with the labels shuffled among the clustered accounts (`shuffles` times, seeded):
    the gap between the two is what the clustering adds over chance.
    """
    rows = study.sql(f"SELECT cluster_id, {label_column} FROM cluster_members WHERE {label_column} IS NOT NULL")

    def purity(pairs: list[tuple[int, str]]) -> float | None:
        by_cluster: dict[int, dict[str, int]] = {}
        for cid, lab in pairs:
            c = by_cluster.setdefault(cid, {})
            c[lab] = c.get(lab, 0) + 1
        total = sum(sum(c.values()) for c in by_cluster.values())
        return sum(max(c.values()) for c in by_cluster.values()) / total if total else None

    by_cluster: dict[int, dict[str, int]] = {}
    for cid, lab in rows:
        c = by_cluster.setdefault(cid, {})
        c[lab] = c.get(lab, 0) + 1
    rng = random.Random(seed)
    labels = [lab for _, lab in rows]
    shuffled = []
    for _ in range(shuffles if rows else 0):
        rng.shuffle(labels)
        shuffled.append(purity([(cid, lab) for (cid, _), lab in zip(rows, labels)]) or 0.0)
    big = [(cid, lab) for cid, lab in rows if sum(by_cluster[cid].values()) >= 3]
    return {
        "accounts": len(rows),
        "clusters": len(by_cluster),
        "purity": purity(rows),
        "purity_shuffled": (sum_left_to_right(shuffled) / len(shuffled)) if shuffled else None,
        "purity_clusters_3plus": purity(big),
        "composition": {cid: dict(sorted(c.items(), key=lambda kv: -kv[1])) for cid, c in sorted(by_cluster.items())},
    }


def category_mixing(study: Study, label_column: str = "account_category") -> list[tuple[str, str, int, int]]:
    """Kept edges by the unordered pair of their two accounts' labels: (label_a, label_b, edges,
    co_actions), most edges first. Off-diagonal rows are the categories that act together."""
    return [
        (a, b, int(n), int(c))
        for a, b, n, c in study.sql(
            f"""
            SELECT least(ma.{label_column}, mb.{label_column}) AS a, greatest(ma.{label_column}, mb.{label_column}) AS b,
                   count(*) AS edges, sum(e.co_actions) AS co_actions
            FROM coordination_edges e
            JOIN cluster_members ma ON ma.platform = e.platform AND ma.account_id = e.account_a
            JOIN cluster_members mb ON mb.platform = e.platform AND mb.account_id = e.account_b
            WHERE ma.{label_column} IS NOT NULL AND mb.{label_column} IS NOT NULL
            GROUP BY ALL ORDER BY edges DESC, a, b
            """
        )
    ]


def amplified_entry(target: str, by_handle: bool, account_id: str | None, shares: int) -> dict[str, Any]:
    """One element of `top_amplified`: `account` is the name counted (the lower-cased handle, or
    the id when the posts named the account by id alone; kept as before for old readers),
    `handle` that handle or null, `account_id` the id where the posts gave one, `shares` the
    retweets and quotes. Without `handle` the report could not tell an id from a handle and
    wrote "@N" for an account known only by its id."""
    return {"account": target, "handle": target if by_handle else None, "account_id": account_id, "shares": shares}


def top_amplified(value: str | None) -> list[dict[str, Any]]:
    """Parse the `top_amplified` JSON column: a list of `amplified_entry` dicts. Entries written
    before `handle` was stored lack the key; they are read as the handles they were printed as."""
    try:
        entries = list(json.loads(value or "[]"))
    except ValueError:
        return []
    out = []
    for e in entries:
        if not isinstance(e, dict) or "account" not in e:
            continue
        e.setdefault("handle", e["account"])
        e.setdefault("account_id", None)
        out.append(e)
    return out
