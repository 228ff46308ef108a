"""A study holding accounts the shipped models were fitted on says so (`accounts/training_accounts.py`).

The origin model's measured parts were fitted on the development part of the IRA handles and of the
ordinary archives, the bot model on the labelled sets and the fit part of the same archives. A study
built on those archives (the bundled sample is IRA handles) scored training accounts, and its
report presented their origin and automation figures as any other's. Now the accounts stage counts
them against a shipped list of digests (one engine join), records the counts in `runs`, and the
Methods section says "N of the study's accounts were among the origin model's training accounts:
their origin figures are not out-of-sample"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch import open_study
from botwatch.accounts import training_accounts as ta
from botwatch.accounts.validation import group_of, split_of


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _sample_origin_training(st: Any) -> set[str]:
    """The sample's accounts the origin fit read, by the fit's own rule: the development part of the
    IRA handles in a validation group (from the Clemson category the ingest keeps in `extra`) and of
    the ordinary brexit-2016 accounts (the sample's twarc2 Brexit pages hold some of the same users:
    LibDems, Nigel_Farage...). An independent check of the shipped digests."""
    import pandas as pd

    brexit = set(pd.read_csv(SHARED / "ordinary" / "brexit-2016" / "tweets.csv.gz", dtype=str, usecols=["user_id"])["user_id"])
    out = set()
    for aid, extra in st.sql("SELECT account_id, extra FROM accounts WHERE platform = 'twitter'"):
        cat = json.loads(extra).get("account_category") if extra else None
        if split_of(aid) == "dev" and ((cat and group_of(cat, "ira") is not None) or aid in brexit):
            out.add(aid)
    return out


def test_the_shipped_list_reads_and_is_digests_only() -> None:
    t = ta.shipped_digests()
    assert t.num_rows > 30_000
    assert all(len(d) == ta.DIGITS and int(d, 16) >= 0 for d in t.column("digest").to_pylist()[:1000])
    assert pa.compute.sum(t.column("origin")).as_py() > 20_000 and pa.compute.sum(t.column("bot")).as_py() > 7_000
    assert ta.key_digest(" SomeHandle ") == ta.key_digest("somehandle")


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the shared data beside the project")
def test_the_sample_study_counts_exactly_its_training_accounts(tmp_path: Path, sample_study_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    with open_study(study) as st:
        want = _sample_origin_training(st)
        got = ta.count_training_accounts(st)
        ids = [a for (a,) in st.sql("SELECT account_id FROM accounts WHERE platform = 'twitter'")]
    digests = dict(zip(ta.shipped_digests().column("digest").to_pylist(), ta.shipped_digests().column("origin").to_pylist()))
    in_python = {a for a in ids if digests.get(ta.key_digest(a))}
    assert want and in_python == want  # the list holds the dev handles and none of the test part's
    assert got[ta.RUN_KEYS["origin"]] == len(want)
    assert 0 < got[ta.RUN_KEYS["bot"]] <= len(ids)


def test_readme_quotes_the_counts_analyze_prints_for_the_sample(tmp_path: Path, analysed_sample_path: Path) -> None:
    """README gave "47 of 262" where `botwatch demo` prints 45 (the ones with origin evidence, the
    only ones counted) and a bot-model count it did not mention; it now quotes the printed counts."""
    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    with open_study(study) as st:
        got = ta.count_training_accounts(st)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    said = " ".join(readme.split())
    assert f"`analyze` counts the {got[ta.RUN_KEYS['origin']]} of them it gave origin evidence, and {got[ta.RUN_KEYS['bot']]} for the bot model" in said


def test_an_x_account_is_matched_as_a_twitter_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """X is Twitter renamed (the X collector and CSV `--platform x` store "x"): its ids and handles
    are Twitter's, yet only platform 'twitter' was matched, so an X study of training accounts
    counted none of them."""
    table = pa.table({"digest": [ta.key_digest("someone"), ta.key_digest("42")], "origin": [True, False], "bot": [False, True]})
    monkeypatch.setattr(ta, "shipped_digests", lambda: table)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO accounts (account_id, platform, handle) VALUES ('1', 'x', 'SomeOne'), ('42', 'x', NULL), ('43', 'bluesky', 'someone')")
        assert ta.count_training_accounts(st) == {"origin_training_accounts": 1, "bot_training_accounts": 1}


def test_a_twitter_and_an_x_account_of_one_id_are_two_training_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count took distinct `account_id`s while the per-account flags (`training_marks`) and the
    study's "of N accounts" take (platform, account_id): a `twitter` "42" and an `x` "42", both
    flagged, were counted as one training account."""
    table = pa.table({"digest": [ta.key_digest("42")], "origin": [True], "bot": [True]})
    monkeypatch.setattr(ta, "shipped_digests", lambda: table)
    monkeypatch.setattr(ta, "_models_by_digest", lambda: {ta.key_digest("42"): (True, True)})
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO accounts (account_id, platform, handle) VALUES ('42', 'twitter', NULL), ('42', 'x', 'FortyTwo'), ('7', 'x', NULL)")
        origin, bot = ta.training_marks(["twitter", "x", "x"], ["42", "42", "7"], [None, "FortyTwo", None])
        assert origin == bot == [True, True, False]
        assert ta.count_training_accounts(st) == {"origin_training_accounts": 2, "bot_training_accounts": 2}


