"""The account explorer: every account that posted, sortable and filterable in the page, each with
its evidence in words.

A study can hold 100k+ accounts, so the table is not HTML: the accounts travel once as compact
JSON (rows as arrays, evidence sentences stored once and referenced by index, since thousands of
accounts share "default profile image") inside a non-executing ``application/json`` script, and a
small script (explorer.js) filters, sorts and draws one page at a time. The first rows are also
rendered server-side so the section reads without scripts and in print.

It reads `account_scores`, `account_evidence` and `cluster_members` when other stages made them
and says which are missing otherwise. Every string from the data passes `user_text` (visible
direction controls) and reaches the page through `textContent` only.
"""

from __future__ import annotations

import re
import shlex
from importlib import resources
from typing import Any

import orjson
from markupsafe import Markup

from botwatch.accounts.json_shape import shown_handle
from botwatch.coordination.clusters import REF_HANDLES, SHOWN_REF
from botwatch.report.build import json_for_script
from botwatch.origin_few_posts import FEW_POSTS_BANDS, band_reference
from botwatch.report.fmt import safe_url, show_hidden, user_text
from botwatch.origin_rule import home_known, measured_home, unknown_home_note
from botwatch.report.caveats import other_platform_origin_account, other_platform_origin_clause
from botwatch.report.context import study_label
from botwatch.platform_names import TWITTER_PLATFORMS
from botwatch.report.sections import Section, render, section
from botwatch.reshare_words import report_reshare, reshare_words
from botwatch.shown_text import not_an_option
from botwatch.study import Study

# Accounts the page carries, the most likely automated first (the rest are in the accounts export,
# and the section says so). At 200,000 (benchmarks/report.py, docs/performance.md, 2026-12-07) the
# page was 23 MB of generated rows, about 45 MB of real ones, took 4.6 s to open in Chromium and
# 6.1 s to sort by handle on the shared machine; a reader of the explorer looks at its top.
MAX_ACCOUNTS = 50_000
DETAIL_ACCOUNTS = 300  # accounts that carry profile text and recent posts in the page
EVIDENCE_PER_ACCOUNT = 8
SENTENCE_LIMIT = 300
SERVER_ROWS = 25

# Evidence columns an `account_evidence` table may use for its sentence, in order of preference.
_EVIDENCE_TEXT_COLS = ("sentence", "evidence", "text", "explanation", "description", "message")
_TWITTER_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,50}$")


