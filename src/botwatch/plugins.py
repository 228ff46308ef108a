"""Plug-ins through entry points: third-party stages, readers and report sections.

A package adds to botwatch by declaring entry points in its own pyproject.toml:

    [project.entry-points."botwatch.stages"]
    wordcount = "mypkg.stages"              # a module whose import registers stages (@pipeline.register)
    [project.entry-points."botwatch.readers"]
    myformat = "mypkg.reader:FORMAT"        # a botwatch.ingest.formats.Format (or a list / dict of them)
    [project.entry-points."botwatch.report_sections"]
    mysection = "mypkg.section"             # a module whose import registers sections (@sections.section)

botwatch's own stages, readers and sections are declared the same way in its pyproject.toml. The
built-in modules are imported as well in any case, so a checkout run from `src` without an
installed package (or with stale installed metadata) still has all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from importlib import metadata
from types import ModuleType
from typing import Any

STAGES = "botwatch.stages"
READERS = "botwatch.readers"
REPORT_SECTIONS = "botwatch.report_sections"


class PluginError(RuntimeError):
    """A plug-in named by an entry point could not be loaded."""


def load(group: str, builtin: Iterable[str] = ()) -> list[Any]:
    """Import the built-in modules, then load every entry point of `group`; returns the built-in
    modules and what the entry points gave (a module or an object), in that order. A plug-in that
    fails to load is an error naming it: a silently missing stage or reader would change results."""
    loaded: list[Any] = [importlib.import_module(mod) for mod in builtin]
    for ep in metadata.entry_points(group=group):
        try:
            loaded.append(ep.load())
        except Exception as exc:  # noqa: BLE001 - any failure of third-party code, reported by name
            raise PluginError(f"cannot load plug-in {ep.name!r} ({ep.value}) of {group}: {type(exc).__name__}: {exc}") from exc
    return loaded


def defined_in(obj: Any, attr: str) -> list[Any]:
    """What `obj` declares through a decorator that set `attr`: the marked values of a module, in
    definition order, or `obj`'s own mark. Registries are rebuilt from these, so a registry that
    was reset (a test, a reload) does not lose what modules imported earlier declared."""
    if isinstance(obj, ModuleType):
        return [m for v in vars(obj).values() if (m := getattr(v, attr, None)) is not None]
    mark = getattr(obj, attr, None)
    return [] if mark is None else [mark]
