"""scripts/validate_origin.py --apart: each part of the frozen split cut from the validation inputs
and ingested as a study of its own (docs/methods.md, "Each part as a study of its own"). Committed
fixtures only; the measurement itself runs on ../shared/data."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from botwatch import open_study
from botwatch.accounts.validation import GROUP_ORDINARY, GROUP_POSING, split_of

from testsupport.scripts import load_script

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ingest"


def test_ira_part_keeps_every_post_of_the_part_s_handles_and_nothing_else(tmp_path: Path) -> None:
    mod = load_script("validate_origin")
    src = FIXTURES / "ira_tweets.csv"
    whole = pd.read_csv(src, dtype=str, keep_default_na=False)
    got = {}
    for part in ("dev", "test"):
        n = mod.ira_part(src, tmp_path / f"{part}.csv.gz", part)
        got[part] = pd.read_csv(tmp_path / f"{part}.csv.gz", dtype=str, keep_default_na=False)
        assert list(got[part].columns) == list(whole.columns)
        assert {split_of(a) for a in got[part]["author_id"]} <= {part}
        assert n == got[part]["author_id"].nunique()
    # Together the two parts are the file again, row for row (no handle dropped, no post lost).
    both = pd.concat([got["dev"], got["test"]]).sort_values(list(whole.columns)).reset_index(drop=True)
    assert both.equals(whole.sort_values(list(whole.columns)).reset_index(drop=True))


def test_v1_part_splits_on_the_author_s_user_id_and_keeps_lines_as_they_were(tmp_path: Path) -> None:
    mod = load_script("validate_origin")
    src = FIXTURES / "v1_uklabour.jsonl"
    lines = [ln for ln in src.read_bytes().splitlines(keepends=True) if ln.strip()]
    home = split_of(json.loads(lines[0])["user"]["id_str"])
    for part in ("dev", "test"):
        n = mod.v1_part(src, tmp_path / f"{part}.jsonl.gz", part)
        with gzip.open(tmp_path / f"{part}.jsonl.gz", "rb") as f:
            kept = f.read().splitlines(keepends=True)
        assert n == len(kept)
        # The retweets in the fixture are by other users inside; only the author's key decides.
        assert kept == (lines if part == home else [])


def test_prepare_part_holds_only_the_part_s_accounts(tmp_path: Path) -> None:
    mod = load_script("validate_origin")
    ira, v1 = FIXTURES / "ira_tweets.csv", FIXTURES / "v1_uklabour.jsonl"
    ids_of = {}
    for part in ("dev", "test"):
        path = mod.prepare_part(ira, v1, tmp_path, part)
        with open_study(path, read_only=True) as st:
            ids_of[part] = {a for (a,) in st.con.execute("SELECT DISTINCT account_id FROM posts").fetchall()}
            accounts = {a for (a,) in st.con.execute("SELECT account_id FROM accounts").fetchall()}
        assert ids_of[part], part
        assert {split_of(a) for a in ids_of[part]} == {part}
        # The fixture's retweets embed other users: they become profile-only accounts, as in any
        # study, and only those may be of the other part (the validation's inputs carry none).
        assert ids_of[part] <= accounts
    assert not ids_of["dev"] & ids_of["test"]
    # Built once: a second call reuses the ingested study.
    stamp = (tmp_path / "apart-test" / "study.ingested").stat().st_mtime_ns
    mod.prepare_part(ira, v1, tmp_path, "test")
    assert (tmp_path / "apart-test" / "study.ingested").stat().st_mtime_ns == stamp
    # --fresh builds it again from the (possibly new) inputs.
    path = mod.prepare_part(ira, v1, tmp_path, "test", fresh=True)
    assert (tmp_path / "apart-test" / "study.ingested").stat().st_mtime_ns != stamp
    with open_study(path, read_only=True) as st:
        assert {a for (a,) in st.con.execute("SELECT DISTINCT account_id FROM posts").fetchall()} == ids_of["test"]


def test_stored_rows_reads_unknown_origins_as_no_prediction_and_sets_apart_russian_profiles() -> None:
    mod = load_script("validate_origin")
    scores = pd.DataFrame({
        "account_id": ["a", "b", "c", "d", "e"],
        "n_posts": [12, None, 300, 5, 40],
        "origin_country": ["RU", None, "US", "RU", "GB"],
        "origin_probabilities": [json.dumps({"RU": 0.9, "US": 0.1}), None, json.dumps({"US": 0.8, "RU": 0.2}), json.dumps({"RU": 0.6}), json.dumps({"GB": 1.0})],
    })
    gs = [(GROUP_POSING, "test"), (GROUP_ORDINARY, "test"), (GROUP_ORDINARY, "test"), (GROUP_ORDINARY, "test"), (None, "test")]
    got = mod.stored_rows(scores, gs, names_ru={"d": True}, pooled_ids={"a"})
    assert got["rows"] == [("test", GROUP_POSING, 12, True), ("test", GROUP_ORDINARY, 0, False),
                           ("test", GROUP_ORDINARY, 300, False), ("test", GROUP_ORDINARY, 5, True)]
    assert got["ids"] == ["a", "b", "c", "d"]  # "e" is in no group
    assert got["pairs"]["test"] == [(GROUP_POSING, "RU"), (GROUP_ORDINARY, None), (GROUP_ORDINARY, "US"), (GROUP_ORDINARY, "RU")]
    assert got["calib"]["test"] == [(0.9, True), (0.2, False), (0.6, False)]  # "b" has no origin: no prediction
    assert got["calib_apart"]["test"] == [(0.9, True), (0.2, False)]  # "d" names Russia itself
    assert got["calib_nb"]["test"] == {"with": [(0.9, True)], "without": [(0.2, False)]}


def test_pull_table_counts_items_that_pull_away_or_towards_and_sorts_most_against_first() -> None:
    mod = load_script("origin_apart_misses")
    got = mod.pull_table([{"post_langs": -1.2, "articles": 0.3}, {"post_langs": -1.2, "office_hours": -0.05}, {"articles": -0.5}])
    assert list(got) == ["post_langs", "articles", "office_hours"]  # totals -2.4, -0.2, -0.05
    assert got["post_langs"] == {"accounts": 2, "away": 2, "towards": 0, "median": -1.2, "total": -2.4}
    assert got["articles"]["away"] == 1 and got["articles"]["towards"] == 1
    assert got["office_hours"]["away"] == 0 and got["office_hours"]["towards"] == 0  # below the 0.1 that counts as a pull
    assert mod.pull_table([]) == {}


def test_item_ratios_are_empty_for_accounts_placed_in_russia_or_nowhere() -> None:
    mod = load_script("origin_apart_misses")
    from botwatch.accounts.origin import OriginInput

    inp = OriginInput(post_langs={"en": 10}, n_posts=10)
    assert mod.item_ratios(inp, "RU", "US") == {} and mod.item_ratios(inp, None, "US") == {}
    ratios = mod.item_ratios(inp, "US", "US")
    assert ratios["post_langs"] < 0  # English posts say US rather than Russia


def test_fresh_inputs_take_the_part_studies_and_the_coordination_copy_with_them(tmp_path: Path) -> None:
    """`--fresh` without `--apart` must not leave part studies cut from the older inputs for a later
    `--apart` run to reuse (nor the coordination copy for `--pool`)."""
    mod = load_script("validate_origin")
    for rel in ("apart-test/study.ingested", "apart-dev/study.ingested", "study-coordination.done", "study.ingested"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).touch()
    (tmp_path / "apart-test" / "keep.txt").touch()
    mod.forget_built(tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "keep.txt"]
    assert (tmp_path / "apart-test" / "keep.txt").exists()


def test_misses_script_stops_with_a_message_when_the_studies_come_from_different_inputs(tmp_path: Path) -> None:
    mod = load_script("origin_apart_misses")
    assert mod.row_of_each(["b", "a"], ["a", "b", "c"], tmp_path / "p", tmp_path / "m", tmp_path) == {"a": 0, "b": 1, "c": 2}
    with pytest.raises(SystemExit) as stop:
        mod.row_of_each(["a", "z"], ["a", "b"], tmp_path / "p", tmp_path / "m", tmp_path)
    assert "1 accounts" in str(stop.value) and "'z'" in str(stop.value) and "--fresh --apart" in str(stop.value)


def _data(root: Path) -> Path:
    """A ../shared/data in miniature: one IRA author, one brexit-2016 and one gop-debate-2015
    account, the latter retweeting a handle that wrote nothing in the archive."""
    (root / "ira").mkdir(parents=True)
    pd.DataFrame({"author_id": ["TROLL1"], "account_category": ["RightTroll"]}).to_csv(root / "ira" / "authors.csv.gz", index=False)
    pd.DataFrame({"author_id": ["TROLL1"], "publish_date": ["1/2/2017 10:00"], "content": ["x"]}).to_csv(root / "ira" / "tweets.csv.gz", index=False)
    for name in ("brexit-2016", "gop-debate-2015"):
        (root / "ordinary" / name).mkdir(parents=True)
    pd.DataFrame({"tweet_id": ["7"], "user_id": ["u1"], "created_at": ["2016-06-23T21:00:00+01:00"], "user_location": [""],
                  "text": ["Vote leave"]}).to_csv(root / "ordinary" / "brexit-2016" / "tweets.csv.gz", index=False)
    pd.DataFrame({"row_id": ["1"], "author": ["Fan"], "created_at": ["2015-08-07T01:00:00Z"], "text": ["RT @Someone: great debate"],
                  "is_retweet": ["1"], "user_location": [""], "user_time_zone": [""]}).to_csv(
        root / "ordinary" / "gop-debate-2015" / "tweets.csv.gz", index=False)
    return root


def test_a_handle_only_retweeted_is_in_no_group_and_no_stray(tmp_path: Path) -> None:
    """The gop-debate retweets are read as retweets (2026-12-04): the handles they name become
    accounts that wrote nothing, counted in no group, and allowed in a part study of either part."""
    mod = load_script("validate_origin")
    data = _data(tmp_path / "data")
    gs = mod.groups_and_splits(data, ["troll1", "u1", "gop-fan", "gop-someone"])
    assert [g for g, _s in gs] == [GROUP_POSING, GROUP_ORDINARY, GROUP_ORDINARY, None]
    # A study of the part other than gop-fan's: gop-fan there without posts (a handle that part's
    # retweets name) is allowed and counted in no group; with posts it stops.
    other = "test" if split_of("gop-fan") == "dev" else "dev"
    mine = "troll1" if split_of("troll1") == other else "u1"
    assert split_of(mine) == other  # the split is fixed for ever: gop-fan test, troll1 dev
    gs = [(GROUP_ORDINARY, split_of("gop-fan")), (GROUP_POSING if mine == "troll1" else GROUP_ORDINARY, other)]
    assert mod.check_part(tmp_path / "s", ["gop-fan", mine], gs, other, [float("nan"), 3]) == [(None, split_of("gop-fan")), gs[1]]
    assert mod.check_part(tmp_path / "s", ["gop-fan", mine], gs, other, [None, 3])[0][0] is None
    with pytest.raises(SystemExit) as stop:
        mod.check_part(tmp_path / "s", ["gop-fan", mine], gs, other, [2, 3])
    assert "1 accounts of the other part with posts" in str(stop.value) and "gop-fan" in str(stop.value)


def test_inputs_of_another_version_are_built_again(tmp_path: Path) -> None:
    mod = load_script("validate_origin")
    data, work = _data(tmp_path / "data"), tmp_path / "work"
    work.mkdir()
    (work / "inputs-version").write_text("older\n", encoding="utf-8")
    for rel in ("ordinary-v1.jsonl.gz", "study.ingested", "apart-dev/study.ingested"):
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_bytes(b"stale")
    (work / "ira-tweets-300.csv.gz").write_bytes(b"stale")
    ira, ordinary = mod.prepare_inputs(data, work)
    assert pd.read_csv(ira, dtype=str)["author_id"].tolist() == ["TROLL1"]
    assert (work / "inputs-version").read_text(encoding="utf-8").strip() == mod.INPUTS_VERSION
    assert not (work / "study.ingested").exists() and not (work / "apart-dev" / "study.ingested").exists()
    with gzip.open(ordinary, "rt", encoding="utf-8") as f:
        statuses = [json.loads(line) for line in f]
    assert statuses[1]["retweeted_status"]["user"]["id_str"] == "gop-someone"
    stamp = ordinary.stat().st_mtime_ns
    mod.prepare_inputs(data, work)  # the same version: reused
    assert ordinary.stat().st_mtime_ns == stamp
