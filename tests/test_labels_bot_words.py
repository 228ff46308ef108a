"""A bot label that is not read is said with what is read. `train-bot-model` said "label not 1/0"
of such rows though it reads true/false, yes/no and bot/human too, and `evaluate-accounts` named
only some of the words it reads (not t/f, y/n or 1.0/0.0)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from botwatch.accounts.evaluate import FALSE, TRUE, AccountLabelsError, load_account_labels
from botwatch.accounts.labelled import read_labels_csv

LABELS = ("handle,created_at,favourites_count,statuses_count,default_profile,default_profile_image,bot\n"
          "alice,Mon Jan 01 00:00:00 +0000 2012,1,2,TRUE,FALSE,bot\n"
          "bob,Mon Jan 01 00:00:00 +0000 2013,1,2,TRUE,FALSE,Human\n"
          "carol,Mon Jan 01 00:00:00 +0000 2014,1,2,TRUE,FALSE,maybe\n")


def _said_words(said: str) -> set[str]:
    """The label words a message names, as "a/b" pairs split."""
    return {w for pair in re.findall(r"[\w.]+/[\w.]+", said) for w in pair.split("/")}


def test_train_bot_model_says_every_word_it_reads(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(LABELS, encoding="utf-8")
    got = read_labels_csv(path, observed_at=pd.Timestamp("2019-01-01"))
    assert len(got.frame) == 2  # bot and Human were read
    (why,) = got.left_out
    assert "'maybe' (line 4)" in got.where[why], got.where
    assert _said_words(why) == TRUE | FALSE, why


def test_evaluate_accounts_says_the_same_words(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(LABELS, encoding="utf-8")
    (why,) = read_labels_csv(path, observed_at=pd.Timestamp("2019-01-01")).left_out
    with pytest.raises(AccountLabelsError) as err:
        load_account_labels(path)
    assert why.removeprefix("label not ") in str(err.value), str(err.value)
