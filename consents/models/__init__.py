from .api import ApiToken
from .objections import Objection
from .purposes import ConsentPurpose, ConsentText, ContactChannel
from .records import (
    CHANNEL_ALIASES,
    CHANNELS_NEEDING_CONFIRMATION,
    CHANNELS_NEEDING_EVIDENCE,
    Consent,
    ConsentChannel,
    ConsentEvent,
    ConsentStateError,
)
from .suppression import SuppressionEntry

__all__ = [
    "CHANNELS_NEEDING_CONFIRMATION",
    "CHANNEL_ALIASES",
    "CHANNELS_NEEDING_EVIDENCE",
    "ApiToken",
    "Consent",
    "ConsentChannel",
    "ConsentEvent",
    "ConsentPurpose",
    "ConsentStateError",
    "ConsentText",
    "ContactChannel",
    "Objection",
    "SuppressionEntry",
]
