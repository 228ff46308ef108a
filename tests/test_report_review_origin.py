"""A Bluesky capture with no profile location or time zone: every one of 997 accounts had GB as its
most likely country (p ≈ 0.44) and P(outside GB) ≈ 0.56 from the prior and the language of its
posts alone, and the top of the report said "997 of them, 100% [100–100%], are counted as foreign"
beside "997 of the 997 accounts … are placed in GB". On a twarc2 study 67 of 81 counted accounts
had GB as their most likely country. The ≥ 0.5 rule stays (docs/methods.md "report"); the
sentences quoting its count now say what placed the counted accounts."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from botwatch.report.headlines import key_numbers
from botwatch.study import open_study


def _study(path: Path, accounts: list[tuple[str, dict[str, float], list[str], str]]):  # type: ignore[no-untyped-def]
    """accounts: (id, origin distribution, origin evidence kinds, top language)."""
    st = open_study(path, read_only=False)
    st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_country VARCHAR, origin_probability DOUBLE, origin_probabilities VARCHAR)")
    st.sql("CREATE TABLE account_evidence (platform VARCHAR, account_id VARCHAR, kind VARCHAR, rank BIGINT, feature VARCHAR, value DOUBLE, contribution DOUBLE, sentence VARCHAR)")
    st.sql("CREATE TABLE account_features (platform VARCHAR, account_id VARCHAR, top_lang VARCHAR)")
    for aid, dist, kinds, lang in accounts:
        top = max(dist, key=dist.__getitem__)
        st.sql("INSERT INTO posts (platform, account_id, post_id, created_at) VALUES ('bluesky', ?, ?, TIMESTAMP '2017-06-01 12:00')", [aid, f"p{aid}"])
        st.sql("INSERT INTO account_scores VALUES ('bluesky', ?, NULL, ?, ?, ?)", [aid, top, dist[top], json.dumps(dist)])
        for r, k in enumerate(["prior", *kinds, "calibration", "study_prior"]):
            st.sql("INSERT INTO account_evidence VALUES ('bluesky', ?, 'origin', ?, ?, NULL, NULL, 's')", [aid, r, k])
        st.sql("INSERT INTO account_features VALUES ('bluesky', ?, ?)", [aid, lang])
    return st


def _origin_number(st) -> str:  # type: ignore[no-untyped-def]
    k = _origin_key(st)
    return f"{k.value} {k.detail}"


def _origin_key(st):  # type: ignore[no-untyped-def]
    ctx = {"tables": set(st.tables()), "election": SimpleNamespace(country="GB")}
    (k,) = [k for k in key_numbers(st, ctx, set()) if k.label == "expected foreign-origin accounts"]
    return k


def test_language_only_accounts_placed_at_home_are_no_foreign_share(tmp_path: Path) -> None:
    english = {"GB": 0.44, "US": 0.20, "IN": 0.07}
    st = _study(tmp_path / "c.duckdb", [(f"a{i}", english, ["post_langs", "articles"], "en") for i in range(20)])
    try:
        text = _origin_number(st)
    finally:
        st.close()
    assert text.startswith("11 [")  # the expected count (20 × 0.56) leads
    assert "100% [" not in text and "20 of them are counted as foreign" in text
    assert "all 20 have GB as their single most likely country" in text
    assert "20 have as their only origin evidence that they post in a language spoken in GB" in text
    assert "that count is not a finding of foreign accounts" in text
    # The card's quotable line (the detail folds under it) says so too.
    st = _study(tmp_path / "c2.duckdb", [(f"a{i}", english, ["post_langs", "articles"], "en") for i in range(20)])
    try:
        summary = _origin_key(st).summary
    finally:
        st.close()
    assert summary.startswith("the 20 accounts with origin evidence") and summary.endswith("not a finding of foreign accounts"), summary


def test_counted_accounts_mostly_placed_at_home_are_said_to_be(tmp_path: Path) -> None:
    """As on the twarc2 study: most counted accounts have location evidence, yet GB as their single
    most likely country (0.45 GB against several others)."""
    split = {"GB": 0.45, "US": 0.30, "IE": 0.25}
    russian = {"RU": 0.9, "GB": 0.05}
    rows = [(f"h{i}", split, ["location"], "en") for i in range(6)] + [(f"r{i}", russian, ["post_langs"], "ru") for i in range(3)]
    st = _study(tmp_path / "s.duckdb", rows)
    try:
        text = _origin_number(st)
    finally:
        st.close()
    assert "6 of these 9 have GB as their single most likely country" in text and "not a finding" in text
    assert "only origin evidence" not in text  # Russian-language posts are evidence of origin, not the prior


def test_foreign_accounts_on_their_own_evidence_keep_their_share(tmp_path: Path) -> None:
    russian = {"RU": 0.9, "GB": 0.05}
    rows = [(f"r{i}", russian, ["location", "post_langs"], "ru") for i in range(8)] + [(f"g{i}", {"GB": 0.95}, ["location"], "en") for i in range(8)]
    st = _study(tmp_path / "r.duckdb", rows)
    try:
        text = _origin_number(st)
    finally:
        st.close()
    assert "8 of them, 50% [" in text and "not a finding" not in text and "most likely country" not in text


def test_home_placed_and_language_only_accounts_together_make_no_share(tmp_path: Path) -> None:
    """Neither group is half the count on its own, but together they are: no share of "foreign"
    accounts."""
    english = {"US": 0.40, "GB": 0.35, "IN": 0.07}  # language only, not placed at home
    home = {"GB": 0.45, "US": 0.30, "IE": 0.25}  # location evidence, GB most likely, still counted
    russian = {"RU": 0.9, "GB": 0.05}
    rows = ([(f"e{i}", english, ["post_langs"], "en") for i in range(3)] + [(f"h{i}", home, ["location"], "en") for i in range(3)]
            + [(f"r{i}", russian, ["location", "post_langs"], "ru") for i in range(5)])
    st = _study(tmp_path / "u.duckdb", rows)
    try:
        text = _origin_number(st)
    finally:
        st.close()
    # 11 counted: 3 placed at home, 3 others on language alone; 6 of 11 in either group.
    assert "3 of these 11 have GB as their single most likely country" in text
    assert "3 have as their only origin evidence" in text
    assert "11 of them are counted as foreign" in text and "not a finding" in text



def test_the_headline_and_the_key_number_share_one_origin_check(analysed_sample_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The foreign count's headline (`section_accounts`) and its key number (`headlines`) carry
    the same held-out check; each ran the blind-spot query for it. One report context, one run."""
    from botwatch.report import caveats
    from botwatch.report.context import report_context
    from botwatch.report.section_accounts import accounts_section

    calls: list[str | None] = []
    real = caveats.origin_blind_spot

    def counted(study, home):  # type: ignore[no-untyped-def]
        calls.append(home)
        return real(study, home)

    monkeypatch.setattr(caveats, "origin_blind_spot", counted)
    with open_study(analysed_sample_path, read_only=True) as st:
        ctx = report_context(st)
        sec = accounts_section(st, ctx)
        (k,) = [k for k in key_numbers(st, ctx, set()) if k.label == "expected foreign-origin accounts"]
    assert sec is not None and any("accounts with origin evidence" in str(h) for h in sec.headline), sec.headline
    assert calls == ["US"], calls
    assert k.caveat and k.caveat[:60] in " ".join(str(h) for h in sec.headline), (k.caveat, sec.headline)


