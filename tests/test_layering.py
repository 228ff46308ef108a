"""The accounts package sits below the report: importing it (every module of it) and asking which
bot model scored a study must not import `botwatch.report`, whose package import pulls in every
section, the templates and Jinja. `bot_model_used` lived in the report package and the accounts
package imported it from there (`botwatch.model_used` now).

Run in a fresh interpreter: this test process has long since imported the report."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from botwatch.model_used import _own_note
from botwatch.report import model_used as old_home


def test_importing_the_accounts_package_does_not_import_the_report() -> None:
    code = textwrap.dedent(
        """
        import pkgutil, sys, importlib
        import botwatch.accounts
        for m in pkgutil.walk_packages(botwatch.accounts.__path__, "botwatch.accounts."):
            importlib.import_module(m.name)
        from botwatch.model_used import _own_note
        _own_note("mine.json", {"pooled_oof": {"auc": 0.9995}, "trained_on": {"x": 3}})  # writes an AUC
        loaded = sorted(n for n in sys.modules if n == "botwatch.report" or n.startswith("botwatch.report."))
        assert "botwatch.accounts.stage" in sys.modules and "botwatch.model_used" in sys.modules
        print("REPORT:" + ",".join(loaded))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "REPORT:\n" in out.stdout or out.stdout.rstrip().endswith("REPORT:"), out.stdout


def test_the_old_location_still_names_the_same_functions() -> None:
    from botwatch import model_used

    assert old_home.bot_model_used is model_used.bot_model_used
    assert old_home.BotModelUsed is model_used.BotModelUsed
    assert old_home._own_note is _own_note
    assert "0.9995" in _own_note("mine.json", {"pooled_oof": {"auc": 0.9995}})


def test_no_accounts_module_imports_the_report_even_inside_a_function() -> None:
    """The lazy imports too (inside functions, which the fresh import above never runs)."""
    import ast
    from pathlib import Path

    import botwatch.accounts

    found = []
    for path in sorted(Path(botwatch.accounts.__path__[0]).rglob("*.py")) + [Path(_own_note.__code__.co_filename)]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name}: {n}" for n in names if n == "botwatch.report" or n.startswith("botwatch.report.")]
    assert not found
