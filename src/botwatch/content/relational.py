"""The relational step of the content stage, in Ibis so DuckDB and Spark run the same logic:
posts joined with their author's handle (party accounts are known by handle, posts by id)."""

from __future__ import annotations

import ibis.expr.types as ir

from botwatch.content.tables import INPUT_COLUMNS


def label_input(posts: ir.Table, accounts: ir.Table) -> ir.Table:
    """Posts with the author's handle."""
    handles = accounts.select(_platform=accounts.platform, _account_id=accounts.account_id, handle=accounts.handle)
    joined = posts.left_join(handles, [posts.platform == handles._platform, posts.account_id == handles._account_id])
    return joined.select(*[posts[c] for c in INPUT_COLUMNS], joined.handle)
