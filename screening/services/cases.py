"""Possible matches: blocking the person, the screening case, the verification letter, the DPO's decision."""

import datetime
import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import Action, audit_record, audit_record_many, event_for
from dpo_portal.csv_export import csv_bytes
from dpo_portal.pdf import render_pdf
from screening.index import Hit
from screening.models import CaseCandidate, ScreeningCase
from screening.normalise import fold
from screening.selectors import block_reason
from subjects.models import DataSubject, EmailAddress, PostalAddress
from subjects.services import RecordDefaults

Status = ScreeningCase.Status


def subject_fingerprint(subject: DataSubject) -> str:
    """Salted hash of the screened identity data: a clearance holds while this stays the same."""
    parts = [
        fold(subject.first_name or ""),
        fold(subject.last_name or ""),
        subject.birth_date.isoformat() if subject.birth_date else "",
        str(subject.country or ""),
        fold(subject.company or ""),
    ]
    return hashlib.sha256((settings.HASH_SALT + "\x1f" + "\x1f".join(parts)).encode()).hexdigest()


def subject_block(*, subject: DataSubject, reason: str) -> None:
    """Blocks the person (any integration reads `is_blocked`); audited with field names only."""
    if subject.is_blocked and subject.blocked_reason == reason:
        return
    subject.is_blocked = True
    subject.blocked_reason = reason[:200]
    DataSubject.objects.filter(pk=subject.pk).update(
        is_blocked=True, blocked_reason=subject.blocked_reason, updated_at=timezone.now()
    )
    audit_record(subject, Action.CHANGE, fields=["is_blocked", "blocked_reason"], detail="sanctions screening block")


def subject_unblock(*, subject: DataSubject) -> None:
    subject.is_blocked = False
    subject.blocked_reason = ""
    DataSubject.objects.filter(pk=subject.pk).update(is_blocked=False, blocked_reason="", updated_at=timezone.now())
    audit_record(subject, Action.CHANGE, fields=["is_blocked", "blocked_reason"], detail="sanctions screening unblock")


def _block_reason(case: ScreeningCase) -> str:
    # Stored for the systems that read it, German (the UI default) with the case id; pages translate it
    # (selectors.subject_block_reason).
    with translation.override(settings.LANGUAGE_CODE):
        return block_reason(case)


def _decided_keys(subject: DataSubject, fingerprint: str) -> set[tuple[str, str, str]]:
    """(source, entry id, entry fingerprint) a decided case already covers for this identity.

    A confirmed entry is never raised again; a cleared one not while both the person's data
    and the entry are unchanged.
    """
    rows = CaseCandidate.objects.filter(case__subject=subject).filter(
        case__status=Status.CONFIRMED
    ) | CaseCandidate.objects.filter(
        case__subject=subject, case__status=Status.CLEARED, case__subject_fingerprint=fingerprint
    )
    keys = set()
    for source, external_id, entry_fp, status in rows.values_list(
        "source", "external_id", "entry_fingerprint", "case__status"
    ):
        keys.add((source, external_id, "*" if status == Status.CONFIRMED else entry_fp))
    return keys


@transaction.atomic
def case_record_hits(*, subject: DataSubject, hits: list[Hit], trigger: str) -> ScreeningCase | None:
    """Opens a case for new possible matches (or adds them to the open one) and blocks the person.

    Idempotent: the same hits again change nothing (except that the open case follows a changed
    identity). Returns the case only if it was opened or got a new candidate, else None.
    """
    if not hits:
        return None
    fingerprint = subject_fingerprint(subject)
    decided = _decided_keys(subject, fingerprint)
    fresh = [
        h
        for h in hits
        if (h.entry.source, h.entry.external_id, h.entry.fingerprint) not in decided
        and (h.entry.source, h.entry.external_id, "*") not in decided
    ]
    if not fresh:
        return None
    case = (
        ScreeningCase.objects.select_for_update().filter(subject=subject, status__in=ScreeningCase.OPEN_STATES).first()
    )
    events = []
    opened = case is None
    if opened:
        case = ScreeningCase(
            subject=subject,
            trigger=trigger,
            best_score=fresh[0].score,
            subject_fingerprint=fingerprint,
            contact_due=timezone.localdate() + datetime.timedelta(days=settings.SCREENING_CONTACT_DAYS),
        )
        RecordDefaults().apply(case)
        case.save()
        events.append(event_for(case, Action.CREATE, fields=["status", "trigger", "best_score", "contact_due"]))
    known = set(case.candidates.values_list("source", "external_id"))
    new = [
        CaseCandidate(
            case=case,
            entry_id=h.entry.entry_id,
            source=h.entry.source,
            external_id=h.entry.external_id,
            entry_fingerprint=h.entry.fingerprint,
            matched_name=h.name.name[:500],
            is_weak_alias=h.name.is_weak,
            name_score=round(h.name_score, 4),
            score=h.score,
        )
        for h in fresh
        if (h.entry.source, h.entry.external_id) not in known
    ]
    # A changed identity makes the open case about the new data, also when the hits are the same:
    # a later clearance must hold for the data the DPO actually checked.
    if not opened and case.subject_fingerprint != fingerprint:
        case.subject_fingerprint = fingerprint
        case.save(update_fields=["subject_fingerprint", "updated_at"])
        events.append(event_for(case, Action.CHANGE, fields=["subject_fingerprint"]))
    if not opened and not new:
        audit_record_many(events)
        return None
    CaseCandidate.objects.bulk_create(new)
    events += [event_for(c, Action.CREATE, fields=["entry", "score"]) for c in new]
    if case.best_score < max(c.score for c in new):
        case.best_score = max(c.score for c in new)
        case.save(update_fields=["best_score", "updated_at"])
    audit_record_many(events)
    subject_block(subject=subject, reason=_block_reason(case))
    return case


