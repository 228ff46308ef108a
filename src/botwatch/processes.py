"""Whether a process runs, for the two places that judge a file left by a process that may be gone:
a lake's lock (`engines.lake_lock`) and a capture folder's temporary files (`collect.state`). One
module with no heavy imports, as the collectors import it at start."""

from __future__ import annotations

import os


def pid_runs(pid: int) -> bool:
    """Whether some process of this pid namespace has `pid` (signal 0 checks without sending). One of
    another user answers with a permission error, so it runs; a number no process can have (a hand
    edit, 2**70) raises OverflowError, and is kept as running, to be safe: the caller then leaves
    the file alone rather than take a live writer's."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True
