"""Exports written next to the report: accounts, clusters and estimates (and, on request, every
labelled post), as CSV and Parquet, so a reader can check any number in the report (and a platform can act on it).

Only tables that exist are written; each export joins in what other stages added when present
(scores, labels, cluster membership) and leaves it out otherwise.

CSV cells are guarded against spreadsheet formula injection: a text cell that starts with
``= + - @``, a tab or a carriage return gets a leading apostrophe, because posts and profiles
are attacker-written and a journalist will open the CSV in a spreadsheet. Parquet keeps the
text exactly as stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from botwatch import __version__
from botwatch.exports_typed import describe, parquet_metadata, typed_query, write_sidecar
from botwatch.study import Study
from botwatch.table_export import defused_query


@dataclass
class Export:
    """One exported table: its name, rows, what it holds, and the files (format -> path)."""

    name: str
    rows: int
    description: str
    files: dict[str, Path] = field(default_factory=dict)
    hrefs: dict[str, str] = field(default_factory=dict)  # relative links from the report, set by build


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cluster_join(tables: set[str]) -> tuple[str, str]:
    """(select expression, join clause) adding an account's cluster, or ('', '') when there is none."""
    if "cluster_members" not in tables:
        return "", ""
    return (
        ", cm.cluster_id",
        " LEFT JOIN (SELECT platform, account_id, min(cluster_id) AS cluster_id FROM cluster_members GROUP BY ALL) cm"
        " ON cm.platform = a.platform AND cm.account_id = a.account_id",
    )


def accounts_query(study: Study, tables: set[str]) -> str:
    """Accounts with their scores (the `accounts_scored` view when the accounts stage made it), posts in the
    study, cluster, and (from the view) whether the bot and origin models saw the account's platform."""
    from botwatch.table_export import platform_seen_columns

    base = "accounts_scored" if "accounts_scored" in tables else "accounts"
    cols = set(study.columns(base))
    extra, join = _cluster_join(tables)
    if "cluster_id" in cols:
        extra, join = "", ""
    scores = ""
    if base == "accounts" and "account_scores" in tables:
        score_cols = [c for c in study.columns("account_scores") if c not in ("platform", "account_id") and c not in cols]
        scores = "".join(f", s.{_q(c)}" for c in score_cols)
        join += " LEFT JOIN account_scores s ON s.platform = a.platform AND s.account_id = a.account_id"
    posts_col = ", coalesce(pc.posts, 0) AS posts_in_study" if "posts_in_study" not in cols else ""
    # the column `botwatch export … accounts_scored` adds, so the report's file says it too
    seen = platform_seen_columns(study, base, alias="a")
    return (
        f"SELECT a.*{scores}{posts_col}{extra}{seen} FROM {base} a"
        " LEFT JOIN (SELECT platform, account_id, count(*) AS posts FROM posts GROUP BY ALL) pc"
        " ON pc.platform = a.platform AND pc.account_id = a.account_id" + join
    )


def _stances_shown(study: Study) -> str:
    """SQL of `post_party`'s (platform, post_id, party, stance) with the stance as the report counts
    it: `PARTY:not measured` where it was not measured (a post in another language than English that
    only names the party, `estimates.relational.stance_measured`), as the timeline's `party_stance`
    says. Every Russian post naming United Russia was exported "ur:neutral", a reading of posts the
    stance model cannot read, which the report's shares leave out."""
    import ibis

    from botwatch import sql_cache
    from botwatch.estimates.relational import post_party_measured
    from botwatch.timeline.series import NOT_MEASURED

    # An unbound table of the columns the rule reads: a lake's report reader takes DuckDB SQL and
    # has no Ibis tables of its own.
    types = {"platform": "string", "post_id": "string", "party": "string", "stance": "string", "lang": "string", "stance_rule": "string", "signals": "array<string>"}
    have = set(study.columns("post_party"))
    pp = ibis.table({c: t for c, t in types.items() if c in have}, name="post_party")
    shown = ibis.cases((pp.stance.isnull(), ibis.literal("unknown")), (post_party_measured(pp), pp.stance), else_=ibis.literal(NOT_MEASURED))
    return sql_cache.to_sql(pp.select("platform", "post_id", "party", stance=shown))


