"""`botwatch train-bot-model`: one account on several rows of the labels is one training account.

The stclab labelled files, read as a labels file, hold five accounts (same id, same handle) on two
rows, each once as a bot and once as a human. Every row was trained on as an account of its own
and counted so ("trained on N accounts"). An account's first row is now kept and the others are
counted in the "left out" line; an account labelled both ways is left out. Rows that share an id but not a handle
are not one account: 248 stclab ids were mangled to "7.01E+17" by a spreadsheet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from botwatch.accounts.labelled import read_labels_csv

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019 rows


def test_a_repeated_id_is_one_account_and_one_labelled_both_ways_is_left_out(tmp_path: Path) -> None:
    """An account its rows call both a bot and a human was trained on with its first row's label,
    whichever that happened to be; it is now left out, every row of it, as `evaluate-accounts`
    leaves out a label an account's rows give differently."""
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""]).rename(columns={"label": "bot"})
    n = len(raw)
    same = raw.iloc[[0, 1]].copy()  # the same label again
    flipped = raw.iloc[[2]].copy()
    flipped["bot"] = "1" if flipped["bot"].iloc[0] == "0" else "0"  # the other label
    labels = tmp_path / "labels.csv"
    pd.concat([raw, same, flipped], ignore_index=True).to_csv(labels, index=False)
    got = read_labels_csv(labels)
    assert got.left_out == {"an account its rows label both bot and human": 2,
                            "an account an earlier row named: the first kept": 2}, got.left_out
    assert len(got.frame) == n - 1 and got.frame["account_id"].is_unique
    assert raw["id"].iloc[2] not in set(got.frame["account_id"])
    assert list(got.frame["label"]) == [int(v) for i, v in enumerate(raw["bot"]) if i != 2]


def test_the_other_label_on_a_row_without_a_time_still_leaves_the_account_out(tmp_path: Path) -> None:
    """That row is left out for its missing time; its label still says the account is labelled both ways."""
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""]).rename(columns={"label": "bot"})
    flipped = raw.iloc[[2]].copy()
    flipped["bot"] = "1" if flipped["bot"].iloc[0] == "0" else "0"
    flipped[["captured_at", "status_created_at"]] = None
    labels = tmp_path / "labels.csv"
    pd.concat([raw, flipped], ignore_index=True).to_csv(labels, index=False)
    got = read_labels_csv(labels)
    assert got.left_out == {"no observation time": 1, "an account its rows label both bot and human": 1}, got.left_out
    assert len(got.frame) == len(raw) - 1


def test_a_shared_mangled_id_with_other_handles_is_not_a_repeat(tmp_path: Path) -> None:
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""]).rename(columns={"label": "bot"})
    raw["id"] = "7.01E+17"  # every id mangled alike; the handles still tell the accounts apart
    labels = tmp_path / "labels.csv"
    raw.to_csv(labels, index=False)
    got = read_labels_csv(labels)
    assert got.left_out == {} and len(got.frame) == len(raw)


def test_a_file_without_repeats_keeps_every_row(tmp_path: Path) -> None:
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""]).rename(columns={"label": "bot"})
    labels = tmp_path / "labels.csv"
    raw.to_csv(labels, index=False)
    got = read_labels_csv(labels)
    assert got.left_out == {} and len(got.frame) == len(raw)
