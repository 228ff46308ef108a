"""A stand-in for a study that answers `account_key`'s account lookups from a list of rows, for
tests of how a name or a pasted profile link is read without building a study of accounts."""

from __future__ import annotations


class AccountRows:
    """Answers `SELECT platform, account_id ... WHERE <account_match>` with the rows whose handle
    (any case) is the first parameter or whose account id is the second. `rows`: (platform,
    account_id, handle)."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        self.rows = rows

    def sql(self, query: str, params: list[str]) -> list[tuple[str, str]]:
        key = params[0].lower()
        return [(p, a) for p, a, h in self.rows if h.lower() == key or a == params[1]]