def test_the_card_says_when_language_is_most_of_what_the_model_saw(tmp_path: Path) -> None:
    """Most accounts with origin evidence rest on their language alone (kept at home, not counted),
    while the few counted ones are placed abroad on evidence: the count is a finding, but the
    expected count over all of them mostly restates the prior, and the card's line says so."""
    home_lang = {"GB": 0.7, "US": 0.2, "IE": 0.1}
    russian = {"RU": 0.9, "GB": 0.05}
    rows = [(f"a{i}", home_lang, ["post_langs"], "en") for i in range(20)] + [(f"r{i}", russian, ["post_langs", "location"], "ru") for i in range(5)]
    st = _study(tmp_path / "l.duckdb", rows)
    try:
        k = _origin_key(st)
    finally:
        st.close()
    assert "not a finding" not in k.summary
    assert k.summary.startswith("the 25 accounts with origin evidence") and k.summary.endswith(
        "for most of them a language spoken in GB is all the model saw"), k.summary
    assert "is all the model saw, so the expected count too mostly restates its prior" in k.detail


def test_accounts_whose_hours_are_read_only_against_moscow_rest_on_the_prior(tmp_path: Path) -> None:
    """A New Zealand study of 30 accounts with no profiles keeping New Zealand hours: the office-hours
    item supersedes the hours fit and moves only Russia's odds, so each account sat at P(NZ) 0.29 from
    the prior, all 30 were counted foreign and the expected count (21) was quoted with nothing saying
    that it restates the prior: the hours item made them look as if they had evidence beyond language.
    English posters with the same item were not counted as resting on their language either."""
    hours_only = {"NZ": 0.29, "US": 0.13, "JP": 0.10, "RU": 0.04}
    st = _study(tmp_path / "nz.duckdb", [(f"a{i}", hours_only, ["office_hours"], None) for i in range(30)])
    try:
        from botwatch.origin_counted import counted

        c = counted(st, "NZ")
        ctx = {"tables": set(st.tables()), "election": SimpleNamespace(country="NZ")}
        (k,) = [k for k in key_numbers(st, ctx, set()) if k.label == "expected foreign-origin accounts"]
    finally:
        st.close()
    assert (c.k, c.k_hours, c.n_hours, c.k_either) == (30, 30, 30, 30)
    assert "30 have no origin evidence that tells NZ from another country (their posting hours" in k.detail
    assert "so the expected count too mostly restates its prior" in k.detail
    assert "rest on the prior (for most of the accounts the model saw nothing that tells NZ from another country)" in k.summary
    assert k.summary.endswith("not a finding of foreign accounts"), k.summary
    english = {"US": 0.40, "GB": 0.35, "IN": 0.07}
    st = _study(tmp_path / "en.duckdb", [(f"e{i}", english, ["post_langs", "office_hours", "shared_texts"], "en") for i in range(10)])
    try:
        text = _origin_number(st)
    finally:
        st.close()
    assert "10 have as their only origin evidence that they post in a language spoken in GB" in text and "not a finding" in text


