"""Reads: the one answer to "may we contact this person for this purpose on this channel?", audiences,
the re-consent report, consent history and the purpose chart.

`may_contact_many` answers for any number of people in a constant number of queries (at most
six, whatever the audience size); `may_contact` is the same for one person.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from subjects.models import DataSubject, EmailAddress, EventRegistration, Order, PhoneNumber, PostalAddress

from .hashing import ContactHasher, normalise_email
from .models import Consent, ConsentEvent, ConsentPurpose, ContactChannel, Objection, SuppressionEntry


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


class AnyOf(Func):
    """`column = ANY(…)` with the whole list as one parameter on PostgreSQL (one short statement
    for 100,000 addresses instead of 100,000 placeholders); `IN (…)` elsewhere.

    The list travels as one newline-joined string split by the server: adapting a Python list
    of 100,000 strings to an array costs more than the query. A newline never occurs in an
    e-mail address, a hash or an id.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, values: Iterable) -> None:
        super().__init__(F(column))
        self.values = list(values)

    def as_sql(self, compiler, connection, **extra_context):
        lhs, params = compiler.compile(self.source_expressions[0])
        if not self.values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            if all(isinstance(v, int) for v in self.values):
                return f"{lhs} = ANY(string_to_array(%s, E'\\n')::bigint[])", [
                    *params,
                    "\n".join(map(str, self.values)),
                ]
            return f"{lhs} = ANY(string_to_array(%s, E'\\n'))", [*params, "\n".join(self.values)]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.values))})", [*params, *self.values]


@dataclass
class _Contact:
    kind: str  # "email", "phone", "post"
    value: str
    processable: bool
    hash: str | None = None


def _subject_rows(purpose: ConsentPurpose, subject_ids: set[int]) -> dict[int, tuple]:
    """Per person: (id, restricted, blocked, erased, objection upheld, objection pending, customer).

    Flags are computed by the database: booleans are cheaper to fetch than timestamps.
    """
    activity = purpose.activity
    objected = Q(objected_activity_id=activity.pk)
    if activity.is_marketing:
        objected |= Q(is_marketing=True)  # an objection to direct marketing covers all of it
    live = Objection.objects.filter(objected, subject_id=OuterRef("pk"))
    if purpose.needs_consent:
        customer = Value(True)
    else:
        # An existing customer relationship (§ 7(3) UWG): an order, or an event attended.
        customer = Exists(Order.objects.processable().filter(subject_id=OuterRef("pk"))) | Exists(
            EventRegistration.objects.processable().filter(subject_id=OuterRef("pk"))
        )
    qs = DataSubject.objects.filter(AnyOf("id", subject_ids)).annotate(
        f_restricted=Q(restricted_at__isnull=False),
        f_erased=Q(erased_at__isnull=False),
        f_upheld=Exists(live.filter(status=Objection.Status.UPHELD)),
        f_pending=Exists(live.filter(status=Objection.Status.PENDING)),
        f_customer=customer,
    )
    rows = qs.order_by().values_list(
        "pk", "f_restricted", "is_blocked", "f_erased", "f_upheld", "f_pending", "f_customer"
    )
    return {row[0]: row for row in rows}


def _consent_rows(purpose: ConsentPurpose, subject_ids: set[int]) -> dict[int, list[tuple]]:
    """Per person: [(email, live, effective, record processable), …] of their consents to `purpose`."""
    rows: dict[int, list[tuple]] = defaultdict(list)
    if not purpose.needs_consent:
        return rows
    live = Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=timezone.now())
    qs = (
        Consent.objects.filter(AnyOf("subject_id", subject_ids), purpose=purpose)
        .annotate(
            f_live=live,
            f_effective=live & (Q(needs_confirmation=False) | Q(confirmed_at__isnull=False)),
            f_ok=Q(restricted_at__isnull=True, anonymised_at__isnull=True),
        )
        .order_by()
    )
    for subject_id, *row in qs.values_list("subject_id", "email", "f_live", "f_effective", "f_ok"):
        rows[subject_id].append(row)
    return rows


