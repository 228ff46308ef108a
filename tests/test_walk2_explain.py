"""`botwatch explain` looking up a hostile handle: the account a user names is the one found."""

from __future__ import annotations

from typing import Any

import duckdb

from botwatch.accounts.json_shape import COLUMNS, find_account


class _Study:
    """The two methods `find_account` asks of a study, over an in-memory accounts_scored table."""

    def __init__(self, handles: list[str]) -> None:
        self.con = duckdb.connect()
        self.con.execute(f"CREATE TABLE accounts_scored ({', '.join(f'{c} VARCHAR' for c in COLUMNS if c != 'n_posts')}, n_posts INTEGER)")
        for i, h in enumerate(handles):
            self.con.execute("INSERT INTO accounts_scored (platform, account_id, handle, n_posts) VALUES ('twitter', ?, ?, 1)", [str(i), h])

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {table}").fetchall()]

    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(query, params or []).fetchall()


def test_a_handle_that_itself_starts_with_at_is_found_by_its_own_spelling() -> None:
    """Hostile data can hold a handle `@at`; `explain STUDY @@at` stripped every leading @ and
    looked for `at`, so the account could not be explained at all. One @ is the optional prefix."""
    st = _Study(["@at", "plain"])
    row = find_account(st, "@@at")
    assert row is not None and row[COLUMNS.index("handle")] == "@at"
    assert find_account(st, "@plain") is not None and find_account(st, "plain") is not None


def test_explain_without_a_handle_asks_for_one_and_a_pasted_space_is_dropped(tmp_path, analysed_sample_path) -> None:  # type: ignore[no-untyped-def]
    """`explain s.duckdb ""` (or `@` alone) said "no account @ in s.duckdb"; a handle pasted with a
    trailing space or newline was "no account @SadiqKhan " although the study holds it."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    runner = CliRunner()
    for empty in ("", "@", " @ "):
        res = runner.invoke(app, ["explain", str(tmp_path / "none.duckdb"), empty])
        assert res.exit_code == 2 and "name the account: its @handle or account id" in res.output, res.output
    res = runner.invoke(app, ["explain", str(analysed_sample_path), " @SadiqKhan\n"])
    assert res.exit_code == 0 and "@SadiqKhan" in res.output, res.output
    res = runner.invoke(app, ["explain", str(analysed_sample_path), "@SadiqKhan ", "--json"])
    assert res.exit_code == 0 and '"SadiqKhan"' in res.output, res.output
