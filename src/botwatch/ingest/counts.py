"""How much an ingest read, in honest units, for every place that says it (the CLI, the runs
table's message on both engines, the report's Methods)."""

from __future__ import annotations

from typing import Any, Iterable


def read_count(results: Iterable[Any], sep: str = ",") -> str:
    """What `results` (objects with `format` and `read`, e.g. `FileResult`) read, honest about
    units: a twarc2 page is one record of up to 100 posts, so "read 1, stored 100" read as a loss
    the wrong way round; pages are counted as pages ("1 page", "6 + 2 pages" beside records of
    other formats). `sep`: the thousands separator ("" for the runs table's plain numbers)."""
    results = list(results)
    return read_words(sum(r.read for r in results if not is_page_format(r.format)),
                      sum(r.read for r in results if is_page_format(r.format)),
                      any(is_page_format(r.format) for r in results), sep)


def read_words(records: int, pages: int, any_pages: bool, sep: str = ",") -> str:
    """`records` plain records and `pages` response pages as one phrase ("5,099 + 19 pages")."""
    def n(v: int) -> str:
        return f"{v:,}".replace(",", sep)

    if not any_pages:
        return n(records)
    paged = f"{n(pages)} page{'' if pages == 1 else 's'}"
    return paged if records == 0 else f"{n(records)} + {paged}"


def is_page_format(fmt: str | None) -> bool:
    """Whether a source format's records are response pages (twarc2), not single posts."""
    from botwatch.ingest.formats import PAGE_FORMATS

    return fmt in PAGE_FORMATS
