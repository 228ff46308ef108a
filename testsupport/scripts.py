"""Load a file from `scripts/` as a module, so tests can call a script's functions.

Why one loader: scripts are not a package (they run as `python scripts/x.py`), so each test that
checks a script's helpers must import it by path; seven tests had each written the same four
lines. The scripts folder goes on `sys.path` first because some scripts import their siblings
(`import train_content_model as T`), as they do when run from the command line."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(name: str) -> ModuleType:
    """A fresh module object for `scripts/<name>.py` (executed anew at each call)."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no script {name!r} in {SCRIPTS}")
    mod = importlib.util.module_from_spec(spec)
    # Registered before it runs, as an import would: a dataclass with string annotations looks its
    # module up in sys.modules while the class is made (`tests/test_validate_origin_apart.py`
    # failed alone, and passed in the whole suite only where another file had imported it first).
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod
