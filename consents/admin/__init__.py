"""The DPO's consents pages. History-bearing models (consents, their events, decided objections)
cannot be changed or deleted here."""

from .inlines import ConsentHistoryInline, ObjectionHistoryInline
from .purposes import ConsentPurposeAdmin, ConsentTextAdmin
from .records import ConsentAdmin, ObjectionAdmin, SuppressionEntryAdmin
from .tokens import ApiTokenAdmin

__all__ = [
    "ApiTokenAdmin",
    "ConsentAdmin",
    "ConsentHistoryInline",
    "ConsentPurposeAdmin",
    "ConsentTextAdmin",
    "ObjectionAdmin",
    "ObjectionHistoryInline",
    "SuppressionEntryAdmin",
]
