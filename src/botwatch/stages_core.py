"""Core stages that need nothing but the canonical tables."""

from __future__ import annotations

from botwatch.pipeline import Context, register
from botwatch.study import Study


@register("coverage", needs=("posts",), writes=("coverage_daily",))
def coverage(study: Study, ctx: Context) -> int:
    """Posts and distinct accounts per UTC day, platform and kind: what the study covers, and its gaps."""
    study.sql(
        """
        CREATE OR REPLACE TABLE coverage_daily AS
        SELECT CAST(date_trunc('day', created_at) AS DATE) AS day, platform, kind,
               count(*) AS posts, count(DISTINCT account_id) AS accounts
        FROM posts GROUP BY ALL ORDER BY day, platform, kind
        """
    )
    return study.count("coverage_daily")