def _json_list(value: Any) -> list[str]:
    """A JSON list of sentences (as account_scores stores them) -> list of strings; tolerant of
    plain text, lists of objects and broken JSON. The common case (a list of strings) is returned
    as parsed, since this runs once per account."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            items = orjson.loads(value)
        except orjson.JSONDecodeError:
            return [value]
    else:
        items = value
    if isinstance(items, list):
        if all(type(x) is str for x in items):
            return items
        return [x if isinstance(x, str) else str(x.get("sentence") or x.get("text") or x) if isinstance(x, dict) else str(x) for x in items]
    if isinstance(items, str):
        return [items]
    return []


def _evidence_table(study: Study, tables: set[str]) -> dict[tuple[str, str], list[str]]:
    """Sentences from `account_evidence`, whatever its exact shape, keyed by (platform, account_id)."""
    if "account_evidence" not in tables:
        return {}
    cols = study.columns("account_evidence")
    text_col = next((c for c in _EVIDENCE_TEXT_COLS if c in cols), None)
    if text_col is None or "account_id" not in cols:
        return {}
    plat = "platform" if "platform" in cols else "'twitter'"
    order = next((c for c in ("rank", "weight", "contribution", "importance") if c in cols), None)
    # A rank counts from 1, the strongest first (the accounts stage's rows); a weight, contribution or
    # importance by its size. Ordering a rank by size, largest first, gave an account of more than
    # eight rows its weakest ones ("study home share", rank 6) and dropped its rank 1.
    order_sql = ("1" if not order else f"TRY_CAST(\"{order}\" AS DOUBLE) ASC NULLS LAST" if order == "rank"
                 else f"abs(TRY_CAST(\"{order}\" AS DOUBLE)) DESC NULLS LAST")
    # The first sentences per account by a window, gathered here: an ordered list aggregate has
    # no spelling DuckDB and Spark SQL share. Ties in the order go to the sentence's text.
    text = f'CAST("{text_col}" AS VARCHAR)'
    rows = study.sql(
        f"SELECT p, account_id, s FROM (SELECT {plat} AS p, account_id, {text} AS s, "
        f"row_number() OVER (PARTITION BY {plat}, account_id ORDER BY {order_sql}, {text}) AS rn "
        f"FROM account_evidence WHERE \"{text_col}\" IS NOT NULL) AS ranked WHERE rn <= {EVIDENCE_PER_ACCOUNT} ORDER BY p, account_id, rn"
    )
    out: dict[tuple[str, str], list[str]] = {}
    for p, a, s in rows:
        out.setdefault((p, a), []).append(s)
    return out


def _cluster_sizes(study: Study, ids: list[str]) -> dict[str, int]:
    """{cluster id as the rows write it: its accounts} for `ids`: the coordination stage's own
    `clusters.size` (its `cluster_members` rows, one an account), not counted again here."""
    rows = study.sql("SELECT CAST(cluster_id AS VARCHAR), size FROM clusters")
    wanted = set(ids)
    return {str(c): int(n) for c, n in rows if str(c) in wanted}


def explorer_data(study: Study, ctx: dict[str, Any], *, max_accounts: int = MAX_ACCOUNTS, detail_accounts: int = DETAIL_ACCOUNTS) -> dict[str, Any]:
    """The explorer's JSON payload (also used by tests and the benchmark)."""
    tables: set[str] = ctx.get("tables") or set(study.tables())
    score_cols = set(study.columns("account_scores")) if "account_scores" in tables else set()
    has_clusters = "cluster_members" in tables
    total, posted, rows = _account_rows(study, ctx, tables, score_cols, max_accounts)
    extra_evidence = _evidence_table(study, tables)
    out_rows, raw_keys, ids = _rows_with_evidence(rows, extra_evidence)
    details = _details(study, raw_keys[:detail_accounts])
    home = measured_home(study, ctx.get("election"))
    for i, _d in enumerate(details):
        out_rows[i][12] = i
    # Which model was fitted on the account (1 bot, 2 origin, 3 both), as the accounts table marks
    # its top 20 ("a training account: not held out"): the explorer listed @UKLabour's 0.06
    # unmarked where the table and `botwatch explain` say it is not a held-out estimate.
    # All rows at once (`training_marks`): one MD5 per key in Python cost over a second of 200,000.
    from botwatch.accounts.training_accounts import study_bot_training_meta, training_marks

    origin, bot = training_marks([r[0] for r in rows], [r[13] for r in rows], [r[2] for r in rows], study_bot_training_meta(study))
    for out, o, b in zip(out_rows, origin, bot):
        out.append((1 if b else 0) | (2 if o else 0))
    countries = sorted({r[5] for r in out_rows if r[5]})
    in_page = sorted({r[7] for r in out_rows if r[7] is not None})
    clusters = len(in_page)
    return {
        "cols": ["platform", "id", "handle", "name", "bot", "origin", "origin_p", "cluster", "posts", "created", "followers", "ev", "detail", "p_out", "trained"],
        "rows": out_rows,
        "ev": ids,
        "details": details,
        "total": total,
        # The list holds scored accounts that never posted (seen only as retweeted, mentioned or
        # looked up): "262 accounts posted in this study" stood over a demo study where 160 had.
        "posted": posted,
        "countries": countries,
        "clusters": clusters,
        # Members per cluster (of the page's clusters), for each cluster button's name ("cluster 3,
        # 41 accounts", explorer.js): named by its number alone, "3" said nothing to a screen reader.
        "cluster_sizes": _cluster_sizes(study, in_page) if has_clusters and in_page and "clusters" in tables else {},
        # An origin on fewer than 20 posts: the validation's figures for that many posts, as
        # `explain` gives them (explorer.js writes `few_posts_lead`'s words before them).
        "few": [[first, last, band_reference((key, first, last))] for key, first, last in FEW_POSTS_BANDS],
        "has": {
            "bot": "bot_probability" in score_cols,
            "origin": "origin_probability" in score_cols,
            "cluster": has_clusters,
            "evidence": bool(extra_evidence) or "bot_evidence" in score_cols,
            # Archives without display names (the IRA release) would show an always-empty column.
            "name": any(r[3] for r in out_rows),
        },
        # A Bluesky or Mastodon account's evidence reads as a Twitter one's ("account age (days)
        # 400: raised the bot score"): the headline said the model never saw such accounts, but the
        # explorer, where one account is picked and read, did not (`explain` does).
        "other_platform": _other_platform_note(study) if "bot_probability" in score_cols else None,
        # The same of the origin model (learned and measured on Twitter accounts alone), with how many
        # of the foreign-origin filter's accounts it qualifies.
        "other_platform_origin": other_platform_origin_clause(study, home if home_known(home) else None) if "origin_probability" in score_cols else None,
        # Per account, the sentence `explain` gives, by platform (the rows name their platform).
        "origin_unseen": {p: said for p in sorted({str(r[0]) for r in out_rows}) if (said := other_platform_origin_account(p))},
        # Only a country the origin model can name gets a foreign-origin filter: for any other
        # every P(outside home) is unknown and the filter would select no account (an EE study).
        "home": home if home_known(home) else None,
        "home_unknown": _sentence(unknown_home_note(home)) if home and not home_known(home) else None,
    }



