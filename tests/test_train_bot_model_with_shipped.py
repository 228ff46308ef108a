"""`train-bot-model LABELS --with-shipped DIR`: the user's labels as one more labelled source.

Issue 12: a team's own labels trained a model on theirs alone, and no held-out figure said whether
the shipped model holds on their platform. These tests use real rows only: the committed fixture
(20 botwiki-2019 bots, 20 verified-2019 humans) as the user's set and, for the command itself, a
small slice of each shipped source from ../shared/data (skipped when absent), so training takes
seconds; the figures they print are not the model card's."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from botwatch.accounts.labelled import read_labels_csv
from botwatch.accounts.with_shipped import in_shipped_training, shipped_on_user, user_source_name, without_user_accounts
from botwatch.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"  # 20 botwiki bots, 20 verified humans (real)
runner = CliRunner()


def _user() -> pd.DataFrame:
    return read_labels_csv(FIXTURE).frame


def test_the_shipped_models_own_training_accounts_are_left_out_of_its_figure() -> None:
    """The fixture's 40 accounts are botwiki/verified accounts the shipped model trained on: its
    figure on them would not be held out, so each is found in the shipped list and none scored."""
    from botwatch.accounts.botmodel import packaged_model

    user = _user()
    trained = in_shipped_training(user)
    assert trained is not None and trained.all()
    fig = shipped_on_user(user, packaged_model().predict, trained)
    assert (fig["given"], fig["in_training"], fig["n"]) == (40, 40, 0) and "auc" not in fig


def test_a_two_class_set_gets_the_auc_with_its_interval_and_both_rates() -> None:
    """Scored as a set the model never saw (`trained` all False: the code path of a held-out set)."""
    from botwatch.accounts.botmodel import packaged_model

    user = _user()
    fig = shipped_on_user(user, packaged_model().predict, np.zeros(len(user), bool), boot=200)
    assert fig["n"] == 40 and fig["bots"] == 20 and fig["auc_low"] <= fig["auc"] <= fig["auc_high"]
    assert fig["recall"]["n"] == 20 and fig["false_alarms"]["n"] == 20
    for rate in (fig["recall"], fig["false_alarms"]):
        assert rate["low"] <= rate["share"] <= rate["high"] and rate["high"] - rate["low"] > 0.05  # 20 accounts: a wide interval


def test_a_one_class_set_gets_its_rate_with_an_interval_and_no_auc() -> None:
    from botwatch.accounts.botmodel import packaged_model

    bots = _user().query("label == 1").reset_index(drop=True)
    fig = shipped_on_user(bots, packaged_model().predict, np.zeros(len(bots), bool), boot=200)
    assert "auc" not in fig and fig["false_alarms"]["n"] == 0
    r = fig["recall"]
    assert r["n"] == 20 and r["low"] <= r["share"] <= r["high"] and r["high"] - r["low"] > 0.05


def test_the_users_accounts_are_taken_out_of_a_shipped_source_by_handle_or_whole_id() -> None:
    """A held-out source must never hold an account the model trained on; an id a spreadsheet
    turned into "7.01E+17" names many accounts and is never matched."""
    user = _user()
    shipped = user.assign(source="botwiki+verified").copy()
    shipped.loc[0, "handle"] = "someone_else"  # still matched by its id
    shipped.loc[1, ["handle", "account_id"]] = ["another_one", "7.01E+17"]
    user.loc[1, "account_id"] = "7.01E+17"
    other = user.assign(source="other", handle=user["handle"] + "_x", account_id="1" + user["account_id"])  # none of the user's
    kept, removed, dropped = without_user_accounts([shipped, other], user)
    assert removed == {"botwiki+verified": 39, "other": 0} and dropped == ["botwiki+verified"]  # one account left: one class
    assert [str(f["source"].iloc[0]) for f in kept] == ["other"] and len(kept[0]) == 40


def test_a_shipped_source_left_with_too_few_of_a_class_is_dropped() -> None:
    """stclab given as the user's file left the stclab source empty (an IndexError, a traceback),
    or 5 accounts weighing as much in training as Gilani's 3,370."""
    user = _user()
    stclab = user.assign(source="stclab")
    kept, removed, dropped = without_user_accounts([stclab], user.query("label == 1"))
    assert removed == {"stclab": 20} and dropped == ["stclab"] and kept == []
    kept, removed, dropped = without_user_accounts([stclab], user.query("label == 1").head(11))  # 9 bots left
    assert removed == {"stclab": 11} and dropped == ["stclab"]
    kept, removed, dropped = without_user_accounts([stclab], user.query("label == 1").head(10))  # 10 left: kept
    assert dropped == [] and len(kept[0]) == 30


