"""Usage lines written the way command-line manuals write them: `botwatch ingest [OPTIONS] STUDY INPUTS...`.

Typer 0.2x draws a required argument in braces and keeps the parameter's own name, so the usage
read `ingest [OPTIONS] {STUDY} {inputs}...` (one argument with a metavar, one without), and an
optional repeated one `[TABLE...]...`; braces mean "one of these" in most manuals, and the same
command's docs say `botwatch ingest STUDY capture/`. Every botwatch command is built with
`UsageCommand`, which names each argument in capitals (its metavar, else its name) in the usage
line, the Arguments panel and Click's "Missing argument 'STUDY'", adds `...` once to one that takes
several values and brackets one that is optional. `CommandTyper` makes it the default command class.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand


def _is_argument(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "argument"


def argument_usage(param: Any) -> str:
    """`STUDY`, `INPUTS...`, `[TABLE]...`: the argument's piece of the usage line."""
    name = param.metavar or (param.name or "").upper()
    if param.nargs != 1:
        name += "..."
    return name if param.required else f"[{name}]"


class UsageCommand(TyperCommand):
    """A Typer command whose arguments are named in capitals, without braces (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if _is_argument(param):
                shown = (param.metavar or param.name or "").rstrip(".").upper()
                param.metavar = shown or None

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            pieces.extend([argument_usage(param)] if _is_argument(param) else param.get_usage_pieces(ctx))
        return pieces


class CommandTyper(typer.Typer):
    """`typer.Typer` whose commands are `UsageCommand`s unless a command asks for another class."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", UsageCommand)
        return super().command(*args, **kwargs)
