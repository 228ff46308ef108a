"""A labels file made by joining two CSVs with both header rows kept: the second header's `bot`
cell reads "bot", a bot label, so `train-bot-model` trained on it as an account named
"screen_name" (stclab's two files so joined: 1,463 accounts, 691 bots, for 1,462 and 690), and
`evaluate-accounts` read it as a label. It is left out and said as the header again, with its line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from botwatch.accounts.evaluate import AccountLabelsError, load_account_labels
from botwatch.accounts.labelled import HEADER_AGAIN, read_labels_csv

HEADER = "handle,created_at,favourites_count,statuses_count,default_profile,default_profile_image,bot\n"
ROW = "{},Mon Jan 01 00:00:00 +0000 2012,1,2,TRUE,FALSE,{}\n"
# The second file's header, as a spreadsheet may write it, on line 4.
JOINED = HEADER + ROW.format("alice", 1) + ROW.format("bob", 0) + HEADER.replace("bot", " Bot ") + ROW.format("carol", 1)


def test_train_bot_model_leaves_out_the_header_again(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(JOINED, encoding="utf-8")
    got = read_labels_csv(path, observed_at=pd.Timestamp("2019-01-01"))
    assert sorted(got.frame["handle"]) == ["alice", "bob", "carol"], got.frame
    assert got.left_out == {HEADER_AGAIN: 1} and got.where[HEADER_AGAIN] == f"line 4 ({HEADER_AGAIN})", (got.left_out, got.where)


def test_evaluate_accounts_says_the_header_again(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(JOINED, encoding="utf-8")
    with pytest.raises(AccountLabelsError) as err:
        load_account_labels(path)
    assert f"line 4: {HEADER_AGAIN}" in str(err.value) and "bot label" not in str(err.value), str(err.value)


def test_a_row_with_the_word_bot_is_still_a_bot(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(HEADER + ROW.format("alice", "bot") + ROW.format("bot", "bot"), encoding="utf-8")
    assert list(read_labels_csv(path, observed_at=pd.Timestamp("2019-01-01")).frame["label"]) == [1, 1]
    assert [x.bot for x in load_account_labels(path)] == [1, 1]


def test_stclab_joined_with_both_headers(tmp_path: Path, shared_data: Path) -> None:
    folder = shared_data / "labelled" / "stclab"
    path = tmp_path / "stclab.csv"
    path.write_bytes(b"".join(gzip.decompress((folder / name).read_bytes()) for name in ("bots_data.csv.gz", "nonbots_data.csv.gz")))
    got = read_labels_csv(path, observed_at=pd.Timestamp("2017-03-15"))
    assert (len(got.frame), int(got.frame["label"].sum())) == (1462, 690), got.left_out
    assert got.where[HEADER_AGAIN] == f"line 697 ({HEADER_AGAIN})", got.where


# `content evaluate`'s labels joined the same way: the second header, in a spreadsheet's case, on line 4.
POST_HEADER = "post_id,party,stance,sentiment\n"
POST_JOINED = POST_HEADER + "1,dem,support,positive\n" + "2,rep,oppose,negative\n" + " Post_ID ,Party,STANCE,sentiment\n" + "3,dem,neutral,neutral\n"


def test_content_evaluate_says_the_header_again(tmp_path: Path) -> None:
    from botwatch.content.score import LabelsError, load_labels

    path = tmp_path / "labels.csv"
    path.write_text(POST_JOINED, encoding="utf-8")
    with pytest.raises(LabelsError) as err:
        load_labels(path, parties=("dem", "rep"))
    said = str(err.value)
    assert f"line 4: {HEADER_AGAIN} (delete it)" in said, said
    assert "'party'" not in said and "'stance'" not in said and "'sentiment'" not in said, said
