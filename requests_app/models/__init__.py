from .choices import (
    ART18_GROUNDS,
    ART19_TYPES,
    Channel,
    CopyRecipient,
    ExportFormat,
    IdentityMethod,
    IdentityResult,
    RejectionReason,
    RequestType,
)
from .items import RecipientNotification, RequestItem, TimelineEntry
from .request import DataSubjectRequest, ReceiptSequence, TransitionNotAllowed

__all__ = [
    "ART18_GROUNDS",
    "ART19_TYPES",
    "Channel",
    "CopyRecipient",
    "DataSubjectRequest",
    "ExportFormat",
    "IdentityMethod",
    "IdentityResult",
    "ReceiptSequence",
    "RecipientNotification",
    "RejectionReason",
    "RequestItem",
    "RequestType",
    "TimelineEntry",
    "TransitionNotAllowed",
]
