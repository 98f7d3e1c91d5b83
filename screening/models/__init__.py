from .cases import CaseCandidate, InvalidTransition, ScreeningCase, ScreeningRun, Trigger
from .lists import (
    EntryBirthDate,
    EntryCountry,
    EntryIdentifier,
    EntryName,
    ListEntry,
    ListVersion,
    NameKey,
    Schema,
    Source,
)

__all__ = [
    "CaseCandidate",
    "EntryBirthDate",
    "EntryCountry",
    "EntryIdentifier",
    "EntryName",
    "InvalidTransition",
    "ListEntry",
    "ListVersion",
    "NameKey",
    "Schema",
    "ScreeningCase",
    "ScreeningRun",
    "Source",
    "Trigger",
]
