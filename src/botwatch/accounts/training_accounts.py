"""Which of a study's accounts the shipped models were fitted on: their figures are not out-of-sample.

Why: the origin model's measured parts (`origin_behaviour_lr.json`, `origin_shifts.json`, the desk
rules) were fitted on the development part of the IRA handles and of the ordinary election archives
(brexit-2016, gop-debate-2015), and the bot model on the labelled sets (stclab, Gilani 2017,
botwiki-2019 + verified-2019) with its behaviour ratios (`bot_behaviour.json`) on the fit part of the
same ordinary and IRA accounts. A study of one of those archives scores, in part, the very accounts
the model learned from: there its probabilities look better than they would on new accounts, and
nothing said so. The accounts stage counts such accounts and records the counts in its `runs` entry
(`origin_training_accounts`, `bot_training_accounts`); the report's Methods section says
"N of the study's accounts were among the origin model's training accounts: their origin figures are
not out-of-sample". Per account, `account_training` says which: the `training_account` flags of the
account JSON (`accounts --json`, `explain --json`, `botwatch.account`) and a sentence of `explain`.

What is shipped: `data/training_accounts.tsv.gz`, one line per training account key (its account id,
its handle, and for an IRA handle the numeric ids the archive gives it), as the first `DIGITS` hex
digits of the MD5 of `SALT` + the lower-cased key, with the models it trained. No id or handle is
shipped in the clear; a key is not recoverable from a digest short of guessing it. Written by
`scripts/build_training_accounts.py` from the shared data and the same splits the fitting scripts
use, so the list is exactly the accounts those fits read (docs/model-card-origin.md).

How a study is matched: a Twitter account (platform `twitter` or `x`: X is Twitter renamed, its ids
and handles the same) whose lower-cased `account_id` or `handle` has a digest in
the list. An account of another platform by its `account_id` alone, and only where that id is
unique across platforms (`platform_unique`: a Mastodon profile URL, a Bluesky DID, as the readers
store them): a handle or a numeric id names different accounts on different platforms, so those are
never matched there. Only a user's model (`train-bot-model` on Mastodon or Bluesky labels) records
such ids; the shipped models were fitted on Twitter accounts alone. MD5 because DuckDB and Spark compute it the same way (the coordination null uses it for the
same reason); the match is one join in the engine, so no table as long as the accounts reaches this
process on a lake. With 16 hex digits (64 bits) and ~40,000 digests, a study of ten million accounts
would match a non-training account by chance with probability about 2e-8.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import pyarrow as pa

from botwatch.platform_names import TWITTER_PLATFORMS

FILE = "training_accounts.tsv.gz"
SALT = "botwatch-training-accounts-v1|"
DIGITS = 16
MODELS = ("origin", "bot")
RUN_KEYS = {"origin": "origin_training_accounts", "bot": "bot_training_accounts"}  # in the accounts stage's `runs.params`
VIEW = "_botwatch_training_digests"
ODD_VIEW = "_botwatch_training_odd_keys"  # keys the engine cannot digest as `key_digest` does (`count_training_accounts`)


def key_digest(key: str) -> str:
    """The shipped digest of an account key (an id or a handle; case and surrounding space ignored)."""
    return hashlib.md5((SALT + key.strip().lower()).encode("utf-8")).hexdigest()[:DIGITS]


@lru_cache(maxsize=1)
def shipped_digests() -> pa.Table:
    """The shipped list as a table (digest, origin, bot); empty when the file is missing (a source
    checkout without it), so scoring never fails for want of it."""
    path = resources.files("botwatch.accounts") / "data" / FILE
    digests: list[str] = []
    origin: list[bool] = []
    bot: list[bool] = []
    try:
        raw = gzip.decompress(path.read_bytes()).decode("ascii")
    except (FileNotFoundError, OSError):
        raw = ""
    for line in raw.splitlines():
        if not line or line.startswith("#"):
            continue
        d, models = line.split("\t")
        digests.append(d)
        got = set(models.split(","))
        origin.append("origin" in got)
        bot.append("bot" in got)
    return pa.table({"digest": pa.array(digests, pa.string()), "origin": pa.array(origin, pa.bool_()), "bot": pa.array(bot, pa.bool_())})


@lru_cache(maxsize=1)
def _models_by_digest() -> dict[str, tuple[bool, bool]]:
    """digest -> (origin, bot) of the shipped list, for looking up one account at a time."""
    t = shipped_digests().to_pydict()
    return {d: (o, b) for d, o, b in zip(t["digest"], t["origin"], t["bot"])}


def study_bot_training_meta(study: Any) -> Mapping[str, Any] | None:
    """The meta of the user's bot model that scored `study` (whose own training list decides the
    per-account bot flag), {} when the training accounts of the model that scored it are unknown
    (a user's file botwatch cannot find, or a study that does not record its model), or None for
    the shipped model (the shipped list decides)."""
    return study_bot_training(study).meta


def study_bot_training_model(study: Any) -> tuple[Mapping[str, Any] | None, str | None]:
    """`study_bot_training_meta` and the file of the user's model it read (None for the shipped
    model, or a user's file not found), which `explain` names in its sentence."""
    got = study_bot_training(study)
    return got.meta, got.file


# Why the per-account bot flag is unknown (`BotTraining.unknown_why`), by who scored the study
# (`model_used.bot_model_used(...).kind`). Two different causes and two different remedies: a
# user's model file to point BOTWATCH_BOT_MODEL at again, or a study to analyse again.
UNKNOWN_WHY = {
    "missing": "the file of your bot model that scored the study is not at hand as it was (moved, deleted or retrained since), "
               "so its training accounts cannot be read (set BOTWATCH_BOT_MODEL to that file)",
    "own": "your bot model's file does not record which accounts it was trained on",
    "unrecorded": "the study does not record which bot model scored it (`botwatch analyze` again records it)",
    "earlier": "the study was scored by the shipped bot model of an earlier botwatch release, whose training accounts this "
               "release does not list (`botwatch analyze` again scores it with this release's model)",
}


class BotTraining(NamedTuple):
    """Which training list decides an account's bot flag in a study (`study_bot_training`)."""

    meta: Mapping[str, Any] | None  # a user's model's meta, {} (unknown) or None (the shipped list)
    file: str | None  # the user's model file read, named in `explain`'s sentence
    unknown_why: str | None  # `UNKNOWN_WHY`'s words where the flag is unknown, else None


def study_bot_training(study: Any) -> BotTraining:
    """The bot model whose training list decides each account's `training_account` flag.

    Why "unrecorded" is unknown, not the shipped list: a study scored before the accounts stage
    recorded its model's SHA-256 may have been scored by an earlier shipped model or by a user's
    own, so the current shipped list said true or false of accounts it may not describe, while
    `model_platform_seen` (`model_used.bot_model_scored_by`) said null of the same study. A `runs`
    that cannot be read records no model either, as `bot_model_scored_by` reads it."""
    from botwatch.model_used import bot_model_recorded

    used = bot_model_recorded(study)
    if used is None:  # `runs` unreadable: as `bot_model_scored_by` reads it, unknown, not a guess
        return BotTraining({}, None, UNKNOWN_WHY["unrecorded"])
    if used.kind == "shipped":
        return BotTraining(None, None, None)
    if used.kind == "own":
        return BotTraining(used.meta, used.file, UNKNOWN_WHY["own"] if own_model_digests(used.meta) is None else None)
    if used.earlier_release:
        return BotTraining({}, None, UNKNOWN_WHY["earlier"])
    return BotTraining({}, None, UNKNOWN_WHY["missing" if used.kind == "missing" else "unrecorded"])


def platform_unique(account_id: Any) -> bool:
    """Whether an account id names one account whatever the platform: a Bluesky DID (`did:...`) or
    a profile URL (Mastodon's `account_id`). A numeric id ("5") or a handle does not."""
    if not isinstance(account_id, str):
        return False
    v = account_id.strip().lower()
    return v.startswith(("did:", "http://", "https://")) and len(v) > len("https://")


def _match_keys(platform: Any, account_id: Any, handle: Any) -> list[str]:
    """The digests an account is matched by: a Twitter account's id and handle, another
    platform's account id only where it is platform-unique."""
    if platform in TWITTER_PLATFORMS:
        return [key_digest(k) for k in (account_id, handle) if isinstance(k, str) and k]
    return [key_digest(account_id)] if platform_unique(account_id) else []


def account_training(platform: Any, account_id: Any, handle: Any,
                     own_bot_model: Mapping[str, Any] | None = None) -> dict[str, bool | None]:
    """{"origin": ..., "bot": ...}: whether this one account was among each shipped model's training
    accounts, matched as `count_training_accounts` matches (a Twitter account's id or handle, another
    platform's DID or profile URL). The
    study-wide count said how many; `explain` and the account JSON now say which, so a reader of one
    account's score knows it is not a held-out estimate. None for both when the list is not shipped
    (a source checkout without it): unknown, not "no". `own_bot_model` (`study_bot_training_meta`):
    the bot flag follows the user's model that scored the study, from the list its file records."""
    return training_flags(own_bot_model)(platform, account_id, handle)


_last_own: tuple[Any, Any, set[str] | None] = (None, None, None)  # the user's model meta last asked about, its record, its digests


def _own_set(meta: Mapping[str, Any]) -> set[str] | None:
    """`own_model_digests` of `meta` as a set, kept for the meta last asked about: `account_json`
    and `evaluate` ask `account_training` one account at a time with the same meta, and rebuilding
    the set of a model's tens of thousands of digests each time made `accounts --json --top 100000`
    of a study a user's model scored take minutes per thousand accounts."""
    global _last_own
    last, record, digests = _last_own  # one read: another thread may replace it meanwhile
    if last is meta and meta.get(TRAINING_KEY) is record:  # the same meta, its record not replaced since
        return digests
    own = own_model_digests(meta)
    digests = set(own) if own is not None else None
    _last_own = (meta, meta.get(TRAINING_KEY), digests)
    return digests


def training_flags(own_bot_model: Mapping[str, Any] | None = None) -> Callable[[Any, Any, Any], dict[str, bool | None]]:
    """`account_training` for many accounts: the lists are read once, and the returned function
    takes (platform, account_id, handle) of each (`training_marks` marks a whole column of accounts at once)."""
    table = _models_by_digest()
    own_set = _own_set(own_bot_model) if own_bot_model is not None else None

    def flags(platform: Any, account_id: Any, handle: Any) -> dict[str, bool | None]:
        found: dict[str, bool | None] = {m: None for m in MODELS}
        keys = _match_keys(platform, account_id, handle)
        if table:
            found = {"origin": any(table.get(k, (False, False))[0] for k in keys),
                     "bot": any(table.get(k, (False, False))[1] for k in keys)}
        if own_bot_model is not None:  # a user's model scored the study: its own list, or unknown
            found["bot"] = None if own_set is None else any(k in own_set for k in keys)
        return found

    return flags


def training_marks(platforms: Sequence[Any], account_ids: Sequence[Any], handles: Sequence[Any],
                   own_bot_model: Mapping[str, Any] | None = None) -> tuple[list[bool | None], list[bool | None]]:
    """`training_flags` of many accounts at once, given as columns (the platform, account id and
    handle of each): the origin flags and the bot flags, in the accounts' order, None where unknown
    as there. The report's explorer marks up to 200,000 accounts, one MD5 per key in Python.

    The keys are chosen as `_match_keys` chooses them and digested in one vectorised pass (DuckDB's
    `md5` over Arrow columns, in a connection of its own, so a lake study is marked the same); only
    the rows whose digest is listed come back. A key whose `strip().lower()` DuckDB's `lower` might
    not reproduce (not ASCII, or a space or control character at an end) is digested by
    `key_digest` instead, so every flag is the one `account_training` gives."""
    table = _models_by_digest()
    own = own_model_digests(own_bot_model) if own_bot_model is not None else None
    own_set = set(own) if own is not None else None
    n = len(platforms)
    origin: list[bool | None] = [False if table else None] * n
    bot: list[bool | None] = [False if table else None] * n
    if own_bot_model is not None:  # a user's model scored the study: its own list, or unknown
        bot = [False if own_set is not None else None] * n
    known = set(table) | (own_set or set())
    if not n or not known:
        return origin, bot
    try:
        accounts = pa.table({"i": pa.array(range(n), pa.int64()), "p": pa.array(platforms, pa.string()),
                             "a": pa.array(account_ids, pa.string()), "h": pa.array(handles, pa.string())})
    except (pa.ArrowException, TypeError):  # not all text: each account as `account_training` reads it
        hits: list[tuple[int, str | None]] = [(i, None) for i in range(n)]
    else:
        hits = _digest_hits(accounts, known)
    for i, d in hits:
        for digest in ([d] if d is not None else _match_keys(platforms[i], account_ids[i], handles[i])):
            hit = table.get(digest)
            if hit is not None:
                origin[i] = origin[i] or hit[0]
                if own_bot_model is None:
                    bot[i] = bot[i] or hit[1]
            if own_set is not None and digest in own_set:
                bot[i] = True
    return origin, bot


def _digest_hits(accounts: pa.Table, known: set[str]) -> list[tuple[int, str | None]]:
    """(row, digest) of each key of `accounts` (i, p, a, h) whose digest is in `known`, and (row,
    None) for each row with a key left to `key_digest` (`training_marks`)."""
    import duckdb

    twitter = ", ".join(f"'{p}'" for p in TWITTER_PLATFORMS)
    # On ASCII text with no space or control character at either end, Python's strip() changes
    # nothing and its lower() is DuckDB's.
    plain = "(strlen(k) = length(k) AND ord(left(k, 1)) > 32 AND ord(right(k, 1)) > 32)"
    unique = "(length(k) > 8 AND (lower(k) LIKE 'did:%' OR lower(k) LIKE 'http://%' OR lower(k) LIKE 'https://%'))"  # `platform_unique`
    keys = (f"SELECT i, a AS k, TRUE AS tw FROM t WHERE p IN ({twitter}) AND a <> '' "
            f"UNION ALL SELECT i, h, TRUE FROM t WHERE p IN ({twitter}) AND h <> '' "
            f"UNION ALL SELECT i, a, FALSE FROM t WHERE (p IS NULL OR p NOT IN ({twitter})) AND a IS NOT NULL")
    con = duckdb.connect()
    try:
        con.register("t", accounts)
        con.register("known", pa.table({"d": pa.array(list(known), pa.string())}))
        return con.sql(
            f"SELECT i, d FROM (SELECT i, substr(md5(concat('{SALT}', lower(k))), 1, {DIGITS}) AS d FROM ({keys}) "
            f"WHERE {plain} AND (tw OR {unique})) x SEMI JOIN known USING (d) "
            f"UNION ALL SELECT DISTINCT i, NULL FROM ({keys}) WHERE NOT {plain}"
        ).fetchall()
    finally:
        con.close()


def account_sentences(flags: dict[str, bool | None], own_bot_file: str | None = None,
                      unknown_why: str | None = None) -> list[str]:
    """The sentences `botwatch explain` prints for an account a model was fitted on. `own_bot_file`:
    the user's bot model that scored the study (`study_bot_training_model`), named instead of the
    shipped model's card, which does not describe it nor list its training accounts. `unknown_why`
    (`BotTraining.unknown_why`): where the bot flag is unknown, a sentence saying so and why, as
    the account JSON's null says it, so silence is not read as "held out"."""
    out = []
    if flags.get("bot") is None and unknown_why:
        out.append(f"Whether this account was among the bot model's training accounts is unknown: {unknown_why}.")
    for model, what in (("bot", "bot probability"), ("origin", "origin probabilities")):
        if flags.get(model):
            whose, card = ((f"your bot model's ({own_bot_file})", "") if model == "bot" and own_bot_file
                           else (f"the {model} model's", f" (docs/model-card-{model}.md)"))
            out.append(f"This account was among {whose} training accounts: its {what} "
                       f"{'is' if model == 'bot' else 'are'} not a held-out estimate{card}.")
    return out


def count_training_accounts(study: Any, own_bot_model: Mapping[str, Any] | None = None) -> dict[str, int]:
    """How many of the study's accounts are among each model's training accounts and have that
    model's probability (`_scored_join`), as the accounts stage records them (`RUN_KEYS`); {} when
    the study has no accounts table. One query in the engine: each Twitter account's id and handle,
    and each other account's platform-unique id, digested, joined to the digests (and a second,
    with their digests, where some keys need Python's digest).

    `own_bot_model`: the meta of the user's bot model that scored the study (None: the shipped one
    did). The bot count is then of the accounts that model was trained on, as its file records them
    (`own_model_digests`), and left out when it records none: unknown, not the shipped model's
    count, which said "2,661 were among the bot model's training accounts" of a study the user's
    model had never seen."""
    if "accounts" not in study.tables():
        return {}
    scored = _scored_join(study)
    table = shipped_digests()
    own = own_model_digests(own_bot_model) if own_bot_model is not None else None
    if own_bot_model is not None:
        table = _with_own_bot(table, own or [])
    if table.num_rows == 0:
        return {RUN_KEYS[m]: 0 for m in MODELS if not (m == "bot" and own_bot_model is not None and own is None)}
    twitter = ", ".join(f"'{p}'" for p in TWITTER_PLATFORMS)  # X is Twitter renamed: the same ids and handles
    # Each account's keys as `_match_keys` chooses them: a Twitter account's id and handle, another
    # platform's account id where it is platform-unique (`platform_unique`).
    keys = (f"SELECT a.platform AS p, a.account_id AS i, a.account_id AS k, TRUE AS tw FROM accounts a WHERE a.platform IN ({twitter}) AND a.account_id <> '' "
            f"UNION ALL SELECT a.platform, a.account_id, a.handle, TRUE FROM accounts a WHERE a.platform IN ({twitter}) AND a.handle <> '' "
            f"UNION ALL SELECT a.platform, a.account_id, a.account_id, FALSE FROM accounts a "
            f"WHERE (a.platform IS NULL OR a.platform NOT IN ({twitter})) AND a.account_id IS NOT NULL")
    # The engine digests only keys it reads as `key_digest` does: ASCII with no space or control
    # character at either end, where `strip()` changes nothing and `lower()` is Python's. Any other
    # key (" someone ", "ÄBC", "İSTANBUL") is digested by `key_digest` here, as the per-account flags
    # (`training_flags`, `training_marks`) digest it: the engine's lower() and no strip counted
    # fewer training accounts than the flags marked, in the report's headline beside those flags.
    plain = "regexp_matches(k, '^[!-~]([ -~]*[!-~])?$')"
    unique = "(length(k) > 8 AND (lower(k) LIKE 'did:%' OR lower(k) LIKE 'http://%' OR lower(k) LIKE 'https://%'))"
    digested = (f"SELECT p AS platform, i AS account_id, substr(md5(concat('{SALT}', lower(k))), 1, {DIGITS}) AS digest "
                f"FROM ({keys}) WHERE {plain} AND (tw OR {unique})")
    join, has_origin, has_bot = scored
    with study.temp_view(VIEW, table):
        # The count over the keys the engine digests, and beside it the keys it cannot: one
        # statement, which is the answer where there are none of those (the usual study). Asked
        # apart, the key union was built twice: a Spark job more on a lake, every time.
        got = study.sql(f"SELECT CAST(NULL AS VARCHAR) AS p, CAST(NULL AS VARCHAR) AS i, CAST(NULL AS VARCHAR) AS k, CAST(NULL AS BOOLEAN) AS tw, "
                        f"sum(o) AS o, sum(b) AS b FROM ({_per_account(digested, join, has_origin, has_bot)}) "
                        f"UNION ALL SELECT p, i, k, tw, NULL, NULL FROM ({keys}) WHERE NOT {plain}")
        # The count's row is the one without a key (`tw` is TRUE or FALSE in every key's row).
        row = next(r[4:] for r in got if r[3] is None)
        odd = [(p, i, key_digest(k)) for p, i, k, tw, _, _ in got if tw is not None and isinstance(k, str) and (tw or platform_unique(k))]
        if odd:
            odd_table = pa.table({"platform": pa.array([o[0] for o in odd], pa.string()), "account_id": pa.array([o[1] for o in odd], pa.string()),
                                  "digest": pa.array([o[2] for o in odd], pa.string())})
            with study.temp_view(ODD_VIEW, odd_table):
                row = study.sql(f"SELECT sum(o), sum(b) FROM ({_per_account(f'{digested} UNION ALL SELECT platform, account_id, digest FROM {ODD_VIEW}', join, has_origin, has_bot)})")[0]
    counts = {RUN_KEYS["origin"]: int(row[0] or 0), RUN_KEYS["bot"]: int(row[1] or 0)}
    if own_bot_model is not None and own is None:
        del counts[RUN_KEYS["bot"]]
    return counts


def _per_account(digested: str, join: str, has_origin: str, has_bot: str) -> str:
    """One row per account of the `digested` keys (platform, account_id, digest) matched in the
    digests (`VIEW`): whether it is among each model's training accounts and has that model's
    probability (`_scored_join`). Per account as the accounts table keys it, (platform,
    account_id): counted by id alone, a `twitter` "42" and an `x` "42" (both flagged, both in "of
    the study's N accounts") were one."""
    return (f"SELECT max(CASE WHEN t.origin AND {has_origin} THEN 1 ELSE 0 END) AS o, "
            f"max(CASE WHEN t.bot AND {has_bot} THEN 1 ELSE 0 END) AS b "
            f"FROM ({digested}) k JOIN {VIEW} t ON k.digest = t.digest{join} GROUP BY k.platform, k.account_id")


def _scored_join(study: Any) -> tuple[str, str, str]:
    """The join to `account_scores` and the condition per model that an account has that model's
    probability, so only the training accounts a model scored are counted: an IRA CSV gives no
    profile facts, no account gets a bot probability, and analyze and the report said "623 of the
    study's accounts were among the bot model's training accounts: their automation figures are not
    out-of-sample" of figures that did not exist. Before any scoring (no `account_scores`), every
    matched account counts."""
    if "account_scores" not in study.tables():
        return "", "TRUE", "TRUE"
    have = set(study.columns("account_scores"))
    cond = {c: f"s.{c} IS NOT NULL" if c in have else "FALSE" for c in ("origin_probability", "bot_probability")}
    return (" LEFT JOIN account_scores s ON s.platform = k.platform AND s.account_id = k.account_id",
            cond["origin_probability"], cond["bot_probability"])


def recorded_counts(study: Any) -> dict[str, int]:
    """The counts the latest successful accounts run recorded ({} when none did: a study scored
    before they were recorded, or never scored)."""
    from botwatch.runs_table import latest_of_stage

    run = latest_of_stage(study, "accounts")
    params = run.params if run is not None else None
    if params is None:
        return {}
    counts = {k: v for k in RUN_KEYS.values() if isinstance(v := params.get(k), int) and not isinstance(v, bool)}
    # A run before the counts were of scored accounts alone (`_scored_join`) recorded every match:
    # where no account has a model's probability, none of its figures can be in-sample.
    if any(counts.values()) and "account_scores" in study.tables():
        have = set(study.columns("account_scores"))
        for model, col in (("origin", "origin_probability"), ("bot", "bot_probability")):
            key = RUN_KEYS[model]
            if counts.get(key) and (col not in have or not study.sql(f"SELECT count({col}) FROM account_scores")[0][0]):
                counts[key] = 0
    return counts


def sentences(counts: dict[str, int], own_bot: bool = False) -> dict[str, str]:
    """The Methods line per model ("origin", "bot") with at least one training account in the study;
    `own_bot`: the bot model was the user's own, which the shipped model card does not describe."""
    out = {}
    for model, what in (("origin", "origin"), ("bot", "automation")):
        n = counts.get(RUN_KEYS[model], 0)
        if n:
            who = "accounts was" if n == 1 else "accounts were"  # "1 of the study's accounts was"
            whose, card = ("your bot model's", "") if model == "bot" and own_bot else (f"the {model} model's", f" (docs/model-card-{model}.md)")
            out[model] = (f"{n:,} of the study's {who} among {whose} training accounts: "
                          f"{'its' if n == 1 else 'their'} {what} figures are not out-of-sample{card}.")
    return out


# Methods' line on a user's bot model whose training accounts are unknown (its file records no list,
# so the accounts stage records no bot count): Methods said nothing at all of its training accounts,
# which read as "none of them is in this study".
UNKNOWN_OWN_BOT = ("Your bot model's file does not record which accounts it was trained on, so whether any of the study's "
                   "scored accounts were among them is unknown: some of its automation figures may not be out-of-sample.")


def methods_sentences(counts: dict[str, int], own_bot: bool = False) -> dict[str, str]:
    """`sentences`, and for a user's bot model with no recorded bot count (its training accounts
    unknown) `UNKNOWN_OWN_BOT` as the bot line."""
    out = sentences(counts, own_bot)
    if own_bot and RUN_KEYS["bot"] not in counts:
        out["bot"] = UNKNOWN_OWN_BOT
    return out


# A user's bot model (`botwatch train-bot-model`) records its training accounts in its file's meta
# under this key, as the shipped list holds them (`key_digest` of each account's id and handle):
# {"salt", "digits", "digests", "accounts": how many had an id or handle, "of": how many trained}.
TRAINING_KEY = "training_accounts"


def training_record(ids: Iterable[Any] | None, handles: Iterable[Any] | None,
                    unique_ids: Iterable[Any] | None = None) -> dict[str, Any]:
    """What a user's model file records of its training accounts (`TRAINING_KEY`): digests only, as
    shipped, so the file does not carry the user's labelled ids in the clear. `unique_ids`: each
    row's platform-unique id (a Mastodon profile URL, a Bluesky DID) where its id column is another
    (Mastodon's numeric `id`), so a study of that platform can match the account (`platform_unique`)."""
    id_list = list(ids) if ids is not None else []
    handle_list = list(handles) if handles is not None else []
    unique_list = list(unique_ids) if unique_ids is not None else []
    n = max(len(id_list), len(handle_list), len(unique_list))
    rows = list(zip(id_list or [None] * n, handle_list or [None] * n, unique_list or [None] * n))
    digests: set[str] = set()
    keyed = 0
    for keys in rows:
        got = [key_digest(k) for k in keys if isinstance(k, str) and k.strip()]
        digests.update(got)
        keyed += bool(got)
    return {"salt": SALT, "digits": DIGITS, "digests": sorted(digests), "accounts": keyed, "of": len(rows)}


def own_model_digests(meta: Mapping[str, Any]) -> list[str] | None:
    """The training-account digests a user's model file records, or None when it records none (a
    file written before they were recorded, or labels with no id or handle column): then botwatch
    does not know which accounts that model was trained on."""
    rec = meta.get(TRAINING_KEY)
    if not isinstance(rec, dict) or rec.get("salt") != SALT or rec.get("digits") != DIGITS or not rec.get("accounts"):
        return None
    digests = rec.get("digests")
    return [d for d in digests if isinstance(d, str)] if isinstance(digests, list) else None


def _with_own_bot(table: pa.Table, own: list[str]) -> pa.Table:
    """The shipped list with its bot flags cleared (the shipped bot model did not score the study)
    and the user's model's digests added as its bot training accounts."""
    shipped = table.set_column(table.schema.get_field_index("bot"), "bot", pa.array([False] * table.num_rows, pa.bool_()))
    mine = pa.table({"digest": pa.array(own, pa.string()), "origin": pa.array([False] * len(own), pa.bool_()),
                     "bot": pa.array([True] * len(own), pa.bool_())})
    return pa.concat_tables([shipped, mine])
