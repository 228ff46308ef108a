"""`botwatch stages`: the analysis pipeline as the runner sees it, in the order it runs."""

from __future__ import annotations

from typing import Annotated

import typer

from botwatch.cli.common import app, fail, out, print_json_result


@app.command()
def stages(
    as_json: Annotated[bool, typer.Option("--json", help="Print the graph as JSON (with the schemas of the tables that have one)")] = False,
) -> None:
    """List the analysis stages in run order: the tables each needs, reads if present, writes and
    updates, and whether it needs --election. Plug-in stages (entry points) are included."""
    from botwatch.pipeline import PipelineError, stages as all_stages

    try:
        found = all_stages()
    except PipelineError as exc:
        fail(str(exc))
        return
    if as_json:
        print_json_result([s.describe() for s in found])
        return
    # One block per stage rather than a table: table names are long and a terminal is narrow.
    for i, s in enumerate(found, 1):
        lines = [f"{i}. {s.name}" + (" (needs --election)" if s.needs_election else "") + f": {s.doc}"]
        for label, tables in (("needs", s.needs), ("optional", s.optional), ("writes", s.writes), ("updates", s.updates)):
            if tables:
                lines.append(f"   {label + ':':<9} {', '.join(tables)}")
        out.print("\n".join(lines), markup=False, highlight=False)
