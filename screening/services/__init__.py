"""Writes of the screening app: list imports, screening, cases and decisions."""

from .cases import (
    case_clear,
    case_confirm,
    case_letter,
    case_mark_contacted,
    case_record_hits,
    cases_csv,
    subject_block,
    subject_fingerprint,
    subject_unblock,
)
from .imports import list_import, list_parse
from .screening import identity_of, rescreen_planned, subject_screen, subjects_screen

__all__ = [
    "case_clear",
    "case_confirm",
    "case_letter",
    "case_mark_contacted",
    "case_record_hits",
    "cases_csv",
    "identity_of",
    "list_import",
    "list_parse",
    "rescreen_planned",
    "subject_block",
    "subject_fingerprint",
    "subject_screen",
    "subject_unblock",
    "subjects_screen",
]
