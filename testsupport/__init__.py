"""Generators and fakes that tests and benchmarks share: never shipped in the wheel.

Generated data exercises code paths and measures speed or recovery on a known truth; nothing in
botwatch is fitted to it. Tests reach this package through `pythonpath` in pyproject.toml's pytest
settings, benchmarks through their own `sys.path` line (both put the repository root first).
"""
