"""What stands behind the accounts the ≥ 0.5 rule counts as foreign, for the sentences that quote
the count (the key number at the top, the accounts section's headline).

The rule (`origin_rule`) was tested and kept, but the count it gives can read as a finding where
it is none. On a Bluesky capture (no profile location or time zone) every one of 997 accounts had
GB as its most likely country at p ≈ 0.44 and P(outside GB) ≈ 0.56 from the prior and the language
of its posts alone: the top of the report said "997 of them, 100% [100–100%], are counted as
foreign" beside "997 of the 997 … are placed in GB". On a twarc2 study 67 of 81 counted accounts
had GB as their single most likely country. So the sentences say how many counted accounts have
home as their most likely country and how many rest on language alone, and print no share of
"foreign" accounts when those are most of the count. "Most" counts the two groups together, each
account once: with each group tested alone, 30 home-placed and 30 other language-only accounts
among 100 counted still printed a share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botwatch.origin_rule import FOREIGN_THRESHOLD, p_outside_sql
from botwatch.study import Study

# Origin evidence kinds (`account_evidence.feature` where kind = 'origin') that come from the
# language of an account's posts or interface only, and the model's own bookkeeping rows.
LANGUAGE_KINDS = ("post_langs", "articles", "account_lang", "post_script", "post_cyrillic")
BOOKKEEPING_KINDS = ("prior", "calibration", "study_prior", "home_share")
# Origin evidence kinds that move only the odds of Russia against every other country alike (or move
# nothing): they say whether an account is run from Russia, never home against any other country.
# `office_hours` supersedes the posting-hours fit (`origin.evidence_vectors`), so an account with 20
# posts on 3 days has it and no `hours` item: a New Zealand study of 30 accounts keeping New Zealand
# hours, with no profiles, had every account at P(NZ) 0.29 from the prior alone, all 30 counted
# foreign, and the expected count (21) was quoted with nothing saying it restates the prior, since
# the hours item made each account look as if it had evidence beyond language.
RUSSIA_ONLY_KINDS = ("office_hours", "holidays_ru", "shared_texts", "hours_withheld")


@dataclass(frozen=True)
class Counted:
    """Accounts counted foreign by the ≥ 0.5 rule, broken down by what placed them."""

    k: int  # counted foreign
    k_home: int  # of them, home is the single most likely country
    k_language: int | None  # of them, the only evidence is posting in a language of home (None: not stored)
    n_language: int | None  # of all accounts with origin evidence, the same
    k_either: int | None = None  # counted accounts in either group, each once (None: not stored)
    k_place: int | None = None  # of them, most likely abroad with their own profile's place among the evidence (None: not stored)
    k_hours: int = 0  # of them, no evidence but items read only as run from Russia or not (`RUSSIA_ONLY_KINDS`, English articles)
    n_hours: int = 0  # of all accounts with origin evidence, the same
    k_study_prior: int | None = None  # of them, Russia made more likely than not by the study prior's step alone (None: not stored)

    def weak(self) -> bool:
        """Whether most counted accounts are placed at home or rest on language alone: the count
        (and a share of it) is then no finding of foreign accounts and is not quoted as one."""
        if not self.k:
            return False
        either = self.k_either if self.k_either is not None else max(self.k_home, self.k_language or 0)
        return 2 * either >= self.k

    def clause(self, home: str) -> str:
        """What placed the counted accounts, as a clause ("" when nothing needs saying)."""
        parts = []

        def of_these(n: int) -> str:  # "all 254", not "254 of these 254" (gop-debate-2015 under us-2016)
            return f"all {n:,}" if n == self.k and n > 1 else f"{n:,} of these {self.k:,}"

        if self.k_home:
            parts.append(f"{of_these(self.k_home)} {'has' if self.k_home == 1 else 'have'} {home} as {'its' if self.k_home == 1 else 'their'} single most likely country")
        if self.k_language:
            one = self.k_language == 1  # "1 have as their only origin evidence that they post"
            parts.append(f"{self.k_language:,} {'has as its' if one else 'have as their'} only origin evidence that {'it posts' if one else 'they post'} "
                         f"in a language spoken in {home} "
                         "(no profile location, time zone or posting-hour signal that tells one country from another)")
        if self.k_hours:
            parts.append(f"{self.k_hours:,} {'has' if self.k_hours == 1 else 'have'} no origin evidence that tells {home} from another country "
                         f"({'its' if self.k_hours == 1 else 'their'} posting hours, English articles, posts on Russian holidays or texts shared with other accounts are read only as "
                         f"run from Russia or not), so the prior's share for {home} is what counts {'it' if self.k_hours == 1 else 'them'}")
        if self.k_study_prior:
            # IRA tweets with a Brexit sample (uk-ge2017): 207 of the 620 counted (`prior_led_sql`), @ObserverUK's
            # 'London' among them, had P(Russia) 0.065 before the study prior's step and 0.768 after. It said
            # "their own evidence left P(Russia) below 0.5", true of every account the step carried past 0.5
            # (151 on a walk's IRA study of May–June 2017, where this counted 87): the second test, GB more
            # likely than not without the step, is what it counts, so the sentence says that, as the posts' does.
            one = self.k_study_prior == 1
            parts.append(f"{of_these(self.k_study_prior)} {'is' if one else 'are'} more likely than not run from Russia only through the study's "
                         f"prior, which estimates how many of its accounts are Russia-run: without it {'it' if one else 'they'} would be more "
                         f"likely than not run from {home}, so what the study is made of counts {'it' if one else 'them'}, not evidence about "
                         f"{'it' if one else 'them'} (fewer accounts may be counted here than have the line \"the study's prior ... took P(Russia) "
                         f"past 0.5\": one whose own evidence places it outside {home} anyway is counted without the prior)")
        if self.k_place and 2 * self.k_place >= self.k:
            # brexit-2016: 5,464 of the 5,471 counted were placed by the place their own profile
            # names (US, CA, IE ...), people abroad talking about the referendum; the count stood
            # in a report on influence campaigns with nothing saying so. Said where it is most of
            # the count, which is then mostly what accounts say of themselves.
            parts.append(f"{of_these(self.k_place)} name a place in their own profile and are most likely outside {home}: "
                         f"a claim, and people outside {home} talk about its elections too; foreign origin alone is no sign of a campaign")
        return "; ".join(parts)


def _home_languages(home: str) -> tuple[str, ...]:
    """The languages of the home country (gazetteer): posts in one of them cannot place an account
    abroad (English alone tells GB from US by the prior only); posts in Russian can."""
    from botwatch.accounts.gazetteer import countries

    c = countries().get(home.upper())
    return tuple(c.languages) if c is not None else ()


def counted(study: Study, home: str) -> Counted:
    """The breakdown of the counted accounts; language-only counts need `account_evidence` and
    `account_features.top_lang` (None without them)."""
    p = p_outside_sql(home, "s")
    k, k_home = study.sql(
        f"SELECT count(*) FILTER (WHERE {p} >= {FOREIGN_THRESHOLD}), count(*) FILTER (WHERE {p} >= {FOREIGN_THRESHOLD} AND s.origin_country = ?) "
        "FROM account_scores s",
        [home.upper()],
    )[0]
    k_lang = n_lang = k_either = None
    k_hours = n_hours = 0
    if {"account_evidence", "account_features"} <= set(study.tables()) and "top_lang" in study.columns("account_features") and _home_languages(home):
        k_lang, n_lang, k_either, k_hours, n_hours = _language_only(study, p, home)
    return Counted(
        k=int(k), k_home=int(k_home), k_place=_placed_by_profile(study, p, home),
        k_language=None if k_lang is None else int(k_lang), n_language=None if n_lang is None else int(n_lang),
        k_either=None if k_either is None else int(k_either), k_hours=int(k_hours or 0), n_hours=int(n_hours or 0),
        k_study_prior=_led_by_study_prior(study, home),
    )


# The study prior's step in its evidence sentence (`origin_prior.moves`): "this moves P(Russia) from a to b".
_PRIOR_MOVE = r"this moves P\(Russia\) from [<>]?([0-9]+(\.[0-9]+)?) to [<>]?([0-9]+(\.[0-9]+)?)"


def prior_led_sql(study: Study, home: str) -> tuple[str, list[Any]] | None:
    """A SELECT of (platform, account_id) of the counted accounts that only the study prior
    (`account_evidence.feature = 'study_prior'`) made more likely than not run from Russia, and its
    parameters; None when the evidence table is absent. One rule for every sentence that says how
    much of a foreign count rests on the prior (the counts, the foreign posts, the office hours).

    Such an account's study-prior step carried P(Russia) from a below 0.5 to b of 0.5 or more, and
    without that step it would not be counted: P(home) would be its P(home) × (1 − a) / (1 − b),
    as the step rescales every country but Russia alike (`origin_pool.others_scale`; the study home
    share after it moves home against the others only), and above 0.5. Why the second test: on the
    walk's IRA/Brexit study (uk-ge2017) the step made 278 of the 620 counted accounts Russia-led,
    but 71 of them, German- or Arabic-language accounts among them, were placed abroad by their
    own evidence and are counted with or without it: "what the study is made of counts them" was
    untrue of those. An account whose P(home) is too small to be stored is not counted here."""
    from botwatch.origin_rule import _home

    if "account_evidence" not in set(study.tables()):
        return None
    code = _home(home)
    p = p_outside_sql(code, "s")
    query = f"""SELECT s.platform, s.account_id FROM account_scores s
        JOIN (SELECT platform, account_id, TRY_CAST(regexp_extract(sentence, ?, 1) AS DOUBLE) AS a,
                     TRY_CAST(regexp_extract(sentence, ?, 3) AS DOUBLE) AS b
              FROM account_evidence WHERE kind = 'origin' AND feature = 'study_prior') m
          ON m.platform = s.platform AND m.account_id = s.account_id
        WHERE {p} >= {FOREIGN_THRESHOLD} AND m.a < 0.5 AND m.b >= 0.5
          AND (1 - {p}) * (1 - m.a) / greatest(1 - m.b, 0.0005) > 0.5"""
    return query, [_PRIOR_MOVE, _PRIOR_MOVE]


def _led_by_study_prior(study: Study, home: str) -> int | None:
    """How many counted accounts only the study prior made Russian (`prior_led_sql`): Russia leads
    them by what the study is made of (the prior estimates how many of its accounts are
    Russia-run), not by their own evidence. None when the evidence table is absent or cannot be
    read this way."""
    got = prior_led_sql(study, home)
    if got is None:
        return None
    try:
        (n,) = study.sql(f"SELECT count(*) FROM ({got[0]}) led", got[1])[0]
    except Exception:  # noqa: BLE001 - the breakdown is a clarification; the count stands without it
        return None
    return int(n)


def led_by_study_prior_among(study: Study, keys: list[tuple[str, str]], home: str) -> set[tuple[str, str]] | None:
    """Those of `keys` ((platform, account_id)) that `prior_led_sql` counts: foreign only through
    the study prior's step. None when it cannot be read (as `_led_by_study_prior`).

    Why: the account JSON gave `study_prior_lead` to every account the step carried past 0.5 in
    P(Russia) (151 on a walk's IRA study of May–June 2017, uk-ge2017), while the report's headline
    counted the 87 of them that without the step would be more likely than not run from GB; no
    field said which 87, so a researcher could not reproduce the report's figure from the JSON."""
    got = prior_led_sql(study, home)
    if got is None:
        return None
    if not keys:
        return set()
    view = "_botwatch_prior_led_keys"
    table = _keys_table(keys)
    try:
        with study.temp_view(view, table):
            rows = study.sql(f"SELECT led.platform, led.account_id FROM ({got[0]}) led JOIN {view} USING (platform, account_id)", got[1])
    except Exception:  # noqa: BLE001 - a clarification; the flag is null without it
        return None
    return {(pl, aid) for pl, aid in rows}


def prior_led_posts(study: Study, home: str, period: str = "last_30_days") -> int | None:
    """Election posts in the estimates' `period` by accounts counted foreign only through the study
    prior (`prior_led_sql`): the part of the "posts by foreign-origin accounts" figure that rests on
    what the study is made of. None when it cannot be counted (no evidence, labels or period).

    Why: on the walk's IRA/Brexit study (uk-ge2017) the Parties headline said foreign-origin
    accounts posted 46 election posts in the 30 days before polling day, with no word that 10 of
    them came from accounts counted foreign by the study prior alone,
    where the headline count of accounts said so of its accounts."""
    tables = set(study.tables())
    if not {"post_labels", "estimates", "account_scores"} <= tables:
        return None
    led = prior_led_sql(study, home)
    if led is None:
        return None
    try:
        span = study.sql("SELECT min(period_start), max(period_end) FROM estimates WHERE period = ?", [period])
        if not span or span[0][0] is None:
            return None
        # The window as the estimates count it (`relational.in_window`: [start, end)), election posts only (`relational.units`).
        (n,) = study.sql(
            f"""SELECT count(*) FROM post_labels pl JOIN ({led[0]}) led ON led.platform = pl.platform AND led.account_id = pl.account_id
                WHERE pl.in_election AND pl.created_at >= ? AND pl.created_at < ?""",
            [*led[1], *span[0]],
        )[0]
    except Exception:  # noqa: BLE001 - a clarification of the figure; the figure stands without it
        return None
    return int(n)


def _prior_rule(study: Study, home: str, keys: str | None = None) -> tuple[str, str, str, list[Any]]:
    """The one rule of which counted accounts rest on the prior, for the report's breakdown
    (`counted`) and for `explain` and the JSON (`rests_on_prior_among`), which wrote it twice (in
    SQL and in Python) and parted on an account without an `account_features` row. Returns the
    common table expressions defining `lang_only` (platform, account_id, has_language, ru_only: the
    accounts whose origin evidence, beyond items read only as run from Russia or not, is at most a
    language of home; `keys`: a view of (platform, account_id) to read the evidence of those only),
    the predicate over `account_scores s` LEFT JOIN `lang_only l` that a counted account rests on
    the prior, the predicate that an account is not placed in Russia by what was set aside, and the
    expressions' parameters.

    Items that move only Russia's odds (`RUSSIA_ONLY_KINDS`) are set aside, and a counted account
    is said to rest on the prior only where it would be counted with its whole P(Russia) given to
    home: what counts it is then the spread over the other countries, which such evidence leaves
    to the prior. An account without a top language (no `account_features` row or column) rests on
    the prior only where none of its evidence is a language that places it."""
    from botwatch.origin_rule import _home

    from botwatch.accounts.origin_signals import RUSSIAN_SPEAKING

    code = _home(home)
    p = p_outside_sql(code, "s")
    langs = _home_languages(code)
    books = ", ".join(f"'{x}'" for x in BOOKKEEPING_KINDS)
    lang = ", ".join(f"'{x}'" for x in LANGUAGE_KINDS)
    russia_home = code == "RU"  # there those items tell home from every other country
    ru_only = "NULL" if russia_home else ", ".join(f"'{x}'" for x in RUSSIA_ONLY_KINDS)
    # `articles` is read on English prose only and weighs the Russian-speaking countries against all
    # others: for any other home it says nothing of home against another country, and is the only
    # language item of an account whose English posts carry no language tag (a CSV without `lang`).
    placing = "feature <> 'articles'" if code not in RUSSIAN_SPEAKING else "TRUE"
    p_ru = "0" if russia_home else "coalesce(TRY_CAST(json_extract_string(s.origin_probabilities, '$.\"RU\"') AS DOUBLE), 0)"
    rests = f"(l.account_id IS NOT NULL AND ({p}) >= {FOREIGN_THRESHOLD} AND ({p}) - {p_ru} >= {FOREIGN_THRESHOLD})"
    not_ru = "TRUE" if russia_home else "s.origin_country IS DISTINCT FROM 'RU'"
    tables = set(study.tables())
    features = ("account_features" if "account_features" in tables and "top_lang" in study.columns("account_features")
                else "(SELECT CAST(NULL AS VARCHAR) AS platform, CAST(NULL AS VARCHAR) AS account_id, CAST(NULL AS VARCHAR) AS top_lang WHERE FALSE)")
    of_keys = f"JOIN {keys} USING (platform, account_id) " if keys else ""
    home_lang = f"f.top_lang IN ({', '.join('?' for _ in langs)})" if langs else "FALSE"
    ctes = f"""kinds AS (
                  SELECT platform, account_id,
                         count(*) FILTER (WHERE feature IS NOT NULL AND feature NOT IN ({books})) AS items,
                         count(*) FILTER (WHERE feature IN ({lang})) AS language,
                         count(*) FILTER (WHERE feature IN ({lang}) AND {placing}) AS lang_places,
                         count(*) FILTER (WHERE feature IN ({ru_only})) AS ru_only
                  FROM account_evidence {of_keys}WHERE kind = 'origin' GROUP BY platform, account_id),
                lang_only AS (
                  SELECT k.platform, k.account_id, k.lang_places > 0 AS has_language, k.ru_only + k.language - k.lang_places AS ru_only
                  FROM kinds k LEFT JOIN {features} f ON f.platform = k.platform AND f.account_id = k.account_id
                  WHERE k.items > 0 AND k.items = k.language + k.ru_only
                    AND (k.lang_places = 0 OR {home_lang}))"""
    return ctes, rests, not_ru, list(langs)


def _language_only(study: Study, p: str, home: str) -> tuple[int | None, int | None, int | None, int, int]:
    """(counted, all) accounts whose only origin evidence is posting in a home language, the
    counted accounts that rest on the prior (language alone, posting hours read only against
    Moscow) or have home as most likely (each once), and (counted, all) accounts whose only
    evidence is such hours (`_prior_rule`); all None (the hours 0) when the query cannot run (a
    lake whose evidence table is read by Spark): the sentences then say only what `account_scores`
    shows."""
    try:
        ctes, rests, not_ru, params = _prior_rule(study, home)
        row = study.sql(
            f"""WITH {ctes}
            SELECT count(*) FILTER (WHERE {rests} AND l.has_language),
                   count(*) FILTER (WHERE {p} IS NOT NULL AND l.has_language AND (l.ru_only = 0 OR {not_ru})),
                   count(*) FILTER (WHERE {p} >= {FOREIGN_THRESHOLD} AND ({rests} OR s.origin_country = ?)),
                   count(*) FILTER (WHERE {rests} AND NOT l.has_language),
                   count(*) FILTER (WHERE {p} IS NOT NULL AND NOT l.has_language AND {not_ru})
            FROM account_scores s LEFT JOIN lang_only l USING (platform, account_id)""",
            [*params, home.upper()],
        )[0]
    except Exception:  # noqa: BLE001 - the breakdown is a clarification; the count stands without it
        return None, None, None, 0, 0
    return row[0], row[1], row[2], row[3], row[4]


def _placed_by_profile(study: Study, p: str, home: str) -> int | None:
    """Counted accounts whose most likely country is not home and whose origin evidence holds
    their own profile location (`account_evidence.feature = 'location'`); None when the evidence
    table is absent or cannot be read (a lake read by Spark)."""
    if "account_evidence" not in set(study.tables()):
        return None
    try:
        (n,) = study.sql(
            f"""SELECT count(*) FROM account_scores s
                WHERE {p} >= {FOREIGN_THRESHOLD} AND s.origin_country IS DISTINCT FROM ?
                  AND EXISTS (SELECT 1 FROM account_evidence e WHERE e.platform = s.platform AND e.account_id = s.account_id
                              AND e.kind = 'origin' AND e.feature = 'location')""",
            [home.upper()],
        )[0]
    except Exception:  # noqa: BLE001 - the breakdown is a clarification; the count stands without it
        return None
    return int(n)


def rests_on_prior(study: Study, platform: str, account_id: str, home: str) -> bool:
    """Whether one account counted foreign rests on the prior as `counted` reads it: its origin
    evidence, beyond items read only as run from Russia or not, is at most a language of home, and
    it would be counted with its whole P(Russia) given to home. For `explain`, which said "counted
    foreign-origin" of a New Zealand account whose only evidence was its posting hours."""
    return (platform, account_id) in (rests_on_prior_among(study, [(platform, account_id)], home) or set())


def rests_on_prior_among(study: Study, keys: list[tuple[str, str]], home: str) -> set[tuple[str, str]] | None:
    """Those of `keys` ((platform, account_id)) that `rests_on_prior` holds for, by the rule the
    report's breakdown counts with (`_prior_rule`), read in one query whatever their number
    (`accounts --json` asks for a whole listing); None when the evidence cannot be read (no
    `account_evidence` or `account_scores`, a lake read by Spark)."""
    if "account_evidence" not in study.tables() or "account_scores" not in study.tables():
        return None
    if not keys:
        return set()
    view = "_botwatch_prior_keys"
    table = _keys_table(keys)
    try:
        with study.temp_view(view, table):
            ctes, rests, _not_ru, params = _prior_rule(study, home, keys=view)
            rows = study.sql(f"WITH {ctes} SELECT s.platform, s.account_id FROM account_scores s JOIN {view} USING (platform, account_id) "
                             f"LEFT JOIN lang_only l USING (platform, account_id) WHERE {rests}", params)
    except Exception:  # noqa: BLE001 - a clarification; the verdict stands without it
        return None
    return {(pl, aid) for pl, aid in rows}


def _keys_table(keys: list[tuple[str, str]]) -> Any:
    """(platform, account_id) keys as an Arrow table, for a temporary view the queries above join
    with, so a whole listing is asked about in one query."""
    import pyarrow as pa

    return pa.table({"platform": pa.array([k[0] for k in keys], pa.string()), "account_id": pa.array([k[1] for k in keys], pa.string())})
