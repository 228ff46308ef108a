"""The canonical tables of a study, declared once as Arrow schemas.

Every reader produces rows in these shapes and every engine (DuckDB, Spark) stores them the same
way, so the schema lives in one place and the DuckDB DDL is derived from it rather than written
twice. Timestamps are naive and always mean UTC: DuckDB's TIMESTAMPTZ needs pytz to reach Python and
Spark's session time zone would otherwise shift values, so "UTC without a zone" is the contract.
Unknown values are NULL, never 0 or "".
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us")
STR_LIST = pa.list_(pa.string())

POSTS = pa.schema(
    [
        ("post_id", pa.string()),
        ("platform", pa.string()),
        ("account_id", pa.string()),
        ("created_at", TS),
        ("text", pa.string()),
        ("lang", pa.string()),
        ("kind", pa.string()),  # original | retweet | quote | reply
        ("ref_post_id", pa.string()),
        ("ref_account_id", pa.string()),
        ("ref_handle", pa.string()),
        ("hashtags", STR_LIST),
        ("mentions", STR_LIST),
        ("urls", STR_LIST),
        ("client", pa.string()),
        ("source", pa.string()),  # "<file>:<line>" where the post was read
        ("source_format", pa.string()),
        # A Mastodon status's content warning (`spoiler_text`); NULL where it has none. `text` holds
        # it too (the warning, a blank line, the body), so party matching reads it; the shared-text
        # traces read the body alone (`coordination.behaviours.shared_text`). Added in layout 2.
        ("warning", pa.string()),
    ]
)

# Columns added to `posts` after the first layout, in order at its end: a study made before gets
# them (NULL for the posts it holds) when it is next opened for writing (`Study.ensure_schema`,
# `LakeStudy`), so positional inserts of POSTS rows still line up.
POSTS_ADDED: tuple[str, ...] = ("warning",)

# Profile fields shared by a snapshot and the accounts table.
_PROFILE = [
    ("account_id", pa.string()),
    ("platform", pa.string()),
    ("handle", pa.string()),
    ("display_name", pa.string()),
    ("description", pa.string()),
    ("location", pa.string()),
    ("account_lang", pa.string()),
    ("created_at", TS),
    ("followers", pa.int64()),
    ("following", pa.int64()),
    ("posts_count", pa.int64()),
    ("verified", pa.bool_()),
    ("default_profile", pa.bool_()),
    ("default_image", pa.bool_()),
    ("time_zone", pa.string()),
    ("utc_offset", pa.int32()),  # seconds east of UTC, as v1.1 gave it
    ("extra", pa.string()),  # JSON object of format-specific fields (e.g. IRA account_category)
]

PROFILE_FIELDS: list[str] = [name for name, _ in _PROFILE]
PROFILE_VALUE_FIELDS: list[str] = [n for n in PROFILE_FIELDS if n not in ("account_id", "platform")]

# What a reader emits for an account: one profile as seen at `observed_at` (the time of the post
# that carried it; NULL when the source has no time, e.g. a user lookup or an IO users file).
# The sink already folds repeated snapshots of one account within a batch, keeping the range seen.
SNAPSHOT_ROW = pa.schema(_PROFILE + [("observed_at", TS), ("first_seen", TS), ("last_seen", TS), ("source", pa.string())])

# What the study keeps per account per ingested file: the file's snapshots reduced to one row.
ACCOUNT_SNAPSHOTS = pa.schema(
    _PROFILE
    + [
        ("observed_at", TS),
        ("first_seen", TS),
        ("last_seen", TS),
        ("source", pa.string()),
    ]
)

ACCOUNTS = pa.schema(_PROFILE + [("first_seen", TS), ("last_seen", TS)])

# What the accounts stage writes; the report, the estimates and the test studies read these shapes.
ACCOUNT_SCORES = pa.schema(
    [
        ("platform", pa.string()), ("account_id", pa.string()), ("bot_probability", pa.float64()), ("bot_evidence", pa.string()),
        ("origin_country", pa.string()), ("origin_probability", pa.float64()), ("origin_probabilities", pa.string()),
        ("origin_evidence", pa.string()), ("likely_automated", pa.bool_()), ("foreign_origin", pa.bool_()),
        ("signals", pa.string()), ("n_signals", pa.int64()), ("n_posts", pa.int64()),
        # The interval, the out-of-distribution flag and why, and the per-kind flags.
        ("bot_probability_low", pa.float64()), ("bot_probability_high", pa.float64()), ("bot_ood", pa.bool_()),
        ("bot_ood_reason", pa.string()), ("bot_kinds", pa.string()),
        # The profile model's own probability, and the behaviour ratio folded into bot_probability
        # (NULL when behaviour did not apply: then bot_probability is the profile probability).
        ("bot_profile_probability", pa.float64()), ("bot_behaviour_lr", pa.float64()),
    ]
)
ACCOUNT_EVIDENCE = pa.schema(
    [
        ("platform", pa.string()), ("account_id", pa.string()), ("kind", pa.string()), ("rank", pa.int64()),
        ("feature", pa.string()), ("value", pa.float64()), ("contribution", pa.float64()), ("sentence", pa.string()),
    ]
)

REJECTED = pa.schema(
    [
        ("source", pa.string()),
        ("line", pa.int64()),  # 1-based; 0 means the file as a whole (empty, binary, unknown)
        ("error", pa.string()),
        ("raw", pa.string()),  # the offending record, truncated to RAW_LIMIT characters
    ]
)

# A file's bad records that its latest read (a complete read of the file now at that path, changed
# since: corrected, truncated, or another file saved under the name) no longer gave, moved aside
# from `rejected` with the time of that read: `rejected` holds the bad records of the inputs as
# they are now, which every count a user sees reads, and this table what earlier versions held
# (created the first time a row moves). `ingest.merge.retire_rejected`.
REJECTED_EARLIER = REJECTED.append(pa.field("replaced_at", TS))

# The platforms' delete notices: a post its author deleted after the capture saw it (an X v1.1
# stream `delete`, a Jetstream delete commit of a post or repost, a Mastodon stream `delete`). One
# row per (platform, post_id), the first notice read: a re-read or a copy of the file adds none.
# `account_id` where the notice names the author; `deleted_at` where it gives a time (a Mastodon
# event gives neither, and its `post_id` is the status's id on the instance streamed, not its URI);
# `source` "<file>:<line>" as in `posts`. Created the first time a notice is read, so a study made
# before, or one whose inputs held none, is the same as ever (`ingest.merge.merge_deletions`).
DELETIONS = pa.schema(
    [
        ("post_id", pa.string()),
        ("platform", pa.string()),
        ("account_id", pa.string()),
        ("deleted_at", TS),
        ("source", pa.string()),
    ]
)

# An X v1.1 filtered stream's limit notices `{"limit": {"track": N, "timestamp_ms": ...}}`: the
# filter matched more posts than the stream's cap (near 1% of all posts) lets through, and `track`
# is how many it has withheld since the connection opened (cumulative; a new connection starts
# again from 0). `source` is the file, `line` its 1-based line, `limited_at` the notice's time
# where it gives one. One row per (limited_at, track), and a notice without a time per file and line
# too, the first read: a re-read or a copy of the file adds none. Created the first time a notice is read, so a study made before, or one whose
# inputs held none, is the same as ever (`ingest.merge.merge_stream_limits`; the withheld total:
# `ingest.stream_limits.withheld`).
STREAM_LIMITS = pa.schema(
    [
        ("source", pa.string()),
        ("line", pa.int64()),
        ("limited_at", TS),
        ("track", pa.int64()),
    ]
)

# An X v1.1 stream's stall warnings `{"warning": {"code": "FALLING_BEHIND", "message": ...,
# "percent_full": P}}`: the client read too slowly and the stream's queue for it was P% full; at
# 100% the stream disconnects it and the posts sent meanwhile are lost. `source` is the file, `line`
# its 1-based line, `warned_at` the warning's time where it gives one (`timestamp_ms`). One row per
# (source, line, warned_at, code, message, percent_full): a re-read or a copy of the file adds none
# (a copy's are kept under the name first read), two captures' same warning are two. Created
# the first time a warning is read, so older studies are unchanged (`ingest.merge.merge_stream_warnings`;
# Methods' sentence: `ingest.stream_limits.warned_sentence`).
STREAM_WARNINGS = pa.schema(
    [
        ("source", pa.string()),
        ("line", pa.int64()),
        ("warned_at", TS),
        ("code", pa.string()),
        ("message", pa.string()),
        ("percent_full", pa.int64()),
    ]
)

SOURCES = pa.schema(
    [
        ("source", pa.string()),
        ("sha256", pa.string()),
        ("bytes", pa.int64()),
        ("format", pa.string()),
        ("records_read", pa.int64()),
        ("posts_stored", pa.int64()),
        ("duplicates", pa.int64()),
        ("rejected", pa.int64()),
        ("accounts_seen", pa.int64()),
        ("ingested_at", TS),
    ]
)

# What each read of a file gave besides posts that `sources` has no column for: the delete and
# limit notices and stall warnings and the edits of posts it read (`FileResult.deleted + limited +
# warned`, `edited`), one row per `sources` row (same source and ingested_at). Counted from the
# tables that keep them (`deletions`, `stream_limits`, `stream_warnings`), a notice read twice (a post deleted twice) is one row, and a grown
# file's notices are all under its path: Methods and the overview said such notices were "not
# posts". Made with the first read holding any, its earlier reads filled in from the kept rows
# (`read_notices`), so a study whose inputs held none keeps the tables it always had.
SOURCE_NOTICES = pa.schema(
    [
        ("source", pa.string()),
        ("ingested_at", TS),
        ("notices", pa.int64()),
        ("edits", pa.int64()),
    ]
)

# An input not read as one of its own because it holds the text of a file read before (a `.gz` of
# it, or the file after its `.gz`): its `sources` row, if any (a `--force` re-read), carries the
# SHA-256 of that read (`same_sha256`), so the file's own SHA-256 (`sha256`) is kept here: provenance
# shows the copy was seen without a `sources` row that would count it as another input. One row per
# (source, sha256); `same_as`: the source whose read holds its text, `same_sha256` the SHA-256 of that read.
SOURCE_COPIES = pa.schema(
    [
        ("source", pa.string()),
        ("sha256", pa.string()),
        ("bytes", pa.int64()),
        ("same_as", pa.string()),
        ("same_sha256", pa.string()),
        ("seen_at", TS),
    ]
)

RUNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("stage", pa.string()),
        ("params", pa.string()),  # JSON
        ("version", pa.string()),
        ("started_at", TS),
        ("finished_at", TS),
        ("status", pa.string()),  # ok | failed | running (a DuckDB study's run not ended: seen by another command, killed)
        ("rows_written", pa.int64()),
        ("message", pa.string()),
    ]
)

CANONICAL: dict[str, pa.Schema] = {
    "posts": POSTS,
    "accounts": ACCOUNTS,
    "account_snapshots": ACCOUNT_SNAPSHOTS,
    "rejected": REJECTED,
    "sources": SOURCES,
    "runs": RUNS,
}

# Stage outputs declared here or by the module that computes them (`register_output`), so one
# registry answers "what shape is table T" for the runner (`botwatch stages --json`), exports and
# engines alike. Tables not listed have no fixed schema (their columns follow the data).
OUTPUTS: dict[str, pa.Schema] = {
    "account_scores": ACCOUNT_SCORES,
    "account_evidence": ACCOUNT_EVIDENCE,
}


def register_output(name: str, schema: pa.Schema) -> pa.Schema:
    """Record a stage output's schema in the registry (returns it, to keep the module's name)."""
    OUTPUTS[name] = schema
    return schema


def schema_of(table: str) -> pa.Schema | None:
    """The declared schema of a canonical table or stage output, or None when it has none."""
    return CANONICAL.get(table) or OUTPUTS.get(table)


RAW_LIMIT = 4000


def duckdb_type(t: pa.DataType) -> str:
    """Map an Arrow type to the DuckDB column type used to store it."""
    if pa.types.is_string(t):
        return "VARCHAR"
    if pa.types.is_int64(t):
        return "BIGINT"
    if pa.types.is_int32(t):
        return "INTEGER"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_float64(t):
        return "DOUBLE"
    if pa.types.is_timestamp(t):
        return "TIMESTAMP"
    if pa.types.is_list(t):
        return duckdb_type(t.value_type) + "[]"
    raise TypeError(f"no DuckDB type for {t}")


def create_table_sql(name: str, schema: pa.Schema, *, temp: bool = False, replace: bool = False) -> str:
    """DDL for one table derived from its Arrow schema."""
    cols = ", ".join(f'"{f.name}" {duckdb_type(f.type)}' for f in schema)
    head = "CREATE OR REPLACE" if replace else "CREATE"
    kind = "TEMP TABLE" if temp else "TABLE"
    exists = "" if replace else " IF NOT EXISTS"
    return f"{head} {kind}{exists} {name} ({cols})"
