"""The self-contained HTML report: sections contributed by each analysis, rendered with autoescape."""

from botwatch.report.build import build_report

__all__ = ["build_report"]
