"""A profile link the source never had is unknown, not "no website" (docs/model-card-bot.md, 2026-12-07).

The bot model's `has_url` lowers the score where a profile links a website. A user object with
`"url": null` (or empty) has none; one without the field at all (an archive that trimmed it) says
nothing, and was read as "no website", which leans to bot. stclab writes a missing link as the text
"None" or "null", which was read as a website in training while every study reader takes it as none.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from botwatch import open_study
from botwatch.accounts.botmodel import shipped_model
from botwatch.accounts.labelled import profile_rows_features, profiles_to_v1_statuses
from botwatch.accounts.profile import profile_features
from botwatch.accounts.stage import run_accounts
from botwatch.elections import load_election
from botwatch.ingest import native_v1, runner
from botwatch.ingest.twitter_v1 import user_snapshot
from botwatch.ingest.twitter_v1_fast import _snapshot, _User

FIXTURE = Path(__file__).parent / "fixtures" / "accounts" / "labelled_profiles.csv"
USER = {"id_str": "1", "screen_name": "a", "created_at": "Sat Oct 17 22:35:31 +0000 2015", "followers_count": 3}


@pytest.mark.parametrize("link, has_url", [("absent", None), (None, False), ("", False), ("None", False), ("https://t.co/x", True)])
def test_v1_readers_tell_an_absent_link_from_an_empty_one(link: str | None, has_url: bool | None) -> None:
    user = dict(USER) if link == "absent" else {**USER, "url": link}
    lenient = json.loads(user_snapshot(user, None)["extra"])["has_url"]
    fast = json.loads(_snapshot(_User(**user), None)["extra"])["has_url"]
    assert lenient is fast is has_url


def _profiles(n: int = 6) -> pd.DataFrame:
    """The first `n` fixture profiles that link a website, each twice: once with its `url` field
    removed from the user object (id prefixed "absent-"), once with `"url": null` ("empty-")."""
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""])
    raw = raw[raw["url"].notna()].head(n)
    return pd.concat([raw.assign(id="absent-" + raw["id"]), raw.assign(id="empty-" + raw["id"], url=None)], ignore_index=True)


def _statuses(raw: pd.DataFrame) -> list[dict[str, object]]:
    out = profiles_to_v1_statuses(raw)
    for status in out:
        user = status["user"]
        assert isinstance(user, dict)
        if str(user["id_str"]).startswith("absent-"):
            del user["url"]
    return out


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    raw = _profiles()
    tmp = tmp_path_factory.mktemp("link")
    src = tmp / "profiles.jsonl"
    src.write_text("".join(json.dumps(s) + "\n" for s in _statuses(raw)), encoding="utf-8")
    with open_study(tmp / "s.duckdb", read_only=False) as st:
        runner.ingest(st, [str(src)], workers=1)
        run_accounts(st, load_election("us-2016"))
        got = st.con.execute("SELECT s.account_id, s.bot_probability, f.has_url FROM accounts_scored s "
                             "JOIN account_features f USING (platform, account_id)").df()
    return raw, got.set_index("account_id")


def test_a_study_without_the_link_field_scores_the_link_unknown(scored: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    raw, got = scored
    absent = got[got.index.str.startswith("absent-")]
    empty = got[got.index.str.startswith("empty-")]
    assert len(absent) == len(empty) == len(raw) // 2
    assert absent["has_url"].isna().all()  # unknown, not 0
    assert (empty["has_url"] == 0.0).all()  # the field there and null: no website
    # Scored as the model scores the same profile with the link unknown (NaN), not as "none".
    model = shipped_model()
    train = profile_rows_features(raw.assign(url=None), "fixture").set_index("account_id")
    as_unknown = pd.Series(model.predict(train.assign(has_url=np.nan)), index=train.index).round(4)
    as_none = pd.Series(model.predict(train), index=train.index).round(4)
    assert np.allclose(absent["bot_probability"], as_unknown.loc[absent.index], atol=1e-9)
    assert np.allclose(empty["bot_probability"], as_none.loc[empty.index], atol=1e-9)


def _native_calls(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What each `native_v1.load_native` call of the ingest returned (None: the file declined)."""
    calls: list[object] = []
    real = native_v1.load_native

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        calls.append(out := real(*a, **k))
        return out

    monkeypatch.setattr(runner, "load_native", spy)
    return calls


def test_the_native_reader_leaves_a_file_without_links_to_the_python_readers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB's `read_json` reads an absent `url` and a null one alike; in a file whose user objects
    lack the field (`native_v1.lacks_profile_link`) the lines without one go to the Python readers
    (here all of them: the file is declined), so that the link stays unknown."""
    monkeypatch.setattr(runner, "NATIVE_MIN_BYTES", 0)
    calls = _native_calls(monkeypatch)
    raw = _profiles(3)
    stored: dict[str, object] = {}
    for name, part in (("absent", raw[raw["id"].str.startswith("absent-")]), ("empty", raw[raw["id"].str.startswith("empty-")])):
        src = tmp_path / f"{name}.jsonl"
        src.write_text("".join(json.dumps(s) + "\n" for s in _statuses(part)), encoding="utf-8")
        with open_study(tmp_path / f"{name}.duckdb", read_only=False) as st:
            runner.ingest(st, [str(src)], workers=1)
            stored[name] = {json.loads(e)["has_url"] for (e,) in st.sql("SELECT extra FROM accounts")}
    assert calls[0] is None and calls[1] is not None and calls[1].bad == 0  # declined where absent, taken where null
    assert stored == {"absent": {None}, "empty": {False}}


@pytest.mark.parametrize("cell", ["None", "null", " NULL ", "none"])
def test_a_placeholder_link_in_a_labelled_set_is_no_website(cell: str) -> None:
    """stclab's "None"/"null" cells: the text of a missing link, read as the study readers read it."""
    base = {"created_at": pd.Timestamp("2016-01-01"), "followers": 10.0, "handle": "someone"}
    got = profile_features(pd.DataFrame([{**base, "url": cell}, {**base, "url": "https://t.co/x"}, {**base, "url": None}]),
                           pd.Series([pd.Timestamp("2016-06-01")] * 3))
    assert got["has_url"].tolist() == [0.0, 1.0, 0.0]


