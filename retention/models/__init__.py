from .holds import HoldReason, LegalHold
from .protocol import ProtocolBatch, SweepRun, SweepRunCount
from .rules import Action, DeletionRule, DeletionRuleVersion, StartEvent

__all__ = [
    "Action",
    "DeletionRule",
    "DeletionRuleVersion",
    "HoldReason",
    "LegalHold",
    "ProtocolBatch",
    "StartEvent",
    "SweepRun",
    "SweepRunCount",
]
