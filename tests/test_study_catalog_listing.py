"""`Study.tables()` and `Study.columns()`: what they list, and that a read-only study asks DuckDB's
catalog once (a `report` listed the tables about two hundred times, a third of its CPU; see
`Study._frozen_answer` and docs/testing.md, "2026-12-07: the study's catalog, listed once per
reader")."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from botwatch.study import Study, StudyError


OURS = {"alpha", "beta", "zeta"}


def _ours(names: list[str]) -> list[str]:
    """The names this module's tests made, in the listing's order (a study has its own tables too)."""
    return [n for n in names if n in OURS]


def _file(path: Path) -> Path:
    """A study with a table and a view of this module's own."""
    with Study(path) as st:
        st.sql("CREATE TABLE zeta (b VARCHAR, a BIGINT)")
        st.sql("CREATE VIEW alpha AS SELECT a, b FROM zeta")
    return path


def _information_schema(st: Study) -> tuple[list[str], list[str]]:
    """The tables and `zeta`'s columns as DuckDB's `information_schema` views give them (the
    queries `tables` and `columns` used before they read the functions behind those views)."""
    names = st.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                   "AND table_catalog = current_database() ORDER BY table_name")
    cols = st.sql("SELECT column_name FROM information_schema.columns WHERE table_name = 'zeta' AND table_schema = 'main' "
                  "AND table_catalog = current_database() ORDER BY ordinal_position")
    return [r[0] for r in names], [r[0] for r in cols]


@pytest.mark.parametrize("read_only", [False, True], ids=["writer", "reader"])
def test_the_listing_is_information_schemas(tmp_path: Path, read_only: bool) -> None:
    path = _file(tmp_path / "s.duckdb")
    with Study(path, read_only=read_only) as st:
        st.sql("CREATE TEMP TABLE not_the_studys (x INT)")  # temp tables are the connection's, not the file's
        with st.temp_view("registered_view", pa.table({"x": [1]})):
            names, cols = _information_schema(st)
            assert st.tables() == names and "alpha" in names and "zeta" in names
            assert "not_the_studys" not in names and "registered_view" not in names
            assert st.columns("zeta") == cols == ["b", "a"]
            assert st.columns("alpha") == ["a", "b"] and st.columns("absent") == []


def test_a_reader_lists_the_catalog_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _file(tmp_path / "s.duckdb")
    asked: list[str] = []
    listed_names, listed_columns = Study._listed_names, Study._listed_columns
    monkeypatch.setattr(Study, "_listed_names", lambda self: asked.append("tables") or listed_names(self))
    monkeypatch.setattr(Study, "_listed_columns", lambda self, t: asked.append(t) or listed_columns(self, t))
    with Study(path, read_only=True) as st:
        first = st.tables()
        assert _ours(first) == ["alpha", "zeta"] and "posts" in first
        for _ in range(5):
            assert st.tables() == first
            assert st.columns("zeta") == ["b", "a"] and st.columns("absent") == []
        st.tables().append("changed by its caller")  # each caller gets its own list
        assert st.tables() == first
    # Once each, the tables when opening (to check the file is a study) included.
    assert sorted(asked) == ["absent", "posts", "tables", "zeta"]


def test_a_writer_sees_each_change(tmp_path: Path) -> None:
    with Study(_file(tmp_path / "s.duckdb")) as st:
        assert _ours(st.tables()) == ["alpha", "zeta"]
        st.sql("CREATE TABLE beta (x INT)")
        st.sql("ALTER TABLE zeta ADD COLUMN c DOUBLE")
        assert _ours(st.tables()) == ["alpha", "beta", "zeta"] and st.columns("zeta") == ["b", "a", "c"]
        st.sql("DROP VIEW alpha")
        assert _ours(st.tables()) == ["beta", "zeta"] and st.columns("alpha") == []


def test_a_reader_pointed_at_another_database_lists_that_one(tmp_path: Path) -> None:
    """`USE` is the one way a reader's `current_database()` (what the listing is of) changes."""
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE elsewhere (y INT)")
    con.close()
    with Study(_file(tmp_path / "s.duckdb"), read_only=True) as st:
        own = st.tables()
        assert _ours(own) == ["alpha", "zeta"]
        st.sql(f"ATTACH '{other}' AS other (READ_ONLY)")
        st.sql("USE other")
        assert st.tables() == ["elsewhere"] and st.columns("elsewhere") == ["y"] and st.columns("zeta") == []
        st.sql("USE s")
        assert st.tables() == own and st.columns("zeta") == ["b", "a"]


def test_a_closed_reader_says_so(tmp_path: Path) -> None:
    st = Study(_file(tmp_path / "s.duckdb"), read_only=True)
    assert _ours(st.tables()) == ["alpha", "zeta"] and st.columns("zeta") == ["b", "a"]
    st.close()
    for ask in (st.tables, lambda: st.columns("zeta")):
        with pytest.raises(StudyError, match="closed"):
            ask()



@pytest.mark.parametrize("reattach", ["same file for writing", "another file"])
def test_a_reader_whose_database_is_attached_again_under_its_name_lists_the_new_one(tmp_path: Path, reattach: str) -> None:
    """A read-only connection may `DETACH` its own database (once `USE` points elsewhere) and
    `ATTACH` a file under the same name, read-write even: `current_database()` then says the same
    name of a different catalog, and the listing kept from the first one named tables it lacked
    and missed the ones just created."""
    path = _file(tmp_path / "s.duckdb")
    other, third = tmp_path / "other.duckdb", tmp_path / "third.duckdb"
    for made in (other, third):
        con = duckdb.connect(str(made))
        con.execute("CREATE TABLE elsewhere (y INT)")
        con.close()
    with Study(path, read_only=True) as st:
        assert _ours(st.tables()) == ["alpha", "zeta"] and st.columns("zeta") == ["b", "a"]
        st.sql(f"ATTACH '{other}' AS other (READ_ONLY)")
        st.sql("USE other")
        st.sql("DETACH s")
        if reattach == "another file":
            st.sql(f"ATTACH '{third}' AS s (READ_ONLY)")
            st.sql("USE s")
            assert st.tables() == ["elsewhere"] and st.columns("zeta") == []
        else:
            st.sql(f"ATTACH '{path}' AS s (READ_WRITE)")
            st.sql("USE s")
            st.sql("CREATE TABLE beta (x INT)")
            st.sql("ALTER TABLE zeta ADD COLUMN c DOUBLE")
            assert _ours(st.tables()) == ["alpha", "beta", "zeta"] and st.columns("zeta") == ["b", "a", "c"]
