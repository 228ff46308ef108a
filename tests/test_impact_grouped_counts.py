"""The impact stage reads every party's coverage, and the posts naming each party where it has no
series, in one grouped query each, not one query per party: on a lake each was a Spark job or
more (24 of the stage's 42 jobs on the bundled sample). The notes stay as they were, party by
party in the election's order."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from botwatch import open_study

pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")
from botwatch.elections import Party
from botwatch.pipeline import Context, analyze

from test_timeline import election, write_posts, write_table

START = datetime(2017, 5, 1)


def _study(path: Path) -> Any:
    posts = []
    # labour: 5 posts by unscored accounts (u0-u2 no bot probability, u3 not in the scores);
    # conservative: 3 posts by a likely automated account and 2 by a scored human (too few for a test);
    # libdem: 1 post by an unscored account; green: none.
    for i in range(5):
        posts.append(("labour", f"l{i}", f"u{i % 4}"))
    posts += [("conservative", f"c{i}", "b0") for i in range(3)] + [("conservative", f"c{i}", "h0") for i in range(3, 5)]
    posts.append(("libdem", "d0", "u0"))
    rows = [dict(post_id=p, platform="twitter", account_id=a, created_at=START + timedelta(hours=n), kind="original") for n, (_, p, a) in enumerate(posts)]
    scores = [dict(platform="twitter", account_id="b0", bot_probability=0.9), dict(platform="twitter", account_id="h0", bot_probability=0.1)]
    scores += [dict(platform="twitter", account_id=f"u{i}", bot_probability=None) for i in range(3)]
    st = open_study(path, read_only=False)
    write_posts(st, rows)
    write_table(st, "account_scores", scores)
    write_table(st, "post_party", [dict(platform="twitter", post_id=p, account_id=a, created_at=r["created_at"], party=party, stance="neutral",
                                        stance_rule="test", sentiment=0.0) for (party, p, a), r in zip(posts, rows)])
    return st


def test_impact_counts_every_party_in_one_query_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    el = election()
    el = replace(el, parties=el.parties + (Party("libdem", "Liberal Democrats"), Party("green", "Greens")))
    st = _study(tmp_path / "s.duckdb")
    try:
        analyze(st, Context(election=el, log=lambda m: None), only=["timeline"])
        asked: list[str] = []
        sql = st.sql

        def counting(query: str, params: Any = None) -> Any:
            if "FROM post_party" in query:
                asked.append(query)
            return sql(query, params)

        monkeypatch.setattr(st, "sql", counting)
        analyze(st, Context(election=el, log=lambda m: None), only=["impact"])
        monkeypatch.undo()
        assert len(asked) == 2, asked  # one for the coverage, one for the posts naming each party: not one of each per party
        notes = [n for (n,) in st.sql("SELECT note FROM timeline_notes WHERE stage = 'impact'")]
    finally:
        st.close()
    assert notes == [
        "5 posts name Labour in the window, but none is by an account with a bot probability (3 of its accounts have no profile facts the bot "
        "model reads; 1 is not in the account scores, ingested after the accounts stage last ran: run it again), so there is no 'likely automated' group to compare.",
        "Conservatives: too few posts for a lead-lag test (likely automated 3, other scored accounts 2; needs 100 each).",
        "1 post names Liberal Democrats in the window, but it is not by an account with a bot probability (its account has no profile facts "
        "the bot model reads), so there is no 'likely automated' group to compare.",
        "No posts about Greens in the window.",
    ]


def test_a_note_without_series_names_the_bounds_of_a_window_set_by_hand(tmp_path: Path) -> None:
    """With --start/--end (`custom`), the note said the posts were "in the window", the words
    for the election's window, where the coverage sentence names the bounds typed."""
    from botwatch.impact.stage import run_impact

    st = _study(tmp_path / "s.duckdb")
    try:
        analyze(st, Context(election=election(), log=lambda m: None), only=["timeline"])
        between = "between 2017-05-01 00:00 UTC and 2017-05-01 03:00 UTC"
        for party, name, want in (("labour", "Labour", f"3 posts name Labour {between}, but none is by"), ("green", "Greens", f"No posts about Greens {between}.")):
            _, _, notes = run_impact(st, party, "1h", start=START, end=START + timedelta(hours=3), name=name, custom=True)
            assert notes[0].startswith(want), notes
        _, _, notes = run_impact(st, "green", "1h", start=START, end=START + timedelta(hours=3), name="Greens")  # the election's window
        assert notes == ["No posts about Greens in the window."]
    finally:
        st.close()
