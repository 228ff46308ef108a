"""The one rule for "foreign origin", used by every table and figure that counts foreign accounts.

The origin model gives each account a probability distribution over countries
(`account_scores.origin_probabilities`, JSON `{"RU": 0.81, "US": 0.12, ...}`, the top countries
with p >= 0.005). The question a reader asks is "is this account run from outside the country
holding the election?", whose probability is 1 − P(home), not the probability of the single
most likely country: an account split 0.45 RU / 0.40 UA / 0.15 US is 85% likely foreign although
no single country reaches 0.5. Counting "most likely country ≠ home and its p ≥ 0.5" undercounts
exactly the accounts whose origin is foreign but uncertain between several countries.

So, everywhere:

* an account *counts* as foreign when P(outside home) >= `FOREIGN_THRESHOLD`;
* the *expected* number of foreign accounts is the sum of P(outside home), with a normal
  interval from the Poisson-binomial variance sum p(1 − p) (accounts treated as independent);
* an account with no origin evidence (no distribution) is unknown, never foreign.

A home country missing from the stored distribution had p < 0.005 (or ranked below the eighth
country), so P(outside home) is taken as 1 − 0 there. A home country the origin model cannot name
at all (`home_known` is false: an election in a country outside its list) gives no P(outside
home): every figure here is then unknown (NULL), never "everyone is foreign".
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

FOREIGN_THRESHOLD = 0.5


def rule_text(home: str) -> str:
    """The rule in words, printed beside every figure that uses it."""
    return f"counted as foreign: probability of being run from outside {home} (1 − P({home}) from the origin model) ≥ {FOREIGN_THRESHOLD:g}"


def _home(home: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2,3}", home or ""):
        raise ValueError(f"not a country code: {home!r}")
    return home.upper()


# ISO 3166-1 leaves these alpha-2 codes to private use: no country has them, so a home given as
# one ("ZZ", "XX") is a placeholder or a typo, never an electorate.
_USER_ASSIGNED = re.compile(r"AA|Q[M-Z]|X[A-Z]|ZZ")


def scoring_home(study: Any) -> str | None:
    """The country the study's account scores were made for: that of the election the latest
    successful `accounts` run recorded (None: scored without an election, or its record cannot be
    loaded). The origin model's prior gave that country its share and each account's stored
    distribution keeps only its top countries, so P(outside home) is only measured for this home."""
    from botwatch.elections.recorded import stage_election

    if "runs" not in study.tables():
        return None
    election = stage_election(study, "accounts")
    country = getattr(election, "country", None)
    return country.upper() if isinstance(country, str) and country else None


def scored_without_election(study: Any) -> bool:
    """Whether the latest successful `accounts` run recorded that it scored with no election
    (`"election": null` in its parameters: `analyze` without one, or `--no-election`). Then no
    country had the home-country prior, and each account kept only the top countries of a
    distribution made without it, so P(outside home) is measured for no home at all: asked for
    NZ, such a study gave "448 of 448 foreign, [448-448]", and asked for US a count made on
    probabilities the US prior never reached. A run whose record names no `election` key at all
    (or no run) says nothing either way: False."""
    from botwatch.runs_table import latest_of_stage

    if "runs" not in study.tables():
        return False
    run = latest_of_stage(study, "accounts")
    params = run.params if run is not None else None
    return isinstance(params, dict) and "election" in params and not params["election"]


def measured_home(study: Any, election: Any) -> str | None:
    """The country the report measures P(outside home) against: the one the account scores were
    made for (`scoring_home`), else `election`'s (None without either, and None when the scores
    were made without an election, `scored_without_election`). The stored distributions
    keep only the top countries and give the home prior to the scoring country, so no other home
    can be measured: a study scored for us-2016, then analysed with uk-ge2017 for coordination
    only, had its key number read "93 expected foreign-origin accounts ... run from outside GB" on
    distributions made for the US, under a banner saying each section describes its own stage's
    election. Scored with none (`analyze` before any election was given), then analysed with
    uk-ge2017 for the other stages, a real UK sample read 75 expected foreign-origin accounts of
    175 against GB where scoring for uk-ge2017 gives 25."""
    if scored_without_election(study):
        return None
    return scoring_home(study) or getattr(election, "country", None)


def no_election_note() -> str:
    """The sentence every place that would show a foreign-origin figure prints instead when the
    accounts were scored without an election (`scored_without_election`)."""
    return ("foreign origin is not measured: the accounts were scored without an election, so no country had the origin "
            "model's home-country prior; run the accounts stage again with the election (analyze --only accounts --election KEY)")


def check_home(study: Any, home: str) -> str:
    """`home` upper-cased, or `ValueError` when the study cannot answer for it: a private-use code
    (no country), a country other than the one the account scores were made for
    (`scoring_home`), or any country when they were made without an election
    (`scored_without_election`). For any other country the stored distributions hold no probability (only
    the top countries are kept, and the home prior went to the scoring country), so every account
    would count as foreign: on a us-2016 study, "NZ" gave 866 of 866 with the interval [866-866].
    Read as every user-given country is (`country_code`): "UK" on a study scored for GB was refused
    with the advice to re-run with an election in UK, which is scored for GB again."""
    from botwatch.elections.model import country_code

    code = _home(country_code(home) if isinstance(home, str) else home)
    if _USER_ASSIGNED.fullmatch(code):
        raise ValueError(f"{home!r} is not a country: ISO 3166-1 leaves {code} to private use; give the election's country, e.g. US or GB")
    scored = scoring_home(study)
    if scored is None and scored_without_election(study):
        raise ValueError(
            f"this study's account scores were made without an election, so no country had the home prior and "
            f"P(outside {code}) is not measured: re-run the accounts stage with an election in {code} "
            f"(botwatch.api.analyze(study, election=..., only=['accounts']))"
        )
    if scored is not None and code != scored:
        raise ValueError(
            f"this study's account scores were made for an election in {scored}, so P(outside {code}) is not measured: "
            f"use {scored!r}, or re-run the accounts stage with an election in {code} "
            f"(botwatch.api.analyze(study, election=..., only=['accounts']))"
        )
    return code


def home_known(home: str | None) -> bool:
    """Whether the origin model can name `home` (its candidate countries): only then is
    P(outside home) a probability; for any other country it would be 1 for every account."""
    if not home:
        return False
    from botwatch.accounts.gazetteer import countries

    return home.upper() in countries()


def origin_home(home: str | None) -> str | None:
    """`home` when the origin model knows it, else None: the accounts stage then scores origin as
    for a study without an election (no home-country prior, `foreign_origin` unknown)."""
    return home.upper() if home and home_known(home) else None


def unknown_home_note(home: str) -> str:
    """The one sentence every place that would show a foreign-origin figure prints instead."""
    from botwatch.accounts.gazetteer import countries

    return (f"foreign origin is not measured: the origin model does not know {home.upper()} "
            f"(it names {len(countries())} countries; docs/elections.md)")


def p_outside_sql(home: str, table: str = "") -> str:
    """DuckDB SQL for P(outside home) of a row of `account_scores` (NULL without origin evidence)."""
    pre = f"{table}." if table else ""
    code = _home(home)
    if not home_known(code):
        return "CAST(NULL AS DOUBLE)"
    return (
        f"(CASE WHEN {pre}origin_probabilities IS NULL OR {pre}origin_country IS NULL THEN NULL "
        f"ELSE 1 - coalesce(TRY_CAST(json_extract_string({pre}origin_probabilities, '$.\"{code}\"') AS DOUBLE), 0) END)"
    )


def foreign_sql(home: str, table: str = "") -> str:
    """DuckDB SQL: TRUE when the row counts as foreign, FALSE when not, NULL when unknown."""
    return f"({p_outside_sql(home, table)} >= {FOREIGN_THRESHOLD})"


def p_outside_ibis(scores: Any, home: str) -> Any:
    """The same probability as an Ibis expression (runs on DuckDB and Spark alike: a regex on the
    JSON text, since JSON functions differ between engines)."""
    import ibis

    code = _home(home)
    if not home_known(code):
        return ibis.null().cast("float64")
    raw = scores.origin_probabilities.re_extract(rf'"{code}"\s*:\s*([0-9.eE+-]+)', 1)
    p_home = (raw.length() > 0).ifelse(raw, ibis.null().cast("string")).cast("float64").fill_null(0.0)
    known = scores.origin_probabilities.notnull() & scores.origin_country.notnull()
    return known.ifelse(1.0 - p_home, ibis.null().cast("float64"))


def p_outside(probabilities_json: str | None, home: str) -> float | None:
    """P(outside home) from the stored JSON (Python side; None when there is no distribution)."""
    import json

    if not probabilities_json or not home_known(_home(home)):
        return None
    try:
        dist = json.loads(probabilities_json)
    except ValueError:
        return None
    if not isinstance(dist, dict) or not dist:
        return None
    return 1.0 - float(dist.get(_home(home), 0.0) or 0.0)


def expected_interval(total: float, variance: float, n: int) -> tuple[float, float]:
    """A 95% interval for the expected count, clipped to [0, n]."""
    sd = math.sqrt(max(variance, 0.0))
    return max(0.0, total - 1.96 * sd), min(float(n), total + 1.96 * sd)


def foreign_counts(study: Any, home: str, *, checked: bool = True) -> dict[str, Any]:
    """Accounts with origin evidence, those counted foreign, and the expected foreign count with
    its 95% interval: the figures every foreign headline quotes, computed once here so the top of
    the report, the accounts section and the CLI cannot disagree.

    `home` must be the country of the election the accounts were scored with (`scoring_home`;
    any home is taken for a study whose runs do not say, none for one scored without an election,
    `scored_without_election`): another country, or a private-use code such as "ZZ", raises
    `ValueError` (see `check_home`). A real country the origin model
    does not list gives n = 0 and no foreign figure (`home_known`). `checked=False` skips that
    check, for the report, which has settled its election against the study already.

    Returns {"n": accounts with origin evidence, "k": those counted foreign, "expected": sum of
    P(outside home), "lo"/"hi": its 95% interval, the probabilities taken as exact (the origin
    model's own error is not in it: the report says so beside it), "top_country_rule": the old top-country count,
    "home": the code}.

    `study` is an open study or a path (opened read-only for the call); a study with no account
    scores yet is a `StudyError` (run the accounts stage first)."""
    if isinstance(study, (str, os.PathLike)):
        from botwatch.study import open_study

        with open_study(study) as st:
            return foreign_counts(st, home, checked=checked)
    if checked:
        if "account_scores" not in study.tables():
            # It was DuckDB's "Catalog Error: Table with name account_scores does not exist!"
            from botwatch.study import StudyError

            where = getattr(study, "path", None) or getattr(study, "root", "the study")
            raise StudyError(f"no account scores in {where}: run botwatch.api.analyze(study, only=['accounts']) first")
        home = check_home(study, home)  # the code as stored: "UK" is GB, " us " is US
    p = p_outside_sql(home)
    n, k, total, var, by_top = study.sql(
        f"SELECT count({p}), count(*) FILTER (WHERE {p} >= {FOREIGN_THRESHOLD}), coalesce(sum({p}), 0), coalesce(sum({p} * (1 - {p})), 0), "
        f"count(*) FILTER (WHERE origin_country <> '{_home(home)}' AND origin_probability >= {FOREIGN_THRESHOLD}) "
        "FROM account_scores"
    )[0]
    lo, hi = expected_interval(float(total), float(var), int(n))
    return {"n": int(n), "k": int(k), "expected": float(total), "lo": lo, "hi": hi, "top_country_rule": int(by_top), "home": _home(home)}
