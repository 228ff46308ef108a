"""Estimates: counts and shares per party, group and window, scaled from a sample to the platform
with 95% intervals from a bootstrap over accounts (see docs/methods.md, "estimates")."""

from botwatch.estimates.bootstrap import cluster_bootstrap
from botwatch.estimates.compute import EstimateOptions, compute_estimates

__all__ = ["EstimateOptions", "cluster_bootstrap", "compute_estimates"]
