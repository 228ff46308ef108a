"""The parts of a Twitter v1.1 status botwatch reads, and the profile columns they become, declared once.

Three readers take v1.1 statuses, and each is generated from these tables rather than written
out again:

- the typed decoder (`twitter_v1_fast`) gets its msgspec Structs from `STATUS` (`structs`);
- the dict reader (`twitter_v1.user_snapshot`) and the typed decoder map a user object to an
  account snapshot by `PROFILE` and `EXTRA`, each with its own reading of a leaf kind;
- the native reader (`native_v1`) gets its `read_json` columns, the leaves it checks for values
  of the wrong JSON type and its profile projection in SQL from the same tables.

Adding a profile field is one line in `USER` and one in `PROFILE` (plus the canonical column in
`schema`). What a post is made of (which status gives the text, retweet / quote / reply) is
control flow, not a field map, and stays in each reader, held together by the parity tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import Annotated, Any, Optional, Union

import msgspec

from botwatch.ingest.fields import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN

# Leaf kinds: how each reader takes a JSON value (see `native_v1._wrong_type` for the SQL side).
ID = "id"  # an id: digits as a string (a JSON integer becomes its digits on the dict path)
STR = "str"  # optional text, trimmed, NULL for ''/none/null/nan (`fields.opt_str`)
TEXT = "text"  # text that must be a string (post text, entity strings, the client)
TIME = "time"  # a v1.1 time
COUNT = "BIGINT"  # a count
INT = "INTEGER"  # a small integer (utc_offset)
FLAG = "BOOLEAN"  # true / false
# (only in `EXTRA`) whether an optional text is an http(s) address (`fields.web_address`): a profile
# `url` of "javascript:alert(3)" counted as "a website on the profile", which lowers the bot score.
WEB = "web address"

# Counts and small integers are typed with their column's range: a value outside it (a count of
# 2**64) fails decoding, so the lenient reader takes the record and stores NULL there
# (`fields.opt_int`), as the SQL reader does; typed as a plain int it reached the Arrow batch and
# failed the whole file.
_PY_TYPES: dict[str, object] = {
    ID: str, STR: str, TEXT: str, TIME: str, FLAG: bool,
    COUNT: Annotated[int, msgspec.Meta(ge=INT64_MIN, le=INT64_MAX)],
    INT: Annotated[int, msgspec.Meta(ge=INT32_MIN, le=INT32_MAX)],
}


@dataclass(frozen=True)
class Obj:
    """A JSON object of which botwatch reads the named fields.

    A field is a leaf kind, a nested `Obj`, or `[Obj]` (a list of objects). `name` names the
    generated Struct (one per object shape); `prefix` is what its leaves' flat SQL column names
    start with when it is nested (concatenated down the path). `sparse`: most statuses lack it,
    so the native reader checks its leaves only where it is there. `absent_told`: leaves whose
    absence means something other than a null (the typed decoder gives them `msgspec.UNSET` when
    absent, None when null)."""

    name: str
    fields: dict[str, Union[str, "Obj", list["Obj"]]]
    prefix: str = ""
    sparse: bool = False
    absent_told: frozenset[str] = frozenset()


USER = Obj(
    "User",
    {
        "id_str": ID, "screen_name": STR, "name": STR, "description": STR, "location": STR, "lang": STR, "created_at": TIME,
        "followers_count": COUNT, "friends_count": COUNT, "statuses_count": COUNT, "verified": FLAG, "default_profile": FLAG,
        "default_profile_image": FLAG, "time_zone": STR, "utc_offset": INT, "favourites_count": COUNT, "listed_count": COUNT,
        "url": STR,
    },
    # A user object with `"url": null` has no website on its profile; one without the field at all
    # (an archive that trimmed it) says nothing about one: `has_url` is then unknown, not "no
    # website", which the bot model read as leaning to bot (docs/model-card-bot.md, 2026-12-07).
    absent_told=frozenset({"url"}),
)
ENTITIES = Obj(
    "Entities",
    {
        "hashtags": [Obj("Hashtag", {"text": TEXT})],
        "user_mentions": [Obj("Mention", {"screen_name": TEXT})],
        "urls": [Obj("Url", {"url": TEXT, "expanded_url": TEXT})],
    },
)
EXTENDED = Obj("Extended", {"full_text": TEXT, "entities": ENTITIES}, prefix="x_")
_AUTHOR = Obj(USER.name, USER.fields, prefix="u_", absent_told=USER.absent_told)
STATUS = Obj(
    "Status",
    {
        "id_str": ID, "created_at": TIME, "text": TEXT, "full_text": TEXT, "extended_tweet": EXTENDED, "entities": ENTITIES,
        "user": _AUTHOR,
        # A retweet's text, entities and original author come from the retweeted status.
        "retweeted_status": Obj(
            "Retweeted", {"id_str": ID, "text": TEXT, "full_text": TEXT, "extended_tweet": EXTENDED, "entities": ENTITIES, "user": _AUTHOR},
            prefix="rt_", sparse=True,
        ),
        # A quote's own text and entities are the post's: only the quoted id and author are read.
        "quoted_status": Obj("Quoted", {"id_str": ID, "user": _AUTHOR}, prefix="qt_", sparse=True),
        "is_quote_status": FLAG, "quoted_status_id_str": ID, "in_reply_to_status_id_str": ID, "in_reply_to_user_id_str": ID,
        "in_reply_to_screen_name": STR, "lang": STR, "source": TEXT,
    },
)

# Account snapshot column ← user-object leaf, in snapshot order (`account_id` ← `id_str` and
# `platform` are the readers' own: the dict reader also takes a numeric `id`).
PROFILE: dict[str, str] = {
    "handle": "screen_name", "display_name": "name", "description": "description", "location": "location",
    "account_lang": "lang", "created_at": "created_at", "followers": "followers_count", "following": "friends_count",
    "posts_count": "statuses_count", "verified": "verified", "default_profile": "default_profile",
    "default_image": "default_profile_image", "time_zone": "time_zone", "utc_offset": "utc_offset",
}
# The profile facts the canonical columns lack but the bot model reads, as the snapshot's `extra`
# JSON: key ← (user leaf, kind), in the order the JSON text has them.
EXTRA: dict[str, tuple[str, str]] = {
    "likes_count": ("favourites_count", COUNT), "listed_count": ("listed_count", COUNT), "has_url": ("url", WEB),
}


def leaf_kind(obj: Obj, key: str) -> str:
    """The kind of a scalar leaf of `obj`."""
    kind = obj.fields[key]
    assert isinstance(kind, str), key
    return kind


def structs(obj: Obj, made: dict[str, type] | None = None) -> type:
    """msgspec Structs for `obj` and everything under it: every leaf optional, typed by its kind
    (so a value of another JSON type is refused and the record goes to the lenient reader),
    everything not named skipped while decoding."""
    made = {} if made is None else made
    if obj.name in made:
        return made[obj.name]
    fields: list[tuple[str, object, object]] = []
    for key, spec in obj.fields.items():
        if isinstance(spec, Obj):
            fields.append((key, Optional[structs(spec, made)], None))
        elif isinstance(spec, list):
            fields.append((key, list[structs(spec[0], made)], msgspec.field(default_factory=list)))  # type: ignore[valid-type]
        elif key in obj.absent_told:
            fields.append((key, Union[_PY_TYPES[spec], None, msgspec.UnsetType], msgspec.UNSET))
        else:
            fields.append((key, Optional[_PY_TYPES[spec]], None))
    made[obj.name] = msgspec.defstruct(f"_{obj.name}", fields, gc=False)
    return made[obj.name]


def scalar_leaves(obj: Obj = STATUS, path: str = "", prefix: str = "", owner: str = "") -> list[tuple[str, str, str, str]]:
    """Every scalar leaf under `obj` that is not inside a list: (SQL path, kind, flat name, owner),
    where the owner is the path of the sparse object the leaf sits in ('' for none)."""
    out = []
    for key, spec in obj.fields.items():
        sql_path = f'{path}."{key}"' if path else f'"{key}"'
        if isinstance(spec, Obj):
            out += scalar_leaves(spec, sql_path, prefix + spec.prefix, sql_path if spec.sparse and not owner else owner)
        elif isinstance(spec, str):
            out.append((sql_path, spec, prefix + key, owner))
    return out


def sql_type(spec: Union[str, Obj, list[Obj]]) -> str:
    """The DuckDB type `read_json` reads a field as: every scalar leaf as VARCHAR (checked and
    cast afterwards, since DuckDB's typed reading casts freely), objects as STRUCTs."""
    if isinstance(spec, Obj):
        return "STRUCT(" + ", ".join(f'"{k}" {sql_type(v)}' for k, v in spec.fields.items()) + ")"
    if isinstance(spec, list):
        return sql_type(spec[0]) + "[]"
    return "VARCHAR"


def snapshot_function(name: str, read: dict[str, str], account_id: str, env: dict[str, object]) -> Callable[..., dict[str, Any]]:
    """Compile `name(u, observed_at, platform="twitter")`: an account snapshot from user object
    `u` by `PROFILE` and `EXTRA`, the `extra` JSON written by `env["profile_extra"]`.

    `read[kind]` is a Python expression reading leaf `{leaf}` of `u` the way one reader takes
    that kind (`account_id`, the expression for the id). The function is one dict display,
    compiled once (as `dataclasses` builds `__init__`): a loop over the table instead costs
    the typed decoder about twice as much per snapshot, which runs for every post."""
    items = [f'"account_id": {account_id}', '"platform": platform']
    items += [f'"{col}": ' + read[leaf_kind(USER, leaf)].format(leaf=leaf) for col, leaf in PROFILE.items()]
    extra = ", ".join(read[kind].format(leaf=leaf) for leaf, kind in EXTRA.values())
    items += [f'"extra": profile_extra({extra})', '"observed_at": observed_at']
    scope = dict(env)
    exec(f"def {name}(u, observed_at, platform='twitter'):\n    return {{{', '.join(items)}}}\n", scope)  # noqa: S102 - built from the tables above
    return scope[name]  # type: ignore[return-value]