def test_a_study_of_no_training_account_counts_none(tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO accounts (account_id, platform, handle) VALUES ('1', 'twitter', 'nobody_here_1'), ('2', 'bluesky', NULL)")
        assert ta.count_training_accounts(st) == {"origin_training_accounts": 0, "bot_training_accounts": 0}


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the shared data beside the project")
def test_a_handle_matches_whatever_the_id_and_only_on_twitter(tmp_path: Path, sample_study_path: Path) -> None:
    with open_study(sample_study_path) as st:
        handle = sorted(a for a in _sample_origin_training(st) if not a.isdigit())[0]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO accounts (account_id, platform, handle) VALUES ('99', 'twitter', ?), ('98', 'bluesky', ?)", [handle.upper(), handle])
        assert ta.count_training_accounts(st)["origin_training_accounts"] == 1


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the shared data beside the project")
def test_the_stage_records_the_counts_and_the_report_says_so(tmp_path: Path, sample_study_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    res = CliRunner().invoke(app, ["analyze", str(study), "--election", "us-2016", "--only", "accounts"])
    assert res.exit_code == 0, res.output
    with open_study(study) as st:  # counted: those the origin model scored (an account with no origin evidence is not)
        scored = {a for (a,) in st.sql("SELECT account_id FROM account_scores WHERE origin_probability IS NOT NULL")}
        want = len(_sample_origin_training(st) & scored)
        counts = ta.recorded_counts(st)
    assert counts["origin_training_accounts"] == want and counts["bot_training_accounts"] > 0
    assert f"{want:,} of the study's accounts were among the origin model's training accounts" in res.output
    out = tmp_path / "r.html"
    rep = CliRunner().invoke(app, ["report", str(study), "-o", str(out)])
    assert rep.exit_code == 0, rep.output
    html = out.read_text(encoding="utf-8")
    assert (f"{want:,} of the study&#39;s accounts were among the origin model&#39;s training accounts: their origin figures are "
            "not out-of-sample") in html
    assert "among the bot model&#39;s training accounts: their automation figures are not out-of-sample" in html


def test_no_line_without_a_count(tmp_path: Path) -> None:
    assert ta.sentences({"origin_training_accounts": 0, "bot_training_accounts": 0}) == {}
    assert ta.sentences({"origin_training_accounts": 1})["origin"].startswith("1 of the study's accounts was among")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:  # scored before the counts were recorded
        st.sql("INSERT INTO runs VALUES ('x', 'accounts', '{\"election\": null}', '0', now(), now(), 'ok', 0, NULL)")
        assert ta.recorded_counts(st) == {}


@pytest.mark.spark
def test_a_lake_counts_the_same(spark: Any, tmp_path: Path, sample_study_path: Path) -> None:
    from botwatch.engines.lake import lake_from_study
    from botwatch.study import Study

    with Study(sample_study_path, read_only=True) as st:
        want = ta.count_training_accounts(st)
        lake = lake_from_study(st, tmp_path / "lake", spark=spark)
    try:
        assert ta.count_training_accounts(lake) == want
    finally:
        lake.close()


def test_each_account_says_whether_a_model_was_fitted_on_it(tmp_path: Path, analysed_sample_path: Path) -> None:
    """The accounts stage counted the study's training accounts, but `accounts --json` and `explain`
    did not say which: one account's score read as a held-out estimate when it was not."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    runner = CliRunner()
    res = runner.invoke(app, ["accounts", str(study), "--json", "--top", "100000"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    with open_study(study) as st:
        counts = ta.recorded_counts(st)
        n_scored = st.count("accounts_scored")
    assert len(rows) == n_scored
    # The flags add up to the counts the run recorded (and the report's Methods line states): a
    # figure no account has is not called in-sample, so an account without one has no flag (null).
    # On IRA tweets of May–June 2017 the true flags had summed to 116 and 1,045 beside the report's 1 and 201.
    assert sum(r["bot"]["training_account"] is True for r in rows) == counts["bot_training_accounts"] > 0
    assert sum(r["origin"]["training_account"] is True for r in rows) == counts["origin_training_accounts"] > 0
    assert all(isinstance(r[m]["training_account"], bool) == (r[m]["probability"] is not None) for r in rows for m in ("bot", "origin"))
    assert any(r["bot"]["probability"] is None for r in rows) and any(r["origin"]["probability"] is None for r in rows)
    trained = next(r for r in rows if r["bot"]["training_account"] and r["origin"]["training_account"])
    fresh = next(r for r in rows if not r["bot"]["training_account"] and not r["origin"]["training_account"] and r["bot"]["probability"] is not None)
    said = runner.invoke(app, ["explain", str(study), trained["account_id"]])
    assert said.exit_code == 0, said.output
    assert "This account was among the bot model's training accounts: its bot probability is not a held-out estimate" in said.output
    assert "among the origin model's training accounts: its origin probabilities are not a held-out estimate" in said.output
    other = runner.invoke(app, ["explain", str(study), fresh["account_id"]])
    assert other.exit_code == 0 and "training accounts" not in other.output
    assert json.loads(runner.invoke(app, ["explain", str(study), trained["account_id"], "--json"]).stdout) == trained


def test_one_account_matches_as_the_count_does(monkeypatch: pytest.MonkeyPatch) -> None:
    d = ta.key_digest("someone")
    monkeypatch.setattr(ta, "_models_by_digest", lambda: {d: (True, False)})
    assert ta.account_training("twitter", "123", "SomeOne") == {"origin": True, "bot": False}  # the handle, any case
    assert ta.account_training("twitter", "someone", None) == {"origin": True, "bot": False}  # or the id
    assert ta.account_training("telegram", "someone", "someone") == {"origin": False, "bot": False}  # Twitter accounts only
    assert ta.account_training("x", "123", "someone") == {"origin": True, "bot": False}  # X is Twitter renamed
    monkeypatch.setattr(ta, "_models_by_digest", lambda: {})  # the list not shipped: unknown, not "no"
    assert ta.account_training("twitter", "someone", "someone") == {"origin": None, "bot": None}


def test_the_per_account_bot_flag_follows_a_users_model_that_scored_the_study() -> None:
    """`explain` and the account JSON flagged accounts by the shipped bot model's list even when a
    user's model (BOTWATCH_BOT_MODEL) scored the study: that model's own list decides, and a model
    file that records none leaves the flag unknown (None), not "no"."""
    own = {ta.TRAINING_KEY: ta.training_record(["42"], ["alice"])}
    assert ta.account_training("twitter", "42", "someone", own)["bot"] is True
    assert ta.account_training("twitter", "7", "Alice", own)["bot"] is True  # handles match in any case
    assert ta.account_training("twitter", "7", "bob", own)["bot"] is False
    assert ta.account_training("twitter", "42", "alice", {})["bot"] is None


def test_explain_says_nothing_of_a_bot_probability_it_does_not_have(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The brexit-2016 tweets carry no profile facts the bot model reads: `explain` printed "Bot
    probability: unknown" and then "This account was among the bot model's training accounts: its
    bot probability is not a held-out estimate", of a probability there was none of."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    csv = Path(__file__).parent / "fixtures" / "ingest" / "brexit_2016_tweets.csv"
    study = tmp_path / "b.duckdb"
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(study), str(csv), "--columns",
                              "post_id=tweet_id,account_id=user_id,created_at=created_at,text=text,location=user_location,hashtags=hashtags"])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["analyze", str(study), "--only", "accounts"]).exit_code == 0
    # Both models trained on each; 2228659594 has no origin evidence either.
    monkeypatch.setattr(ta, "_models_by_digest", lambda: {ta.key_digest(k): (True, True) for k in ("133677123", "2228659594")})
    said = runner.invoke(app, ["explain", str(study), "133677123"])
    assert said.exit_code == 0, said.output
    assert "Bot probability: unknown" in said.output
    assert "bot model's training accounts" not in said.output
    assert "This account was among the origin model's training accounts" in said.output
    # Nor of origin probabilities it does not have (IRA handles with no post in the window read
    # "Origin: unknown" and then "its origin probabilities are not a held-out estimate").
    said = runner.invoke(app, ["explain", str(study), "2228659594"])
    assert said.exit_code == 0, said.output
    assert "Origin: unknown" in said.output and "training accounts" not in said.output


def test_only_the_accounts_a_model_scored_are_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An IRA CSV has no profile facts: no account gets a bot probability, yet analyze and the
    report said "623 of the study's accounts were among the bot model's training accounts: their
    automation figures are not out-of-sample" of figures that did not exist. Counted now are the
    training accounts that have the model's probability; no line when none has."""
    table = pa.table({"digest": [ta.key_digest(k) for k in ("a", "b", "c")], "origin": [True, True, True], "bot": [True, True, True]})
    monkeypatch.setattr(ta, "shipped_digests", lambda: table)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO accounts (account_id, platform, handle) VALUES ('1', 'twitter', 'a'), ('2', 'twitter', 'b'), ('3', 'twitter', 'c')")
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_probability DOUBLE)")
        st.sql("INSERT INTO account_scores VALUES ('twitter', '1', NULL, 0.9), ('twitter', '2', NULL, NULL), ('twitter', '3', NULL, 0.8)")
        counts = ta.count_training_accounts(st)
        assert counts == {"origin_training_accounts": 2, "bot_training_accounts": 0}
        assert set(ta.sentences(counts)) == {"origin"}
        st.sql("UPDATE account_scores SET bot_probability = 0.1 WHERE account_id = '2'")
        assert ta.count_training_accounts(st) == {"origin_training_accounts": 2, "bot_training_accounts": 1}


def test_a_count_recorded_before_of_no_scored_account_is_not_said(tmp_path: Path) -> None:
    """A study analysed before the counts were of scored accounts recorded every match: its report
    kept saying the automation figures of its training accounts were not out-of-sample where no
    account had a bot probability (an IRA CSV)."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('x', 'accounts', '{\"origin_training_accounts\": 2, \"bot_training_accounts\": 3}', "
               "'0', now(), now(), 'ok', 0, NULL)")
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_probability DOUBLE)")
        st.sql("INSERT INTO account_scores VALUES ('twitter', '1', NULL, 0.9)")
        counts = ta.recorded_counts(st)
        assert counts == {"origin_training_accounts": 2, "bot_training_accounts": 0}
        assert set(ta.sentences(counts)) == {"origin"}


@pytest.mark.spark
def test_a_lake_counts_as_duckdb_in_one_statement_without_odd_keys(spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count and the keys only Python digests (" Spaced ", "Äbc") come from one statement,
    where asking them apart built the key union twice, a Spark job more on a lake (6 jobs on the
    sample's lake, 5 now). With such a key the count is asked again with its digest (the rare
    case costs a statement more than before); both engines count alike either way."""
    from botwatch.engines.lake import LakeStudy

    def jobs() -> int:
        return int(str(spark.sparkContext._jsc.sc().dagScheduler().nextJobId()))

    table = pa.table({"digest": [ta.key_digest(k) for k in ("someone", "42", "spaced", "äbc")],
                      "origin": [True, False, True, True], "bot": [False, True, True, False]})
    monkeypatch.setattr(ta, "shipped_digests", lambda: table)
    plain = [("1", "twitter", "SomeOne"), ("42", "x", None), ("43", "bluesky", "someone"), ("44", "twitter", "nobody")]
    odd = [*plain, ("45", "twitter", " Spaced "), ("46", "twitter", "Äbc")]
    for rows, want in ((plain, {"origin_training_accounts": 1, "bot_training_accounts": 1}),
                       (odd, {"origin_training_accounts": 3, "bot_training_accounts": 2})):
        accounts = pa.table({"account_id": [r[0] for r in rows], "platform": [r[1] for r in rows], "handle": [r[2] for r in rows]})
        name = f"s{len(rows)}"
        with open_study(tmp_path / f"{name}.duckdb", read_only=False) as st:
            with st.temp_view("accounts_in", accounts):
                st.sql("INSERT INTO accounts (account_id, platform, handle) SELECT account_id, platform, handle FROM accounts_in")
            assert ta.count_training_accounts(st) == want
        with LakeStudy(tmp_path / name, spark=spark) as lake:
            lake.write_table("accounts", accounts)
            before = jobs()
            assert ta.count_training_accounts(lake) == want
            if rows is plain:
                ran = jobs() - before
    # This lake (no `account_scores`): 5 jobs before, 4 when measured.
    assert ran <= 4, f"Spark jobs of the training accounts' count: {ran}"
