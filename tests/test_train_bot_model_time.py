"""`botwatch train-bot-model` measures account age and every per-day rate when each profile was
taken, read from the same columns as the shipped model's training (`labelled.observation_time`).

A reviewer's finding: the command measured them at today's date unless the file held an
undocumented `observed_at`. A model trained on the 2019 botwiki + verified profiles then learned
"younger than ~4,000 days means bot" (verified humans, made ~2009, were ~6,000 days old in 2026)
and called a 2017 study's Labour MPs bots at 0.99. A file with no observation time is now refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from botwatch.accounts.labelled import (LABEL_NOT_READ, STCLAB_COLLECTED, load_stclab, parse_twitter_time, profile_rows_features,
                                        read_labels_csv)
from botwatch.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019 rows


def _fixture_raw() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""])


def _same_features(a: pd.DataFrame, b: pd.DataFrame) -> None:
    cols = [c for c in a.columns if c not in ("source", "label", "handle", "account_id") and c in b.columns]
    assert len(cols) > 20
    for c in cols:
        x, y = a[c].astype(float).to_numpy(), b[c].astype(float).to_numpy()
        assert np.allclose(x, y, equal_nan=True, atol=1e-9), c


def test_a_labels_file_with_the_shared_time_columns_gives_the_shipped_paths_features(tmp_path: Path) -> None:
    raw = _fixture_raw()
    labels = tmp_path / "labels.csv"
    raw.rename(columns={"label": "bot"}).to_csv(labels, index=False)
    got = read_labels_csv(labels)
    shipped = profile_rows_features(raw, "fixture")
    assert got.left_out == {} and len(got.frame) == len(shipped)
    _same_features(got.frame, shipped)
    # Age at status_created_at (2019), not today: the fixture's oldest account is under 13 years old then.
    assert got.frame["age_days"].max() < 13 * 365
    assert list(got.frame["account_id"]) == list(raw["id"])


def test_observed_at_wins_and_is_read_per_row(tmp_path: Path) -> None:
    raw = _fixture_raw().rename(columns={"label": "bot"}).head(6)
    raw["observed_at"] = "2020-01-01T00:00:00Z"
    labels = tmp_path / "labels.csv"
    raw.to_csv(labels, index=False)
    got = read_labels_csv(labels).frame
    created = parse_twitter_time(raw["created_at"])
    want = (pd.Timestamp("2020-01-01") - created).dt.total_seconds() / 86400
    assert np.allclose(got["age_days"], want)


def test_a_labels_file_without_any_observation_time_is_refused_in_one_line(tmp_path: Path) -> None:
    labels = tmp_path / "notime.csv"
    _fixture_raw().rename(columns={"label": "bot"}).drop(columns=["captured_at", "status_created_at"]).to_csv(labels, index=False)
    res = CliRunner().invoke(app, ["train-bot-model", str(labels), "-o", str(tmp_path / "m.json.gz")])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "Traceback" not in said and len(res.output.strip().splitlines()) <= 3, res.output
    assert "measured at today's date" in said
    for col in ("observed_at", "captured_at", "status_created_at", "--observed-at"):
        assert col in said
    assert not (tmp_path / "m.json.gz").exists()


def test_rows_without_a_time_of_their_own_are_left_out_and_counted(tmp_path: Path) -> None:
    raw = _fixture_raw().rename(columns={"label": "bot"})
    raw.loc[:4, ["captured_at", "status_created_at"]] = None
    raw.loc[5, "bot"] = "maybe"
    labels = tmp_path / "some.csv"
    raw.to_csv(labels, index=False)
    got = read_labels_csv(labels)
    assert got.left_out == {"no observation time": 5, LABEL_NOT_READ: 1} and len(got.frame) == len(raw) - 6
    # --observed-at fills only the rows that have no time of their own.
    filled = read_labels_csv(labels, pd.Timestamp("2019-06-01"))
    assert filled.left_out == {LABEL_NOT_READ: 1} and len(filled.frame) == len(raw) - 1
    _same_features(filled.frame.iloc[5:], read_labels_csv(labels).frame)


def test_the_help_and_the_needs_message_name_the_time_columns(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["train-bot-model", "--help"], env={"COLUMNS": "200"})
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and "observed_at" in said and "status_created_at" in said and "--observed-at" in said
    labels = tmp_path / "l.csv"
    labels.write_text("id,bot\n1,1\n")
    res = CliRunner().invoke(app, ["train-bot-model", str(labels)])
    assert res.exit_code == 2 and "observed_at" in " ".join(res.output.split())


@pytest.mark.shared_data
def test_stclab_as_a_labels_file_with_its_collection_date_gives_the_shipped_features(shared_data: Path, tmp_path: Path) -> None:
    """stclab's loader measures at each row's last status, else its collection date; a user's file
    of the same rows with --observed-at that date is measured the same way."""
    root = shared_data / "labelled" / "stclab"
    raw = pd.concat([pd.read_csv(root / n, dtype=str, keep_default_na=False, na_values=[""]) for n in ("bots_data.csv.gz", "nonbots_data.csv.gz")],
                    ignore_index=True)
    labels = tmp_path / "stc.csv"
    raw.to_csv(labels, index=False)
    got = read_labels_csv(labels, STCLAB_COLLECTED).frame.drop_duplicates(subset=["handle"]).set_index("handle")
    shipped = load_stclab(root).set_index("handle")
    common = shipped.index.intersection(got.index)
    assert len(common) > 1400
    _same_features(got.loc[common].reset_index(), shipped.loc[common].reset_index())
