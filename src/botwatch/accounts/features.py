"""The `account_features` table: profile features, behaviour in the study and the seed signals.

Relational aggregation runs in Ibis (`behaviour`); this module joins it to the profile snapshot
and derives the per-account values that are Python by nature (hour entropy, the circadian fit,
name checks). One row per account in `accounts`; behaviour columns are NULL for accounts that
were only retweeted or looked up and never posted in the study.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from botwatch.accounts import origin_shifts, signals
from botwatch.accounts.behaviour import KEY, SCRIPT_PATTERNS, all_tables
from botwatch.accounts.circadian import fit_hours
from botwatch.accounts.gc_pause import gc_paused
from botwatch.accounts.origin_behaviour import Behaviour
from botwatch.accounts.origin_behaviour_groups import study_behaviours
from botwatch.accounts.profile import ALL_FEATURES, profile_features
from botwatch.study import Study


@dataclass
class AccountData:
    """Everything the scorers need, keyed by (platform, account_id)."""

    accounts: pd.DataFrame  # canonical accounts rows
    features: pd.DataFrame  # the account_features table (includes KEY)
    hours: dict[tuple[str, str], list[int]]
    langs: dict[tuple[str, str], dict[str, int]]
    clients: dict[tuple[str, str], dict[str, int]]
    behaviour: dict[tuple[str, str], Behaviour] = field(default_factory=dict)  # origin features of the account's own posts
    shift_counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # posts by UTC hour of accounts active on enough clock hours (origin_shifts)


def _grouped(df: pd.DataFrame, col: str) -> dict[tuple[str, str], dict[str, int]]:
    out: dict[tuple[str, str], dict[str, int]] = {}
    # Columns as lists: itertuples reads Arrow-backed string columns one value at a time.
    for p, a, k, n in zip(*(df[c].tolist() for c in (*KEY, col, "n"))):
        out.setdefault((p, a), {})[str(k)] = int(n)
    return out


def _hour_arrays(df: pd.DataFrame) -> dict[tuple[str, str], list[int]]:
    out: dict[tuple[str, str], list[int]] = {}
    for p, a, h, n in zip(*(df[c].tolist() for c in (*KEY, "hour", "n"))):
        out.setdefault((p, a), [0] * 24)[int(h)] += int(n)
    return out


def _flag(basis: pd.Series, cond: pd.Series) -> pd.Series:
    """A nullable boolean: NULL where the value it is computed from is unknown (whole columns:
    the test per cell cost more than the feature)."""
    out = pd.array(cond.to_numpy(dtype=bool, na_value=False), dtype="boolean")
    out[basis.isna().to_numpy()] = pd.NA
    return pd.Series(out, index=basis.index)


def entropy_bits(counts: list[int]) -> float:
    n = sum(counts)
    if n == 0:
        return math.nan
    return -sum(c / n * math.log2(c / n) for c in counts if c)


def cluster_membership(study: Study) -> pd.DataFrame | None:
    """(platform, account_id, cluster_id, cluster_size) from the coordination issue, if present."""
    if "cluster_members" not in study.tables():
        return None
    cols = set(study.columns("cluster_members"))
    if not {"cluster_id", "platform", "account_id"} <= cols:
        return None
    return study.query_pandas(
        "SELECT platform, account_id, min(CAST(cluster_id AS VARCHAR)) AS cluster_id, "
        "max(n) AS cluster_size FROM (SELECT platform, account_id, cluster_id, count(*) OVER (PARTITION BY cluster_id) AS n FROM cluster_members) GROUP BY ALL"
    )


def with_profile_extra(accounts: pd.DataFrame) -> pd.DataFrame:
    """`accounts` plus the profile facts the v1.1 readers keep in `extra` (likes, lists, whether
    a website is linked; see `twitter_v1.profile_extra`), as the columns `profile_features` reads.
    Accounts from formats without them get NULL: unknown, not zero."""
    likes, listed, has_url = [], [], []
    seen: dict[Any, tuple[Any, Any, Any]] = {}  # per distinct `extra` text: a study repeats a few dozen shapes
    for raw in accounts["extra"].tolist() if "extra" in accounts.columns else [None] * len(accounts):
        facts = seen.get(raw) if isinstance(raw, str) else None
        if facts is None:
            obj: Any = None
            if isinstance(raw, str) and raw:
                try:
                    obj = json.loads(raw)
                except ValueError:
                    obj = None
            obj = obj if isinstance(obj, dict) else {}
            lk, ls, hu = obj.get("likes_count"), obj.get("listed_count"), obj.get("has_url")
            facts = (lk if isinstance(lk, int) and not isinstance(lk, bool) else None,
                     ls if isinstance(ls, int) and not isinstance(ls, bool) else None,
                     hu if isinstance(hu, bool) else None)
            if isinstance(raw, str):
                seen[raw] = facts
        likes.append(facts[0])
        listed.append(facts[1])
        has_url.append(facts[2])
    out = accounts.copy()
    out["likes_count"] = np.array([np.nan if v is None else float(v) for v in likes], dtype="float64")
    out["listed_count"] = np.array([np.nan if v is None else float(v) for v in listed], dtype="float64")
    out["has_url"] = has_url
    return out


def add_clusters(df: pd.DataFrame, clusters: pd.DataFrame | None) -> pd.DataFrame:
    """`df` with cluster_id, cluster_size and in_unison appended: unknown (NULL) without
    coordination results, False for accounts in no cluster when there are some. One function for
    the accounts stage and `accounts_clusters`, so both give the same columns."""
    if clusters is not None and len(clusters):
        df = df.merge(clusters, on=KEY, how="left")
        df["in_unison"] = df["cluster_id"].notna()
    else:
        df["cluster_id"], df["cluster_size"] = None, None
        df["in_unison"] = pd.array([None if clusters is None else False] * len(df), dtype="boolean")
    return df


@gc_paused
def build(study: Study, election: Any = None, *, with_clusters: bool = True) -> AccountData:
    """Compute the features of every account in the study.

    `with_clusters=False` leaves cluster membership unknown (the accounts stage: the
    `accounts_clusters` stage adds it once coordination has run)."""
    accounts = study.query_pandas("SELECT * FROM accounts ORDER BY platform, account_id")
    tables = {k: v.to_pandas() for k, v in all_tables(study.table("posts")).items()}
    act = tables["activity"]
    df = accounts[KEY + ["handle", "display_name", "created_at"]].merge(act, on=KEY, how="left")
    ref = accounts["last_seen"].where(accounts["last_seen"].notna(), accounts["first_seen"])
    prof = profile_features(with_profile_extra(accounts), ref)
    for c in ALL_FEATURES:
        df[c] = prof[c].to_numpy()
    n = df["n_posts"].astype("float64")
    span_days = (pd.to_datetime(df["last_post"]) - pd.to_datetime(df["first_post"])).dt.total_seconds() / 86400.0
    df["span_days"] = span_days
    df["posts_per_day_study"] = n / np.maximum(np.ceil(span_days.fillna(0) + 1e-9), 1.0)
    df["posts_per_active_hour"] = n / df["active_hours"].astype("float64")
    for count, share in (("n_retweets", "retweet_share"), ("n_replies", "reply_share"), ("n_quotes", "quote_share")):
        df[share] = df[count].astype("float64") / n
    df["dup_text_share"] = 1.0 - df["n_distinct_texts"].astype("float64") / df["n_texts"].astype("float64").where(lambda s: s > 0)
    for k in ("hashtags", "mentions", "urls"):
        df[f"{k}_per_post"] = df[f"n_{k}"].astype("float64") / n
    df["gap_cv"] = df["gap_std_s"] / df["gap_mean_s"].where(lambda s: s > 0)
    df["share_gaps_under_10s"] = df["n_gaps_under_10s"].astype("float64") / (n - 1).where(lambda s: s > 0)
    df["share_gaps_under_60s"] = df["n_gaps_under_60s"].astype("float64") / (n - 1).where(lambda s: s > 0)
    for s in SCRIPT_PATTERNS:
        df[f"script_{s}_share"] = df[f"n_script_{s}"].astype("float64") / n
    hours = _hour_arrays(tables["hours"])
    # Sorted: a group-by returns rows in any order, and the order reaches the evidence (which of two
    # equally common languages is named first, which regional client is named).
    langs = _grouped(tables["langs"].sort_values([*KEY, "lang"], kind="stable"), "lang")
    clients = _grouped(tables["clients"].sort_values([*KEY, "client"], kind="stable"), "client")
    keys = list(zip(df["platform"].tolist(), df["account_id"].tolist()))  # tolist: iterating an Arrow-backed column is per value
    _add_daily_clock(df, keys, hours)
    _add_top_language_and_client(df, keys, langs, clients)
    _add_seed_signals(df, accounts, n, election)
    df = add_clusters(df, cluster_membership(study) if with_clusters else None)
    behaviour = study_behaviours(study)  # per account where the posts are; same values as behaviour_of per account
    return AccountData(accounts, df, hours, langs, clients, behaviour, origin_shifts.shift_counts(study))


def _add_daily_clock(df: pd.DataFrame, keys: list[tuple[str, str]], hours: dict[tuple[str, str], list[int]]) -> None:
    """Hour-of-day entropy, best-fitting UTC offset and how well a human day fits, per account."""
    ent, best, bits = [], [], []
    for k in keys:
        h = hours.get(k)
        if h is None:
            ent.append(math.nan), best.append(None), bits.append(math.nan)
            continue
        fit = fit_hours(tuple(h))
        ent.append(entropy_bits(h))
        best.append(fit.best_offset if fit.informative else None)
        bits.append(fit.human_fit_bits)
    df["hour_entropy_bits"] = ent
    df["best_utc_offset"] = pd.array(best, dtype="Int64")
    df["human_day_fit_bits"] = bits


def _add_top_language_and_client(df: pd.DataFrame, keys: list[tuple[str, str]], langs: dict[tuple[str, str], dict[str, int]], clients: dict[tuple[str, str], dict[str, int]]) -> None:
    """Each account's most used post language and client, with their shares."""
    top_lang, top_share, top_client, top_client_share = [], [], [], []
    for k in keys:
        ls = {l: c for l, c in langs.get(k, {}).items() if l not in ("und", "zxx")}
        tot = sum(ls.values())
        if tot:
            lk = max(ls, key=lambda x: (ls[x], x))
            top_lang.append(lk), top_share.append(ls[lk] / tot)
        else:
            top_lang.append(None), top_share.append(math.nan)
        cs = clients.get(k, {})
        if cs:
            ck = max(cs, key=lambda x: (cs[x], x))
            top_client.append(ck), top_client_share.append(cs[ck] / sum(cs.values()))
        else:
            top_client.append(None), top_client_share.append(math.nan)
    df["top_lang"], df["top_lang_share"] = top_lang, top_share
    df["top_client"], df["top_client_share"] = top_client, top_client_share


