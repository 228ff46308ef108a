"""testsupport/cli_commands.py: CliRunner reuses the Click tree built for an app, and builds it again
once the app registers another command (a cached tree must never lack one the app holds)."""

from __future__ import annotations

import typer
import typer.testing
from typer.testing import CliRunner

from testsupport.cli_commands import build_commands_once


def test_the_tree_is_built_once_and_again_after_a_registration() -> None:
    build_commands_once()
    app = typer.Typer()

    @app.command()
    def one() -> None:
        print("one ran")

    @app.command()
    def two() -> None:
        print("two ran")

    first = typer.testing._get_command(app)
    assert typer.testing._get_command(app) is first
    assert CliRunner().invoke(app, ["one"]).output == "one ran\n"

    @app.command()
    def three() -> None:
        print("three ran")

    assert typer.testing._get_command(app) is not first
    res = CliRunner().invoke(app, ["three"])
    assert res.exit_code == 0 and res.output == "three ran\n", res.output