def test_hours_that_place_an_account_in_russia_are_evidence_not_the_prior(tmp_path: Path) -> None:
    """The office-hours item set aside only where the account would be counted with its whole
    P(Russia) given to home: accounts it placed in Russia are counted on evidence."""
    office = {"RU": 0.8, "GB": 0.1, "US": 0.05}
    rows = [(f"r{i}", office, ["post_langs", "office_hours"], "en") for i in range(8)] + [(f"o{i}", office, ["office_hours"], None) for i in range(4)]
    st = _study(tmp_path / "ru.duckdb", rows)
    try:
        text = _origin_number(st)
    finally:
        st.close()
    assert "12 of them, 100% [" in text and "not a finding" not in text and "only origin evidence" not in text and "posting hours" not in text


def test_english_articles_without_language_tags_are_no_evidence_of_home(tmp_path: Path) -> None:
    """A CSV without a `lang` column: English posts carry only the articles item, which weighs the
    Russian-speaking countries against all others. 30 New Zealand accounts posting English at New
    Zealand hours sat at P(NZ) 0.31, all counted foreign, and neither the language-only nor any
    other breakdown named them (their top language is unknown)."""
    untagged = {"NZ": 0.31, "US": 0.13, "JP": 0.10, "RU": 0.02}
    st = _study(tmp_path / "nz.duckdb", [(f"a{i}", untagged, ["articles", "office_hours"], None) for i in range(30)])
    try:
        from botwatch.origin_counted import counted

        c = counted(st, "NZ")
    finally:
        st.close()
    assert (c.k, c.k_hours, c.n_hours, c.k_either, c.k_language) == (30, 30, 30, 30, 0)
    assert "English articles" in c.clause("NZ")


def test_one_account_resting_on_the_prior(tmp_path: Path) -> None:
    """`explain`'s verdict reads the same rule as the report's breakdown, for one account."""
    from botwatch.origin_counted import rests_on_prior

    rows = [("h", {"NZ": 0.29, "US": 0.13, "RU": 0.04}, ["office_hours"], None),
            ("e", {"NZ": 0.40, "US": 0.30, "GB": 0.10}, ["post_langs", "articles", "office_hours"], "en"),
            ("p", {"NZ": 0.10, "AU": 0.80}, ["location", "office_hours"], "en"),
            ("r", {"RU": 0.8, "NZ": 0.1}, ["office_hours"], None),
            ("k", {"NZ": 0.60, "US": 0.30}, ["office_hours"], None)]
    st = _study(tmp_path / "one.duckdb", rows)
    try:
        assert [rests_on_prior(st, "bluesky", a, "NZ") for a, *_ in rows] == [True, True, False, False, False]
    finally:
        st.close()


