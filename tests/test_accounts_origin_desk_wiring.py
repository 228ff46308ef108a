"""Desk hours through the real wiring: ingest a tiny IRA-format study, then `features.build`
(`prepare`'s join of the desk's hours → `from_batch`'s `desk_shift`) → `scoring.origin_inputs`
→ `OriginInput.shift_from_desk` → `evidence_vectors`. Breaking any link fails this test; the unit
tests in test_accounts_origin_desk.py check each piece alone. Hand-made rows (code paths only)."""

from __future__ import annotations

import csv
import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from botwatch import open_study
from botwatch.accounts import origin_desk as od
from botwatch.accounts.features import build
from botwatch.accounts.origin import OriginInput, codes, evidence_vectors
from botwatch.accounts.scoring import origin_inputs
from botwatch.elections import load_election
from botwatch.ingest.runner import ingest

DAY0 = datetime(2016, 3, 1)
SHARED = [f"the desk's copy-pasted message number {i} about the election" for i in range(4)]
COLUMNS = ["author_id", "content", "region", "language", "publish_date", "harvested_date", "following", "followers", "updates", "post_type", "retweet"]


def _row(author: str, text: str, when: datetime) -> list[str]:
    t = when.strftime("%Y-%m-%d %H:%M:%S")
    return [author, text, "Unknown", "English", t, t, "10", "10", "1", "", "0"]


def _rows() -> list[list[str]]:
    """Two desk-mates posting 120 times each on the Moscow office clock (06-13 UTC, 30 days); a short
    account with 4 posts in their clock hours, sharing their texts; a loner with the same 4 texts on
    days nobody else posted (a neighbour, but no desk-mate)."""
    rows = []
    for mate, hours in (("mate1", (6, 8, 10, 12)), ("mate2", (7, 9, 11, 13))):
        for d in range(30):
            for h in hours:
                rows.append(_row(mate, f"{mate} writes its own post on day {d} at hour {h} for the campaign", DAY0 + timedelta(days=d, hours=h, minutes=10)))
    # The mates post the shared texts too (in hours the short account also posts in).
    for i, (d, h) in enumerate(((0, 6), (0, 7), (1, 8), (1, 9))):
        rows.append(_row("mate1", SHARED[i], DAY0 + timedelta(days=d, hours=h, minutes=30)))
        rows.append(_row("mate2", SHARED[i], DAY0 + timedelta(days=d, hours=h, minutes=40)))
        rows.append(_row("short", SHARED[i], DAY0 + timedelta(days=d, hours=h, minutes=50)))
        rows.append(_row("loner", SHARED[i], DAY0 + timedelta(days=60 + d, hours=h + 10, minutes=5)))
    return rows


def _inputs(tmp_path: Path) -> dict[str, OriginInput]:
    """The hand-made study ingested and read by the stage's own code: origin inputs by account."""
    path = tmp_path / "ira_tweets.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(_rows())
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    try:
        ingest(st, [str(path)])
        data = build(st, load_election("us-2016"), with_clusters=False)
    finally:
        st.close()
    return dict(zip(data.features["account_id"].tolist(), origin_inputs(data)))


def test_the_desk_reaches_the_evidence_through_the_stage_wiring(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path)
    assert set(inputs) >= {"mate1", "mate2", "short", "loner"}

    short = inputs["short"]
    assert short.shift_from_desk and short.desk_own_posts == 4
    assert sum(short.shift_counts) == 2 * 124 + 4  # the desk: both mates' posts and its own
    said = [s for kind, _, s in evidence_vectors(short, home="US") if kind == "office_hours"]
    assert len(said) == 1 and od.KIND_NOTE in said[0]
    assert "4 dated posts of its own" in said[0] and "252 posts of its desk" in said[0]

    for other in ("loner", "mate1", "mate2"):  # no same-hour desk-mates, or a day of their own
        assert not inputs[other].shift_from_desk and inputs[other].desk_own_posts is None
    assert "office_hours" not in {kind for kind, _, _ in evidence_vectors(inputs["loner"], home="US")}
    assert sum(inputs["mate1"].shift_counts) == 124  # its own hours, not a desk's


def test_a_bound_set_for_a_run_reaches_the_desk_readers_evidence(tmp_path: Path) -> None:
    # `origin_desk.bound` is how the bound is measured on whole studies (scripts/choose_desk_bound.py):
    # it must reach the desk item of an account read through the stage's wiring, and be undone after.
    short = _inputs(tmp_path)["short"]
    c = codes()

    def office(bound: int) -> tuple[float, str]:
        with od.bound(bound):
            (v, said), = [(v, s) for kind, v, s in evidence_vectors(short, home="US") if kind == "office_hours"]
        return math.log(v[c.index("RU")] / v[c.index("US")]), said

    shipped = od.BOUND_POSTS
    full, _ = office(10**9)
    ten, said = office(10)
    assert full != 0 and "counted as 10 posts' worth" in said  # its sign is the measured ratio's for these hours
    assert ten == pytest.approx(full * 10 / 252)  # the desk's 252 posts at 10 posts' worth
    assert office(shipped)[0] == pytest.approx(full * shipped / 252)
    assert od.BOUND_POSTS == shipped and od.weight(252) == pytest.approx(shipped / 252)
    with pytest.raises(ValueError):
        with od.bound(0):
            pass


def test_the_stage_groups_the_desks_posts_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `desk_sql` reads the paired accounts' posts per clock hour in four places; on a lake Spark
    # inlined that CTE at each, and its plan scanned and grouped `posts` about two dozen times. The stage
    # writes those rows once (`origin_desk.SLOT_TABLE`) and its desk query reads no `posts` at all.
    from botwatch.engines import lake_sql
    from botwatch.study import Study

    said: list[str] = []
    real = Study.sql

    def sql(self: Study, query: str, params: list | None = None):  # type: ignore[no-untyped-def]
        said.append(query)
        return real(self, query, params)

    monkeypatch.setattr(Study, "sql", sql)
    inputs = _inputs(tmp_path)
    assert inputs["short"].shift_from_desk and sum(inputs["short"].shift_counts) == 2 * 124 + 4  # the same desk as above
    desk = [q for q in said if "_botwatch_acc_desk_shift AS" in q]
    assert len(desk) == 1 and "posts" not in lake_sql.table_names(lake_sql.parse(desk[0]))
    slot = [q for q in said if f"TABLE {od.SLOT_TABLE} AS" in q]
    assert len(slot) == 1 and "posts" in lake_sql.table_names(lake_sql.parse(slot[0]))
    assert any(q.strip() == f"DROP TABLE IF EXISTS {od.SLOT_TABLE}" for q in said)  # not left behind
