"""Account intelligence: features, a calibrated bot probability and an origin probability per
account, each with the evidence behind it in plain words.

Modules, one job each:
- `circadian`: which UTC offset fits an account's posting hours (shared with the timeline issue).
- `behaviour`: the relational aggregation of posts per account, written once in Ibis (DuckDB, Spark).
- `profile`: features of a profile snapshot (also used to train the bot model on labelled sets).
- `signals`: the named seed signals and the "Three A's".
- `botmodel`: loading, applying and explaining the shipped LightGBM model.
- `training`: training and cross-dataset evaluation on real labelled data.
- `origin`: the naive-Bayes origin model and its gazetteer.
- `stage`: the `accounts` pipeline stage.
"""
