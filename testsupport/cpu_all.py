"""Run a command and print the CPU-seconds of it and of everything it started, for timing tests
on a shared machine (docs/testing.md).

`/usr/bin/time` reports the children a process waited for; pytest never waits for the Spark JVM
(nor does the JVM for every Python worker), so their CPU went uncounted. Here this process
becomes the child subreaper of everything below it (Linux `PR_SET_CHILD_SUBREAPER`): an orphan
is handed to it instead of to init, it reaps every one, and `RUSAGE_CHILDREN` then holds the
whole tree's CPU however briefly each process lived.

    PYTHONPATH=src .venv/bin/python testsupport/cpu_all.py .venv/bin/python -m pytest -q -p no:randomly FILES
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def main(argv: list[str]) -> int:
    """Run `argv`, reap it and every orphan of it, print one `[cpu]` line to stderr; its exit status."""
    if not argv:
        print("usage: cpu_all.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("cpu_all: cannot become a child subreaper (Linux only); orphans' CPU will be missed", file=sys.stderr)
    load = os.getloadavg()[0]
    start = time.monotonic()
    child = subprocess.Popen(argv)
    code = 1
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:  # no child left: the command and every orphan are reaped
            break
        if pid == child.pid:
            code = os.waitstatus_to_exitcode(status)
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"[cpu] exit {code}, wall {time.monotonic() - start:.1f} s, CPU {use.ru_utime + use.ru_stime:.1f} s "
        f"(user {use.ru_utime:.1f}, sys {use.ru_stime:.1f}), load average {load:.1f} -> {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
    )
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
