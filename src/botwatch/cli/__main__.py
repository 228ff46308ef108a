"""`python -m botwatch.cli ...`: the same commands as the `botwatch` entry point."""

from botwatch.cli import app

app()
