"""The report read as a journalist would, on @UKLabour's first week of May 2017
(shared/data/ge2017/UKLabour-May-week1.json.gz, uk-ge2017), set against `botwatch explain` and the
study's own tables: each test holds one place where the report said more, or other, than they."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def _one_tory_tweet(tmp_path: Path, election: Any) -> Iterator[Any]:
    """A study of one UK tweet naming the Conservatives (by one account), its content and estimates
    stages run under `election`, open for writing."""
    from botwatch.ingest.runner import ingest
    from botwatch.pipeline import Context, analyze
    from botwatch.study import open_study

    tweet = {"id_str": "1", "full_text": "Vote Tory #GE2017 #conservatives", "created_at": "Sat May 06 10:00:00 +0000 2017",
             "user": {"id_str": "9", "screen_name": "fan", "location": "London"}, "lang": "en"}
    (tmp_path / "t.jsonl").write_text(json.dumps(tweet) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "t.jsonl")])
        analyze(st, Context(election=election, log=lambda m: None), only=["content", "estimates"])  # no accounts: quick
        yield st


def test_the_top_tables_origin_cell_keeps_a_lead_that_is_mostly_the_prior(tmp_path) -> None:
    """@KeeleyMP: "GB (0.93)" over "profile time zone 'Amsterdam' is in NL" and "interface language
    'en' …", as if its evidence had placed it in GB; `botwatch explain` says the 0.93 is mostly the
    study's prior (its own evidence moves GB's share only from 97% to 96%)."""

    import pyarrow as pa

    from botwatch.report.section_accounts import _top_accounts
    from botwatch.study import Study

    prior = ("most likely GB (p=0.93), mostly the study's prior: little evidence of its own for GB among the countries other than "
             "Russia (the study's mix gives GB 97% of its accounts not run from Russia before any evidence; this account's own "
             "evidence moves that only to 96%); prior gave GB 30% before any evidence")
    keeley = [prior, "profile time zone 'Amsterdam' is in NL (×50 against countries it does not name)",
              "interface language 'en' is spoken in US, GB, CA, AU, IE and 9 more (×2.5)", "calibration …"]
    own = ["most likely GB (p>0.99); prior gave GB 30% before any evidence", "profile time zone 'London' is in GB (×50 …)",
           "interface language 'en' is spoken in US, GB, CA, AU, IE and 9 more (×2.5)", "calibration …"]
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("accounts", pa.table({"platform": ["twitter"] * 2, "account_id": ["1", "2"], "handle": ["KeeleyMP", "UKLabour"]}))
        st.write_table("account_scores", pa.table({
            "platform": ["twitter"] * 2, "account_id": ["1", "2"], "bot_probability": [0.42, 0.06], "origin_country": ["GB", "GB"],
            "origin_probability": [0.93, 0.999], "n_posts": pa.array([0, 110], pa.int64()), "bot_evidence": ["[]", "[]"],
            "origin_evidence": [json.dumps(keeley), json.dumps(own)]}))
        top = {r["handle"]: r["origin_evidence"] for r in _top_accounts(st)}
    finally:
        st.close()
    assert top["KeeleyMP"][0].startswith("mostly the study's prior: little evidence of its own for GB"), top["KeeleyMP"]
    assert top["KeeleyMP"][1:] == keeley[1:3]
    # A lead of the account's own evidence: the strongest two items, as before.
    assert top["UKLabour"] == own[1:3]


def test_the_reference_tables_interval_says_no_accounts_where_none_posted(tmp_path) -> None:
    """The reference table's rows for the parties no post named read "0 | 0 | — | 0": an interval
    gone missing, where `botwatch estimate` prints "0 (no accounts)" for the same cells (`interval_text`:
    none posted, so there is nothing to resample). The 30-days rows of an archive ending a month
    before polling day read the same."""
    import re

    from botwatch.elections import load_election
    from botwatch.report.section_parties import parties_section

    uk = load_election("uk-ge2017")
    with _one_tory_tweet(tmp_path, uk) as st:
        sec = parties_section(st, {"election": uk})
    assert sec is not None
    table = str(sec.html).split("The reference study's table", 1)[1].split("</table>", 1)[0]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        if len(cells) == 6:
            rows[(cells[0][:40], cells[1])] = cells[2:]
    libdem = next(v for (b, lab), v in rows.items() if lab == "Liberal Democrats")
    assert libdem == ["0", "0", "no accounts", "0"], libdem
    tory = next(v for (b, lab), v in rows.items() if lab == "Conservatives")
    assert tory[2] == "too few accounts", tory  # one account: no interval, said as before
    month = [v for (b, lab), v in rows.items() if b.startswith("For comparison")]
    # The count reads "no accounts"; a share of no post is no number at all ("—", as a share with
    # no account behind its own denominator reads since the estimates count those accounts).
    assert month and month[0][2] == "no accounts" and all(v[:3] == ["—", "—", "—"] for v in month[1:]), month


def test_one_posting_account_is_no_finding_about_networks(tmp_path) -> None:
    """One account posted (25 more known only as retweeted): the Networks section read "No pair of
    accounts co-acted more than chance allows. That is a result, not a failure", where no pair
    could have co-acted at all; with two accounts posting, the sentence stands."""
    import re
    from datetime import datetime, timedelta

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.section_coordination import coordination_section
    from botwatch.study import open_study
    from test_timeline import write_posts

    def section_text(accounts: list[str]) -> str:
        path = tmp_path / f"s{len(accounts)}.duckdb"
        t0 = datetime(2017, 5, 1, 9)
        posts = [dict(post_id=f"{a}{k}", platform="twitter", account_id=a, created_at=t0 + timedelta(hours=5 * k + i), kind="original",
                      text=f"post {k} of {a}") for i, a in enumerate(accounts) for k in range(6)]
        with open_study(path, read_only=False) as st:
            write_posts(st, posts)
        res = CliRunner().invoke(app, ["coordination", str(path)])
        assert res.exit_code == 0, res.output
        with open_study(path, read_only=True) as st:
            sec = coordination_section(st, {})
        assert sec is not None
        return " ".join(re.sub("<[^>]+>", " ", str(sec.html)).split())

    one = section_text(["uklabour"])
    assert "Only 1 account posted in this study, so none could act in unison with another" in one, one
    assert "That is a result" not in one
    two = section_text(["uklabour", "fan"])
    assert "No pair of accounts co-acted more than chance allows. That is a result, not a failure" in two, two
    assert "Only 1 account" not in two


def test_the_top_table_marks_the_accounts_a_model_was_fitted_on(tmp_path, monkeypatch) -> None:
    """The headline said "1 of the study's 26 accounts is among the bot model's own training
    accounts" and Methods "2 … among the origin model's", naming none: the table of accounts most
    likely automated showed @UKLabour (both) and @JonAshworth (origin) unmarked, where `botwatch
    explain` says each of their figures is not a held-out estimate."""
    import pyarrow as pa

    from botwatch.accounts import training_accounts as ta
    from botwatch.report.section_accounts import _top_accounts
    from botwatch.study import Study

    listed = {ta.key_digest("UKLabour"): (True, True), ta.key_digest("9"): (True, False)}
    monkeypatch.setattr(ta, "_models_by_digest", lambda: listed)
    # Scored by the shipped model: a study with no `runs` records no model, and its bot flags are unknown.
    monkeypatch.setattr(ta, "study_bot_training_meta", lambda study: None)
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("accounts", pa.table({"platform": ["twitter"] * 3, "account_id": ["14291684", "9", "5"],
                                             "handle": ["UKLabour", "JonAshworth", "heidi_mp"]}))
        st.write_table("account_scores", pa.table({
            "platform": ["twitter"] * 3, "account_id": ["14291684", "9", "5"], "bot_probability": [0.06, 0.02, 0.18],
            "origin_country": ["GB"] * 3, "origin_probability": [0.999] * 3, "n_posts": pa.array([110, 0, 0], pa.int64()),
            "bot_evidence": ["[]"] * 3, "origin_evidence": ["[]"] * 3}))
        got = {r["handle"]: r["trained"] for r in _top_accounts(st)}
    finally:
        st.close()
    assert got == {"UKLabour": {"origin": True, "bot": True}, "JonAshworth": {"origin": True, "bot": False},
                   "heidi_mp": {"origin": False, "bot": False}}


def test_an_empty_test_against_chance_is_said_not_drawn_as_an_empty_table(tmp_path) -> None:
    """With no pair co-acting even once, the section's "test against chance" opened on a table of
    headers and no rows, and a note on what its (absent) null column counts."""
    import re
    from datetime import datetime, timedelta

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.section_coordination import coordination_section
    from botwatch.study import open_study
    from test_timeline import write_posts

    path = tmp_path / "s.duckdb"
    posts = [dict(post_id=f"p{k}", platform="twitter", account_id="uklabour", created_at=datetime(2017, 5, 1, 9) + timedelta(hours=5 * k),
                  kind="original", text=f"post {k}") for k in range(6)]
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
    assert CliRunner().invoke(app, ["coordination", str(path)]).exit_code == 0
    with open_study(path, read_only=True) as st:
        sec = coordination_section(st, {})
    assert sec is not None
    html = str(sec.html)
    chance = html.split("The test against chance", 1)[1].split("</details>", 1)[0]
    assert "<table" not in chance and "The null column counts" not in chance, chance
    assert "No pair of accounts co-acted even once, in the posts or in the shuffled copy" in " ".join(re.sub("<[^>]+>", " ", chance).split())


def test_stance_rules_fired_count_rules_not_rule_and_stance_rows(tmp_path) -> None:
    """"How stance was decided (11 rules fired)" over a table of 11 (rule, stance) rows: the trained
    model deciding support, oppose and neutral counted as three rules, and "no_cue" (pairs no rule
    decided) as one that fired."""
    import re

    from botwatch.elections import load_election
    from botwatch.report.section_parties import parties_section

    uk = load_election("uk-ge2017")
    with _one_tory_tweet(tmp_path, uk) as st:
        # The same pair decided three ways: the model (support, then oppose) and no rule at all.
        one = "(SELECT * REPLACE ('{r}' AS stance_rule, '{s}' AS stance) FROM post_party LIMIT 1)"
        st.sql("CREATE OR REPLACE TABLE post_party AS " + " UNION ALL ".join(
            one.format(r=r, s=s) for r, s in (("model", "support"), ("model", "oppose"), ("no_cue", "neutral"))))
        sec = parties_section(st, {"election": uk})
    assert sec is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", str(sec.html)).split())
    assert "How stance was decided (1 rule fired)" in text, re.findall(r"How stance was decided[^.]{0,40}", text)


def test_no_account_out_of_distribution_is_said_without_their_wider_range(tmp_path) -> None:
    """None of @UKLabour's 26 scored accounts was out of distribution, and the section read "0 scored
    accounts are out of distribution … Their bot probability is uncertain; each has a wider
    plausible range": of no account."""
    import re

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.study import open_study
    from test_bot_age_unknown import _profiles

    from botwatch.report.section_accounts import accounts_section

    src = _profiles(tmp_path / "profiles.jsonl", with_age=True)
    study = tmp_path / "s.duckdb"
    runner = CliRunner()
    for args in (["ingest", str(study), str(src)], ["analyze", str(study), "--no-election", "--only", "accounts"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
    with open_study(study) as st:
        assert st.sql("SELECT count(*) FILTER (WHERE bot_ood), count(bot_probability) FROM account_scores")[0] == (0, 4)
        sec = accounts_section(st, {})
    assert sec is not None
    text = " ".join(re.sub(r"<[^>]+>", " ", str(sec.html)).split())
    assert "No scored account is out of distribution" in text
    assert "0 scored accounts are out of distribution" not in text and "Their bot probability is uncertain" not in text


def test_the_foreign_count_sentence_reads_right_at_none_and_at_one(shared_data, tmp_path) -> None:
    """@UKLabour's week of May 2017: "26 accounts had some origin evidence; 0 of them are counted
    foreign-origin, because their probability of being run from outside GB … is 0.5 or more" (a
    reason given for accounts that do not exist), and at one account "1 of them are counted …
    because their probability"."""
    import re

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.section_accounts import accounts_section
    from botwatch.study import open_study

    study = tmp_path / "s.duckdb"
    for args in (["ingest", str(study), str(shared_data / "ge2017" / "UKLabour-May-week1.json.gz")],
                 ["analyze", str(study), "--election", "uk-ge2017", "--only", "accounts"]):
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 0, r.output

    def said() -> str:
        with open_study(study) as st:
            sec = accounts_section(st, {})
        assert sec is not None
        text = " ".join(re.sub(r"<[^>]+>", " ", str(sec.html)).split())
        return text[text.index("had some origin evidence"):][:260]

    none = said()
    assert none.startswith("had some origin evidence; none of them is counted foreign-origin, which takes a probability"), none
    with open_study(study, read_only=False) as st:  # one account placed abroad, as a scored study could have it
        st.sql("""UPDATE account_scores SET origin_country = 'RU', origin_probability = 0.9, origin_probabilities = '{"RU": 0.9, "GB": 0.1}'
                  WHERE account_id = (SELECT min(account_id) FROM account_scores)""")
    one = said()
    assert one.startswith("had some origin evidence; 1 of them is counted foreign-origin, because its probability of being run"), one
