"""Exports a program can read without guessing: typed evidence, a schema version, and JSON lines
whose types Polars and pandas infer right.

* Evidence is stored in the study as JSON text (a list of sentences, a country -> probability
  object), which is how the stages write it. In Parquet and JSON-lines exports those columns
  become real types: a list of strings, and a list of {country, probability} structs (one shape
  for every row, unlike an object whose keys change from row to row). CSV has no nested types
  and keeps the JSON text.
* `SCHEMA_VERSION` numbers the layout of the study's tables. It is stored in the study
  (`botwatch_meta`) and written with every export: as Parquet key-value metadata, and for every
  format in a `<file>.schema.json` beside it with each column's type.
* JSON-lines readers infer a column's type from the first rows (Polars: 100). A column that is
  null there and filled later ("got non-null value for NULL-typed column") fails the read. So a
  JSON-lines export puts first one row in which each column has a value (at most one row per
  column), then all the other rows in their order: the file holds the same rows, and every column
  shows its type within the first rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# 1: the layout of botwatch 0.x as first numbered (canonical tables + stage outputs, evidence as JSON text)
# 2: posts.warning (a Mastodon status's content warning), added to a study made before when it is next opened for writing
SCHEMA_VERSION = 2
META_TABLE = "botwatch_meta"

_LIST = "TRY_CAST(TRY_CAST({c} AS JSON) AS VARCHAR[])"
_DIST = "list_transform(map_entries(TRY_CAST(TRY_CAST({c} AS JSON) AS MAP(VARCHAR, DOUBLE))), lambda x: {{'{k}': x.key, 'probability': x.value}})"
# column name -> SQL turning its JSON text into a typed value
TYPED_COLUMNS: dict[str, str] = {
    "bot_evidence": _LIST,
    "origin_evidence": _LIST,
    "signals": _LIST,
    "evidence": _LIST,
    "origin_probabilities": _DIST.replace("{k}", "country"),
    "offset_probabilities": _DIST.replace("{k}", "utc_offset"),
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def describe(study: Any, query: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a query's result."""
    return [(r[0], r[1]) for r in study.sql(f"DESCRIBE {query}")]


def typed_query(study: Any, query: str) -> str:
    """The query with every known JSON-text evidence column turned into its typed form."""
    cols = describe(study, query)
    if not any(name in TYPED_COLUMNS and ctype == "VARCHAR" for name, ctype in cols):
        return query
    parts = [
        f"{TYPED_COLUMNS[name].format(c=_q(name))} AS {_q(name)}" if name in TYPED_COLUMNS and ctype == "VARCHAR" else _q(name)
        for name, ctype in cols
    ]
    return f"SELECT {', '.join(parts)} FROM ({query}) AS _src"


def witness_first(study: Any, query: str) -> str:
    """The query's rows with, first, one row holding a value for each column that has any."""
    cols = [name for name, _ in describe(study, query)]
    if not cols:
        return query
    firsts = ", ".join(f"min(_rn) FILTER (WHERE {_q(c)} IS NOT NULL AND (TRY_CAST({_q(c)} AS VARCHAR) NOT IN ('[]', '{{}}')))" for c in cols)
    return (
        f"WITH _t AS (SELECT *, row_number() OVER () AS _rn FROM ({query}) AS _src), "
        f"_m AS (SELECT [{firsts}] AS _firsts FROM _t), _w AS (SELECT DISTINCT unnest(_firsts) AS _wrn FROM _m) "
        "SELECT * EXCLUDE (_rn) FROM _t ORDER BY (_rn IN (SELECT _wrn FROM _w WHERE _wrn IS NOT NULL)) DESC, _rn"
    )


def stored_schema_version(study: Any) -> int | None:
    """The schema version written in the study, or None for a study made before it was numbered."""
    if META_TABLE not in study.tables():
        return None
    rows = study.sql(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'")
    return int(rows[0][0]) if rows and str(rows[0][0]).isdigit() else None


def ensure_meta(study: Any, version: str) -> None:
    """Record the schema version (and the botwatch version that first wrote it) in a new study."""
    study.sql(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)")
    study.sql(f"INSERT INTO {META_TABLE} VALUES ('schema_version', ?), ('created_by', ?) ON CONFLICT DO NOTHING", [str(SCHEMA_VERSION), version])


def record_schema_version(study: Any) -> None:
    """Mark a study brought up to this layout (its missing columns added) as of `SCHEMA_VERSION`."""
    study.sql(f"UPDATE {META_TABLE} SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])


def parquet_metadata(table: str, study_version: int | None) -> str:
    """The `KV_METADATA {...}` of a Parquet export of `table`, keyed as its `.schema.json` is
    (`write_sidecar`): `botwatch_schema_version` the layout this botwatch writes, and
    `study_schema_version` the layout of the study it came from (left out where the study records
    none, null in the sidecar). Why both: the study's posts on layout 1 have no `warning` column,
    and the file said only "2" where the sidecar beside it said the study was on layout 1."""
    from botwatch.code_identity import version_label

    # The code label too (`write_sidecar`): a Parquet file parted from its sidecar still names its maker.
    pairs = {"botwatch_schema_version": str(SCHEMA_VERSION), "botwatch_table": table, "botwatch_code_version": version_label()}
    if study_version is not None:
        pairs["study_schema_version"] = str(study_version)
    return "KV_METADATA {" + ", ".join(f"{key}: '{value.replace(chr(39), chr(39) * 2)}'" for key, value in pairs.items()) + "}"


def write_sidecar(out: Path, table: str, columns: list[tuple[str, str]], study_version: int | None, rows: int, botwatch_version: str) -> Path:
    """`<out>.schema.json`: what a program needs to read `out` without guessing, and which
    botwatch wrote it: `botwatch_version` is the release alone, which every revision between two
    releases shares, so the code label (`code_identity`) and the library versions
    (`library_versions`) are beside it, as a study's runs record them."""
    from botwatch.code_identity import version_label
    from botwatch.library_versions import installed_versions

    side = out.with_name(out.name + ".schema.json")
    side.write_text(
        json.dumps(
            {
                "botwatch_schema_version": SCHEMA_VERSION,
                "study_schema_version": study_version,
                "botwatch_version": botwatch_version,
                "botwatch_code_version": version_label(),
                "libraries": installed_versions(),
                "table": table,
                "rows": rows,
                "columns": [{"name": n, "type": t} for n, t in columns],
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return side
