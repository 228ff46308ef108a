"""`botwatch train-bot-model` reads a labels file written by hand as it reads the public sets.

Labels written by hand spell handles "@name", and a study never stores the "@": the handle
features were learnt one character off (its length, entropy, case and digit shares) and the
model's training-account digests named no study account."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from botwatch.accounts.labelled import read_labels_csv

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # botwiki/verified 2019 rows


def _raw() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""]).rename(columns={"label": "bot"})


def test_a_handle_written_with_its_at_sign_is_the_handle(tmp_path: Path) -> None:
    plain, at = tmp_path / "plain.csv", tmp_path / "at.csv"
    raw = _raw()
    raw.to_csv(plain, index=False)
    raw.assign(screen_name="@" + raw["screen_name"]).to_csv(at, index=False)
    a, b = read_labels_csv(plain).frame, read_labels_csv(at).frame
    assert not b["handle"].str.startswith("@").any()
    pd.testing.assert_frame_equal(a.drop(columns="source"), b.drop(columns="source"))