def test_explain_says_a_counted_account_resting_on_the_prior_is_no_finding(tmp_path: Path, nz_hours_study: tuple[str, Path]) -> None:
    """Accounts with no profile keeping New Zealand hours under a New Zealand election file: each
    read "counted foreign-origin" at P(outside NZ) 0.7 with nothing in the verdict saying that its
    evidence does not tell New Zealand from any other country."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    f, election = nz_hours_study
    study, runner = str(tmp_path / "s.duckdb"), CliRunner()
    assert runner.invoke(app, ["ingest", study, f, "--columns", "post_id=post_id,account_id=account_id,created_at=created_at,text=text"]).exit_code == 0
    res = runner.invoke(app, ["analyze", study, "--election", str(election), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["explain", study, "u0"])
    assert res.exit_code == 0, res.output
    words = " ".join(res.output.split())
    assert "(counted foreign-origin" in words, words
    assert "its origin evidence tells NZ from no other country" in words and "this probability is the prior's, not a finding about the account" in words


def test_the_account_json_says_a_foreign_flag_rests_on_the_prior(tmp_path: Path) -> None:
    """`accounts --json` and `explain --json` gave "foreign": true of an account whose evidence tells
    home from no other country, with no sign of it, where `explain` and the report say so."""
    from botwatch.accounts.json_shape import COLUMNS, account_json, on_prior

    rows = [("h", {"NZ": 0.29, "US": 0.13, "RU": 0.04}, ["office_hours"], None),
            ("p", {"NZ": 0.10, "AU": 0.80}, ["location", "office_hours"], "en"),
            ("k", {"NZ": 0.60, "US": 0.30}, ["office_hours"], None)]
    st = _study(tmp_path / "j.duckdb", rows)
    try:
        got = []
        for aid, dist, *_ in rows:
            top = max(dist, key=dist.__getitem__)
            row = tuple({"platform": "bluesky", "account_id": aid, "origin_country": top, "origin_probability": dist[top],
                         "origin_probabilities": json.dumps(dist)}.get(c) for c in COLUMNS)
            got.append(account_json(row, "NZ", None, on_prior(st, [row], "NZ"))["origin"])
        assert [(o["foreign"], o["foreign_rests_on_prior"]) for o in got] == [(True, True), (True, False), (False, None)]
        assert on_prior(st, [], None) is None
    finally:
        st.close()


def test_the_breakdown_and_explain_read_one_rule_of_resting_on_the_prior(tmp_path: Path) -> None:
    """`counted` (the report's breakdown) and `rests_on_prior_among` (`explain`, the JSON's
    `foreign_rests_on_prior`) answer from one rule: on a study holding each case, the accounts the
    one calls resting on the prior are as many as the other counts, under each home. They were two
    writings of the rule (SQL and Python) and parted on an account without a features row."""
    from botwatch.origin_counted import counted, rests_on_prior_among

    rows = [("hours", {"NZ": 0.29, "US": 0.13, "RU": 0.04}, ["office_hours"], None),
            ("lang", {"NZ": 0.40, "US": 0.30, "GB": 0.10}, ["post_langs", "articles", "office_hours"], "en"),
            ("foreign_lang", {"NZ": 0.40, "US": 0.30, "GB": 0.10}, ["post_langs"], "de"),
            ("articles", {"NZ": 0.31, "US": 0.13, "RU": 0.02}, ["articles", "office_hours"], None),
            ("place", {"NZ": 0.10, "AU": 0.80}, ["location", "office_hours"], "en"),
            ("russia", {"RU": 0.8, "NZ": 0.1}, ["office_hours"], None),
            ("russian", {"RU": 0.45, "KZ": 0.30, "NZ": 0.1}, ["post_langs", "post_cyrillic"], "ru"),
            ("home", {"NZ": 0.60, "US": 0.30}, ["office_hours"], None),
            ("no_features", {"NZ": 0.29, "US": 0.13, "RU": 0.04}, ["office_hours"], None)]
    st = _study(tmp_path / "rule.duckdb", rows)
    try:
        st.sql("DELETE FROM account_features WHERE account_id = 'no_features'")
        keys = [("bluesky", a) for a, *_ in rows]
        for home in ("NZ", "RU", "KZ", "GB"):
            c = counted(st, home)
            among = rests_on_prior_among(st, keys, home)
            assert among is not None and c.k_language is not None
            assert len(among) == c.k_language + c.k_hours, (home, sorted(among), c)
        assert {a for _p, a in rests_on_prior_among(st, keys, "NZ") or set()} == {"hours", "lang", "articles", "no_features"}
    finally:
        st.close()


def test_the_report_measures_foreign_origin_against_the_country_the_scores_were_made_for(tmp_path: Path) -> None:
    """Scored for us-2016, then a stage analysed for uk-ge2017: the report's election is GB, and its
    key number, accounts section and explorer measured P(outside GB) on distributions made for the
    US (here 3 of 3 counted foreign, where against the US none is), under a banner saying each
    section describes its own stage's election."""
    from botwatch.report.section_accounts import _home_country
    from botwatch.report.section_explorer import _account_rows

    american = {"US": 0.80, "GB": 0.15, "CA": 0.05}
    st = _study(tmp_path / "s.duckdb", [(f"u{i}", american, ["location"], "en") for i in range(3)])
    try:
        st.sql("INSERT INTO runs VALUES ('r1', 'accounts', '{\"election\": \"us-2016\"}', '0', now(), now(), 'ok', 0, NULL)")
        st.sql("INSERT INTO accounts (platform, account_id, handle) SELECT platform, account_id, account_id FROM account_scores")
        ctx = {"tables": set(st.tables()), "election": SimpleNamespace(country="GB")}
        (k,) = [k for k in key_numbers(st, ctx, set()) if k.label.startswith("expected foreign-origin account")]
        home = _home_country(st, ctx)
        rows = _account_rows(st, ctx, set(st.tables()), set(st.columns("account_scores")), 10)[2]
    finally:
        st.close()
    assert "run from outside US" in k.detail and "outside GB" not in k.detail, k.detail
    assert k.value.split()[0] == "1", k.value  # 3 × 0.2, not 3 × 0.85
    assert home == "US"
    assert sorted(round(r[-1], 2) for r in rows) == [0.2, 0.2, 0.2]


