"""Coordination: accounts that act in unison, found by co-action band joins and tested against chance.

behaviours.py  posts → (account, trace, time) projections, one per behaviour (Ibis)
behaviour_names.py  the behaviours' names and the default set (no Ibis: `--help` lists them)
edges.py       band joins with a popularity cap, edge aggregation, null-model copies (Ibis)
nulltest.py    the threshold read from observed vs null co-action curves
near.py        MinHash/LSH near-duplicate texts (Python over the distinct texts)
network.py     the chain inside a study: materialise, test, write edges/evidence
clusters.py    igraph Leiden clusters and per-cluster facts
export.py      GraphML and CSV edge lists
stage.py       the `coordination` pipeline stage
synth.py       a generated crowd with a planted network (tests, benchmark, docs figures)
"""
