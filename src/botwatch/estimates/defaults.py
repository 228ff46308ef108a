"""The bootstrap's default replicates and seed, apart from `compute` so that the command line can
show them in `botwatch estimate --help` without importing ibis, pandas and pyarrow, which
`compute` needs and `--help` (and every other command, since all are loaded) does not.

The stage, the command line and the study's recorded parameters all use these."""

DEFAULT_REPS = 1000
DEFAULT_SEED = 2017
