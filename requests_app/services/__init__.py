"""Writes of the request workflow: intake, workflow steps, and the fulfilment of each right."""

from .art19 import notification_mark_done, notifications_list
from .erasure import erasure_item_fulfil
from .evidence import evidence_export
from .intake import IntakeResult, ItemSpec, request_log
from .letters import letter_issue
from .objection import objection_decide_with_request, objection_item_decide, objection_item_record
from .rights import (
    access_item_fulfil,
    complaint_item_answer,
    copy_item_fulfil,
    rectification_item_complete,
    restriction_item_apply,
    subject_restrict,
    subject_restriction_lift,
)
from .withdrawal import consent_withdrawal_item_fulfil
from .workflow import request_extend, request_identity_record, request_note_add, request_transition

__all__ = [
    "IntakeResult",
    "ItemSpec",
    "access_item_fulfil",
    "complaint_item_answer",
    "consent_withdrawal_item_fulfil",
    "copy_item_fulfil",
    "erasure_item_fulfil",
    "evidence_export",
    "letter_issue",
    "notification_mark_done",
    "notifications_list",
    "objection_decide_with_request",
    "objection_item_decide",
    "objection_item_record",
    "rectification_item_complete",
    "request_extend",
    "request_identity_record",
    "request_log",
    "request_note_add",
    "request_transition",
    "restriction_item_apply",
    "subject_restrict",
    "subject_restriction_lift",
]
