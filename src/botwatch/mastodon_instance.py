"""The Mastodon "local handle" rule as an Ibis expression, for the stages that build Ibis queries.

A Mastodon server gives the handles of its own accounts bare ("alice"), and ingest keeps them so;
the account's profile URL (its key, "https://a.social/@alice") names the instance. Two stages
needed the instance back in Ibis (the content prior's retweet nodes and coordination's co-mention
targets) and each wrote the same regular expression and test; one copy here keeps them the same
rule as `json_shape.shown_handle` (Python) and `json_shape.shown_handle_sql` (SQL).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

# The instance of a profile URL "https://<instance>/@<name>" (no backslash, as in the SQL form).
_PROFILE_HOST = "^https://([^@/ ]+[.][^@/ ]+)/@[^@/ ]+$"


def local_host(platform: ir.StringValue, handle: ir.StringValue, account_id: ir.StringValue) -> ir.StringValue:
    """The instance an account's handle is local to, or NULL: a Mastodon handle stored bare whose
    profile URL is that instance's page of the same name. NULL for any other platform, a handle
    that holds its instance already, a NULL handle or a key that is no profile URL."""
    host = account_id.re_extract(_PROFILE_HOST, 1)
    local = (platform == "mastodon") & ~handle.contains("@") & (host != "") & (account_id.lower() == ("https://" + host + "/@" + handle).lower())
    return local.fill_null(False).ifelse(host, ibis.null().cast("string"))


def shown_handle(platform: ir.StringValue, handle: ir.StringValue, account_id: ir.StringValue) -> ir.StringValue:
    """`json_shape.shown_handle_sql` in Ibis: a handle local to its instance with that instance
    ("alice@a.social"), any other as stored."""
    host = local_host(platform, handle, account_id)
    return host.isnull().ifelse(handle, handle + "@" + host)