def test_one_counted_account_on_language_alone_is_said_in_the_singular() -> None:
    from botwatch.origin_counted import Counted

    said = Counted(k=5, k_home=0, k_language=1, n_language=1).clause("GB")
    assert "1 has as its only origin evidence that it posts in a language spoken in GB" in said, said
    assert "2 have as their only origin evidence that they post" in Counted(k=5, k_home=0, k_language=2, n_language=2).clause("GB")
    said = Counted(k=5, k_home=1, k_language=0, n_language=0, k_hours=1, n_hours=1).clause("NZ")
    assert "1 of these 5 has NZ as its single most likely country" in said and "(its posting hours" in said and "what counts it" in said, said


def test_the_card_says_an_expected_count_of_a_platform_the_model_never_saw_is_no_measurement(tmp_path: Path) -> None:
    """A Bluesky capture: every account placed at home at 0.69 from the prior, none counted foreign,
    and the card read "1,081 expected foreign-origin accounts" over "the 3,487 accounts with origin
    evidence, each counted by its probability of being run from outside US": the sum of 0.31 a
    model that never saw Bluesky gives every account, said as a measured count."""
    rows = [(f"a{i}", {"US": 0.69, "GB": 0.1, "RU": 0.05}, [], "en") for i in range(40)]
    st = _study(tmp_path / "b.duckdb", rows)
    try:
        ctx = {"tables": set(st.tables()), "election": SimpleNamespace(country="US")}
        (k,) = [k for k in key_numbers(st, ctx, set()) if k.label == "expected foreign-origin accounts"]
    finally:
        st.close()
    assert k.value == "12", k.value
    said = ("all 40 accounts come from Bluesky, a platform the origin model never saw (it learned from Twitter accounts only), so the "
            "figure restates its prior and what it learned of Twitter, not a measurement of them; none of them is counted foreign")
    assert said in k.summary and said in k.detail, k.summary
