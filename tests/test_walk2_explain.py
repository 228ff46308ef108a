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


def test_a_handle_two_accounts_answer_to_names_the_other_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two accounts with one handle (renamed, the handle then taken by another account): `explain
    @dup` showed one of them, with or without --json, and said nothing of the other, so a user
    could not know to ask for it. A warning on stderr (the JSON on stdout stays one object) names
    the others by id, the way to ask for one; the text and the JSON show the same account."""
    import json

    from typer.testing import CliRunner

    from botwatch.cli import app

    data = tmp_path / "dup.jsonl"
    with data.open("w") as f:
        for uid in ("2001", "2002"):
            user = {"id_str": uid, "screen_name": "Dup", "name": "d", "created_at": "Mon Jan 02 10:00:00 +0000 2012",
                    "followers_count": 3, "friends_count": 5, "statuses_count": 100}
            f.write(json.dumps({"id_str": "9" + uid, "created_at": "Thu Jun 01 10:00:00 +0000 2017", "full_text": "hi", "user": user}) + "\n")
    study = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", study, str(data)]).exit_code == 0
    assert runner.invoke(app, ["analyze", study, "--only", "accounts"]).exit_code == 0
    res = runner.invoke(app, ["explain", study, "@dup", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["account_id"] == "2001"
    said = " ".join(res.stderr.split())
    assert "2 accounts answer to 'dup'" in said and "shown is twitter 2001" in said and f"twitter 2002: `botwatch explain {study} 2002 --json --platform twitter`" in said, res.stderr
    text = runner.invoke(app, ["explain", study, "@dup"])
    assert text.exit_code == 0 and "(twitter 2001)" in text.stdout and f"twitter 2002: `botwatch explain {study} 2002 --platform twitter`" in " ".join(text.stderr.split()), text.output
    alone = runner.invoke(app, ["explain", study, "2002"])
    assert alone.exit_code == 0 and "(twitter 2002)" in alone.stdout and "answer to" not in alone.output, alone.output