def test_a_file_named_as_a_shipped_source_is_marked_as_yours() -> None:
    assert user_source_name("stclab") == "stclab (yours)" and user_source_name("labels.csv") == "labels.csv"


def test_a_folder_without_the_shipped_layout_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    res = runner.invoke(app, ["train-bot-model", str(FIXTURE), "--with-shipped", str(tmp_path), "-o", str(tmp_path / "m.json.gz")])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "lacks stclab/bots_data.csv.gz" in said and "Traceback" not in said, said
    assert not (tmp_path / "m.json.gz").exists()


def _slice_csv(src: Path, dst: Path, rows: slice) -> None:
    """Rows `rows` of a gzipped CSV, written gzipped, cells as read (strings)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    frame = pd.read_csv(src, dtype=str, keep_default_na=False)
    with gzip.open(dst, "wt", encoding="utf-8", newline="") as f:
        frame.iloc[rows].to_csv(f, index=False)


@pytest.fixture(scope="module")
def small_shipped(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped layout with a slice of each real source: 60 stclab bots and humans, one band of
    Gilani's each, and 60 botwiki / verified rows that hold the fixture's 40 (to be taken out)."""
    return _shipped_slice(shared_data / "labelled", tmp_path_factory.mktemp("labelled"), 60)


def _shipped_slice(src: Path, root: Path, rows: int) -> Path:
    """`root` laid out as the shipped sources under `src`, each file cut to its first `rows` rows."""
    for name in ("bots_data.csv.gz", "nonbots_data.csv.gz"):
        _slice_csv(src / "stclab" / name, root / "stclab" / name, slice(0, rows))
    for kind in ("bots", "humans"):
        _slice_csv(src / "gilani2017" / kind / f"{kind}.1k.csv.gz", root / "gilani2017" / kind / f"{kind}.1k.csv.gz", slice(0, rows))
    for name in ("botwiki2019", "verified2019"):
        _slice_csv(src / name / "profiles.csv.gz", root / name / "profiles.csv.gz", slice(0, rows))
    return root


