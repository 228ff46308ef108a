"""Elections are data: TOML presets loaded into typed objects.

See `botwatch.elections.model` for the fields. `load_election` accepts a preset name shipped with
botwatch (`uk-ge2017`) or a path to a user's own file.
"""

from botwatch.elections.model import Election, ElectionError, Event, Party, list_presets, load_election, party_name

__all__ = ["Election", "ElectionError", "Event", "Party", "list_presets", "load_election", "party_name"]
