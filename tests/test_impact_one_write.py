"""The impact stage reads every party's series in one query of the timeline and stores every
party's rows in one write of `impact` and of `impact_irf`: it read and stored party by party, a
Spark job or more each on a lake (24 jobs on the bundled sample, 13 after). The rows are the
ones each party's own test gives, on DuckDB and on a lake alike."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from botwatch import open_study

pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")
from botwatch.pipeline import Context, analyze

from test_timeline import election, write_posts, write_table
from testsupport.lead_series import leading_counts

START = datetime(2017, 5, 1)


@pytest.fixture(scope="module")
def two_party_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 days of hourly talk about Labour and about the Conservatives, the bots' volume leading
    the humans' in each, with the timeline stage run."""
    path = tmp_path_factory.mktemp("impact1") / "two.duckdb"
    rng = np.random.default_rng(7)
    hours = 24 * 12
    posts, parties = [], []
    for party in ("labour", "conservative"):
        bot_n, human_n = leading_counts(rng, hours)
        for t in range(hours):
            for who, n in (("b", bot_n[t]), ("h", human_n[t])):
                for i in range(int(n)):
                    posts.append(dict(post_id=f"{party[0]}{who}{t}-{i}", platform="twitter", account_id=f"{who}{i % 7}",
                                      created_at=START + timedelta(hours=t, minutes=int(rng.integers(60))), kind="original"))
                    parties.append(party)
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
        write_table(st, "account_scores", [dict(platform="twitter", account_id=f"{w}{i}", bot_probability=0.9 if w == "b" else 0.1) for w in "bh" for i in range(7)])
        write_table(st, "post_party", [dict(platform="twitter", post_id=p["post_id"], account_id=p["account_id"], created_at=p["created_at"], party=party,
                                            stance="neutral", stance_rule="test", sentiment=float(rng.normal(0, 0.3))) for p, party in zip(posts, parties)])
        analyze(st, Context(election=election(), log=lambda m: None), only=["timeline"])
    return path


def _each_party(st: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of each party's own test (`run_impact`), in the election's order."""
    from botwatch.impact.stage import campaign_window, run_impact

    el = election()
    start, end = campaign_window(el)
    rows, irf = [], []
    for p in el.parties:
        r, i, _ = run_impact(st, p.key, "1h", start=start, end=end, name=p.name)
        rows += r
        irf += i
    return rows, irf


def test_impact_reads_and_stores_every_party_at_once(two_party_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(two_party_path, tmp_path / "s.duckdb")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        asked: list[str] = []
        sql = st.sql

        def counting(query: str, params: Any = None) -> Any:
            if "dimension = 'party_group'" in query:
                asked.append("series")
            elif query.startswith(("DELETE FROM impact", "INSERT INTO impact", "CREATE TABLE impact")):
                asked.append(" ".join(query.split()[:3]))
            return sql(query, params)

        monkeypatch.setattr(st, "sql", counting)
        analyze(st, Context(election=election(), log=lambda m: None), only=["impact"])
        monkeypatch.undo()
        # one read of the series, one write of each table (just dropped: nothing to delete)
        assert sorted(asked) == ["CREATE TABLE impact", "CREATE TABLE impact_irf", "INSERT INTO impact", "INSERT INTO impact_irf", "series"], asked
        rows, irf = _each_party(st)
        assert {r["party"] for r in rows} == {"labour", "conservative"}
        from botwatch.impact.stage import IMPACT_SCHEMA, IRF_SCHEMA

        assert st.arrow("impact").equals(pa.Table.from_pylist(rows, schema=IMPACT_SCHEMA))
        assert st.arrow("impact_irf").equals(pa.Table.from_pylist(irf, schema=IRF_SCHEMA))


def test_impact_for_chosen_parties_replaces_only_their_rows(two_party_path: Path, tmp_path: Path) -> None:
    """`botwatch impact --party labour` at 1h: labour's 1h rows replaced once, the others kept."""
    shutil.copy(two_party_path, tmp_path / "s.duckdb")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        analyze(st, Context(election=election(), log=lambda m: None), only=["impact"])
        before = st.sql("SELECT party, count(*) FROM impact GROUP BY 1 ORDER BY 1")
        irf_before = st.sql("SELECT party, count(*) FROM impact_irf GROUP BY 1 ORDER BY 1")
        st.sql("UPDATE impact SET notes = 'old' WHERE party = 'conservative'")
        # labour named twice (the Python API takes a list): its rows once, as when each party was stored on its own
        analyze(st, Context(election=election(), log=lambda m: None, options={"impact_parties": ["labour", "labour"]}), only=["impact"])
        assert st.sql("SELECT party, count(*) FROM impact GROUP BY 1 ORDER BY 1") == before
        assert st.sql("SELECT party, count(*) FROM impact_irf GROUP BY 1 ORDER BY 1") == irf_before
        assert {n for (n,) in st.sql("SELECT notes FROM impact WHERE party = 'conservative'")} == {"old"}


@pytest.mark.spark
def test_impact_rows_are_the_same_on_a_lake(two_party_path: Path, tmp_path: Path, spark: Any) -> None:
    from botwatch.engines.lake import lake_from_study

    from test_engine_parity import assert_same_table

    shutil.copy(two_party_path, tmp_path / "s.duckdb")
    with open_study(tmp_path / "s.duckdb", read_only=False) as duck:
        analyze(duck, Context(election=election(), log=lambda m: None), only=["impact"])
        lake = lake_from_study(duck, tmp_path / "lake", spark=spark)
        try:
            lake.sql("DROP TABLE impact")
            lake.sql("DROP TABLE impact_irf")
            analyze(lake, Context(election=election(), engine="spark", log=lambda m: None), only=["impact"])
            assert duck.count("impact") == 8
            for name in ("impact", "impact_irf"):
                assert_same_table(name, duck.arrow(name), lake.arrow(name))
            for st, engine in ((duck, "duckdb"), (lake, "spark")):  # --party labour: one DELETE of its rows, then its rows again
                analyze(st, Context(election=election(), engine=engine, log=lambda m: None, options={"impact_parties": ["labour"]}), only=["impact"])
            assert duck.count("impact") == 8
            for name in ("impact", "impact_irf"):
                assert_same_table(name, duck.arrow(name), lake.arrow(name))
        finally:
            lake.close()
