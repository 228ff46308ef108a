"""Export the tested network for Gephi, Cytoscape, networkx or R: GraphML and CSV edge lists.

Nodes carry their cluster and activity (and bot/origin scores where the study has them); edges
carry the co-action count, IDF weight, behaviours, expected count by chance and p-value, so the
test travels with the graph.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import igraph as ig

from botwatch.accounts.json_shape import shown_handle
from botwatch.shown_text import file_shown
from botwatch.study import Study

# Characters XML 1.0 cannot hold at all (igraph refuses them, so an ESC in one attacker's handle
# stopped the whole export) and `file_shown` keeps (NUL): shown as text, `\x00`.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: object) -> str:
    """A string attribute GraphML can carry, escaped as the CSV export escapes it
    (`shown_text.file_shown`: C1 controls, bidi overrides, invisible characters written as
    `\\u202e`), and the characters XML forbids written as `\\xNN` / `\\uNNNN`. Only XML's own
    set was escaped: a U+202E or a C1 CSI in a handle reached Gephi or `cat` raw."""
    text = file_shown("" if value is None else value)
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) <= 0xFF else f"\\u{ord(m.group()):04x}", text)


# The GraphML type of each attribute, declared from the tables' columns: igraph guesses it from the
# values, so whole counts and cluster ids were declared "double" (networkx read cluster 1 as 1.0,
# Gephi offered it as a continuous ranking) and a network with no edges declared every attribute
# "boolean". Whole numbers are "long"; an unknown value is left out of the node or edge (GraphML's
# missing value), as igraph does for NaN.
_NODE_TYPES = {"name": "string", "label": "string", "platform": "string", "account_id": "string", "cluster_id": "long", "handle": "string",
               "posts": "long", "retweets": "long", "first_at": "string", "last_at": "string", "degree": "long", "strength": "double",
               "bot_probability": "double", "origin_country": "string", "origin_probability": "double", "foreign": "boolean",
               "account_category": "string"}
_EDGE_TYPES = {"co_actions": "long", "weight_idf": "double", "behaviours": "string", "first_at": "string", "last_at": "string", "a_first": "long",
               "b_first": "long", "median_gap_s": "double", "expected_by_chance": "double", "p_value": "double", "weight": "double"}
_BOOLEAN_VALUE = re.compile(r'(<data key="v_foreign">)([^<]*)(</data>)')
_KEY_LINE = re.compile(r'^(\s*<key id="(?:v|e)_[^"]*" for="(node|edge)" attr\.name="([^"]*)" attr\.type=")[a-z]+("/>\s*)$')


_EDGE_COLS = ("platform", "account_a", "account_b", "co_actions", "weight_idf", "behaviours", "first_at", "last_at", "a_first", "b_first", "median_gap_s", "expected_by_chance", "p_value")


# The node attributes from `cluster_members`, the columns of the CSV nodes file; `network_graph`
# adds `label`: the handle as `botwatch accounts` lists it, or the account id where the study has
# none (what Gephi shows on a node).
_NODE_COLS = ("platform", "account_id", "cluster_id", "handle", "posts", "retweets", "first_at", "last_at", "degree", "strength",
              "bot_probability", "origin_country", "origin_probability", "foreign", "account_category")


def network_graph(study: Study) -> ig.Graph:
    """The kept network as an igraph Graph (vertex `name` = "platform:account_id")."""
    have = set(study.columns("cluster_members"))  # a study clustered before `retweets` or `foreign` was stored lacks them
    picked = ", ".join(f'"{c}"' if c in have else f'NULL AS "{c}"' for c in _NODE_COLS)
    nodes = study.sql(f"SELECT {picked} FROM cluster_members ORDER BY platform, account_id")
    g = ig.Graph(directed=False)
    g.add_vertices([_xml_text(f"{p}:{a}") for p, a, *_ in nodes])
    # A Mastodon local handle with its instance ("alice@a.social", `json_shape.shown_handle`): two
    # instances' local alices were two nodes labelled "alice". `handle` keeps the stored value.
    g.vs["label"] = [_xml_text(shown_handle(r[0], r[3], r[1]) or r[1]) for r in nodes]
    # origin_country with its probability, as the CSV nodes file has it: a country alone read as a verdict.
    for i, key in enumerate(_NODE_COLS):
        # GraphML has no NULL: unknown strings become "", unknown numbers NaN (left out of the file).
        vals = [r[i] for r in nodes]
        if _NODE_TYPES[key] in ("long", "double", "boolean"):  # a boolean as 1 / 0, written true / false by `_declare_types`
            g.vs[key] = [float(v) if v is not None else float("nan") for v in vals]
        elif key in ("first_at", "last_at"):
            g.vs[key] = ["" if v is None else v.isoformat() for v in vals]
        else:
            g.vs[key] = [_xml_text(v) for v in vals]
    edges = study.sql(f"SELECT {', '.join(_EDGE_COLS)} FROM coordination_edges ORDER BY platform, account_a, account_b")
    # Edges join nodes by their place, not by `name`: two ids can be shown alike (`x\x01` and the
    # text `x\\x01`), and an edge looked up by the shown name went to the wrong account.
    where = {(p, a): i for i, (p, a, *_) in enumerate(nodes)}
    g.add_edges([(where[(r[0], r[1])], where[(r[0], r[2])]) for r in edges])
    for i, key in enumerate(_EDGE_COLS[3:], start=3):
        vals = [r[i] for r in edges]
        if key == "behaviours":
            g.es[key] = [_xml_text(",".join(v or [])) for v in vals]
        elif key in ("first_at", "last_at"):
            g.es[key] = ["" if v is None else v.isoformat() for v in vals]
        else:
            g.es[key] = [float(v) if v is not None else float("nan") for v in vals]
    g.es["weight"] = g.es["weight_idf"] if edges else []
    return g


def export_graphml(study: Study, out: str | Path) -> Path:
    """Write the network as GraphML; returns the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    graph = network_graph(study)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")  # a failed write leaves no half file under the name asked for
    try:
        graph.write_graphml(str(partial))
        _declare_types(partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def _cr_kept(line: str) -> str:
    """`line` of the graph with each carriage return written as the reference `&#13;`. igraph
    writes a CR of a handle or an id raw (`file_shown` keeps it, as CSV quoting carries it), and an
    XML reader turns a raw CR into a line feed: "a\\rb" read back as "a\\nb", another account's
    text. igraph's own lines end in a line feed alone, so every CR here is a value's."""
    return line.replace("\r", "&#13;")


def _declare_types(path: Path) -> None:
    """Rewrite the `<key>` lines igraph wrote with each attribute's type from `_NODE_TYPES` /
    `_EDGE_TYPES` (the keys come first; the rest of the file is copied as it is)."""
    fixed = path.with_name(path.name + ".types")
    try:
        with path.open(encoding="utf-8", newline="") as src, fixed.open("w", encoding="utf-8", newline="") as dst:
            for line in src:
                m = _KEY_LINE.match(line)
                if m:
                    kind = (_NODE_TYPES if m.group(2) == "node" else _EDGE_TYPES).get(m.group(3))
                    if kind:
                        line = f"{m.group(1)}{kind}{m.group(4)}"
                elif "<graph " in line:
                    dst.write(line)
                    for rest in src:  # igraph wrote the boolean as a number: GraphML's boolean is true / false
                        rest = _cr_kept(rest)
                        dst.write(_BOOLEAN_VALUE.sub(lambda b: f"{b.group(1)}{'false' if b.group(2) == '0' else 'true'}{b.group(3)}", rest)
                                  if 'key="v_foreign"' in rest else rest)
                    break
                dst.write(line)
        os.replace(fixed, path)
    finally:
        fixed.unlink(missing_ok=True)


def export_csv(study: Study, out: str | Path) -> tuple[Path, Path]:
    """Write `<stem>.csv` (edge list) and `<stem>_nodes.csv` (accounts and clusters) with the
    export command's guarded CSV writer (`table_export.defused_query`): handles and labels are
    attacker-written, and a raw DuckDB COPY wrote `=cmd|...` cells a spreadsheet runs and ESC
    bytes a terminal obeys. Each file is written beside its target and renamed into place. On a
    lake the two tables are collected to the driver and written by DuckDB there, as `export` does."""
    from botwatch.table_export import defused_query

    out = Path(out)
    nodes = out.with_name(out.stem + "_nodes.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    edge_cols = ", ".join(c if c != "behaviours" else "array_to_string(behaviours, ',') AS behaviours" for c in _EDGE_COLS)
    queries = (
        (f"SELECT {edge_cols} FROM coordination_edges ORDER BY platform, account_a, account_b", out),
        ("SELECT * FROM cluster_members ORDER BY cluster_id, platform, account_id", nodes),
    )
    local, mem = study, None
    if getattr(study, "engine", "duckdb") != "duckdb":
        mem = Study(":memory:")
        for name in ("coordination_edges", "cluster_members"):
            mem.write_table(name, study.arrow(name))
        local = mem
    try:
        for sql, path in queries:
            part = path.with_name(f".{path.name}.{os.getpid()}.part")
            target = str(part).replace("'", "''")
            try:
                local.sql(f"COPY ({defused_query(local, sql)}) TO '{target}' (FORMAT CSV, HEADER)")
                os.replace(part, path)
            finally:
                part.unlink(missing_ok=True)
    finally:
        if mem is not None:
            mem.close()
    return out, nodes
