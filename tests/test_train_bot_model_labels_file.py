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


def test_labels_spelled_as_evaluate_accounts_reads_them_train_alike(tmp_path: Path) -> None:
    """true/false, yes/no and bot/human (any case), as `evaluate-accounts` reads them: the same
    file was measured there and refused here, every row left out as "label not 1/0"."""
    raw = _raw()
    plain, words = tmp_path / "plain.csv", tmp_path / "words.csv"
    raw.to_csv(plain, index=False)
    spelled = {"1": ["bot", "TRUE", "Yes", " 1.0"], "0": ["human", "False", "no", "0"]}
    raw.assign(bot=[spelled[v][i % 4] for i, v in enumerate(raw["bot"])]).to_csv(words, index=False)
    a, b = read_labels_csv(plain), read_labels_csv(words)
    assert b.left_out == {}
    pd.testing.assert_frame_equal(a.frame.drop(columns="source"), b.frame.drop(columns="source"))


def test_an_infinite_count_is_unknown_and_keeps_the_training_ranges_finite(tmp_path: Path) -> None:
    """"1e400" or "inf" in a count read as infinity: the feature's training range came out NaN, so
    no scored account was ever out of distribution on it, and the model file held a NaN."""
    import numpy as np

    from botwatch.accounts.ood import feature_ranges
    from botwatch.accounts.training import SHIPPED_FEATURES

    raw = _raw()
    raw.loc[:3, "favourites_count"] = ["1e400", "inf", "-Infinity", "nan"]
    f = tmp_path / "labels.csv"
    raw.to_csv(f, index=False)
    frame = read_labels_csv(f).frame
    assert frame.loc[:3, "log_likes"].isna().all()
    ranges = feature_ranges(frame, SHIPPED_FEATURES)
    assert ranges and all(np.isfinite(v).all() for v in ranges.values()), ranges


def test_header_names_in_another_case_are_read(tmp_path: Path) -> None:
    """"Bot" and "Screen_Name", as a spreadsheet writes them and `evaluate-accounts` reads them,
    were refused: "no `bot` column"."""
    raw = _raw()
    plain, caps = tmp_path / "plain.csv", tmp_path / "caps.csv"
    raw.to_csv(plain, index=False)
    raw.rename(columns={"bot": "Bot", "screen_name": " Screen_Name", "created_at": "Created_At"}).to_csv(caps, index=False)
    pd.testing.assert_frame_equal(read_labels_csv(plain).frame.drop(columns="source"), read_labels_csv(caps).frame.drop(columns="source"))


def test_a_header_without_rows_is_said_to_hold_no_account(tmp_path: Path) -> None:
    """It was told its `observed_at` column "holds no readable time"."""
    import pytest

    f = tmp_path / "labels.csv"
    f.write_text("id,bot,screen_name,created_at,observed_at\n", encoding="utf-8")
    with pytest.raises(ValueError, match="a header and no rows: it holds no labelled account"):
        read_labels_csv(f)


