"""A labelled profile turned into a v1.1 status (the way the maintainers test the bot model) is
scored by ingest + the accounts stage exactly as the training path scored it: same features,
account age measured at the post's time, likes and website carried through `extra`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from botwatch import open_study
from botwatch.accounts.botmodel import shipped_model
from botwatch.accounts.labelled import profile_rows_features, profiles_to_v1_statuses
from botwatch.accounts.stage import run_accounts
from botwatch.elections import load_election
from botwatch.ingest.runner import ingest

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Path]:
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""])
    tmp = tmp_path_factory.mktemp("v1path")
    src = tmp / "labelled.jsonl"
    src.write_text("".join(json.dumps(s) + "\n" for s in profiles_to_v1_statuses(raw)), encoding="utf-8")
    with open_study(tmp / "s.duckdb", read_only=False) as st:
        ingest(st, [str(src)])
        run_accounts(st, load_election("us-2016"))
        got = st.con.execute("SELECT account_id, bot_probability FROM accounts_scored").df()
        feats = st.con.execute("SELECT * FROM account_features").df()
    return raw, got, feats, tmp / "s.duckdb"


def test_every_labelled_profile_is_scored(scored: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Path]) -> None:
    raw, got, _, _ = scored
    assert set(got["account_id"]) == set(raw["id"]) and got["bot_probability"].notna().all()


def test_stage_features_and_probabilities_equal_the_training_path(scored: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Path]) -> None:
    raw, got, feats, _ = scored
    model = shipped_model()
    train = profile_rows_features(raw, "fixture").set_index("account_id")
    stage = feats.set_index("account_id").loc[train.index]
    for f in model.features:
        assert np.allclose(stage[f].astype(float), train[f].astype(float), equal_nan=True, atol=1e-9), f
    expected = pd.Series(model.predict(train), index=train.index).round(4)
    assert np.allclose(got.set_index("account_id").loc[train.index, "bot_probability"], expected, atol=1e-9)
    # Likes and the website come through the v1.1 readers' `extra` (not NaN, not zero).
    assert stage["log_likes"].notna().all() and stage["has_url"].notna().all()
    assert (stage["log_likes"] > 0).any()


def test_accounts_and_explain_json_print_the_documented_shape(scored: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Path]) -> None:
    from typer.testing import CliRunner

    from botwatch.accounts.json_shape import KINDS, SHAPE
    from botwatch.cli import app

    raw, got, _, path = scored
    res = CliRunner().invoke(app, ["accounts", str(path), "--json", "--top", "100"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == len(raw)
    for r in rows:
        assert r["shape"] == SHAPE and set(r) == {"shape", "platform", "account_id", "handle", "n_posts", "bot", "origin", "signals"}
        b = r["bot"]
        assert set(b) == {"probability", "low", "high", "likely_automated", "out_of_distribution", "out_of_distribution_reason", "kinds", "evidence",
                          "profile_probability", "behaviour_likelihood_ratio", "training_account", "model_platform_seen"}
        # One status per account: behaviour never applies, the probability is the profile model's.
        assert b["behaviour_likelihood_ratio"] is None and b["profile_probability"] == b["probability"]
        # `run_accounts` called directly records no run, so no model's SHA-256: which model scored the
        # study is unknown, and the JSON says so (null) as the export does (tests/test_export_platform_seen.py).
        assert b["model_platform_seen"] is None
        assert b["low"] <= b["probability"] <= b["high"] and set(b["kinds"]) == set(KINDS)
        assert isinstance(b["evidence"], list) and b["evidence"]
    probs = [r["bot"]["probability"] for r in rows]
    assert probs == sorted(probs, reverse=True)
    one = rows[0]
    res = CliRunner().invoke(app, ["explain", str(path), one["account_id"], "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == one
    assert CliRunner().invoke(app, ["explain", str(path), "no_such_account", "--json"]).exit_code != 0


def test_json_origin_carries_what_the_report_counts(scored: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Path], tmp_path: Path) -> None:
    """P(outside the election's country) and the foreign flag by the shared rule: the flags in
    the JSON add up to the report's count of foreign accounts."""
    from typer.testing import CliRunner

    from botwatch import origin_rule
    from botwatch.cli import app

    import shutil

    from botwatch.elections.recorded import run_params

    path = tmp_path / "s.duckdb"
    shutil.copy(scored[3], path)
    with open_study(path, read_only=False) as st:  # the record `botwatch analyze` leaves of the accounts run
        with st.run("accounts", run_params(load_election("us-2016"))):
            pass
    rows = json.loads(CliRunner().invoke(app, ["accounts", str(path), "--json", "--top", "10000"]).stdout)
    for r in rows:
        o = r["origin"]
        assert {"home_country", "outside_home_probability", "foreign", "low", "high"} <= set(o) and o["home_country"] == "US"
        if o["outside_home_probability"] is not None:
            assert o["foreign"] == (o["outside_home_probability"] >= origin_rule.FOREIGN_THRESHOLD)
    with open_study(path, read_only=True) as st:
        counts = origin_rule.foreign_counts(st, "US")
    assert sum(1 for r in rows if r["origin"]["foreign"]) == counts["k"]
    assert sum(1 for r in rows if r["origin"]["outside_home_probability"] is not None) == counts["n"]


def test_json_n_posts_of_a_known_account_that_never_posted_is_zero() -> None:
    from botwatch.accounts.json_shape import COLUMNS, account_json

    row = {c: None for c in COLUMNS} | {"platform": "twitter", "account_id": "1", "origin_country": "RU",
                                        "origin_probability": 0.45, "origin_probabilities": '{"RU": 0.45, "UA": 0.4, "US": 0.15}'}
    got = account_json([row[c] for c in COLUMNS], "us")
    assert got["n_posts"] == 0
    assert got["origin"]["outside_home_probability"] == pytest.approx(0.85) and got["origin"]["foreign"] is True
    no_home = account_json([row[c] for c in COLUMNS])
    assert no_home["origin"]["home_country"] is None and no_home["origin"]["foreign"] is None


def test_json_outside_home_probability_carries_no_floating_point_noise() -> None:
    """`accounts --json` gave @wavy_bgs (labelled study, P(US) 0.8453) an outside-home probability
    of 0.15469999999999995: the stored probability's four places, not sixteen."""
    from botwatch.accounts.json_shape import COLUMNS, account_json

    row = {c: None for c in COLUMNS} | {"platform": "twitter", "account_id": "1", "origin_country": "US",
                                        "origin_probability": 0.8453, "origin_probabilities": '{"US": 0.8453, "GB": 0.0746}'}
    got = account_json([row[c] for c in COLUMNS], "us")["origin"]
    assert got["outside_home_probability"] == 0.1547 and repr(got["outside_home_probability"]) == "0.1547"
    assert got["foreign"] is False


def test_a_profile_with_no_observation_time_is_refused_not_written_as_invalid_json() -> None:
    # A profile that never posted has no `status_created_at`: its status was written with
    # `"created_at": NaN`, ingest rejected the line as invalid JSON and the account was simply
    # missing from `accounts_scored`.
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""]).head(3)
    assert len(profiles_to_v1_statuses(raw)) == 3
    raw.loc[1, ["captured_at", "status_created_at", "statuses_count"]] = [None, None, "0"]
    with pytest.raises(ValueError, match=rf"1 profile\(s\) have neither captured_at nor status_created_at \(id {raw.loc[1, 'id']}\)"):
        profiles_to_v1_statuses(raw)
