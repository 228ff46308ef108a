"""The explorer marks every account it lists (up to 50,000) a model was fitted on. It asked
`training_flags` one account at a time, one MD5 per key in Python; `training_marks` digests all the
keys in one vectorised pass. The marks must be exactly those of `account_training`: a Twitter or X
account by its id or handle, another platform's account by a platform-unique id, keys with spaces or
capitals as Python's strip().lower() reads them, a user's bot model by its own recorded list, and
unknown (None), not "no", where a list is not there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from botwatch.accounts import training_accounts as ta

LISTED = {ta.key_digest("someone"): (True, False), ta.key_digest("42"): (False, True),
          ta.key_digest("did:plc:abc123"): (True, True), ta.key_digest("https://a.social/@alice"): (True, False),
          ta.key_digest("äbc"): (False, True), ta.key_digest("İstanbul"): (True, False), ta.key_digest("https://"): (True, True)}
OWN = {ta.TRAINING_KEY: ta.training_record(["5"], ["Carol"], ["did:plc:own"])}

ACCOUNTS = [
    ("twitter", "1", "SomeOne"), ("x", "42", None), ("twitter", " 42 ", ""), ("twitter", "7", "someone\x1c"),
    ("twitter", "\tSOMEONE", None), ("bluesky", "did:plc:ABC123", "x"), ("bluesky", " did:plc:abc123\n", None),
    ("mastodon", "https://a.social/@alice", "alice"), ("mastodon", "https://", "someone"), ("telegram", "someone", "someone"),
    ("bluesky", "42", "someone"), (None, "did:plc:abc123", None), ("twitter", "9", "ÄBC"), ("twitter", "10", "İSTANBUL"),
    ("twitter", "11", "İstanbul"), ("twitter", "5", "nobody"), ("twitter", "12", "carol"), ("bluesky", "did:plc:own", None),
    ("twitter", "", None), ("twitter", None, "  "), ("twitter", "13", "nobody_at_all"),
]


def _marks(rows: list[tuple[Any, Any, Any]], own: Any) -> list[dict[str, bool | None]]:
    origin, bot = ta.training_marks([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], own)
    return [{"origin": o, "bot": b} for o, b in zip(origin, bot)]


@pytest.mark.parametrize("shipped", [LISTED, {}], ids=["listed", "not-shipped"])
@pytest.mark.parametrize("own", [None, OWN, {}], ids=["shipped-bot-model", "own-model-list", "own-model-no-list"])
def test_the_marks_are_those_of_one_account_at_a_time(monkeypatch: pytest.MonkeyPatch, shipped: dict, own: Any) -> None:
    monkeypatch.setattr(ta, "_models_by_digest", lambda: shipped)
    one = ta.training_flags(own)
    assert _marks(ACCOUNTS, own) == [one(*r) for r in ACCOUNTS]
    assert _marks([], own) == []


def test_the_cases_that_matter_are_in_the_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above covers matches of each kind, not only "no" everywhere."""
    monkeypatch.setattr(ta, "_models_by_digest", lambda: LISTED)
    got = _marks(ACCOUNTS, None)
    assert got[0] == {"origin": True, "bot": False} and got[2] == {"origin": False, "bot": True}  # handle any case; id with spaces
    assert got[5] == {"origin": True, "bot": True} and got[7]["origin"] is True and got[9] == {"origin": False, "bot": False}
    assert got[12]["bot"] is True  # a non-ASCII handle, lower-cased as Python does
    assert _marks(ACCOUNTS, OWN)[17] == {"origin": False, "bot": True}  # the user's model's Bluesky account
    monkeypatch.setattr(ta, "_models_by_digest", lambda: {})
    assert set(map(str, _marks(ACCOUNTS, None)[0].values())) == {"None"}  # not shipped: unknown, not "no"
    assert _marks(ACCOUNTS, OWN)[16] == {"origin": None, "bot": True}


@pytest.mark.parametrize("own", [None, OWN, {}], ids=["shipped-bot-model", "own-model-list", "own-model-no-list"])
def test_the_explorer_rows_carry_those_marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own: Any) -> None:
    from botwatch.report.context import report_context
    from botwatch.report.section_explorer import explorer_data
    from botwatch.study import Study

    monkeypatch.setattr(ta, "_models_by_digest", lambda: LISTED)
    monkeypatch.setattr(ta, "study_bot_training_meta", lambda study: own)
    rows = [r for r in ACCOUNTS if r[0] and r[1]]
    st = Study(tmp_path / "s.duckdb")
    try:
        for r in rows:
            st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES (?, ?, ?)", list(r))
        st.write_table("account_scores", pa.table({"platform": [r[0] for r in rows], "account_id": [r[1] for r in rows],
                                                   "bot_probability": [0.5] * len(rows)}))
        data = explorer_data(st, report_context(st))
    finally:
        st.close()
    one = ta.training_flags(own)
    want = {(p, a): (1 if f["bot"] else 0) | (2 if f["origin"] else 0) for p, a, h in rows for f in [one(p, a, h)]}
    col = data["cols"].index("trained")
    got = {(r[0], r[1]): r[col] for r in data["rows"]}
    assert got == want and any(got.values())


