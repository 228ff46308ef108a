"""`botwatch accounts` options a researcher mistypes: each is one usage error, never an internal
error or an empty table that looks like an answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--top", "-1"], "--top"),  # was "BinderException: LIMIT/OFFSET cannot be negative. This is a bug in botwatch"
        (["--min-bot", "2"], "--min-bot"),  # a probability above 1 matched nothing: an empty table
        (["--country", "XX"], "'XX' names no country the origin model places accounts in"),  # was "no accounts with origin XX", as if a country
        # A real ISO code the origin model never names: it was "'EE' is not a known country code", untrue of Estonia's code.
        (["--country", "EE"], "'EE' names no country the origin model places accounts in"),
        (["--country", "Russia"], "write RU for Russia"),  # a name matched nothing: an empty table
    ],
)
def test_impossible_filters_are_usage_errors(tmp_path: Path, args: list[str], words: str) -> None:
    study = tmp_path / "no-such.duckdb"  # the options are checked before the study is opened
    res = runner.invoke(app, ["accounts", str(study), *args])
    assert res.exit_code == 2, res.output
    assert words in res.output and "This is a bug" not in res.output


@pytest.mark.parametrize("given", ["UK", "uk", "GB", "gbr", "GBR"])
def test_uk_is_read_as_gb_as_elections_read_it(tmp_path: Path, given: str) -> None:
    """`--country UK` said "no accounts with origin UK" beside thousands of GB ones, while an
    election's "UK" is GB (elections.model.country_code); "GBR" (ISO alpha-3, as researchers'
    label files write it) was refused."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    with Study(study) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT 'brit' AS handle, '1' AS account_id, 0.1 AS bot_probability, "
               "'GB' AS origin_country, 0.9 AS origin_probability, 3 AS n_posts, NULL::VARCHAR AS bot_evidence")
    res = runner.invoke(app, ["accounts", str(study), "--country", given])
    assert res.exit_code == 0, res.output
    assert "@brit" in res.output and "no accounts" not in res.output