def _account_rows(study: Study, ctx: dict[str, Any], tables: set[str], score_cols: set[str], max_accounts: int) -> tuple[int, int, list[tuple[Any, ...]]]:
    """(accounts listed, how many of them posted in the study, the first `max_accounts` rows, most
    likely automated first) with whatever scores and clusters the study has; absent columns read
    as NULL. The list is the accounts that posted and the scored accounts that did not."""

    def sc(col: str) -> str:
        return f"s.{col}" if col in score_cols else "NULL"

    # The foreign filter uses the report's one rule: P(outside home) >= 0.5 (botwatch.origin_rule).
    home = measured_home(study, ctx.get("election"))
    p_out = "NULL"
    if home and {"origin_probabilities", "origin_country"} <= score_cols:
        from botwatch.origin_rule import p_outside_sql

        p_out = p_outside_sql(home, "s")
    has_clusters = "cluster_members" in tables
    cluster_sel = "cm.cluster_id" if has_clusters else "NULL"
    cluster_join = (
        " LEFT JOIN (SELECT platform, account_id, CAST(min(cluster_id) AS VARCHAR) AS cluster_id FROM cluster_members GROUP BY ALL) cm"
        " ON cm.platform = a.platform AND cm.account_id = a.account_id"
        if has_clusters
        else ""
    )
    score_join = " LEFT JOIN account_scores s ON s.platform = a.platform AND s.account_id = a.account_id" if score_cols else ""
    where = "coalesce(pc.posts, 0) > 0" + (" OR s.bot_probability IS NOT NULL" if "bot_probability" in score_cols else "")
    base = (
        "FROM accounts a"
        " LEFT JOIN (SELECT platform, account_id, count(*) AS posts FROM posts GROUP BY ALL) pc"
        " ON pc.platform = a.platform AND pc.account_id = a.account_id" + score_join + cluster_join + f" WHERE {where}"
    )
    total, posted = study.sql(f"SELECT count(*), coalesce(sum(CASE WHEN coalesce(pc.posts, 0) > 0 THEN 1 ELSE 0 END), 0) {base}")[0]
    total, posted = int(total), int(posted)
    order = "s.bot_probability DESC NULLS LAST, " if "bot_probability" in score_cols else ""
    rows = study.sql(
        f"SELECT a.platform, left(a.account_id, 80), left(a.handle, 80), left(a.display_name, 120), {sc('bot_probability')}, {sc('origin_country')}, "
        f"{sc('origin_probability')}, {cluster_sel}, coalesce(pc.posts, 0), strftime(a.created_at, '%Y-%m-%d'), a.followers, "
        f"{sc('bot_evidence')}, {sc('origin_evidence')}, a.account_id, {p_out} {base} "
        f"ORDER BY {order}coalesce(pc.posts, 0) DESC, a.platform, a.account_id LIMIT {int(max_accounts)}"
    )
    # Rounded here, as DuckDB's round() does: Spark's round() takes the decimal text (HALF_UP on
    # "0.0155"), so the same SQL gave 0.016 on a lake where DuckDB gives 0.015.
    # Four places, as the scores are stored: at three, 0.0154 became 0.015, which the page writes
    # "0.01" (toFixed on 0.01499…) beside the "0.02" of the report's own table and `botwatch accounts`
    # (@JonAshworth, retweeted by @UKLabour in May 2017), and a P(outside home) of 0.4996 passed the
    # foreign filter at 0.5 that the report's count leaves it out of.
    return total, posted, [tuple(sql_round(v, 4) if i in (4, 6, 14) else v for i, v in enumerate(r)) for r in rows]


def _sentence(text: str) -> str:
    """`text` with a capital first letter (the shared note starts lower case, to follow a clause)."""
    return text[:1].upper() + text[1:]


