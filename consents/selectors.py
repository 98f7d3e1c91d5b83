"""Reads: the one answer to "may we contact this person for this purpose on this channel?", audiences,
the re-consent report, consent history and the purpose chart.

`may_contact_many` answers for any number of people in a constant number of queries (one
statement for addresses on PostgreSQL; see contact_facts), `may_contact` is the same for one
person.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from subjects.models import EmailAddress

from . import contact_facts as facts
from .contact_sql import gather_postgresql
from .hashing import ContactHasher, normalise_email
from .models import Consent, ConsentEvent, ConsentPurpose, ContactChannel


class Reason:
    """Why `may_contact` says no. Codes, stable for API clients; several may apply at once."""

    UNKNOWN_PURPOSE = "unknown_purpose"
    CHANNEL_NOT_COVERED = "channel_not_covered"
    INVALID_EMAIL = "invalid_email"
    UNKNOWN_PERSON = "unknown_person"
    NO_CONSENT = "no_consent"
    CONSENT_NOT_CONFIRMED = "consent_not_confirmed"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    NO_CUSTOMER_RELATIONSHIP = "no_customer_relationship"
    OBJECTION = "objection"
    OBJECTION_PENDING = "objection_pending"
    RESTRICTED = "restricted"
    RECORD_RESTRICTED = "record_restricted"
    NO_CONTACT_DATA = "no_contact_data"
    SUPPRESSED = "suppressed"
    BLOCKED = "blocked"
    ERASED = "erased"

    # Reasons about the person rather than one of their records: where one address belongs to
    # several people, any of these in one of them forbids writing to the address at all.
    HARD = frozenset({OBJECTION, OBJECTION_PENDING, SUPPRESSED, BLOCKED, RESTRICTED, ERASED})


@dataclass(frozen=True)
class ContactDecision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = ContactDecision(True, [])


def _judge(bits: int, needs_consent: bool, channel: str, address: bool) -> tuple[str, ...]:
    """The reasons against contacting one person (empty: allowed), from their facts.

    `address`: judged as the holder of an address asked about, so the channel's contact record
    is that address (on the e-mail channel) and ADDRESS_OK says whether it is processable.
    """
    if not bits & facts.KNOWN:
        return (Reason.UNKNOWN_PERSON,)
    reasons = []
    if bits & facts.ERASED:
        reasons.append(Reason.ERASED)
    if bits & facts.BLOCKED:
        reasons.append(Reason.BLOCKED)
    if bits & facts.RESTRICTED:
        reasons.append(Reason.RESTRICTED)
    if bits & facts.UPHELD:
        reasons.append(Reason.OBJECTION)
    if bits & facts.PENDING:
        reasons.append(Reason.OBJECTION_PENDING)
    if needs_consent:
        if not bits & facts.C_ANY:
            reasons.append(Reason.NO_CONSENT)
        elif bits & facts.C_EFF_OK:
            pass
        elif bits & facts.C_EFF:
            reasons.append(Reason.RECORD_RESTRICTED)
        elif bits & facts.C_LIVE:
            reasons.append(Reason.CONSENT_NOT_CONFIRMED)
        else:
            reasons.append(Reason.CONSENT_WITHDRAWN)
    elif not bits & facts.CUSTOMER:
        reasons.append(Reason.NO_CUSTOMER_RELATIONSHIP)
    if channel in facts.CONTACT_CHANNELS:
        if address:
            usable, usable_ok = channel == ContactChannel.EMAIL, bits & facts.ADDRESS_OK
        else:
            usable, usable_ok = bits & facts.USABLE, bits & facts.USABLE_OK
        if not usable:
            reasons.append(Reason.NO_CONTACT_DATA)
        elif not usable_ok:
            reasons.append(Reason.RECORD_RESTRICTED)
    if bits & facts.SUPPRESSED:
        reasons.append(Reason.SUPPRESSED)
    return tuple(reasons)


def _judge_address(holders: tuple[int, ...], suppressed: bool, needs_consent: bool, channel: str) -> list[str]:
    """The reasons against writing to an address, from the facts of everyone holding it."""
    if not holders:
        reasons = {Reason.UNKNOWN_PERSON}
    else:
        per_subject = [_judge(bits, needs_consent, channel, True) for bits in holders]
        # A reason about one of the people forbids the address; otherwise one holder who may be
        # written to is enough.
        hard = {r for reasons in per_subject for r in reasons if r in Reason.HARD}
        if hard:
            reasons = hard
        elif all(per_subject):
            reasons = {r for rs in per_subject for r in rs}
        else:
            reasons = set()
    if suppressed:
        reasons.add(Reason.SUPPRESSED)
    return reasons


_ORDER = {code: i for i, code in enumerate(v for k, v in vars(Reason).items() if k.isupper() and isinstance(v, str))}


def _decision(reasons: Iterable[str]) -> ContactDecision:
    if not reasons:
        return ALLOWED
    reasons = sorted(set(reasons), key=_ORDER.__getitem__)
    return ContactDecision(not reasons, reasons) if reasons else ALLOWED


def may_contact_many(*, purpose_code: str, channel: str, subjects: Iterable = (), emails: Iterable[str] = ()) -> dict:
    """`may_contact` for a whole audience, in a constant number of queries whatever its size.

    `subjects` are DataSubject instances or ids; `emails` bare addresses. Returns a dict
    mapping each subject id and each normalised address (as given, if malformed) to its
    ContactDecision.

    On PostgreSQL one statement gathers the facts (a prepared one for a single person; for an
    audience wrapped in two tiny statements that tune and restore the session; one more for the
    suppression list when subjects or another channel are asked about: see contact_sql);
    elsewhere at most six ORM queries (contact_facts.gather_orm). Decisions are judged once per
    distinct combination of facts, not once per address: equal decisions are one shared object,
    so treat them (and their `reasons`) as read-only.
    """
    subject_keys = {s if isinstance(s, int) else s.pk for s in subjects}
    email_keys: dict[str, str] = {}
    result: dict = {}
    hasher = ContactHasher()
    email_hashes: dict[str, str] = {}
    for raw in emails:
        if raw in email_keys:
            continue
        try:
            email = email_keys[raw] = normalise_email(raw)
        except ValidationError:
            result[raw] = ContactDecision(False, [Reason.INVALID_EMAIL])
            continue
        if email not in email_hashes:
            email_hashes[email] = hasher.email(email)
    if not subject_keys and not email_keys:
        return result

    gather = gather_postgresql if connection.vendor == "postgresql" else facts.gather_orm
    found = gather(purpose_code=purpose_code, channel=channel, subject_keys=subject_keys, email_hashes=email_hashes)
    refusal = None
    if found.purpose is None:
        refusal = ContactDecision(False, [Reason.UNKNOWN_PURPOSE])
    elif not found.purpose.covers:
        refusal = ContactDecision(False, [Reason.CHANNEL_NOT_COVERED])
    if refusal is not None:
        result.update(dict.fromkeys(subject_keys, refusal))
        result.update(dict.fromkeys(email_keys, refusal))
        return result
    needs_consent = found.purpose.needs_consent

    judged: dict[int, ContactDecision] = {}
    for sid in subject_keys:
        bits = found.subjects.get(sid, 0)
        if bits not in judged:
            judged[bits] = _decision(_judge(bits, needs_consent, channel, False))
        result[sid] = judged[bits]
    by_facts: dict[tuple, ContactDecision] = {}
    holders, suppressed = found.holders, found.suppressed_addresses
    for raw, email in email_keys.items():
        bits = holders.get(email, ())
        key = (tuple(sorted(bits)) if len(bits) > 1 else tuple(bits), email in suppressed)
        decision = by_facts.get(key)
        if decision is None:
            decision = by_facts[key] = _decision(_judge_address(*key, needs_consent, channel))
        result[raw] = decision
    return result


def may_contact(*, purpose_code: str, channel: str, subject=None, email: str | None = None) -> ContactDecision:
    """May the company use this person's data for `purpose_code` on `channel` now?

    Checks, for a known `subject` or a bare `email` (or both: then the address must be the
    subject's, else the answer is `no_contact_data`): a valid consent (confirmed where double opt-in applies, not withdrawn), or
    for an opt-out purpose an existing customer relationship; no objection (upheld or
    pending); the person not restricted, erased or blocked by sanctions screening; the
    consent and contact records processable; no address on the suppression list.
    Returns ContactDecision(allowed, reasons) with the `Reason` codes against it.
    """
    if subject is None and email is None:
        raise ValueError("may_contact needs a subject or an e-mail address")
    if subject is None:
        return may_contact_many(purpose_code=purpose_code, channel=channel, emails=[email])[email]
    sid = subject if isinstance(subject, int) else subject.pk
    if email is None:
        return may_contact_many(purpose_code=purpose_code, channel=channel, subjects=[sid])[sid]
    # Both: judge the address, but only as this person's.
    decisions = may_contact_many(purpose_code=purpose_code, channel=channel, subjects=[sid], emails=[email])
    by_subject, by_email = decisions[sid], decisions[email]
    refused = {Reason.UNKNOWN_PURPOSE, Reason.CHANNEL_NOT_COVERED, Reason.INVALID_EMAIL}
    if not refused.intersection(by_email.reasons) and not _holds(sid, email):
        # Someone else's address (or nobody's) is no contact record of this person: the other
        # holders' consents must not speak for them.
        return ContactDecision(False, [Reason.NO_CONTACT_DATA])
    return _decision([*by_subject.reasons, *by_email.reasons])


def _holds(subject_id: int, email: str) -> bool:
    return EmailAddress.objects.filter(subject_id=subject_id, email=normalise_email(email)).exists()


@dataclass(frozen=True)
class AudienceMember:
    subject_id: int
    email: str
    first_name: str
    last_name: str
    language: str


def eligible_audience(*, purpose_code: str, channel: str = ContactChannel.EMAIL) -> list[AudienceMember]:
    """Everyone who may be written to for `purpose_code` by e-mail now, one row per address.

    Candidates are found in SQL (live consents, or for an opt-out purpose every processable
    address), then judged by `may_contact_many`: a constant number of queries.
    """
    if channel != ContactChannel.EMAIL:
        raise ValueError("the audience export is for e-mail")
    purpose = ConsentPurpose.objects.filter(code=purpose_code).first()
    if purpose is None:
        return []
    addresses = EmailAddress.objects.processable().filter(subject__erased_at__isnull=True)
    if purpose.needs_consent:
        addresses = addresses.filter(
            Exists(
                Consent.objects.filter(purpose=purpose, subject_id=OuterRef("subject_id"), withdrawn_at__isnull=True)
            )
        )
    rows = list(
        addresses.order_by("email", "subject_id").values_list(
            "email", "subject_id", "subject__first_name", "subject__last_name", "subject__language"
        )
    )
    decisions = may_contact_many(purpose_code=purpose_code, channel=channel, emails={r[0] for r in rows})
    seen, members = set(), []
    for email, sid, first, last, lang in rows:
        if email in seen or not decisions[email].allowed:
            continue
        seen.add(email)
        members.append(AudienceMember(sid, email, first, last, lang))
    return members


def reconsent_audience(*, purpose: ConsentPurpose) -> list[Consent]:
    """`reconsent_due` without the people who may not be contacted at all (an objection, the suppression list,
    a restriction, an erasure, a sanctions block): asking them to consent again is itself the contact they
    refused. A constant number of queries."""
    consents = list(reconsent_due(purpose=purpose))
    if not consents:
        return []
    decisions = may_contact_many(
        purpose_code=purpose.code, channel=purpose.channels[0], subjects={c.subject_id for c in consents}
    )
    return [c for c in consents if not Reason.HARD.intersection(decisions[c.subject_id].reasons)]


def consent_covered(*, subject, purpose_code: str, at: datetime.datetime) -> bool:
    """Whether processing of `subject`'s data for `purpose_code` at `at` rested on a consent.

    For the auditor: a later withdrawal does not change the answer for earlier moments.
    """
    consents = Consent.objects.filter(subject=subject, purpose__code=purpose_code)
    return any(c.covered_at(at) for c in consents)


def reconsent_due(*, purpose: ConsentPurpose):
    """Live consents to a version before the purpose's last material change, of people who have
    not consented to a version since: the people to ask again."""
    since = purpose.reconsent_from_version
    current = Consent.objects.filter(
        purpose=purpose, withdrawn_at__isnull=True, text__version__gte=since, subject_id=OuterRef("subject_id")
    )
    return (
        Consent.objects.filter(purpose=purpose, withdrawn_at__isnull=True, text__version__lt=since)
        .filter(Q(needs_confirmation=False) | Q(confirmed_at__isnull=False))
        .exclude(Exists(current))
        .select_related("subject", "text")
        .order_by("subject__last_name", "subject__first_name", "pk")
    )


def consent_history(*, subject=None, purpose=None):
    """Every consent event, oldest first, with what an auditor needs alongside (one query)."""
    qs = ConsentEvent.objects.select_related("consent__subject", "consent__text", "purpose")
    if subject is not None:
        qs = qs.filter(consent__subject=subject)
    if purpose is not None:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("at", "pk")


def purpose_event_counts(*, purpose: ConsentPurpose, months: int = 12) -> list[dict]:
    """Given / confirmed / withdrawn per month for the last `months` months (one query).

    [{"month": date, "given": n, "confirmed": n, "withdrawn": n}, …], oldest month first.
    """
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - (months - 1)
    first = datetime.date(index // 12, index % 12 + 1, 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    counts = (
        ConsentEvent.objects.filter(purpose=purpose, at__gte=start)
        .annotate(month=TruncMonth("at"))
        .values("month", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[datetime.date, dict] = {}
    month = first
    while month <= today:
        table[month] = {"month": month, "given": 0, "confirmed": 0, "withdrawn": 0}
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    for row in counts:
        key = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        if key in table:
            table[key][row["kind"]] = row["n"]
    return list(table.values())


def purpose_choices() -> list[tuple[str, str]]:
    """(code, name) of the active purposes one can consent to, for forms that take a withdrawal."""
    purposes = ConsentPurpose.objects.filter(is_active=True).exclude(basis=ConsentPurpose.Basis.OPT_OUT)
    return [(p.code, p.name) for p in purposes.order_by("code")]
