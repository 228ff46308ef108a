"""A study's runs name the code that made them, not only the release.

Every revision between releases said "botwatch 0.1.0", so a researcher re-running a study from its
report could not tell whether their install was the code that made its figures. Runs now record
`0.1.0+code.<12 hex>`, a hash of the installed package's files, which `botwatch version` prints.
"""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from botwatch import __version__
from botwatch.cli import app
from botwatch.code_identity import label_for, package_sha256, version_label
from botwatch.study import Study


def test_a_run_records_the_code_label_that_botwatch_version_prints(tmp_path: Path) -> None:
    label = version_label()
    assert re.fullmatch(re.escape(__version__) + r"\+code\.[0-9a-f]{12}", label)
    st = Study(tmp_path / "s.duckdb")
    with st.run("coverage", {}):
        pass
    assert st.sql("SELECT DISTINCT version FROM runs") == [(label,)]
    st.close()
    res = CliRunner().invoke(app, ["version"])
    assert res.exit_code == 0 and res.stdout.splitlines()[0] == label  # the libraries follow (test_library_versions)


def test_the_hash_follows_the_files_not_the_compiled_caches(tmp_path: Path) -> None:
    root = tmp_path / "pkg"
    (root / "sub" / "__pycache__").mkdir(parents=True)
    (root / "a.py").write_text("x = 1\n")
    (root / "sub" / "model.json").write_text("{}")
    first = package_sha256(root)
    (root / "sub" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0compiled")
    (root / "b.pyc").write_bytes(b"\0")
    assert package_sha256(root) == first
    (root / "sub" / "model.json").write_text("{ }")
    assert package_sha256(root) != first
    (root / "sub" / "model.json").write_text("{}")
    (root / "sub" / "a.py").write_text("")  # a file moved or added is another code
    assert package_sha256(root) != first


def test_a_package_imported_from_a_zip_gets_the_release_alone(tmp_path: Path) -> None:
    """Inside a zip the package's folder cannot be walked: its label is not measured, so it is left
    out, never the hash of no files (which every zipped revision would share)."""
    archive = tmp_path / "botwatch.zip"
    archive.write_bytes(b"PK\5\6" + b"\0" * 18)  # an empty zip: a file, where the walk wants a folder
    assert label_for(archive / "botwatch") == __version__
    assert label_for(tmp_path).startswith(__version__ + "+code.")


def test_the_reproduction_says_when_the_tables_code_is_not_this_installs(tmp_path: Path) -> None:
    """The latest run of a stage recorded another code label: the page's data and the script say
    so; the same label, or a bare release (made before labels), is not said to differ."""
    from botwatch.report.reproduce import CODE_DIFFERS, reproduction, reproduction_script

    st = Study(tmp_path / "s.duckdb")
    with st.run("coverage", {}):
        pass
    assert reproduction(st, "s.duckdb")["code_differs"] == []  # this install made it
    st.sql("UPDATE runs SET version = ?", [__version__])  # before labels: nothing known, nothing said
    assert reproduction(st, "s.duckdb")["code_differs"] == []
    assert CODE_DIFFERS not in reproduction_script(st, "s.duckdb")
    other = f"{__version__}+code.000000000000"
    st.sql("UPDATE runs SET version = ?", [other])
    assert reproduction(st, "s.duckdb")["code_differs"] == [f"{other} (now {version_label()})"]
    assert f"# {CODE_DIFFERS} {other} (now {version_label()})\n" in reproduction_script(st, "s.duckdb")
    st.close()


def test_labels_differ_only_where_the_records_say_so() -> None:
    from botwatch.code_identity import labels_differ

    assert labels_differ("0.1.0+code.aaaaaaaaaaaa", "0.1.0+code.bbbbbbbbbbbb")
    assert labels_differ("0.0.9", "0.1.0+code.bbbbbbbbbbbb")  # another release is other code
    assert not labels_differ("0.1.0", "0.1.0+code.bbbbbbbbbbbb")  # a run recorded before labels
    assert not labels_differ("0.1.0+code.aaaaaaaaaaaa", "0.1.0")  # this install imported from a zip
    assert not labels_differ(None, "0.1.0+code.bbbbbbbbbbbb")
    assert not labels_differ("0.1.0+code.aaaaaaaaaaaa", "0.1.0+code.aaaaaaaaaaaa")
