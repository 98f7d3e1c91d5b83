from .holds import HoldReason, LegalHold
from .protocol import ProtocolBatch, SweepRun, SweepRunCount
from .rules import Action, DeletionRule, StartEvent

__all__ = [
    "Action",
    "DeletionRule",
    "HoldReason",
    "LegalHold",
    "ProtocolBatch",
    "StartEvent",
    "SweepRun",
    "SweepRunCount",
]