@pytest.mark.shared_data
def test_with_shipped_trains_four_sources_and_records_them(small_shipped: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.json.gz"
    res = runner.invoke(app, ["train-bot-model", str(FIXTURE), "--with-shipped", str(small_shipped), "-o", str(model)])
    said = " ".join(res.output.split())
    assert res.exit_code == 0, said
    assert "gives other accounts than the shipped model was trained on" in said  # a slice, said so
    assert "40 of your 40 accounts were among the shipped model's training accounts" in said
    assert "taken out of it, your label kept" in said
    assert "| labelled_profiles.csv | botwiki+verified + gilani2017 + stclab | 40 | 20 |" in said
    assert "every source weighs the same in training" in said and "your 40 accounts weigh as much as" in said  # not a sliver of it
    from botwatch.accounts.botmodel import model_meta
    from botwatch.model_used import _own_note

    meta = model_meta(model)
    assert set(meta["trained_on"]) == {"stclab", "gilani2017", "botwiki+verified", "labelled_profiles.csv"}
    assert [r["held_out"] for r in meta["loso"]][-1] == "labelled_profiles.csv" and all("auc_low" in r for r in meta["loso"])
    assert meta["with_shipped"]["yours"] == "labelled_profiles.csv"
    assert meta["training_accounts"]["of"] == sum(meta["trained_on"].values())
    note = _own_note(str(model), meta)
    assert "trained on the shipped model's labelled sources (" in note and "40 labelled accounts of your own (labelled_profiles.csv)" in note
    figures = json.loads(model.with_name("m.figures.json").read_text(encoding="utf-8"))
    assert "loso_importance" not in figures  # the model card's extra figures are left out: seconds, not minutes


@pytest.mark.shared_data
def test_a_one_class_set_is_scored_by_the_shipped_model_and_trains_nothing(small_shipped: Path, tmp_path: Path) -> None:
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    bots = tmp_path / "bots.csv"
    raw[raw["label"] == "1"].to_csv(bots, index=False)
    model = tmp_path / "m.json.gz"
    res = runner.invoke(app, ["train-bot-model", str(bots), "--with-shipped", str(small_shipped), "-o", str(model)])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "a set of one class is never a source of its own" in said and "Traceback" not in said, said
    assert not model.exists()


def test_a_row_with_its_own_interval_is_quoted_with_it_even_at_an_auc_of_one() -> None:
    """The report said "no interval: Hanley–McNeil's approximation gives none at an AUC of 0 or 1"
    of a user's 40 accounts held out at 1.000, though the row kept the interval of its scores."""
    from botwatch.report.caveats import held_out_auc

    row = {"held_out": "labels.csv", "auc": 1.0, "n": 40, "bots": 20}
    assert "no interval" in held_out_auc(row)
    said = held_out_auc({**row, "auc_low": 0.899, "auc_high": 1.0})
    assert "95% interval 0.899–1.000 from its 20 bots and 20 humans" in said and "no interval" not in said


def test_a_cut_short_gzip_among_the_shipped_sources_is_said_not_aborted(tmp_path: Path) -> None:
    """A shipped file cut off mid-copy raises EOFError inside gzip, which click took for Ctrl-D:
    "Aborted." and exit 1, with no word of which folder was damaged. Made-up bytes, in the layout's
    file names: only the read's failure is under test."""
    from botwatch.accounts.with_shipped import SHIPPED_LAYOUT

    data = tmp_path / "labelled"
    whole = gzip.compress(b"id_str,screen_name,bot\n" + b"1,a,1\n" * 2000)
    for part in SHIPPED_LAYOUT:
        path = data / part
        if part.endswith(".csv.gz"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(whole[: len(whole) // 2])
        else:
            path.mkdir(parents=True, exist_ok=True)
    res = runner.invoke(app, ["train-bot-model", str(FIXTURE), "--with-shipped", str(data), "-o", str(tmp_path / "m.json.gz")])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "could not read the shipped sources under" in said and "Aborted" not in said, said
    assert not (tmp_path / "m.json.gz").exists()


def test_a_small_set_is_told_it_weighs_as_much_as_the_largest_source() -> None:
    """"trained on 3,370 gilani2017 (...), 40 labels.csv (20 bots)" read as 40 accounts among
    thousands, when every source weighs the same (`loso.source_weights`): said, with the ratio."""
    from botwatch.cli.with_shipped import weight_line

    sources = {"gilani2017": {"n": 3370, "bots": 1469}, "botwiki+verified": {"n": 2616, "bots": 637}, "labels.csv": {"n": 40, "bots": 20}}
    said = weight_line(sources, "labels.csv")
    assert said is not None and "your 40 accounts weigh as much as gilani2017's 3,370" in said and "about 84 times" in said
    assert weight_line({**sources, "labels.csv": {"n": 5000, "bots": 20}}, "labels.csv") is None  # larger than every source: nothing to warn of


def test_a_mastodon_account_is_matched_by_its_profile_url_alone_never_by_handle() -> None:
    """A labels row with a Mastodon profile URL is not a Twitter account: its bare handle and
    server-local numeric id name other accounts on Twitter (docs/model-card-bot.md). Matched by
    them, such a set was told "N of your accounts were among the shipped model's training
    accounts", lost those rows from its held-out figure, and took Twitter accounts out of stclab.
    The fixture's handles and ids are real shipped training accounts; the URLs are made up."""
    user = _user()
    mastodon = user.assign(unique_id="https://mastodon.example/@" + user["handle"])
    trained = in_shipped_training(mastodon)
    assert trained is not None and not trained.any()
    shipped = user.assign(source="botwiki+verified")
    kept, removed, dropped = without_user_accounts([shipped], mastodon)
    assert removed == {"botwiki+verified": 0} and dropped == [] and len(kept[0]) == 40
    # The same URL in the shipped source is the same account: taken out.
    kept, removed, _ = without_user_accounts([mastodon.assign(source="other")], mastodon.head(3))
    assert removed == {"other": 3}


@pytest.mark.shared_data
def test_no_shipped_source_left_beside_the_set_is_refused_before_training(shared_data: Path, tmp_path: Path) -> None:
    """Where every shipped source is left out (the set holds their accounts, or DIR holds fewer than
    10 of a class of each), it trained on the user's set alone, wrote the model file, then ended in
    "KeyError: 'loso'. This is a bug in botwatch" with exit 1."""
    root = _shipped_slice(shared_data / "labelled", tmp_path / "labelled", 5)
    model = tmp_path / "m.json.gz"
    res = runner.invoke(app, ["train-bot-model", str(FIXTURE), "--with-shipped", str(root), "-o", str(model)])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "no shipped source is left beside your set" in said and "bug in botwatch" not in said, said
    assert not model.exists()


@pytest.mark.shared_data
def test_a_labels_file_with_no_row_kept_is_said_as_without_the_option(small_shipped: Path, tmp_path: Path) -> None:
    """Every row left out (here a label other than 1/0): without --with-shipped it says "need at
    least 10 bots and 10 humans"; with it, "IndexError ... a bug in botwatch" and exit 1."""
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    labels = tmp_path / "unlabelled.csv"
    raw.assign(label="2").to_csv(labels, index=False)
    res = runner.invoke(app, ["train-bot-model", str(labels), "--with-shipped", str(small_shipped), "-o", str(tmp_path / "m.json.gz")])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and "need at least 10 bots and 10 humans" in said and "bug in botwatch" not in said, said


def test_the_model_note_says_a_users_set_weighs_as_much_as_a_shipped_source() -> None:
    """`explain`, `status` and the report said "trained on the shipped model's labelled sources
    (3,370 gilani2017 ...) and 40 labelled accounts of your own", which reads as 40 among thousands:
    every source weighs the same in training (`loso.source_weights`)."""
    from botwatch.model_used import _own_note

    meta = {"trained_on": {"gilani2017": 3370, "botwiki+verified": 2616, "labels.csv": 40}, "with_shipped": {"yours": "labels.csv"}}
    note = _own_note("m.json.gz", meta)
    assert "40 labelled accounts of your own (labels.csv), each source weighing the same in training" in note, note


def test_the_cards_stclab_run_counts_are_the_readers(shared_data: Path, tmp_path: Path) -> None:
    """docs/model-card-bot.md's `--with-shipped` run on stclab's two files as one labels file said
    1,460 accounts kept and 7 left in the shipped stclab, where its documented command gives 1,462
    and 5, on the commit that added the table (ea76f735) and since. The whole run takes
    half a minute, so only its counts are held here: the two readers, in seconds."""
    from botwatch.accounts.labelled import load_stclab

    folder = shared_data / "labelled" / "stclab"
    bots = gzip.decompress((folder / "bots_data.csv.gz").read_bytes())
    humans = gzip.decompress((folder / "nonbots_data.csv.gz").read_bytes()).split(b"\n", 1)[1]
    path = tmp_path / "stclab.csv"
    path.write_bytes(bots + humans)
    user = read_labels_csv(path, observed_at=pd.Timestamp("2017-03-15")).frame
    kept, user_bots = len(user), int(user["label"].sum())
    shipped = load_stclab(folder)
    frames, removed, dropped = without_user_accounts([shipped], user)
    left = len(shipped) - removed["stclab"]
    assert dropped == ["stclab"] and not frames
    card = " ".join((Path(__file__).resolve().parents[1] / "docs" / "model-card-bot.md").read_text(encoding="utf-8").split())
    start = card.index("## Your labels beside the shipped sources")
    section = card[start:card.index("## Machine-readable output", start)]
    assert f"{kept:,} kept as in" in section and f"All {kept:,} were among" in section, (kept, left)
    assert f"stclab's {left} accounts left" in section and "were left out as a source" in section, left
    assert f"| stclab.csv | botwiki+verified + gilani2017 | {kept:,} | {user_bots:,} |" in section
    assert f"stclab.csv --observed-at 2017-03-15`): {kept:,} accounts," in card
