"""Estimates: counts and shares per party, group and window, scaled from a sample to the platform
with 95% intervals from a bootstrap over accounts (see docs/methods.md, "estimates").

The names below are imported when first asked for (PEP 562), not with the package: importing any
module of the package runs this file, and `botwatch estimate --help` reads its defaults from
`estimates.defaults`, which must not bring ibis, pandas and pyarrow with it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botwatch.estimates.bootstrap import cluster_bootstrap
    from botwatch.estimates.compute import EstimateOptions, compute_estimates

__all__ = ["EstimateOptions", "cluster_bootstrap", "compute_estimates"]

_HOMES = {"EstimateOptions": "botwatch.estimates.compute", "compute_estimates": "botwatch.estimates.compute",
          "cluster_bootstrap": "botwatch.estimates.bootstrap"}


def __getattr__(name: str) -> Any:
    """One of the package's names, from the module that defines it."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'botwatch.estimates' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
