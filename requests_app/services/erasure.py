"""Erasure (Art. 17 GDPR) through the retention engine, with the person's contact data suppressed first."""

from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from consents.services import suppression_add
from dpo_portal.models import DataCategory
from retention.models import DeletionRule, HoldReason
from retention.services import KeptItem, subject_erase
from subjects.models import DataSubject

from ..models import RequestItem, RequestType, TimelineEntry
from ..records import rights_record_models
from .art19 import notifications_list, subject_activity_ids, subject_supplier_ids
from .common import item_done, require_in_progress, require_open_item, require_subject, timeline_add

LETTER_LANGUAGES = ("de", "en")


@transaction.atomic
def erasure_item_fulfil(*, item: RequestItem, actor) -> RequestItem:
    """Erases what no retention duty or legal hold keeps, restricts the rest, suppresses the contact data.

    The addresses and numbers go on the suppression list before the erasure removes them, so that a
    later re-import is caught by `may_contact`. The result lists what was kept, why and until when
    (for the answer letter, in German and English); the recipients to tell (Art. 19) are listed from
    the activities the person had records in, and the suppliers of their orders, before the records are gone.
    """
    require_open_item(item, RequestType.ERASURE)
    request = item.request
    require_in_progress(request)
    subject = require_subject(request)
    activity_ids = subject_activity_ids(subject.pk)
    supplier_ids = subject_supplier_ids(subject.pk)
    suppressed = suppression_add(subject=subject, reason=f"erasure {request.receipt_number}")
    outcome = subject_erase(subject=subject)
    result = {
        "deleted": outcome.deleted,
        "anonymised": outcome.anonymised,
        "kept": kept_rows(outcome.kept, language=subject.language or "de"),
        "subject_anonymised": outcome.subject_anonymised,
        "suppressed": suppressed,
    }
    notifications_list(request=request, kind=RequestType.ERASURE, activity_ids=activity_ids, recipient_ids=supplier_ids)
    item_done(item, outcome=RequestItem.Outcome.FULFILLED, result=result)
    timeline_add(
        request,
        TimelineEntry.Kind.FULFILMENT,
        actor=actor,
        text=lambda: (
            _("Erased: %(deleted)s deleted, %(anonymised)s anonymised, %(kept)s kept and restricted.")
            % {
                "deleted": sum(outcome.deleted.values()),
                "anonymised": sum(outcome.anonymised.values()),
                "kept": sum(k.count for k in outcome.kept),
            }
        ),
    )
    audit_record(item, Action.CHANGE, fields=["outcome", "result"], detail=f"erasure {request.receipt_number}")
    return item


def _reference_now(found) -> str:
    """A hold reason's label, or a rule's legal reference, in the active language."""
    return found.reference_in(translation.get_language()) if isinstance(found, DeletionRule) else found.label


def kept_rows(kept: list[KeptItem], *, language: str) -> list[dict]:
    """The kept items as JSON, each text in German and English.

    The retention engine names them in the person's language; the letter goes out in the request's,
    so each name is traced back to its model, category or hold reason and named again in both.
    Anything not traced back (a free-text legal reference) is kept as it is.
    """
    with translation.override(language):
        # The person themselves too: a hold on them keeps their identity when no record of theirs is left.
        models = {str(m._meta.verbose_name): m for m in (*rights_record_models(), DataSubject)}
        reasons = {str(r.label): r for r in HoldReason}
    # A rule's legal reference, as either language cites it, leads back to the rule.
    for rule in DeletionRule.objects.all():
        reasons.update(dict.fromkeys((rule.legal_reference, rule.legal_reference_en), rule))
    reasons.pop("", None)
    names = {k.category for k in kept}
    categories = {}
    for category in DataCategory.objects.filter(Q(name_de__in=names) | Q(name_en__in=names)):
        categories[category.name_de] = categories[category.name_en] = category

    def both(text: str, lookup: dict, name) -> dict[str, str]:
        found = lookup.get(text)
        if found is None:
            return dict.fromkeys(LETTER_LANGUAGES, text)
        result = {}
        for code in LETTER_LANGUAGES:
            with translation.override(code):
                result[code] = str(name(found))
        return result

    return [
        {
            "record": both(k.record_label, models, lambda m: m._meta.verbose_name),
            "category": both(k.category, categories, lambda c: c.name),
            "reference": both(k.legal_reference, reasons, _reference_now),
            "kept_until": k.kept_until.isoformat() if k.kept_until else None,
            "count": k.count,
        }
        for k in kept
    ]
