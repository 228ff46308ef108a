"""CSV files in tests: reading the committed slices back, to compare what was stored with the rows
as written (`tests/test_ingest_csv_columns.py`, `tests/test_ingest_csv_map_options.py`), and
writing a small one from a header and rows (`write_rows`) or from its exact text (`labels_csv`)."""

from __future__ import annotations

import csv
import gzip
from datetime import datetime, timezone
from pathlib import Path


def read_rows(path: Path) -> list[dict[str, str]]:
    """A CSV (plain or .gz) as its rows, keyed by header."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:  # type: ignore[operator]
        return list(csv.DictReader(f))


def write_rows(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """A plain UTF-8 CSV of `header` and `rows` at `path` (returned)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def labels_csv(folder: Path, text: str) -> Path:
    """`folder`/labels.csv holding `text` exactly (UTF-8, line ends as written): a labels file whose
    blank lines, trailing commas or stray cells are what a labels-reader test is about."""
    path = folder / "labels.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def utc_naive(iso: str) -> datetime:
    """An ISO time ('Z' or an offset) as a naive UTC datetime, as the study stores times."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None)
