"""The Click command typer builds from botwatch's app, built once per test process, not per call.

Why: `typer.testing.CliRunner.invoke` rebuilds the whole Click command tree from the Typer app on
every call (`typer.main.get_command`: each command's signature read and its annotations evaluated),
about 30 ms of CPU each time here, and the suite makes thousands of in-process CLI calls. A user's
`botwatch` builds the tree once per process, as the tests now do. The tree is rebuilt whenever the
app's registered commands, groups or callback change (a test may register a command of its own), so
a cached tree never lacks a command the app holds.
"""

from __future__ import annotations

from typing import Any


def _shape(app: Any) -> tuple[Any, ...]:
    """What the built tree depends on: the ids of the app's registered commands, groups (with their
    own apps' shapes) and callback. Any registration after a build changes it."""
    groups = tuple((id(g), _shape(g.typer_instance)) for g in app.registered_groups)
    return (tuple(id(c) for c in app.registered_commands), groups, id(app.registered_callback))


def build_commands_once() -> None:
    """Make `CliRunner.invoke` reuse the Click command built for an app while the app's shape
    (`_shape`) is unchanged. Click commands keep no state between invocations (each call makes a
    new context), so the reuse changes no outcome; the app is held, so its id names it alone."""
    import typer.testing

    build = typer.testing._get_command
    if getattr(build, "botwatch_cached", False):
        return
    built: dict[int, tuple[Any, tuple[Any, ...], Any]] = {}

    def cached(app: Any) -> Any:
        hit = built.get(id(app))
        shape = _shape(app)
        if hit is None or hit[0] is not app or hit[1] != shape:
            hit = built[id(app)] = (app, shape, build(app))
        return hit[2]

    cached.botwatch_cached = True  # type: ignore[attr-defined]
    typer.testing._get_command = cached