def _add_seed_signals(df: pd.DataFrame, accounts: pd.DataFrame, n: pd.Series, election: Any) -> None:
    """The documented seed signals (female English name, anonymity, activity, amplification,
    created after the election was called)."""
    df["english_female_name"] = [signals.english_female_name(v if isinstance(v, str) else None) for v in accounts["display_name"].tolist()]
    df["anonymity"] = [
        signals.anonymity(a, b, c, None if pd.isna(d) else bool(d))
        for a, b, c, d in zip(*(accounts[k].tolist() for k in ("display_name", "description", "location", "default_image")))
    ]
    df["anonymous"] = _flag(df["anonymity"], df["anonymity"] >= signals.ANONYMOUS_SHARE)
    df["activity_over_72"] = _flag(df["posts_per_day_study"], df["posts_per_day_study"] > signals.ACTIVITY_HIGH)
    df["activity_over_144"] = _flag(df["posts_per_day_study"], df["posts_per_day_study"] > signals.ACTIVITY_VERY_HIGH)
    df["amplifier"] = _flag(df["retweet_share"], (df["retweet_share"] >= signals.AMPLIFIER_SHARE) & (n >= 10))
    if election is not None:
        trig = pd.Timestamp(election.trigger_date)
        created = pd.to_datetime(accounts["created_at"])
        df["created_after_trigger"] = pd.array([None if pd.isna(c) else bool(c >= trig) for c in created], dtype="boolean")
    else:
        df["created_after_trigger"] = pd.array([None] * len(df), dtype="boolean")


def table_columns(df: pd.DataFrame) -> pd.DataFrame:
    """The account_features table as stored: drop helper columns that duplicate `accounts`."""
    return df.drop(columns=["display_name", "created_at"], errors="ignore")
