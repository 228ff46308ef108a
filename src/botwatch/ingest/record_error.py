"""Why a record is rejected: the error the readers raise, in a module that imports nothing heavy.

The readers' field helpers (`fields`, `other_platforms`, `csv_formats`) are also what the
collectors use to keep a record the way ingest will read it back. These names lived in `sink`,
which imports pyarrow (and numpy with it) for its Arrow batches, so every `collect` run paid about
0.15 CPU-s for libraries it never uses. `sink` re-exports both names, so its importers are unchanged.
"""

from __future__ import annotations

from typing import Any


class RecordError(ValueError):
    """A record that cannot become a canonical row; the message says why, for the rejected table."""


def not_an_object(obj: Any) -> RecordError:
    """The rejection of a record that is no JSON object. Why a list gets its own words: a line
    holding an array of records (pages pasted into a JSON-lines file) was rejected as "got list",
    which said neither what was wrong nor how to mend it; no format this reads writes such lines
    among its records, so it stays rejected, with the command that splits it."""
    if isinstance(obj, list):
        return RecordError(
            f"expected a JSON object, got an array of {len(obj):,} values: a record is one object; split such "
            """lines into one record a line with `jq -c 'if type == "array" then .[] else . end' FILE`"""
        )
    return RecordError(f"expected a JSON object, got {type(obj).__name__}")
