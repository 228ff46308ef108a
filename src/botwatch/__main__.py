"""`python -m botwatch ...`: the same commands as the `botwatch` entry point.

Users reach for the package name first; without this file that prints "'botwatch' is a package
and cannot be directly executed".
"""

from botwatch.cli import app

app()
