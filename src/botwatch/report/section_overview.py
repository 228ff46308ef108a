"""The first section: what the study holds (coverage, formats, time span, rejected input)."""

from __future__ import annotations

from typing import Any

from botwatch.report.sections import Section, render, section
from botwatch.report.svg import bar_series
from botwatch.study import Study


def study_summary(study: Study) -> dict[str, Any]:
    """Counts that describe a study; also used by `botwatch status`."""
    q = study.sql
    posts, accounts_posting, first, last = q("SELECT count(*), count(DISTINCT account_id), min(created_at), max(created_at) FROM posts")[0]
    return {
        "posts": posts,
        "accounts_posting": accounts_posting,
        "accounts": q("SELECT count(*) FROM accounts")[0][0],
        "first": first,
        "last": last,
        "rejected": q("SELECT count(*) FROM rejected")[0][0],
        "sources": q("SELECT count(*) FROM sources")[0][0],
        "by_format": q("SELECT source_format, platform, count(*) FROM posts GROUP BY ALL ORDER BY 3 DESC"),
        "by_kind": q("SELECT kind, count(*) FROM posts GROUP BY ALL ORDER BY 2 DESC"),
        "by_lang": q("SELECT coalesce(lang, 'unknown'), count(*) FROM posts GROUP BY ALL ORDER BY 2 DESC LIMIT 10"),
        "files": q("SELECT source, format, records_read, posts_stored, duplicates, rejected FROM sources ORDER BY ingested_at"),
        "rejected_rows": q("SELECT source, line, error, raw FROM rejected ORDER BY source, line LIMIT 50"),
        "rejected_by_error": q(
            "SELECT regexp_replace(error, '[0-9]+', 'N', 'g') AS e, count(*) FROM rejected GROUP BY ALL ORDER BY 2 DESC LIMIT 10"
        ),
    }


@section("overview", order=10)
def overview(study: Study, ctx: dict[str, Any]) -> Section:
    s = study_summary(study)
    days = study.sql("SELECT CAST(created_at AS DATE) d, count(*) FROM posts GROUP BY 1 ORDER BY 1")
    # Show the densest stretch: bars for at most 400 days around the bulk of the data.
    if len(days) > 400:
        days = sorted(days, key=lambda r: -r[1])[:400]
        days.sort()
    chart = bar_series([d for d, _ in days], [n for _, n in days], title="Posts per day (UTC)")
    html = render("overview.html.j2", s=s, chart=chart)
    return Section("overview", "What the study holds", html, order=10)
