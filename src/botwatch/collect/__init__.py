"""Live capture from the platforms researchers can still reach: Bluesky (Jetstream), Mastodon
(streaming + REST paging) and X (API v2 filtered stream and search).

Every collector writes what the platform sent, verbatim, as gzip JSON lines in rotating files that
`botwatch ingest` reads. A capture folder holds closed files (complete, safe to ingest), at most
one hidden `.open-*` file being written, and a hidden `.botwatch/` folder with the manifest
(sampling rate and filter, carried into the study at ingest), one state file per stream (the
cursor a restart resumes from) and the frames that could not be used, kept aside.
"""

from botwatch.collect.core import Capture, CollectError, StopCapture

__all__ = ["Capture", "CollectError", "StopCapture"]