def test_one_account_at_a_time_reads_a_users_model_list_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`accounts --json` and `evaluate-accounts` ask `account_training` one account at a time with
    the same user's model meta; each call rebuilt the set of that model's digests (20,000 for a
    model of 10,000 accounts: ~10 ms an account, minutes for `--top 100000`). It is read once per
    meta now, and another meta is read afresh."""
    calls: list[Any] = []
    real = ta.own_model_digests
    monkeypatch.setattr(ta, "own_model_digests", lambda meta: calls.append(meta) or real(meta))
    own = {ta.TRAINING_KEY: ta.training_record(["42"], ["alice"])}
    assert [ta.account_training("twitter", str(i), "alice" if i == 2 else "bob", own)["bot"] for i in range(5)] == [False, False, True, False, False]
    assert len(calls) == 1
    other = {ta.TRAINING_KEY: ta.training_record(["7"], None)}
    assert ta.account_training("twitter", "7", None, other)["bot"] is True and ta.account_training("twitter", "42", None, other)["bot"] is False
    assert ta.account_training("twitter", "42", None, {})["bot"] is None  # a model that records none: unknown
    assert ta.account_training("twitter", "42", None, own)["bot"] is True
    assert len(calls) == 4
    own[ta.TRAINING_KEY] = ta.training_record(["43"], None)  # as train-bot-model writes a model's record
    assert ta.account_training("twitter", "42", None, own)["bot"] is False and ta.account_training("twitter", "43", None, own)["bot"] is True
    assert len(calls) == 5


@pytest.mark.parametrize("own", [None, OWN], ids=["shipped-bot-model", "own-model-list"])
def test_the_study_count_is_of_the_accounts_the_flags_mark(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own: Any) -> None:
    """The report's headline counts the training accounts in SQL (`count_training_accounts`) beside
    the per-account "not held out" flags; the SQL lower-cased with the engine's lower() and did not
    strip, so a padded id (" 42 ") or handle (" someone "), or a non-ASCII handle ("ÄBC",
    "İSTANBUL"), was marked by its flag and left out of the count. Both now read a key one way."""
    from botwatch.study import Study

    monkeypatch.setattr(ta, "_models_by_digest", lambda: LISTED)
    monkeypatch.setattr(ta, "shipped_digests", lambda: pa.table({"digest": list(LISTED), "origin": [v[0] for v in LISTED.values()],
                                                                  "bot": [v[1] for v in LISTED.values()]}))
    rows = [r for r in ACCOUNTS if r[0] and r[1]] + [("twitter", "14", " someone "), ("twitter", "15", "\u00c4bc")]
    st = Study(tmp_path / "s.duckdb")
    try:
        for r in rows:
            st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES (?, ?, ?)", list(r))
        counts = ta.count_training_accounts(st, own)
    finally:
        st.close()
    one = ta.training_flags(own)
    want = {m: len({a for p, a, h in rows if one(p, a, h)[m]}) for m in ta.MODELS}
    assert counts == {ta.RUN_KEYS[m]: want[m] for m in ta.MODELS}
    assert want["origin"] >= 5 and want["bot"] >= 3


@pytest.mark.parametrize(("kind", "meta", "file", "flag", "why"), [
    ("shipped", {}, None, "shipped list", None),
    ("own", {"x": 1}, "mine.json.gz", None, "does not record which accounts it was trained on"),
    ("missing", {}, "mine.json.gz", None, "not at hand as it was"),
    # No file recorded: BOTWATCH_BOT_MODEL was not set when it scored, so an earlier release's shipped model.
    ("missing", {}, None, None, "the shipped bot model of an earlier botwatch release"),
    ("unrecorded", {"x": 1}, None, None, "`botwatch analyze` again records it"),
], ids=["shipped", "own", "missing-file", "missing-earlier-release", "unrecorded"])
def test_study_bot_training_says_which_list_and_why_none(monkeypatch: pytest.MonkeyPatch, kind: str, meta: dict[str, Any], file: str | None,
                                                         flag: Any, why: str | None) -> None:
    """One answer for every reader of the per-account bot flag: the shipped list only for the shipped
    model; a study that does not record its model is unknown (it took the current shipped list),
    and `explain` says why in words apart from a user's model file not at hand."""
    from botwatch import model_used

    monkeypatch.setattr(model_used, "bot_model_used", lambda study: model_used.BotModelUsed(kind, meta, file))
    got = ta.study_bot_training(object())
    assert (got.meta is None) is (flag == "shipped list")
    if flag is None:
        assert ta.account_training("twitter", "14291684", "UKLabour", got.meta)["bot"] is None
    said = " ".join(ta.account_sentences({"bot": None, "origin": False}, got.file, got.unknown_why))
    assert (why in said) if why else said == "", said