def letter_address(subject: DataSubject) -> list[str]:
    """The lines under the addressee's name: the person's newest postal address, else an e-mail address.

    Anonymised details are gone; a restricted one is used only when nothing else is left (the screening itself
    goes on under Art. 18(2) GDPR, see screening.tasks).
    """
    unrestricted_first = (F("restricted_at").asc(nulls_first=True),)
    address = (
        PostalAddress.objects.filter(subject=subject, anonymised_at__isnull=True)
        .order_by(*unrestricted_first, "-collected_on", "-pk")
        .first()
    )
    if address is not None:
        lines = [address.street, f"{address.postal_code} {address.city}".strip()]
        if address.country and address.country.code != "DE":  # letters posted in Germany name only foreign countries
            lines.append(str(address.country.name))
        return [line for line in lines if line]
    email = (
        EmailAddress.objects.filter(subject=subject, anonymised_at__isnull=True)
        .order_by(*unrestricted_first, "-is_primary", "-pk")
        .first()
    )
    return [email.email] if email else []


def _letter_context(case: ScreeningCase) -> dict:
    from dpo_portal.models import Organisation, SupervisoryAuthority

    return {
        "authority": SupervisoryAuthority.competent(),
        "case": case,
        "subject": case.subject,
        "addressee": case.subject.name_in(translation.get_language() or settings.LANGUAGE_CODE),
        "address_lines": letter_address(case.subject),
        "controller": Organisation.objects.filter(role=Organisation.Role.CONTROLLER).first(),
        "today": timezone.localdate(),
        "reply_by": timezone.localdate() + datetime.timedelta(days=14),
    }


def case_letter(*, case: ScreeningCase, as_pdf: bool = True, language: str | None = None) -> bytes | str:
    """The letter asking the person to verify their identity, in their language (German or English)."""
    from django.template.loader import render_to_string

    language = language or case.subject.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = _letter_context(case)
        if as_pdf:
            data: bytes | str = render_pdf("screening/verification_letter.html", context)
        else:
            data = render_to_string("screening/verification_letter.html", context)
    audit_record(case, Action.EXPORT, fields=["verification_letter"], detail=f"verification letter {language}")
    return data


@transaction.atomic
def case_mark_contacted(*, case: ScreeningCase, user=None) -> ScreeningCase:
    """The verification letter went out: the case waits for the person's answer."""
    case = ScreeningCase.objects.select_for_update().get(pk=case.pk)
    case.mark_contacted()
    case.last_contact = timezone.localdate()
    case.save(update_fields=["status", "letter_sent_at", "last_contact", "updated_at"])
    audit_record(case, Action.CHANGE, fields=["status", "letter_sent_at"])
    return case


# What a decision changes on the case (ScreeningCase._decide).
DECISION_FIELDS = [
    "status",
    "decided_at",
    "decided_by",
    "decision_reason",
    "last_contact",
    "updated_at",
]


@transaction.atomic
def case_clear(*, case: ScreeningCase, user, reason: str) -> ScreeningCase:
    """False positive: clears the case with a reason and lifts the block unless another case holds it.

    The same entry is not raised again for this person until their data or the entry changes.
    """
    case = ScreeningCase.objects.select_for_update(of=("self",)).select_related("subject").get(pk=case.pk)
    case.clear(user=user, reason=reason)
    case.save(update_fields=DECISION_FIELDS)
    audit_record(case, Action.CHANGE, fields=["status", "decided_at", "decided_by", "decision_reason"])
    still_blocked = (
        ScreeningCase.objects.filter(subject=case.subject, status__in=[*ScreeningCase.OPEN_STATES, Status.CONFIRMED])
        .exclude(pk=case.pk)
        .exists()
    )
    if not still_blocked:
        subject_unblock(subject=case.subject)
    return case


@transaction.atomic
def case_confirm(*, case: ScreeningCase, user, reason: str) -> ScreeningCase:
    """Confirmed match: the person stays blocked; the case is reportable."""
    case = ScreeningCase.objects.select_for_update(of=("self",)).select_related("subject").get(pk=case.pk)
    case.confirm(user=user, reason=reason)
    case.save(update_fields=DECISION_FIELDS)
    audit_record(case, Action.CHANGE, fields=["status", "decided_at", "decided_by", "decision_reason"])
    with translation.override(settings.LANGUAGE_CODE):
        reason_text = _("Confirmed sanctions list match, screening case %(id)s") % {"id": case.pk}
    subject_block(subject=case.subject, reason=reason_text)
    return case


# The columns of the CSV export, as field names for the audit trail (the subject id is the person's).
CSV_FIELDS = ["subject", "status", "best_score", "candidates", "opened_at", "decided_at"]


def cases_csv(*, cases) -> bytes:
    """The cases as CSV; each exported case is audited under its person, so that the trail shows who took whose
    case out of the portal (one entry for the whole file would name nobody)."""
    # Queried afresh: the admin's queryset may carry annotations (a second Count over the join would multiply).
    cases = list(
        ScreeningCase.objects.filter(pk__in=cases.values("pk"))
        .annotate(candidate_total=Count("candidates"))
        .order_by("pk")
    )
    header = [_("case"), _("data subject id"), _("status"), _("best score"), _("candidates"), _("opened"), _("decided")]
    rows = [
        (
            c.pk,
            c.subject_id,
            c.get_status_display(),
            c.best_score,
            c.candidate_total,
            c.opened_at.isoformat(),
            c.decided_at.isoformat() if c.decided_at else "",
        )
        for c in cases
    ]
    audit_record_many([event_for(c, Action.EXPORT, fields=CSV_FIELDS, detail="screening cases csv") for c in cases])
    return csv_bytes([str(h) for h in header], rows)