def _contact_rows(channel: str, subject_ids: set[int]) -> dict[int, list[_Contact]]:
    """Every e-mail address and phone number (and, for post, address) of these people, in one query."""
    rows: dict[int, list[_Contact]] = defaultdict(list)
    if not subject_ids:
        return rows
    ok = Q(restricted_at__isnull=True, anonymised_at__isnull=True)

    def part(model, kind: str, value_field: str | None):
        value = F(value_field) if value_field else Value("")
        return (
            model.objects.filter(AnyOf("subject_id", subject_ids))
            .annotate(c_kind=Value(kind), c_value=value, c_ok=Q(ok))
            .order_by()
            .values_list("subject_id", "c_kind", "c_value", "c_ok")
        )

    qs = part(EmailAddress, "email", "email").union(part(PhoneNumber, "phone", "number"), all=True)
    if channel == ContactChannel.POST:
        qs = qs.union(part(PostalAddress, "post", None), all=True)
    for subject_id, kind, value, processable in qs:
        rows[subject_id].append(_Contact(kind, value, bool(processable)))
    return rows


def _consent_reasons(consents: list, email: str | None) -> list[str]:
    if email is not None:
        # Written to a given address: the consent must be for that address (the one the double
        # opt-in confirmed), or for no particular address (given on paper, by phone).
        consents = [c for c in consents if c[0] in ("", email)]
    if not consents:
        return [Reason.NO_CONSENT]
    if any(effective and ok for _e, _live, effective, ok in consents):
        return []
    if any(effective for _e, _live, effective, _ok in consents):
        return [Reason.RECORD_RESTRICTED]
    if any(live for _e, live, _eff, _ok in consents):
        return [Reason.CONSENT_NOT_CONFIRMED]
    return [Reason.CONSENT_WITHDRAWN]


def _judge(
    purpose: ConsentPurpose,
    channel: str,
    subject: tuple | None,
    consents: list,
    contacts: list[_Contact],
    email: str | None,
    suppressed: set[str],
) -> list[str]:
    """The reasons against contacting one person (empty: allowed)."""
    if subject is None:
        return [Reason.UNKNOWN_PERSON]
    reasons = []
    _pk, restricted, blocked, erased, upheld, pending, customer = subject
    if erased:
        reasons.append(Reason.ERASED)
    if blocked:
        reasons.append(Reason.BLOCKED)
    if restricted:
        reasons.append(Reason.RESTRICTED)
    if upheld:
        reasons.append(Reason.OBJECTION)
    if pending:
        reasons.append(Reason.OBJECTION_PENDING)
    if purpose.needs_consent:
        reasons += _consent_reasons(consents, email)
    elif not customer:
        reasons.append(Reason.NO_CUSTOMER_RELATIONSHIP)
    if channel in (ContactChannel.EMAIL, ContactChannel.PHONE, ContactChannel.POST):
        usable = [c for c in contacts if c.kind == channel and (email is None or c.value == email)]
        if not usable:
            reasons.append(Reason.NO_CONTACT_DATA)
        elif not any(c.processable for c in usable):
            reasons.append(Reason.RECORD_RESTRICTED)
    if any(c.hash in suppressed for c in contacts if c.hash):
        reasons.append(Reason.SUPPRESSED)
    return reasons


_ORDER = {code: i for i, code in enumerate(v for k, v in vars(Reason).items() if k.isupper() and isinstance(v, str))}


def _decision(reasons: Iterable[str]) -> ContactDecision:
    if not reasons:
        return ALLOWED
    reasons = sorted(set(reasons), key=_ORDER.__getitem__)
    return ContactDecision(not reasons, reasons) if reasons else ALLOWED