def sql_round(value: Any, digits: int) -> Any:
    """A DOUBLE rounded as DuckDB's round() rounds it (Python's round on the exact binary value
    agrees with it, checked on 70k values and the decimal ties); None stays None."""
    return None if value is None else round(float(value), digits)


def _rows_with_evidence(rows: list[tuple[Any, ...]], extra_evidence: dict[tuple[str, str], list[str]]) -> tuple[list[list[Any]], list[tuple[str, str]], list[str]]:
    """Payload rows whose evidence is a list of indexes into one shared list of sentences (each
    sentence sent once), with the (platform, account_id) keys and that sentence list."""
    sentences: dict[str, int] = {}  # sentence (full or shortened) -> index into ids
    ids: list[str] = []

    def intern(s: str) -> int:
        # Raw text here; direction controls are made visible over the whole payload at once.
        # A long sentence is stored under its full text too, so the next lookup is one dict hit.
        short = s if len(s) <= SENTENCE_LIMIT else s[: SENTENCE_LIMIT - 1] + "…"
        idx = sentences.get(short)
        if idx is None:
            idx = sentences[short] = len(ids)
            ids.append(short)
        sentences[s] = idx
        return idx

    out_rows: list[list[Any]] = []
    raw_keys: list[tuple[str, str]] = []
    for plat, acc, handle, name, bot, origin, origin_p, cluster, posts, created, followers, bot_ev, origin_ev, raw_id, p_outside in rows:
        ev = _json_list(bot_ev) + _with_russia_prior_line(_json_list(origin_ev))
        if extra_evidence:
            ev += extra_evidence.get((plat, raw_id), [])
        seen: list[int] = []
        for s in ev:
            i = sentences.get(s)
            if i is None:
                i = intern(s)
            if i not in seen:
                seen.append(i)
                if len(seen) >= EVIDENCE_PER_ACCOUNT:
                    break
        # A Mastodon local handle with its instance, "alice@a.social" (`shown_handle`, from the whole
        # id): two instances' local alices were two rows of "@alice", found alike by a search.
        handle = shown_handle(plat, handle, raw_id)
        out_rows.append([plat, acc, handle, name, bot, origin, origin_p, cluster, posts, created, followers, seen, -1, p_outside])
        raw_keys.append((plat, raw_id))
    return out_rows, raw_keys, ids


def _with_russia_prior_line(origin: list[str]) -> list[str]:
    """The origin evidence with the study prior's short line (`accounts.prior_lead.study_prior_lead`)
    after its "most likely" lead, where the prior alone made Russia more likely than not.

    Why: the row keeps the first `EVIDENCE_PER_ACCOUNT` sentences, bot evidence first, and the
    study prior's sentence comes fourth or later among the origin items: @Glasgow_Watch read
    "RU (0.77)" over "profile location 'Glasgow, Scotland' names GB" with nothing saying that the
    study's make-up, not its own evidence, had moved it to Russia."""
    from botwatch.accounts.prior_lead import study_prior_lead

    line = study_prior_lead(origin)
    return origin[:1] + [line] + origin[1:] if line else origin


