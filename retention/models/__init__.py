from .holds import HoldReason, LegalHold
from .protocol import ProtocolEntry, SweepRun, SweepRunCount
from .rules import Action, DeletionRule, StartEvent

__all__ = [
    "Action",
    "DeletionRule",
    "HoldReason",
    "LegalHold",
    "ProtocolEntry",
    "StartEvent",
    "SweepRun",
    "SweepRunCount",
]
