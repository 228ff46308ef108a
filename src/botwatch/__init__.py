"""botwatch: find and measure automated and foreign-linked influence campaigns in election talk.

Every score botwatch produces is a probability with its evidence, never a verdict.
"""

__version__ = "0.1.0"

from botwatch.study import Study, open_study  # noqa: E402

__all__ = ["Study", "open_study", "__version__"]