def test_the_native_reader_hands_lines_without_a_link_field_to_the_python_readers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file mostly with the field: read natively, each line whose `url` is NULL (absent or null)
    taken by the Python readers, so the stored profiles are the Python path's exactly."""
    raw = _profiles(6)
    linked = raw[raw["id"].str.startswith("empty-")].assign(id=lambda d: d["id"].str.replace("empty-", "link-"), url="https://t.co/z")
    lines = [json.dumps(s) for s in _statuses(pd.concat([raw, linked], ignore_index=True))]
    kept = [line for line in lines if '"link-' in line] * 3 + [line for line in lines if '"absent-' in line][:2] \
        + [line for line in lines if '"empty-' in line][:2]
    for i, line in enumerate(kept):  # distinct post ids: every line a post of its own
        kept[i] = line.replace('"id_str": "9000000000000000', f'"id_str": "{8 + i}00000000000000', 1)
    src = tmp_path / "mixed.jsonl"
    src.write_text("\n".join(kept) + "\n", encoding="utf-8")
    calls = _native_calls(monkeypatch)
    stored = {}
    for native in (True, False):
        monkeypatch.setattr(runner, "NATIVE_MIN_BYTES", 0 if native else 1 << 62)
        with open_study(tmp_path / f"{native}.duckdb", read_only=False) as st:
            runner.ingest(st, [str(src)], workers=1)
            stored[native] = st.sql("SELECT account_id, extra FROM accounts ORDER BY account_id")
    assert len(calls) == 1 and calls[0] is not None and calls[0].bad == 2 + 2  # the lines with a null link and those without the field
    assert stored[True] == stored[False]
    assert {a: json.loads(e)["has_url"] for a, e in stored[True] if a.startswith("absent-")} == {"absent-" + i: None for i in raw["id"].str.removeprefix("absent-")[:2]}


def test_a_labelled_set_without_a_link_column_reaches_ingest_without_the_field() -> None:
    """`profiles_to_v1_statuses` wrote `"url": null` ("no website") for a set with no link column."""
    raw = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False, na_values=[""]).head(2)
    assert all("url" not in s["user"] for s in profiles_to_v1_statuses(raw.drop(columns=["url"])))  # type: ignore[operator]
    assert all("url" in s["user"] for s in profiles_to_v1_statuses(raw))  # type: ignore[operator]


def test_stclab_placeholders_read_as_no_link(shared_data: Path) -> None:
    """On the real set: no stclab account whose `url` cell is a placeholder counts as linking a website."""
    from botwatch.accounts.labelled import load_stclab

    root = shared_data / "labelled" / "stclab"
    raw = pd.concat([pd.read_csv(root / n, dtype=str, keep_default_na=False, na_values=[""]) for n in ("bots_data.csv.gz", "nonbots_data.csv.gz")])
    placeholder = set(raw.loc[raw["url"].str.strip().str.lower().isin(["none", "null"]), "screen_name"].str.strip())
    assert len(placeholder) >= 60  # 67 rows in the 2017 release
    got = load_stclab(root)
    assert not (got.loc[got["handle"].isin(placeholder), "has_url"] == 1.0).any()


def test_a_study_read_before_the_fix_is_put_right_only_in_a_new_study(tmp_path: Path) -> None:
    """The model card told owners of a study ingested before 2026-12-07 to "ingest its files again"
    to have absent links read as unknown. A second read is skipped as identical, and with --force
    the stored "no website" stays: a snapshot's `extra` is merged key by key, a known value before
    a NULL (docs/architecture.md). Only a new study reads the link as unknown."""
    src = tmp_path / "trimmed.jsonl"
    src.write_text("".join(json.dumps(s) + "\n" for s in _statuses(_profiles(1).head(1))), encoding="utf-8")

    def links(st: object) -> set[object]:
        return {json.loads(e)["has_url"] for (e,) in st.sql("SELECT extra FROM accounts")}  # type: ignore[attr-defined]

    with open_study(tmp_path / "old.duckdb", read_only=False) as st:
        runner.ingest(st, [str(src)], workers=1)
        for table in ("accounts", "account_snapshots"):  # as the readers before 2026-12-07 stored it
            st.sql(f"UPDATE {table} SET extra = replace(extra, '\"has_url\":null', '\"has_url\":false')")
        assert links(st) == {False}
        runner.ingest(st, [str(src)], workers=1)
        runner.ingest(st, [str(src)], workers=1, force=True)
        assert links(st) == {False}
    with open_study(tmp_path / "new.duckdb", read_only=False) as st:
        runner.ingest(st, [str(src)], workers=1)
        assert links(st) == {None}
    card = (Path(__file__).resolve().parents[1] / "docs" / "model-card-bot.md").read_text(encoding="utf-8")
    part = card[card.index("## 2026-12-07: links written as text"):card.index("**stclab's placeholders.**")]
    assert "ingest its files again to have absent links read as unknown" not in part
    assert "ingest its files into a new study to have absent links read as unknown" in part