def _details(study: Study, accounts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Profile text and the three latest posts of the first accounts (the most likely automated),
    looked up by the stored ids (the rows carry display-safe copies)."""
    if not accounts:
        return []
    keys = [f"{p}\x1f{a}" for p, a in accounts]
    raw = study.sql(
        "WITH k AS (SELECT unnest(?) AS key) "
        "SELECT a.platform || chr(31) || a.account_id, a.description, a.location, a.account_lang, a.handle "
        "FROM accounts a JOIN k ON k.key = a.platform || chr(31) || a.account_id",
        [keys],
    )
    prof = {k: (d, loc, lang, h) for k, d, loc, lang, h in raw}
    posts = study.sql(
        "WITH k AS (SELECT unnest(?) AS key) "
        # A share naming its author by id alone (a Bluesky repost: a DID) takes the handle the study knows
        # for it; a Mastodon handle local to the instance collected, with that instance (`SHOWN_REF`).
        "SELECT p.platform || chr(31) || p.account_id AS key, strftime(p.created_at, '%Y-%m-%d %H:%M'), p.kind, p.text, p.urls, "
        f"{SHOWN_REF} "
        f"FROM posts p JOIN k ON k.key = p.platform || chr(31) || p.account_id LEFT JOIN ({REF_HANDLES}) ra "
        "ON ra.platform = p.platform AND ra.account_id = p.ref_account_id "
        "QUALIFY row_number() OVER (PARTITION BY p.platform, p.account_id ORDER BY p.created_at DESC, p.post_id) <= 3 "
        "ORDER BY key, p.created_at DESC, p.post_id",
        [keys],
    )
    by_acc: dict[str, list[dict[str, Any]]] = {}
    for key, at, kind, text, urls, ref in posts:
        by_acc.setdefault(key, []).append({
            "at": at,
            # A Mastodon boost is stored with the kind "retweet", as every reader stores a reshare:
            # shown as the platform's word ("boost of @x"), not Twitter's.
            "kind": reshare_words([key.split("\x1f", 1)[0]]).noun if kind == "retweet" else kind,
            "ref": user_text(ref, 80) if ref else None,
            "text": user_text(text, 400),
            # Every URL is shown; only http(s) ones become links (the script checks again).
            "urls": [{"u": user_text(u, 200), "href": safe_url(u)} for u in (urls or [])[:5]],
        })
    out = []
    for key, (plat, _acc) in zip(keys, accounts):
        d, loc, lang, handle = prof.get(key, (None, None, None, None))
        profile = None
        if plat in TWITTER_PLATFORMS and isinstance(handle, str) and _TWITTER_HANDLE.match(handle):
            profile = f"https://{'x' if plat == 'x' else 'twitter'}.com/{handle}"  # X is Twitter renamed: the same handles
        out.append({
            "description": user_text(d, 400) if d else None,
            "location": user_text(loc, 120) if loc else None,
            "lang": user_text(lang, 20) if lang else None,
            "profile": profile,
            "posts": by_acc.get(key, []),
        })
    return out


def _other_platform_note(study: Study) -> str | None:
    """`caveats.model_platform_clause` by the rule the exports' and the account JSON's
    `model_platform_seen` read (`model_used.bot_model_scored_by`): the shipped model's unseen
    platforms, "unknown" where the study does not record its model, nothing of a user's own."""
    from botwatch.model_used import bot_model_scored_by
    from botwatch.report.caveats import model_platform_clause

    return model_platform_clause(study, bot_model_scored_by(study))


def explorer_href(*, q: str | None = None, cluster: str | None = None, open_first: bool = False) -> str:
    """A link other sections can put in their templates to show accounts in the explorer: those
    matching `q` (handle, name or id) or the members of `cluster`; `open_first` unfolds the first
    match's evidence. The values are URL-encoded and only ever become filter text in the page."""
    from urllib.parse import urlencode

    params = {k: v for k, v in (("q", q), ("cluster", cluster), ("open", "1" if open_first else None)) if v}
    return "#explorer?" + urlencode(params)


def _script() -> str:
    return (resources.files("botwatch.report") / "templates" / "explorer.js").read_text(encoding="utf-8")


@section("explorer", order=800)
def explorer(study: Study, ctx: dict[str, Any]) -> Section | None:
    """The explorer section (None when the study has no accounts that posted)."""
    tables = ctx.get("tables") or set(study.tables())
    if "accounts" not in tables or "posts" not in tables:
        return None
    data = explorer_data(study, ctx, max_accounts=MAX_ACCOUNTS)
    if not data["rows"]:
        return None
    ctx.setdefault("scripts", []).append(_script())
    exports = ctx.get("exports") or []
    html = render(
        "explorer.html.j2",
        rs=report_reshare(study, ctx),
        d=data,
        first=data["rows"][:SERVER_ROWS],
        data_json=Markup(show_hidden(json_for_script(data))),
        nonce=ctx.get("nonce", ""),
        exports=exports,
        # Where the accounts the page leaves out are: the accounts export written beside it, or the
        # command that writes one ("all of them are in the accounts export" stood over a report
        # built with --no-exports, which has none).
        accounts_href=next((e.hrefs.get("csv") or next(iter(e.hrefs.values()), None) for e in exports if e.name == "accounts" and e.hrefs), None),
        study_q=shlex.quote(not_an_option(study_label(study.path)[1])),
        # `export STUDY accounts` writes the profiles alone: the probabilities the page ranks by
        # (and the report's own accounts export carries) are in the accounts_scored view.
        export_table="accounts_scored" if "accounts_scored" in tables else "accounts",
        # Accounts with no automation probability (added after the accounts stage ran) come after
        # every scored one, by their posts; the words must not rank them by a probability.
        unscored_shown=sum(1 for r in data["rows"] if r[4] is None) if data["has"]["bot"] else 0,
    )
    return Section("explorer", "Account explorer", html, order=800)
