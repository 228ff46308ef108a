"""`train-bot-model` says which of the profile columns the model learns from no row gives.

A labels file whose header spelled "Created At" trained a model blind to account age (and so to
likes and posts per day), with an out-of-fold AUC that looked fine and nothing said: the column is
named in a warning, as the model card lists the columns the command reads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from botwatch.accounts.labelled import read_labels_csv
from botwatch.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019 rows


def _raw() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""]).rename(columns={"label": "bot"})


def test_a_profile_column_under_another_name_is_said(tmp_path: Path) -> None:
    plain, renamed = tmp_path / "plain.csv", tmp_path / "renamed.csv"
    _raw().to_csv(plain, index=False)
    _raw().rename(columns={"created_at": "Created At", "favourites_count": "likes"}).to_csv(renamed, index=False)
    assert read_labels_csv(plain).unfilled == ()
    assert read_labels_csv(renamed).unfilled == ("created_at", "favourites_count")
    res = CliRunner().invoke(app, ["train-bot-model", str(renamed), "-o", str(tmp_path / "m.json.gz")])
    said = " ".join((res.stdout + " " + res.stderr).split())
    assert res.exit_code == 0, said
    assert f"warning: no row of {renamed} gives any of created_at, favourites_count" in said and "the model learns nothing from them" in said
