"""botwatch: find and measure automated and foreign-linked influence campaigns in election talk.

Every score botwatch produces is a probability with its evidence, never a verdict.
"""

__version__ = "0.1.0"

from botwatch.study import Study, StudyError, open_study  # noqa: E402
from botwatch.api import account, analyze, load_election, stage_options  # noqa: E402

# The documented Python API (docs/python-api.md). `botwatch.api` holds all of it, with its result
# types and `api.ingest` (not re-exported here: `botwatch.ingest` is the ingest package).
__all__ = ["Study", "StudyError", "open_study", "load_election", "analyze", "account", "stage_options", "__version__"]
