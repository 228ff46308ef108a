"""The behaviours botwatch knows, and the set a stage runs by default, apart from `behaviours`
(whose projections are Ibis expressions, so it imports ibis) so that `botwatch coordination --help`
can list them without importing ibis: every command loads every command module."""

# Co-mention is off by default because a few famous handles are mentioned by everyone and a
# mention is cheap to coincide on.
BEHAVIOURS = ("co-retweet", "co-post", "co-post-near", "co-link", "co-hashtags", "co-reply", "co-mention", "fast-retweet")
DEFAULT_BEHAVIOURS = ("co-retweet", "co-post", "co-link", "co-hashtags", "co-reply")
