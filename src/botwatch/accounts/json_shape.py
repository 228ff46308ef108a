"""The stable per-account JSON that `botwatch accounts --json` and `botwatch explain --json`
print (documented in docs/model-card-bot.md, "Machine-readable output"). Keys never disappear:
a value the study does not have is null. Version `SHAPE` changes only when a key is removed or
changes meaning; new keys may be added.

    {"shape": "botwatch-account/1", "platform", "account_id", "handle", "n_posts",
     "bot": {"probability", "low", "high", "likely_automated", "out_of_distribution",
             "out_of_distribution_reason", "kinds": {"self_declared", "automation_described",
             "amplifier"}, "evidence": [sentence, ...], "profile_probability",
             "behaviour_likelihood_ratio", "training_account", "model_platform_seen"},
     "origin": {"country", "probability", "probabilities": {ISO: p}, "evidence": [sentence, ...],
                "home_country", "outside_home_probability", "foreign", "foreign_rests_on_prior",
                "foreign_only_through_study_prior", "low", "high", "training_account", "study_prior_lead", "model_platform_seen"},
     "signals": [sentence, ...]}

No account answering to the name: `{"shape": "botwatch-no-account/1", "error", "asked",
"close_handles": [handle, ...]}` (`no_account_json`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from botwatch.accounts.prior_lead import study_prior_lead
from botwatch.origin_few_posts import few_posts_json

SHAPE = "botwatch-account/1"
# accounts_scored columns the shape reads; older studies may lack the issue-12 ones (then null).
COLUMNS = [
    "platform", "account_id", "handle", "n_posts", "bot_probability", "bot_probability_low", "bot_probability_high",
    "likely_automated", "bot_ood", "bot_ood_reason", "bot_kinds", "bot_evidence", "origin_country", "origin_probability",
    "origin_probabilities", "origin_evidence", "signals", "bot_profile_probability", "bot_behaviour_lr",
    "origin_probability_low", "origin_probability_high",  # no stage stores these yet: null until one does
]
KINDS = ("self_declared", "automation_described", "amplifier")


def select_list(available: set[str]) -> str:
    """SELECT list over accounts_scored giving `COLUMNS` in order, NULL for any it lacks."""
    return ", ".join(c if c in available else f"NULL AS {c}" for c in COLUMNS)


def _json(v: Any, default: Any) -> Any:
    if not isinstance(v, str) or not v:
        return default
    try:
        return json.loads(v)
    except ValueError:
        return default


# `user@instance.domain`, as a Mastodon account is written across instances (no scheme, no path).
FEDIVERSE = re.compile(r"([^@/\s]+)@([^@/\s]+\.[^@/\s]+)")


def account_match(key: str, platform: str | None = None) -> tuple[str, list[str]]:
    """The WHERE clause (over `accounts_scored`) and its parameters for the accounts answering to
    `key`, a handle (any case, without its @) or an account id, on `platform` alone when given. A
    Mastodon account's handle is its `acct`, which its own instance writes without the domain: an
    account of mastodon.social collected there is "alice", and "@alice@mastodon.social", as it is
    written everywhere else, found no account. Such a key also matches the local handle of the
    account whose id (its profile URL, or `acct:alice@a.social`) is on that instance. `platform`: two platforms may hold
    the same account id (one CSV ingested as twitter and as bluesky), and without it only the one
    with most posts could be reached."""
    where, params = "lower(handle) = lower(?) OR account_id = ?", [key, key]
    m = FEDIVERSE.fullmatch(key)
    if m:
        # ... or whose id is `acct:alice@a.social`: a local alice keyed so, apart from a profile
        # URL off its instance (`ingest.other_platforms.account_key`), was not found by that name.
        where += " OR (platform = 'mastodon' AND lower(handle) = lower(?) AND lower(account_id) IN (lower(?), lower(?)))"
        params += [m[1], f"https://{m[2]}/@{m[1]}", f"acct:{m[1]}@{m[2]}"]
    if platform is not None:
        return f"platform = ? AND ({where})", [platform, *params]
    return where, params


def shown_handle(platform: Any, handle: Any, account_id: Any) -> str | None:
    """An account's handle as a listing shows it, without its @: a Mastodon handle of the instance
    it was collected on ("alice", its `acct`) with the instance its profile URL names
    ("alice@a.social"), the name `account_match` finds it by. Two instances' local alices, in a
    study of captures from both, were two rows of "@alice"."""
    if platform == "mastodon" and isinstance(handle, str) and handle and "@" not in handle and isinstance(account_id, str):
        m = re.fullmatch(r"https://([^@/\s]+\.[^@/\s]+)/@([^@/\s]+)", account_id)
        if m and m[2].lower() == handle.lower():
            return f"{handle}@{m[1]}"
    return handle if handle else None


def shown_handle_sql(platform: str, handle: str, account_id: str) -> str:
    """`shown_handle` as a SQL expression over the three given column expressions, for DuckDB and
    Spark SQL alike (no backslash: Spark's string literals read it as an escape); NULL where the
    handle is NULL."""
    host = f"regexp_extract({account_id}, '^https://([^@/ ]+[.][^@/ ]+)/@[^@/ ]+$', 1)"
    return (f"CASE WHEN {platform} = 'mastodon' AND instr({handle}, '@') = 0 AND {host} <> '' "
            f"AND lower({account_id}) = lower('https://' || {host} || '/@' || {handle}) THEN {handle} || '@' || {host} "
            f"ELSE {handle} END")


def mastodon_namesakes(study: Any, key: str, platform: str | None = None) -> list[tuple[str, str]]:
    """(handle, account_id) of the Mastodon accounts `key` (a handle without its @) may name but
    does not match: for a bare "alice", each "alice@instance" of another instance; for
    "alice@a.social", a local "alice" whose id (no profile URL) names no instance. `explain @alice`
    showed a study's local alice (or said "no account") with no word of alice@b.social beside it.
    None when another `platform` than Mastodon was asked for."""
    if platform not in (None, "mastodon"):
        return []
    m = FEDIVERSE.fullmatch(key)
    if m:
        cond, params = "lower(handle) = lower(?) AND account_id NOT LIKE 'http%'", [m[1]]
    elif "@" in key or "/" in key or not key:
        return []
    else:
        cond, params = "substr(lower(handle), 1, ?) = lower(?)", [len(key) + 1, key + "@"]
    where, wparams = account_match(key)
    rows = study.sql(f"SELECT handle, account_id FROM accounts_scored WHERE platform = 'mastodon' AND {cond} AND NOT ({where}) "
                     "ORDER BY n_posts DESC NULLS LAST, account_id", [*params, *wparams])
    return [(h, a) for h, a in rows]


def find_account(study: Any, key: str, platform: str | None = None) -> tuple[Any, ...] | None:
    """The `accounts_scored` row (in `COLUMNS` order) of `@handle` (any case, the @ optional) or
    account id `key`, on `platform` alone when given; the one with most posts when a handle is
    shared across platforms; None when there is none. What `botwatch explain --json` and
    `botwatch.api.account` look up."""
    key = key.removeprefix("@")  # one @ is the optional prefix: a hostile handle `@at` is asked for as `@@at`
    where, params = account_match(key, platform)
    found = study.sql(
        f"SELECT {select_list(set(study.columns('accounts_scored')))} FROM accounts_scored WHERE {where} "
        "ORDER BY n_posts DESC NULLS LAST, account_id LIMIT 1",
        params,
    )
    return tuple(found[0]) if found else None


# How many of the study's handles `close_handles` compares (those of the most posts first): a
# study of millions of accounts is not read whole to answer a typo.
CLOSE_HANDLES_READ = 20_000


def close_handles(study: Any, key: str, at_most: int = 3) -> list[str]:
    """Up to `at_most` of the study's handles close to `key` (`difflib`, case ignored), read from
    handles within two characters of its length: what `explain`'s "did you mean", the `--json`
    error object (`no_account_json`) and `botwatch.api.account`'s `NoSuchAccount` offer, as stored
    (the caller escapes them for a terminal)."""
    import difflib  # here, not at the top: the command modules' imports are kept to what start-up needs

    rows = study.sql("SELECT handle FROM accounts_scored WHERE handle IS NOT NULL AND length(handle) BETWEEN ? AND ? "
                     "ORDER BY n_posts DESC NULLS LAST, handle LIMIT ?", [len(key) - 2, len(key) + 2, CLOSE_HANDLES_READ])
    by_lower: dict[str, str] = {}
    for (h,) in rows:
        by_lower.setdefault(str(h).lower(), str(h))
    return [by_lower[h] for h in difflib.get_close_matches(key.lower(), list(by_lower), n=at_most, cutoff=0.75)]


NO_ACCOUNT_SHAPE = "botwatch-no-account/1"


def no_account_json(asked: str, close: list[str]) -> dict[str, Any]:
    """The object `explain --json` prints on stdout when no account answers to `asked` (exit 2,
    the error line on stderr as without --json): a script reading stdout got nothing to parse,
    and the close handles the error line offers only as text. `close_handles`: as stored, raw
    (the JSON writer escapes them); empty when none is close. Keys never disappear."""
    return {"shape": NO_ACCOUNT_SHAPE, "error": "no account", "asked": asked, "close_handles": list(close)}


def other_matches(study: Any, key: str, platform: str, account_id: str, asked_platform: str | None = None) -> list[tuple[str, str]]:
    """(platform, account_id) of the accounts besides (`platform`, `account_id`) that `key` (a
    handle without its @, or an account id) matches as `find_account` does (on `asked_platform`
    alone when given), most posts first: a handle renamed and taken by another account, or on two
    platforms."""
    where, params = account_match(key, asked_platform)
    rows = study.sql(f"SELECT platform, account_id FROM accounts_scored WHERE ({where}) AND NOT (platform = ? AND account_id = ?) "
                     "ORDER BY n_posts DESC NULLS LAST, account_id", [*params, platform, account_id])
    return [(p, a) for p, a in rows]


# Above this many accounts asked for, `unscored_posts` counts the whole study's unscored accounts
# in one pass instead of naming each account in the query.
UNSCORED_KEYS_NAMED = 10_000


def unscored_posts(study: Any, keys: "list[tuple[str, str]] | None" = None) -> dict[tuple[str, str], int] | None:
    """Posts of each account the accounts stage has not scored (in `accounts_scored`, whose score
    columns are joined, with no `account_scores` row: `n_signals`, set for every scored account,
    is NULL), by (platform, account_id); None when the view cannot tell. Such an account was
    ingested after the stage last ran: `explain` said "0 posts in the study" and `--json`
    "n_posts": 0 for an account with posts, beside "unknown" with no reason. `keys`: only those
    (platform, account_id) are counted (`explain` of one account counted every unscored account's
    posts in the study, 0.3 s on 50,000 accounts); None: all."""
    if "n_signals" not in study.columns("accounts_scored") or "posts" not in study.tables():
        return None
    ids = sorted({a for _p, a in keys}) if keys is not None else []
    if keys is not None and not ids:
        return {}
    named = keys is not None and len(ids) <= UNSCORED_KEYS_NAMED
    where = f" AND a.account_id IN ({', '.join('?' for _ in ids)})" if named else ""
    rows = study.sql("SELECT a.platform, a.account_id, count(p.account_id) FROM accounts_scored a LEFT JOIN posts p ON a.platform = p.platform "
                     f"AND a.account_id = p.account_id WHERE a.n_signals IS NULL{where} GROUP BY a.platform, a.account_id", ids if named else [])
    wanted = None if keys is None else set(keys)
    return {(pl, a): int(n) for pl, a, n in rows if wanted is None or (pl, a) in wanted}


def with_unscored_posts(study: Any, rows: list[Any]) -> tuple[list[Any], int]:
    """Rows (in `COLUMNS` order) with the post count of each unscored account (`unscored_posts`)
    in place of its NULL `n_posts`, and how many of them are unscored."""
    i = COLUMNS.index("n_posts")
    if not any(r[i] is None for r in rows):
        return rows, 0
    unscored = unscored_posts(study, [(r[0], r[1]) for r in rows if r[i] is None]) or {}
    hit = sum((r[0], r[1]) in unscored for r in rows)
    return [(*r[:i], unscored[(r[0], r[1])], *r[i + 1:]) if (r[0], r[1]) in unscored else r for r in rows], hit


def on_prior(study: Any, rows: list[Any], home: str | None) -> set[tuple[str, str]] | None:
    """The (platform, account_id) of `rows` (in `COLUMNS` order) counted foreign on the prior alone
    (`origin_counted.rests_on_prior`), for `account_json`; None without a home or when the evidence
    cannot be read."""
    if not home:
        return None
    from botwatch.origin_counted import rests_on_prior_among

    return rests_on_prior_among(study, [(r[0], r[1]) for r in rows if r[COLUMNS.index("origin_country")] is not None], home)


def on_study_prior(study: Any, rows: list[Any], home: str | None) -> set[tuple[str, str]] | None:
    """The (platform, account_id) of `rows` (in `COLUMNS` order) counted foreign only through the
    study prior's step (`origin_counted.prior_led_sql`, the accounts the report's "only through the
    study's prior" counts), for `account_json`; None without a home or when it cannot be read."""
    if not home:
        return None
    from botwatch.origin_counted import led_by_study_prior_among

    return led_by_study_prior_among(study, [(r[0], r[1]) for r in rows if r[COLUMNS.index("origin_country")] is not None], home)


def _model_platform_seen(platform: Any, probability: Any, scored_by: str) -> bool | None:
    """Whether the bot model that gave `probability` learned from accounts of `platform`: the
    shipped one learned from Twitter accounts only, which `explain` and the report say of a Bluesky
    or Mastodon account, and the JSON did not, so its 0.99 read as a measured figure. Null without
    a probability, and unless the shipped model scored the study (`scored_by`,
    `model_used.bot_model_scored_by`, which the export and the report read too): a user's own model
    may have learned from any platform, and a study that does not record its model cannot say."""
    if probability is None or scored_by != "shipped":
        return None
    return _shipped_models_saw(platform)


def _shipped_models_saw(platform: Any) -> bool:
    """`platform_names.shipped_bot_model_saw`: the shipped bot and origin models learned from the
    same platform's accounts (Twitter's), so one rule answers for both."""
    from botwatch.platform_names import shipped_bot_model_saw

    return shipped_bot_model_saw(platform)


def account_json(row: tuple[Any, ...] | list[Any], home: str | None = None,
                 own_bot_model: Any = None, prior_only: set[tuple[str, str]] | None = None,
                 scored_by: str = "shipped", study_prior_only: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    """One accounts_scored row (in `COLUMNS` order) as the documented shape.

    `home` is the election's country the study recorded (the accounts run's election), or None.
    With it, `origin` carries what the report counts: P(run from outside `home`) and the foreign
    flag by the one shared rule (`botwatch.origin_rule`), so a reader of the JSON need not redo
    1 − P(home) and pick a threshold of their own (the top country's probability is not it).
    `prior_only` (`on_prior`): the accounts whose foreign flag rests on the study's prior alone,
    as the report and `explain` say; None: not known, and `foreign_rests_on_prior` is null.
    `study_prior_only` (`on_study_prior`): the accounts counted foreign only through the study
    prior's step; None: not known, and `foreign_only_through_study_prior` is null.
    `scored_by` (`model_used.bot_model_scored_by` of the study): which model's platforms
    `bot.model_platform_seen` may name; an `own_bot_model` given is a user's model whatever it says."""
    from botwatch import origin_rule
    from botwatch.accounts.training_accounts import account_training

    r = dict(zip(COLUMNS, row))
    # Was this account in the model's training data? Then its score is not a held-out estimate
    # (the study-wide count was recorded; which accounts, nowhere). None: unknown (the list is not
    # shipped, or `own_bot_model` is {}: a user's model file not at hand, or a study that does not
    # record which model scored it, `training_accounts.study_bot_training`).
    trained = account_training(r["platform"], r["account_id"], r["handle"], own_bot_model)  # own_bot_model: study_bot_training_meta
    # A figure no account has is not called in-sample, as the stage's count and the report's marks
    # read it (`count_training_accounts`): on a walk's IRA study of May–June 2017 (uk-ge2017) the
    # JSON's true flags summed to 116 (bot) and 1,045 (origin) where the report counted 1 and 201,
    # the rest IRA handles with no bot probability or origin at all.
    if r["bot_probability"] is None:
        trained = {**trained, "bot": None}
    if r["origin_country"] is None:
        trained = {**trained, "origin": None}
    outside = None
    if home and r["origin_country"] is not None:  # as origin_rule.p_outside_sql: no country, no evidence
        outside = origin_rule.p_outside(r["origin_probabilities"], home)
    kinds = _json(r["bot_kinds"], {})
    return {
        "shape": SHAPE,
        "platform": r["platform"],
        "account_id": r["account_id"],
        "handle": r["handle"],
        # A scored account is a known account: no post row means it posted nothing (not unknown).
        "n_posts": r["n_posts"] if r["n_posts"] is not None else 0,
        "bot": {
            "probability": r["bot_probability"],
            "low": r["bot_probability_low"],
            "high": r["bot_probability_high"],
            "likely_automated": r["likely_automated"],
            "out_of_distribution": r["bot_ood"],
            "out_of_distribution_reason": r["bot_ood_reason"],
            "kinds": {k: kinds.get(k) if isinstance(kinds, dict) else None for k in KINDS},
            "evidence": _json(r["bot_evidence"], []),
            # The profile model alone, and the behaviour ratio folded in (null: not applied).
            "profile_probability": r["bot_profile_probability"] if r["bot_profile_probability"] is not None else r["bot_probability"],
            "behaviour_likelihood_ratio": r["bot_behaviour_lr"],
            "training_account": trained["bot"],
            "model_platform_seen": _model_platform_seen(r["platform"], r["bot_probability"], "own" if own_bot_model is not None else scored_by),
        },
        "origin": {
            "country": r["origin_country"],
            "probability": r["origin_probability"],
            "probabilities": _json(r["origin_probabilities"], None),
            "evidence": _json(r["origin_evidence"], []),
            "home_country": home.upper() if home else None,
            # 1 - P(home) in binary floating point: @wavy_bgs (P(US) 0.8453) printed 0.15469999999999995,
            # sixteen digits the stored four-place probabilities do not have. Twelve places take off
            # that noise only; the foreign flag below is still read from the unrounded value, as the SQL rule.
            "outside_home_probability": None if outside is None else round(outside, 12),
            "foreign": None if outside is None else outside >= origin_rule.FOREIGN_THRESHOLD,
            # "foreign": true of an account whose evidence tells home from no other country (posting
            # hours read only as run from Russia or not, a language of home) is the prior's share, not
            # a finding; the report and `explain` said so, the JSON did not. Null unless counted foreign.
            "foreign_rests_on_prior": (None if prior_only is None or outside is None or outside < origin_rule.FOREIGN_THRESHOLD
                                       else (r["platform"], r["account_id"]) in prior_only),
            # The report's "N of these M ... only through the study's prior" counts these; the
            # `study_prior_lead` line alone (the step carried P(Russia) past 0.5) is wider: 151 such
            # accounts beside the report's 87 on a walk's IRA study, so its count could not be redone.
            "foreign_only_through_study_prior": (None if study_prior_only is None or outside is None
                                                 or outside < origin_rule.FOREIGN_THRESHOLD
                                                 else (r["platform"], r["account_id"]) in study_prior_only),
            "low": r["origin_probability_low"],
            "high": r["origin_probability_high"],
            # No interval is stored: an origin on few posts carries what the validation measured at that many.
            "few_posts": few_posts_json(r["n_posts"]) if r["origin_country"] is not None else None,
            "training_account": trained["origin"],
            # The report's top table and explorer say where the study prior alone made Russia the
            # lead; the JSON gave only the full sentence among the evidence. Null where it did not.
            "study_prior_lead": study_prior_lead(_json(r["origin_evidence"], [])) or None,
            # As `bot.model_platform_seen`, for the origin model (learned and measured on Twitter
            # accounts alone): a Mastodon account's "GB 0.93" read as a measured figure. Null without
            # an origin; every study's origins are the shipped model's.
            "model_platform_seen": None if r["origin_country"] is None else _shipped_models_saw(r["platform"]),
        },
        "signals": _json(r["signals"], []),
    }