def posts_query(study: Study, tables: set[str]) -> str:
    """Every post with its labels and what is known about its author: the table a platform would
    use to flag posts from likely automated accounts."""
    sel = [
        "p.platform", "p.post_id", "p.account_id", "a.handle AS author_handle", "p.created_at", "p.kind", "p.lang",
        "p.text", "p.ref_handle", "p.hashtags", "p.mentions", "p.urls", "p.client", "p.source",
    ]
    join = " LEFT JOIN accounts a ON a.platform = p.platform AND a.account_id = p.account_id"
    if "post_labels" in tables:
        have = set(study.columns("post_labels"))
        for col, alias in (("in_election", "in_election"), ("parties", "parties"), ("lang", "detected_lang"), ("lang_source", "lang_source"), ("sentiment", "sentiment")):
            if col in have:
                sel.append(f"pl.{col} AS {alias}")
        join += " LEFT JOIN post_labels pl ON pl.platform = p.platform AND pl.post_id = p.post_id"
    if "post_party" in tables:
        sel.append("pp.party_stances")
        # The list sorted itself, not `list(... ORDER BY party)`: sqlglot writes that for a lake's
        # Spark as COLLECT_LIST without the order, and the lake's export listed a post's parties as
        # Spark met them (tests/test_report_posts_export_lake.py). A post names a party once.
        join += (
            " LEFT JOIN (SELECT platform, post_id, list_sort(list(party || ':' || stance)) AS party_stances"
            f" FROM ({_stances_shown(study)}) GROUP BY ALL) pp ON pp.platform = p.platform AND pp.post_id = p.post_id"
        )
    if "account_scores" in tables:
        have = set(study.columns("account_scores"))
        for col in ("bot_probability", "origin_country", "origin_probability"):
            if col in have:
                sel.append(f"s.{col} AS author_{col}")
        join += " LEFT JOIN account_scores s ON s.platform = p.platform AND s.account_id = p.account_id"
    if "cluster_members" in tables:
        sel.append("cm.cluster_id AS author_cluster_id")
        join += (
            " LEFT JOIN (SELECT platform, account_id, min(cluster_id) AS cluster_id FROM cluster_members GROUP BY ALL) cm"
            " ON cm.platform = p.platform AND cm.account_id = p.account_id"
        )
    return f"SELECT {', '.join(sel)} FROM posts p{join} ORDER BY p.created_at, p.platform, p.post_id"


EXPORT_NAMES = ("accounts", "posts", "clusters", "cluster_members", "estimates")


def export_queries(study: Study, *, include_posts: bool = True) -> list[tuple[str, str, str]]:
    """(name, query, description) for every export this study can give (posts only when asked:
    they are most of the size, 274 MB of CSV for 787k posts, beside a 1 MB report).

    Each query but the posts' orders its rows by the table's key: a table's stored order is whatever
    the engine wrote (Spark writes a lake's tables in parts), and the files should be one answer
    however the study was made. Posts are left in stored order: a sort of every post would cost
    more than the export itself on a large study, so compare posts exports as sets of rows."""
    tables = set(study.tables())
    out: list[tuple[str, str, str]] = []
    if "accounts" in tables:
        out.append(("accounts", accounts_query(study, tables) + " ORDER BY a.platform, a.account_id", "one row per account: profile, posts in the study, scores and cluster where computed"))
    if "posts" in tables and include_posts:
        out.append(("posts", posts_query(study, tables), "one row per post: text, labels, and the author's automation and origin probabilities where computed"))
    if "clusters" in tables:
        out.append(("clusters", "SELECT * FROM clusters ORDER BY cluster_id", "one row per coordinated cluster"))
    if "cluster_members" in tables:
        out.append(("cluster_members", "SELECT * FROM cluster_members ORDER BY cluster_id, platform, account_id", "which account belongs to which cluster"))
    if "estimates" in tables:
        out.append(("estimates", "SELECT * FROM estimates ORDER BY election, period, period_start, account_group, party, metric", "counts and shares with intervals, scaled by the sample rate where given"))
    return out


def write_exports(study: Study, folder: str | Path, *, formats: tuple[str, ...] = ("csv", "parquet"), include_posts: bool = False) -> list[Export]:
    """Write the small tables (and every post when `include_posts`) into `folder`; returns what was written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Export] = []
    for name, query, desc in export_queries(study, include_posts=include_posts):
        exp = Export(name, 0, desc)
        layouts: dict[str, list[tuple[str, str]]] = {}
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            target = str(path).replace("'", "''")
            if fmt == "csv":
                written_query = defused_query(study, query)
                res = study.sql(f"COPY ({written_query}) TO '{target}' (FORMAT CSV, HEADER)")
            elif fmt == "parquet":
                # Evidence as real lists and structs, and the schema version in the file's metadata.
                written_query = typed_query(study, query)
                res = study.sql(
                    f"COPY ({written_query}) TO '{target}' (FORMAT PARQUET, COMPRESSION ZSTD, "
                    f"{parquet_metadata(name, study.schema_version)})"
                )
            else:
                raise ValueError(f"unknown export format {fmt!r}")
            exp.files[fmt] = path
            # COPY answers with the number of rows it wrote.
            exp.rows = int(res[0][0]) if res and res[0] and res[0][0] is not None else exp.rows
            layouts[fmt] = describe(study, written_query)
        if layouts:  # one file per table: the schema version and each format's column types, linked from the report
            side = write_sidecar(folder / name, name, layouts.get("parquet") or next(iter(layouts.values())), study.schema_version, exp.rows, __version__)
            data = json.loads(side.read_text(encoding="utf-8"))
            data["formats"] = {fmt: [{"name": n, "type": t} for n, t in cols] for fmt, cols in layouts.items()}
            side.write_text(json.dumps(data, indent=1), encoding="utf-8")
            exp.files["schema"] = side
        written.append(exp)
    # A table that existed at an earlier build may be gone now: remove its stale files (only our
    # own names) so the folder never holds numbers the report no longer stands behind.
    made = {p.name for e in written for p in e.files.values()}
    for name in EXPORT_NAMES:
        for fmt in ("csv", "parquet", "schema.json"):
            stale = folder / f"{name}.{fmt}"
            if stale.name not in made and stale.is_file():
                stale.unlink()
    return written
