"""Which libraries made a study's figures: the versions of those whose behaviour decides a result.

Why: the code label (`code_identity`) names botwatch's own files, but a run's figures also rest on
libraries that change results between versions: DuckDB and Ibis (every SQL stage, its grouping and
rounding), PyArrow, NumPy and pandas (the Python stages' arithmetic), LightGBM (the bot model's trees
at score time), igraph (the coordination clusters), SciPy (coordination's Poisson tail: which pairs
are kept), datasketch (near-duplicate text), py3langid (each post's language), vaderSentiment (the
sentiment the trained model does not give), statsmodels (the impact stage, where installed) and, on
a lake, PySpark. A researcher re-running a
study from its report with the same botwatch but another DuckDB could get other figures and no
record said which DuckDB the study had. Each run now records them under `LIBRARIES_KEY` in its
parameters, as bookkeeping beside `command_id` (`runs_table`): a column of its own would not fit a
study written before it (a DuckDB file, or a lake whose Parquet files fix the table's columns).
A run recorded before this has none, and is said as "not recorded", never guessed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata
from typing import Any

LIBRARIES_KEY = "libraries"
# Distribution names (as pip knows them) of the libraries whose version can move a figure.
RESULT_LIBRARIES: tuple[str, ...] = ("duckdb", "ibis-framework", "pyarrow", "numpy", "pandas", "lightgbm", "igraph", "scipy", "datasketch",
                                     "py3langid", "vaderSentiment", "statsmodels")
SPARK_LIBRARIES: tuple[str, ...] = ("pyspark",)
NOT_INSTALLED = "not installed"
NOT_RECORDED = "not recorded"


@lru_cache(maxsize=None)  # one per name: a bound under the list's length never hit
def _installed(name: str) -> str:
    """The installed version of distribution `name`, or `NOT_INSTALLED`."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


def library_versions(engine: str | None = "duckdb") -> dict[str, str]:
    """The versions this process would compute with, PySpark only where the lake engine runs (its
    version says nothing of a DuckDB study's figures)."""
    names = RESULT_LIBRARIES + (SPARK_LIBRARIES if engine == "spark" else ())
    return {n: _installed(n) for n in names}


def recorded_libraries(params: dict[str, Any] | None) -> dict[str, str] | None:
    """The versions a run recorded in its parameters, or None where it recorded none (a run made
    before they were recorded, or a record that is not readable)."""
    got = (params or {}).get(LIBRARIES_KEY)
    if not isinstance(got, dict) or not got:
        return None
    return {str(k): str(v) for k, v in got.items()}


def libraries_text(versions: dict[str, str] | None) -> str:
    """`duckdb 2.0.1, ibis-framework 12.0.0, ...` in name order (a run's record is stored with its
    keys sorted, so the same versions read the same from a record and from this process), or
    `NOT_RECORDED`."""
    if not versions:
        return NOT_RECORDED
    return ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))


def differences(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """Each library whose recorded version is not the current one, as `duckdb 1.2.0 (now 2.0.1)`,
    in the recorded order. A library only one side names (PySpark, recorded by a lake's run) is not
    a difference: the other side did not use it."""
    return [f"{k} {v} (now {current[k]})" for k, v in recorded.items() if k in current and current[k] != v]


def installed_versions() -> dict[str, str]:
    """The versions installed here, PySpark's included where it is installed: what `botwatch
    version` prints and an export's sidecar records (a file written from a lake went through it)."""
    libs = library_versions("spark")
    if libs.get("pyspark") == NOT_INSTALLED:
        del libs["pyspark"]
    return libs
