"""Which bot model scored a study: moved to `botwatch.model_used` (the accounts package needs it
too, and must not import the report package); these names stay importable from here."""

from botwatch.model_used import BotModelUsed, _candidates, _own_note, bot_model_used, recorded_bot_model

__all__ = ["BotModelUsed", "bot_model_used", "recorded_bot_model", "_candidates", "_own_note"]