def test_an_account_without_a_handle_is_named_by_its_id_without_an_at(tmp_path: Path) -> None:
    """A Bluesky account the Jetstream never gave a handle for was listed and explained as
    "@did:plc:…": a DID is no handle, and "@" before an id (a Twitter number) names another account."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    with Study(study) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT 'bluesky' AS platform, 'did:plc:abc' AS account_id, NULL::VARCHAR AS handle, "
               "NULL::DOUBLE AS bot_probability, NULL::VARCHAR AS bot_evidence, 'GB' AS origin_country, 0.6 AS origin_probability, "
               "NULL::VARCHAR AS origin_probabilities, NULL::VARCHAR AS origin_evidence, 3 AS n_posts")
    for args in (["accounts", str(study)], ["explain", str(study), "did:plc:abc"]):
        res = runner.invoke(app, args, env={"COLUMNS": "200"})
        assert res.exit_code == 0, res.output
        assert "did:plc:abc" in res.output and "@did:plc:abc" not in res.output, res.output


def test_a_listing_cut_by_top_says_so_on_stderr(tmp_path: Path) -> None:
    """`accounts --json` printed the first 50 accounts (`--top`'s default) as the whole array, and
    the table the first 50 as the whole list: nothing said that more matched. Both say it on stderr
    (the JSON on stdout stays one document); a listing that holds every match says nothing."""
    import json

    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    with Study(study) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT 'twitter' AS platform, i::VARCHAR AS account_id, 'h' || i AS handle, i / 10 AS bot_probability, "
               "NULL::VARCHAR AS bot_evidence, 'GB' AS origin_country, 0.6::DOUBLE AS origin_probability, NULL::VARCHAR AS origin_probabilities, "
               "NULL::VARCHAR AS origin_evidence, 3 AS n_posts FROM range(5) t(i)")
    cut = CliRunner()
    res = cut.invoke(app, ["accounts", str(study), "--json", "--top", "2"])
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)) == 2
    assert "the first 2 of 5 accounts" in " ".join(res.stderr.split())
    res = cut.invoke(app, ["accounts", str(study), "--top", "2", "--min-bot", "0.3"], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "the first 2 of 2" not in res.stderr and "of 2 accounts" not in res.stderr, res.stderr
    res = cut.invoke(app, ["accounts", str(study), "--top", "3"], env={"COLUMNS": "200"})
    assert "the first 3 of 5 accounts" in " ".join(res.stderr.split())
    res = cut.invoke(app, ["accounts", str(study), "--json"])
    assert len(json.loads(res.stdout)) == 5 and "of 5 accounts" not in res.stderr


def test_a_filter_that_matches_nothing_says_so_without_an_empty_table(tmp_path: Path) -> None:
    """`accounts S --country RU --min-bot 0.5` with no such account printed "no accounts with ..."
    and then an empty "Accounts by bot probability" table under it; `--json` stays a valid empty
    array."""
    import json

    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    with Study(study) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT 'ivan' AS handle, '1' AS account_id, 0.2 AS bot_probability, "
               "'RU' AS origin_country, 0.9 AS origin_probability, 3 AS n_posts, NULL::VARCHAR AS bot_evidence")
    res = runner.invoke(app, ["accounts", str(study), "--country", "RU", "--min-bot", "0.5"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "no accounts with origin RU and with bot_probability at least 0.5" in res.output, res.output
    assert "Accounts by" not in res.output and "handle" not in res.output, res.output
    res = runner.invoke(app, ["accounts", str(study), "--country", "RU", "--min-bot", "0.5", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == []


def test_min_bot_says_the_accounts_with_no_bot_probability_it_cannot_select(tmp_path: Path) -> None:
    """A data desk's walk on a scraped CSV with no profile fields (gop-debate-2015): `--min-bot 0.5`
    said only "no accounts with bot_probability at least 0.5", quotable as "no likely bots", where
    the report says every account's automation is unknown, not absent. The line, and the one under
    a table that `--min-bot` cut, now count the accounts it could not select."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    with Study(study) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT 'a' || i AS handle, i::VARCHAR AS account_id, "
               "CASE WHEN i = 0 THEN 0.9 WHEN i = 1 THEN 0.2 END AS bot_probability, CASE WHEN i < 3 THEN 'US' ELSE 'CA' END AS origin_country, "
               "0.9 AS origin_probability, 3 AS n_posts, NULL::VARCHAR AS bot_evidence FROM range(5) t(i)")
    said = " ".join(runner.invoke(app, ["accounts", str(study), "--country", "CA", "--min-bot", "0.5"], env={"COLUMNS": "200"}).output.split())
    assert said == ("no accounts with origin CA and with bot_probability at least 0.5; 2 accounts with origin CA have no bot probability (the "
                    "data lacks the profile facts the bot model reads), so --min-bot cannot select them: whether they are automated is "
                    "unknown, not absent"), said
    res = runner.invoke(app, ["accounts", str(study), "--min-bot", "0.5"], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "@a0" in res.output and "@a1" not in res.output, res.output
    assert "3 accounts have no bot probability" in " ".join(res.output.split()), res.output
    res = runner.invoke(app, ["accounts", str(study)], env={"COLUMNS": "200"})
    assert "no bot probability" not in res.output, res.output  # no --min-bot: every account is listed


def test_min_bot_json_says_the_accounts_it_cannot_select_on_stderr(tmp_path: Path) -> None:
    """`--json --min-bot 0.5` on a study with no bot probabilities printed `[]` and nothing else:
    the array alone read as "no likely bots". The count goes to stderr; stdout stays the JSON."""
    import json

    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    with Study(study) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT 'a' || i AS handle, i::VARCHAR AS account_id, NULL::DOUBLE AS bot_probability, "
               "'US' AS origin_country, 0.9 AS origin_probability, 3 AS n_posts, NULL::VARCHAR AS bot_evidence FROM range(2) t(i)")
    res = runner.invoke(app, ["accounts", str(study), "--min-bot", "0.5", "--json"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == []
    assert "2 accounts have no bot probability" in " ".join(res.stderr.split()), res.stderr


def test_min_bot_tells_accounts_not_scored_yet_from_accounts_with_no_profile_facts(tmp_path: Path) -> None:
    """An account ingested after the accounts stage ran has no bot probability either (no scores at
    all: `n_signals` is NULL in the view): "the data lacks the profile facts" was said of it, where
    running `analyze` scores it."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    with Study(study) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT 'a' || i AS handle, i::VARCHAR AS account_id, NULL::DOUBLE AS bot_probability, "
               "NULL::VARCHAR AS origin_country, NULL::DOUBLE AS origin_probability, 3 AS n_posts, NULL::VARCHAR AS bot_evidence, "
               "CASE WHEN i < 2 THEN 4 END AS n_signals FROM range(3) t(i)")
    said = " ".join(runner.invoke(app, ["accounts", str(study), "--min-bot", "0.5"], env={"COLUMNS": "300"}).output.split())
    assert said.startswith("no accounts with bot_probability at least 0.5; 2 accounts have no bot probability (the data lacks the profile facts"), said
    assert said.endswith(f"; 1 account has no scores yet (the accounts stage last ran before it was ingested), so --min-bot cannot select it: "
                         f"run `botwatch analyze {study}` to score it"), said