def test_rows_of_empty_cells_are_said_to_hold_no_account(tmp_path: Path) -> None:
    """Rows of empty cells (a spreadsheet's saved blank lines) were told the `observed_at` column
    "holds no readable time", or with --observed-at "label not 1/0" and "need at least 10 bots"."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    f = tmp_path / "labels.csv"
    f.write_text("id,bot,screen_name,created_at,observed_at\n,,,,\n , ,\t, ,\n", encoding="utf-8")
    for extra in ([], ["--observed-at", "2020-01-01"]):
        res = CliRunner().invoke(app, ["train-bot-model", str(f), "--output", str(tmp_path / "m.json.gz"), *extra])
        said = " ".join(res.output.split())
        assert res.exit_code == 2 and "Traceback" not in said, said
        assert f"error: {f}: its 2 row(s) after the header are all empty cells: it holds no labelled account" in said, said
        assert "observed_at" not in said and "need at least" not in said, said
    assert not (tmp_path / "m.json.gz").exists()


def test_empty_rows_among_accounts_are_counted_apart(tmp_path: Path) -> None:
    f = tmp_path / "labels.csv"
    _raw().to_csv(f, index=False)
    f.write_text(f.read_text(encoding="utf-8") + ",,,,,,,,,,,,,,,,,,,,,,\n", encoding="utf-8")
    read = read_labels_csv(f)
    assert read.left_out.get("empty row") == 1 and len(read.frame) == len(_raw()), read.left_out


def test_both_commands_read_the_same_label_column_and_refuse_two_that_disagree(tmp_path: Path) -> None:
    """`evaluate-accounts` read `is_bot` before `label` and `train-bot-model` `label` before
    `is_bot`: one file measured one column there and trained on the other here, without a word.
    Columns that agree are read alike; columns that disagree are refused by both, with the lines."""
    import pytest

    from botwatch.accounts.evaluate import AccountLabelsError, load_account_labels

    raw = _raw()
    agree, differ = tmp_path / "agree.csv", tmp_path / "differ.csv"
    raw.rename(columns={"bot": "label"}).assign(is_bot=raw["bot"].map({"1": "yes", "0": "no"})).to_csv(agree, index=False)
    flipped = raw["bot"].copy()
    flipped.iloc[[3, 7]] = flipped.iloc[[3, 7]].map({"1": "0", "0": "1"})
    raw.rename(columns={"bot": "label"}).assign(is_bot=flipped).to_csv(differ, index=False)
    assert read_labels_csv(agree).frame["label"].tolist() == raw["bot"].astype(int).tolist()
    assert [x.bot for x in load_account_labels(agree)] == raw["bot"].astype(int).tolist()
    with pytest.raises(ValueError, match=r"`is_bot` and `label` columns give different labels on rows 4, 8 after the header"):
        read_labels_csv(differ)  # rows: a quoted description holds line breaks, which pandas does not count
    with pytest.raises(AccountLabelsError, match=r"`is_bot` and `label` columns give different labels on lines 9, 13"):
        load_account_labels(differ)


def test_a_semicolon_separated_file_says_so(tmp_path: Path) -> None:
    """A spreadsheet set to a European locale saves "screen_name;bot;…": refused as "line 3 has 91
    fields, the first line 25" or as lacking a `bot` column it has, with not a word of the
    separator, where `evaluate-accounts` names it for the same file."""
    import pytest

    raw = _raw()
    one_column, ragged = tmp_path / "one.csv", tmp_path / "ragged.csv"
    raw[["screen_name", "bot", "created_at"]].to_csv(one_column, index=False, sep=";")
    # Commas in its cells, more on the second row than the first: pandas' tokenizer stops at it.
    raw.iloc[:3].assign(description=["a, b", "a, b, c, d", "e"]).to_csv(ragged, index=False, sep=";")
    for f in (one_column, ragged):
        with pytest.raises(ValueError) as exc:
            read_labels_csv(f)
        assert 'separated by semicolons (;), and botwatch reads comma-separated CSV: save it as "CSV (comma delimited)"' in str(exc.value), str(exc.value)


def test_a_set_of_one_class_is_told_what_to_add(tmp_path: Path) -> None:
    """botwiki-2019 alone ("got 678 bots and 0 humans") was told the count and not what to add: the
    public one-class sets are trained as a pair in one file (docs/model-card-bot.md)."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    raw = _raw()
    for label, said in (("1", "Add labelled humans (bot 0) to the same file"), ("0", "Add labelled bots (bot 1) to the same file")):
        f = tmp_path / f"only{label}.csv"
        raw[raw["bot"] == label].to_csv(f, index=False)
        res = CliRunner().invoke(app, ["train-bot-model", str(f), "--output", str(tmp_path / "m.json.gz")])
        text = " ".join(res.output.split())
        assert res.exit_code == 2 and "Traceback" not in text, text
        assert said in text and "teaches it nothing" in text and "verified-2019" in text and "docs/model-card-bot.md" in text, text
    assert not (tmp_path / "m.json.gz").exists()