def may_contact_many(*, purpose_code: str, channel: str, subjects: Iterable = (), emails: Iterable[str] = ()) -> dict:
    """`may_contact` for a whole audience, in at most six queries whatever its size.

    `subjects` are DataSubject instances or ids; `emails` bare addresses. Returns a dict
    mapping each subject id and each normalised address (as given, if malformed) to its
    ContactDecision.
    """
    subject_keys = {s if isinstance(s, int) else s.pk for s in subjects}
    email_keys: dict[str, str] = {}
    result: dict = {}
    for raw in emails:
        try:
            email_keys[raw] = normalise_email(raw)
        except ValidationError:
            result[raw] = ContactDecision(False, [Reason.INVALID_EMAIL])
    keys = list(subject_keys) + list(set(email_keys.values()))
    if not keys:
        return result

    purpose = ConsentPurpose.objects.select_related("activity").filter(code=purpose_code, is_active=True).first()
    refusal = None
    if purpose is None:
        refusal = ContactDecision(False, [Reason.UNKNOWN_PURPOSE])
    elif not purpose.covers(channel):
        refusal = ContactDecision(False, [Reason.CHANNEL_NOT_COVERED])
    if refusal is not None:
        result.update(dict.fromkeys(subject_keys, refusal))
        result.update(dict.fromkeys(email_keys, refusal))
        return result

    # Who holds these addresses, and whether that record may still be processed.
    by_email: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    if email_keys:
        addresses = (
            EmailAddress.objects.filter(AnyOf("email", set(email_keys.values())))
            .annotate(f_ok=Q(restricted_at__isnull=True, anonymised_at__isnull=True))
            .order_by()
        )
        for email, subject_id, processable in addresses.values_list("email", "subject_id", "f_ok"):
            by_email[email].append((subject_id, processable))
    mapped = {sid for holders in by_email.values() for sid, _ok in holders}
    subject_ids = subject_keys | mapped

    subject_rows = _subject_rows(purpose, subject_ids)
    consent_rows = _consent_rows(purpose, subject_ids)
    # The e-mail channel to a given address needs nothing more; anything else needs the
    # person's addresses and numbers (for the channel, and for the suppression list).
    contact_ids = set(subject_keys) if channel == ContactChannel.EMAIL else subject_ids
    contact_rows = _contact_rows(channel, contact_ids)

    hasher = ContactHasher()
    hashes = set()
    for contacts in contact_rows.values():
        for c in contacts:
            c.hash = hasher(c.kind, c.value) if c.kind != "post" else None
            hashes.add(c.hash)
    email_hashes = {email: hasher("email", email) for email in set(email_keys.values())}
    hashes |= set(email_hashes.values())
    hashes.discard(None)
    suppressed = {
        h
        for h, reason, activity_id in SuppressionEntry.objects.filter(AnyOf("value_hash", hashes))
        .order_by()
        .values_list("value_hash", "reason", "activity_id")
        if SuppressionEntry(reason=reason, activity_id=activity_id).blocks(purpose.activity)
    }

    for sid in subject_keys:
        reasons = _judge(
            purpose,
            channel,
            subject_rows.get(sid),
            consent_rows.get(sid, []),
            contact_rows.get(sid, []),
            None,
            suppressed,
        )
        result[sid] = _decision(reasons)
    by_normal: dict[str, ContactDecision] = {}
    for email, email_hash in email_hashes.items():
        holders = by_email.get(email, [])
        if not holders:
            reasons = [Reason.UNKNOWN_PERSON]
        else:
            per_subject = []
            for sid, processable in holders:
                # This address (its hash is checked below), and the person's other kinds of contact.
                contacts = [_Contact("email", email, processable)]
                contacts += [c for c in contact_rows.get(sid, ()) if c.kind != "email"]
                per_subject.append(
                    _judge(
                        purpose, channel, subject_rows.get(sid), consent_rows.get(sid, []), contacts, email, suppressed
                    )
                )
            hard = {r for reasons in per_subject for r in reasons if r in Reason.HARD}
            if hard or not any(not r for r in per_subject):
                reasons = hard or {r for rs in per_subject for r in rs}
            else:
                reasons = []
        if email_hash in suppressed:
            reasons = [*reasons, Reason.SUPPRESSED]
        by_normal[email] = _decision(reasons)
    for raw, email in email_keys.items():
        result[raw] = by_normal[email]
    return result


def may_contact(*, purpose_code: str, channel: str, subject=None, email: str | None = None) -> ContactDecision:
    """May the company use this person's data for `purpose_code` on `channel` now?

    Checks, for a known `subject` or a bare `email` (or both: then the address must be the
    subject's): a valid consent (confirmed where double opt-in applies, not withdrawn), or
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
    if by_email.reasons == [Reason.UNKNOWN_PERSON]:
        return ContactDecision(False, [Reason.NO_CONTACT_DATA])
    return _decision([*by_subject.reasons, *by_email.reasons])


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
