"""Writes: consents, their confirmation and withdrawal, objections, the suppression list, texts, API tokens.

Every service validates before it writes, so bad input stores nothing; each runs in one
transaction and audits what it did (field names and ids, never values).
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.context import current_actor
from audit.services import Action, audit_record, audit_record_many, event_for
from dpo_portal.models import DataCategory, ProcessingActivity
from retention import services as retention_services
from subjects.models import DataSubject, EmailAddress, EventRegistration, PhoneNumber, Source
from subjects.services import subject_create

from .hashing import ContactHasher, contact_hash, new_token, normalise_email, token_digest, truncate_ip
from .models import (
    CHANNEL_ALIASES,
    CHANNELS_NEEDING_CONFIRMATION,
    ApiToken,
    Consent,
    ConsentChannel,
    ConsentEvent,
    ConsentPurpose,
    ConsentStateError,
    ConsentText,
    Objection,
    SuppressionEntry,
)

logger = logging.getLogger(__name__)

# How a consent's channel is filed as the record's source (the subjects app's vocabulary).
SOURCE_FOR_CHANNEL = {
    ConsentChannel.WEB_FORM: Source.WEB_FORM,
    ConsentChannel.EMAIL: Source.EMAIL,
    ConsentChannel.PHONE: Source.PHONE,
    ConsentChannel.PAPER: Source.ORDER,
    ConsentChannel.EVENT: Source.EVENT,
    ConsentChannel.CHAT: Source.CHAT,
    ConsentChannel.IN_PERSON: Source.EVENT,
}
# Clocks of callers (website, support PCs) drift a little; more than this in the future is an error.
CLOCK_SKEW = datetime.timedelta(minutes=5)
# The name kept for a person who signed up with an address only (data minimisation: no name asked).
UNNAMED = "–"
# The purpose whose consent lets a person's event registrations be shared with the other participants
# (EventRegistration.share_with_participants): its withdrawal stops the sharing.
PARTICIPANT_SHARING = "event-participant-sharing"


def _invalid(field: str, message, code: str) -> ValidationError:
    """A field error whose code the API hands on (e.g. {"purpose": ["Unknown purpose."]}, "unknown_purpose")."""
    return ValidationError({field: ValidationError(message, code=code)})


def _state_error(exc: ConsentStateError) -> ValidationError:
    return ValidationError(exc.message, code=exc.code)


def _check_channel(channel: str, field: str = "channel") -> str:
    """The channel in this app's words (a support request's "letter" is "paper"); ValidationError if unknown."""
    channel = CHANNEL_ALIASES.get(channel, channel)
    if channel not in ConsentChannel.values:
        raise _invalid(
            field, _("Unknown channel. Use one of: %s.") % ", ".join(ConsentChannel.values), "invalid_channel"
        )
    return channel


def _check_moment(at: datetime.datetime, field: str) -> datetime.datetime:
    """`at`, capped at now: a time up to CLOCK_SKEW ahead is the caller's clock drifting, and
    a withdrawal dated ahead would leave the consent live until then. Further ahead: ValidationError."""
    if timezone.is_naive(at):
        raise _invalid(field, _("Give the time with its time zone."), "naive_time")
    now = timezone.now()
    if at > now + CLOCK_SKEW:
        raise _invalid(field, _("The time cannot be in the future."), "future_time")
    return min(at, now)


def purpose_get(code: str) -> ConsentPurpose:
    """The active purpose with this code, or ValidationError (code "unknown_purpose")."""
    purpose = ConsentPurpose.objects.select_related("activity").filter(code=code, is_active=True).first()
    if purpose is None:
        raise _invalid("purpose", _("Unknown purpose."), "unknown_purpose")
    return purpose


def _text_for(purpose: ConsentPurpose, version) -> ConsentText:
    texts = {t.version: t for t in purpose.texts.all()}
    if not texts:
        raise _invalid(
            "purpose",
            _("This purpose rests on legitimate interest: there is nothing to consent to."),
            "no_consent_purpose",
        )
    if version not in texts:
        raise _invalid("text_version", _("Unknown text version."), "unknown_version")
    if version != max(texts):
        raise _invalid(
            "text_version",
            _("Version %(v)s is outdated; the current text is version %(c)s.") % {"v": version, "c": max(texts)},
            "outdated_version",
        )
    return texts[version]


def _end_purpose(*, subject: DataSubject, activity_codes: list[str], ended_on: datetime.date) -> int:
    """Hands over to the retention engine: the purpose has ended for this person (R2).

    The engine decides per record whether it is deleted, or restricted because a statutory
    duty still keeps it.
    """
    return retention_services.purpose_end(subject=subject, activity_codes=activity_codes, ended_on=ended_on)


def _subject_for_email(*, email: str, purpose: ConsentPurpose, first_name: str, last_name: str) -> DataSubject:
    """The person holding this address, or a new one (with only what the form asked for)."""
    existing = EmailAddress.objects.filter(email=email, anonymised_at__isnull=True).order_by("pk").first()
    if existing is not None:
        return existing.subject
    return subject_create(first_name=first_name.strip(), last_name=last_name.strip() or UNNAMED, source=Source.WEB_FORM)


def _ensure_email_record(*, subject: DataSubject, email: str, purpose: ConsentPurpose) -> None:
    if EmailAddress.objects.filter(subject=subject, email=email).exists():
        return
    record = EmailAddress(
        subject=subject,
        email=email,
        activity=purpose.activity,
        category=DataCategory.objects.get(code="contact"),
        source=Source.WEB_FORM,
    )
    record.full_clean()
    record.save()
    audit_record(record, Action.CREATE, fields=["email"])


@transaction.atomic
def consent_give(
    *,
    purpose_code: str,
    text_version: int,
    channel: str,
    origin: str,
    subject: DataSubject | None = None,
    email: str = "",
    evidence: str = "",
    ip: str = "",
    language: str = "de",
    given_at: datetime.datetime | None = None,
    first_name: str = "",
    last_name: str = "",
) -> tuple[Consent, str | None]:
    """Records a consent to `purpose_code`, pinned to the text version the person was shown.

    Needs the current text version, a known channel, the source (form, campaign or staff
    member) and evidence: double opt-in for consents given electronically to a purpose that
    needs it (then `email` is required and a confirmation token is returned, once, to be sent
    in the confirmation link), a reference to the proof for phone, paper and event.
    Without `subject` the person is found by `email` (or created). The IP address is kept
    only as its network. Returns (consent, raw token or None). Raises ValidationError.
    """
    purpose = purpose_get(purpose_code)
    text = _text_for(purpose, text_version)
    channel = _check_channel(channel)
    # Capped like a withdrawal's time, so that a withdrawal right after it finds the consent.
    given_at = _check_moment(given_at or timezone.now(), "given_at")
    if language not in ("de", "en"):
        raise _invalid("language", _("Language must be de or en."), "invalid_language")
    if email:
        try:
            email = normalise_email(email)
        except ValidationError:
            raise _invalid("email", _("Enter a valid e-mail address."), "invalid_email") from None
    try:
        ip_network = truncate_ip(ip)
    except ValidationError:
        raise _invalid("ip", _("Enter a valid IP address."), "invalid_ip") from None
    needs_confirmation = purpose.double_opt_in and channel in CHANNELS_NEEDING_CONFIRMATION
    if needs_confirmation and not email:
        raise _invalid("email", _("A double opt-in needs the e-mail address to confirm."), "missing_evidence")
    if subject is None and not email:
        raise _invalid("email", _("Give the data subject or an e-mail address."), "missing_subject")
    if subject is not None and subject.erased_at:
        raise ValidationError(_("This data subject has been erased."), code="erased")

    consent = Consent(
        purpose=purpose,
        text=text,
        language=language,
        channel=channel,
        given_at=given_at,
        origin=origin.strip(),
        evidence=evidence.strip(),
        email=email,
        ip_network=ip_network,
        needs_confirmation=needs_confirmation,
        source=SOURCE_FOR_CHANNEL[channel],
        collected_on=timezone.localdate(given_at),
    )
    # Validate everything that needs no subject before anyone is created.
    consent.full_clean(exclude=["subject", "activity", "category"])
    if subject is None:
        subject = _subject_for_email(email=email, purpose=purpose, first_name=first_name, last_name=last_name)
    if email:
        _ensure_email_record(subject=subject, email=email, purpose=purpose)
    consent.subject = subject
    consent.activity = ProcessingActivity.objects.get(code=Consent.default_activity)
    consent.category = DataCategory.objects.get(code=Consent.default_category)
    raw_token = None
    if needs_confirmation:
        raw_token, consent.doi_token_digest = new_token()
        consent.doi_expires_at = given_at + datetime.timedelta(hours=settings.CONSENT_DOI_HOURS)
    consent.full_clean()
    consent.save()
    ConsentEvent.objects.create(
        consent=consent,
        purpose=purpose,
        kind=ConsentEvent.Kind.GIVEN,
        at=given_at,
        channel=channel,
        origin=consent.origin,
        recorded_by=current_actor().name,
    )
    audit_record(
        consent, Action.CREATE, fields=["purpose", "text", "channel", "origin", "evidence", "email", "ip_network"]
    )
    return consent, raw_token


@transaction.atomic
def consent_confirm(*, token: str, ip: str = "", at: datetime.datetime | None = None) -> Consent:
    """Confirms a double opt-in by the token from the confirmation link. Raises ValidationError
    (codes "unknown_token", "token_expired", "already_confirmed", "withdrawn")."""
    at = at or timezone.now()
    consent = (
        Consent.objects.select_for_update().filter(doi_token_digest=token_digest(token or "")).first()
        if token
        else None
    )
    if consent is None:
        raise _invalid("token", _("Unknown confirmation token."), "unknown_token")
    try:
        consent.confirm(at=at)
        consent.confirmed_ip_network = truncate_ip(ip)
    except ConsentStateError as exc:
        raise _state_error(exc) from None
    except ValidationError:
        raise _invalid("ip", _("Enter a valid IP address."), "invalid_ip") from None
    # Conditional UPDATE: of two clicks on the link, exactly one confirms.
    updated = Consent.objects.filter(pk=consent.pk, confirmed_at__isnull=True, withdrawn_at__isnull=True).update(
        confirmed_at=at, confirmed_ip_network=consent.confirmed_ip_network, updated_at=timezone.now()
    )
    if updated != 1:
        raise ValidationError(_("This consent has already been confirmed."), code="already_confirmed")
    ConsentEvent.objects.create(
        consent=consent,
        purpose_id=consent.purpose_id,
        kind=ConsentEvent.Kind.CONFIRMED,
        at=at,
        channel=ConsentChannel.EMAIL,
        origin="double opt-in",
        recorded_by=current_actor().name,
    )
    audit_record(consent, Action.CHANGE, fields=["confirmed_at", "confirmed_ip_network"])
    return consent


@transaction.atomic
def consent_withdraw(
    *, subject: DataSubject, purpose_code: str, channel: str, source: str = "", at: datetime.datetime | None = None
) -> list[Consent]:
    """Withdraws every consent `subject` has given to `purpose_code`, effective at `at` (default: now).

    Any channel will do (web form, e-mail, phone, paper, event), also a request taken by
    support (`source` names the staff member or request). Nothing before `at` changes: the
    consents keep their text, time and evidence, and processing until then stays covered.
    From `at` on the purpose's processing stops: `may_contact` says no at once, the
    retention engine is told that the purpose has ended for this person, and a withdrawn
    consent to share participant data stops the sharing of the person's event
    registrations (`share_with_participants` cleared). Withdrawing when
    there is no live consent changes nothing and returns []. Raises ValidationError for an
    unknown purpose or channel, or a time in the future.
    """
    purpose = purpose_get(purpose_code)
    channel = _check_channel(channel)
    at = _check_moment(at or timezone.now(), "at")
    live = list(
        Consent.objects.select_for_update()
        .filter(subject=subject, purpose=purpose, withdrawn_at__isnull=True, given_at__lte=at)
        .order_by("pk")
    )
    source = source.strip()[:200]
    for consent in live:
        try:
            consent.withdraw(at=at, channel=channel, origin=source)
        except ConsentStateError as exc:
            raise _state_error(exc) from None
    if not live:
        return []
    Consent.objects.filter(pk__in=[c.pk for c in live], withdrawn_at__isnull=True).update(
        withdrawn_at=at,
        withdrawal_channel=channel,
        withdrawal_origin=source,
        contract_end=timezone.localdate(at),
        updated_at=timezone.now(),
    )
    ConsentEvent.objects.bulk_create(
        [
            ConsentEvent(
                consent=c,
                purpose=purpose,
                kind=ConsentEvent.Kind.WITHDRAWN,
                at=at,
                channel=channel,
                origin=source,
                recorded_by=current_actor().name,
            )
            for c in live
        ]
    )
    audit_record_many(
        [event_for(c, Action.CHANGE, fields=["withdrawn_at", "withdrawal_channel", "withdrawal_origin"]) for c in live]
    )
    # A consent given after `at` (a letter dated before a new sign-up) still allows the sharing.
    if (
        purpose.code == PARTICIPANT_SHARING
        and not Consent.objects.filter(subject=subject, purpose=purpose, withdrawn_at__isnull=True).exists()
    ):
        _stop_participant_sharing(subject=subject)
    _end_purpose(subject=subject, activity_codes=[purpose.activity.code], ended_on=timezone.localdate(at))
    return live


def _stop_participant_sharing(*, subject: DataSubject) -> int:
    """The person's registrations are no longer shared with other participants: the consent that allowed it is
    withdrawn. Their records stay (they rest on the registration, Art. 6(1)(b)); only the sharing stops.
    Returns how many registrations changed."""
    pks = list(
        EventRegistration.objects.filter(subject=subject, share_with_participants=True).values_list("pk", flat=True)
    )
    if not pks:
        return 0
    EventRegistration.objects.filter(pk__in=pks).update(share_with_participants=False, updated_at=timezone.now())
    audit_record_many(
        [
            event_for(
                EventRegistration(pk=pk, subject_id=subject.pk), Action.CHANGE, fields=["share_with_participants"]
            )
            for pk in pks
        ]
    )
    return len(pks)


@transaction.atomic
def objection_record(*, subject: DataSubject, activity_code: str, channel: str, note: str = "") -> Objection:
    """Records an objection (Art. 21 GDPR) of `subject` to the processing activity `activity_code`.

    Only activities open to objection (legitimate interest, direct marketing) take one. An
    objection to direct marketing is absolute: it is upheld at once, the person's addresses
    go on the suppression list for all direct marketing, and the purpose ends. Any other
    objection waits, pending, for the DPO's decision (`objection_decide`); until then
    `may_contact` says no for that activity. Raises ValidationError.
    """
    activity = ProcessingActivity.objects.filter(code=activity_code).first()
    if activity is None:
        raise _invalid("activity", _("Unknown processing activity."), "unknown_activity")
    if not (activity.objection_possible or activity.is_marketing):
        raise _invalid(
            "activity", _("This processing is not open to objection (Art. 21 GDPR)."), "no_objection_possible"
        )
    channel = _check_channel(channel)
    # The person's row locked: two requests recording the same objection at once would both find none live.
    DataSubject.objects.select_for_update().filter(pk=subject.pk).first()
    Objection.check_new(subject=subject, objected_activity=activity)
    now = timezone.now()
    objection = Objection(
        subject=subject,
        objected_activity=activity,
        is_marketing=activity.is_marketing,
        channel=channel,
        received_at=now,
        note=note,
        activity=ProcessingActivity.objects.get(code=Objection.default_activity),
        category=DataCategory.objects.get(code=Objection.default_category),
        source=SOURCE_FOR_CHANNEL[channel],
    )
    if activity.is_marketing:
        objection.uphold(at=now, by=current_actor().name, reasons=Objection.marketing_reasons)
    objection.full_clean()
    objection.save()
    audit_record(objection, Action.CREATE, fields=["objected_activity", "channel", "note", "status"])
    if activity.is_marketing:
        _suppress_subject(subject=subject, reason=SuppressionEntry.Reason.MARKETING_OBJECTION)
        _end_purpose(subject=subject, activity_codes=[activity.code], ended_on=timezone.localdate(now))
    return objection


@transaction.atomic
def objection_decide(*, objection: Objection, upheld: bool, reasons: str) -> Objection:
    """The DPO's decision on a pending objection.

    Upheld: the processing stops for this person (the purpose ends, the retention engine
    removes or restricts the data, the addresses are suppressed for this activity).
    Rejected: only with the compelling legitimate grounds stated in `reasons` (Art. 21(1)).
    Raises ValidationError when the objection is decided already or grounds are missing.
    """
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("objected_activity", "subject")
        .get(pk=objection.pk)
    )
    now = timezone.now()
    try:
        if upheld:
            objection.uphold(at=now, by=current_actor().name, reasons=reasons.strip())
        else:
            objection.reject(at=now, by=current_actor().name, reasons=reasons.strip())
    except ConsentStateError as exc:
        raise _state_error(exc) from None
    objection.save(update_fields=["status", "decided_at", "decided_by", "reasons", "reasons_en", "updated_at"])
    audit_record(objection, Action.CHANGE, fields=["status", "decided_at", "decided_by", "reasons"])
    if upheld:
        _suppress_subject(
            subject=objection.subject, reason=SuppressionEntry.Reason.OBJECTION, activity=objection.objected_activity
        )
        _end_purpose(
            subject=objection.subject,
            activity_codes=[objection.objected_activity.code],
            ended_on=timezone.localdate(now),
        )
    return objection


def _subject_contacts(subject: DataSubject) -> tuple[list[str], list[str]]:
    emails = list(EmailAddress.objects.filter(subject=subject).values_list("email", flat=True))
    emails += list(Consent.objects.filter(subject=subject).exclude(email="").values_list("email", flat=True))
    # A stored number that does not parse cannot be hashed, nor matched by `may_contact` (see
    # ContactHasher): it is left out, never a reason to refuse an erasure or an objection.
    hasher = ContactHasher()
    phones = [
        p for p in PhoneNumber.objects.filter(subject=subject).values_list("number", flat=True) if hasher("phone", p)
    ]
    return emails, phones


def _suppress_subject(*, subject: DataSubject, reason: str, activity: ProcessingActivity | None = None) -> int:
    emails, phones = _subject_contacts(subject)
    return _suppress(subject_ref=subject.pk, emails=emails, phones=phones, reason=reason, activity=activity)


def _suppress(*, subject_ref, emails, phones, reason: str, activity: ProcessingActivity | None, note: str = "") -> int:
    hashes = {("email", contact_hash("email", e)) for e in emails if e and e.strip()}
    for phone in phones:
        if phone and phone.strip():
            try:
                hashes.add(("phone", contact_hash("phone", phone)))
            except ValidationError:
                raise _invalid("phones", _("Enter valid phone numbers."), "invalid_phone") from None
    existing = set(
        SuppressionEntry.objects.filter(
            value_hash__in=[h for _k, h in hashes], reason=reason, activity=activity
        ).values_list("value_hash", flat=True)
    )
    new = [
        SuppressionEntry(kind=kind, value_hash=h, reason=reason, activity=activity, subject_ref=subject_ref, note=note)
        for kind, h in sorted(hashes)
        if h not in existing
    ]
    # ignore_conflicts: a concurrent suppression of the same address is not an error.
    SuppressionEntry.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        audit_record(
            None,
            Action.CREATE,
            fields=["value_hash"],
            detail=f"consents.suppressionentry: {len(new)} added ({reason}) for subject {subject_ref or '-'}",
        )
    return len(new)


# The first word of `reason` says what the entry blocks; the rest is kept as a note.
PUBLIC_SUPPRESSION_REASONS = (
    SuppressionEntry.Reason.ERASURE,
    SuppressionEntry.Reason.REQUEST,
    SuppressionEntry.Reason.MARKETING_OBJECTION,
)


@transaction.atomic
def suppression_add(*, subject: DataSubject | None = None, emails=(), phones=(), reason: str) -> int:
    """Puts e-mail addresses and phone numbers on the suppression list, as salted hashes.

    With `subject`, every address and number held about the person is added too; call it
    before erasing them (reason "erasure …"), so that a later re-import of the same address is
    caught by `may_contact`. `reason` starts with "erasure" or "request" (no contact for any
    purpose) or "marketing_objection" (no direct marketing); what follows is kept as a note
    and must hold no personal data, e.g. "erasure DSR-2026-00017". Returns how many entries
    were new. Raises ValidationError for an unknown reason, a malformed address or number.
    """
    code, _sep, note = (reason or "").strip().partition(" ")
    if code not in PUBLIC_SUPPRESSION_REASONS:
        raise _invalid("reason", _("Unknown reason."), "invalid_reason")
    emails = list(emails)
    for email in emails:
        try:
            normalise_email(email)
        except ValidationError:
            raise _invalid("emails", _("Enter valid e-mail addresses."), "invalid_email") from None
    phones = list(phones)
    if subject is not None:
        more_emails, more_phones = _subject_contacts(subject)
        emails += more_emails
        phones += more_phones
    return _suppress(
        subject_ref=subject.pk if subject else None,
        emails=emails,
        phones=phones,
        reason=code,
        activity=None,
        note=note.strip()[:200],
    )


@transaction.atomic
def text_publish(
    *, purpose: ConsentPurpose, text_de: str, text_en: str, material_change: bool, change_note: str = ""
) -> ConsentText:
    """Publishes the next version of a purpose's consent text.

    A material change (more data, another purpose, another recipient) marks the purpose as
    needing re-consent from this version: earlier consents keep covering what they covered,
    and the re-consent report lists who must be asked again.
    """
    if not text_de.strip() or not text_en.strip():
        raise ValidationError(_("Give the text in German and English."), code="text_required")
    if material_change and not change_note.strip():
        raise _invalid("change_note", _("Describe the material change."), "change_note_required")
    purpose = ConsentPurpose.objects.select_for_update().get(pk=purpose.pk)
    current = purpose.texts.order_by("-version").first()
    if current is not None and (current.text_de, current.text_en) == (text_de.strip(), text_en.strip()):
        # A version is what a consent is tied to (Art. 7(1)): the same words twice would split its consents.
        raise ValidationError(
            _("The text is unchanged from version %(version)s: nothing was published."),
            code="text_unchanged",
            params={"version": current.version},
        )
    last = current.version if current else 0
    text = ConsentText.objects.create(
        purpose=purpose,
        version=last + 1,
        text_de=text_de.strip(),
        text_en=text_en.strip(),
        is_material_change=material_change,
        change_note=change_note.strip(),
    )
    audit_record(text, Action.CREATE, fields=["version", "text_de", "text_en", "is_material_change"])
    if material_change:
        purpose.reconsent_from_version = text.version
        purpose.save(update_fields=["reconsent_from_version", "updated_at"])
        audit_record(purpose, Action.CHANGE, fields=["reconsent_from_version"])
    return text


@transaction.atomic
def api_token_create(*, name: str, may_record: bool, may_query: bool, created_by=None) -> tuple[ApiToken, str]:
    """A new API token; returns it with the raw token, which is shown once and never stored."""
    raw, digest = new_token()
    token = ApiToken(name=name.strip(), prefix=raw[:8], digest=digest, may_record=may_record, may_query=may_query)
    token.created_by = created_by
    token.full_clean()
    token.save()
    audit_record(token, Action.CREATE, fields=["name", "may_record", "may_query"])
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revokes a token at once; revoking twice changes nothing."""
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        audit_record(token, Action.CHANGE, fields=["revoked_at"])
    token.refresh_from_db()
    return token
