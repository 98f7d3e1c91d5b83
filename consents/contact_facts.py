"""What `may_contact_many` needs to know about an audience, gathered in a constant number of queries.

The facts about one person (or one holder of an address) are a bit set, so that judging them
(selectors._judge) is one dictionary look-up per distinct combination rather than Python work
per address. Two gatherers produce the same `Facts`:

- `contact_sql.gather_postgresql`: one statement (plus one for the suppression list when the
  people's own addresses and numbers must be hashed), used on PostgreSQL;
- `gather_orm` below: portable ORM queries (at most six), used elsewhere (SQLite in tests).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Value
from django.utils import timezone

from subjects.models import DataSubject, EmailAddress, EventRegistration, Order, PhoneNumber, PostalAddress

from .hashing import ContactHasher
from .models import Consent, ConsentPurpose, ContactChannel, Objection, SuppressionEntry

# --- the bits of one person's facts -------------------------------------------------------
KNOWN = 1 << 0  # the person exists
RESTRICTED = 1 << 1
BLOCKED = 1 << 2
ERASED = 1 << 3
UPHELD = 1 << 4  # an upheld objection to the purpose's activity (or to direct marketing)
PENDING = 1 << 5  # a pending one
CUSTOMER = 1 << 6  # an existing customer relationship (always set for consent purposes)
C_ANY = 1 << 7  # a consent that counts for this address (or any consent, for a person)
C_EFF_OK = 1 << 8  # … one that is effective (live, confirmed if needed) and processable
C_EFF = 1 << 9  # … one that is effective
C_LIVE = 1 << 10  # … one that is not withdrawn
USABLE = 1 << 11  # a contact record on the channel asked about
USABLE_OK = 1 << 12  # … a processable one
SUPPRESSED = 1 << 13  # one of the person's own addresses or numbers is on the suppression list
# Of an address rather than of its holder:
ADDRESS_OK = 1 << 14  # the holder's record of this address is processable
ADDRESS_SUPPRESSED = 1 << 15  # the address itself is on the suppression list

CONTACT_CHANNELS = (ContactChannel.EMAIL, ContactChannel.PHONE, ContactChannel.POST)


class Activity(NamedTuple):
    """What SuppressionEntry.blocks() asks of the purpose's processing activity."""

    pk: int
    is_marketing: bool


class PurposeFacts(NamedTuple):
    needs_consent: bool
    covers: bool
    activity: Activity


@dataclass
class Contact:
    kind: str  # "email", "phone", "post"
    value: str
    processable: bool


@dataclass
class Facts:
    purpose: PurposeFacts | None  # None: no active purpose with that code
    # Normalised address -> the bits of each holder; absent: nobody holds it.
    holders: dict[str, list[int]] = field(default_factory=dict)
    suppressed_addresses: set[str] = field(default_factory=set)
    subjects: dict[int, int] = field(default_factory=dict)  # id -> bits; absent: unknown
    # The people whose own addresses and numbers count (see `contact_subjects`).
    contacts: dict[int, list[Contact]] = field(default_factory=lambda: defaultdict(list))


def contact_subjects(channel: str, subject_keys: set[int], holder_ids: set[int]) -> set[int]:
    """Whose contact records are read: the e-mail channel to a given address needs nothing more
    than that address; anything else needs the person's addresses and numbers (for the
    channel, and for the suppression list)."""
    return set(subject_keys) if channel == ContactChannel.EMAIL else subject_keys | holder_ids


def apply_contacts(
    facts: Facts,
    channel: str,
    by_subject: dict[int, int],
    email_holders: dict[str, list[tuple[int, int]]],
    address_hashes: dict[str, str],
) -> None:
    """Complete the facts from the contact records and the suppression list (one query, none if
    there is nothing to look up): USABLE, USABLE_OK and SUPPRESSED of each person in
    `by_subject` (their bits so far), SUPPRESSED of address holders for their phone numbers,
    and `suppressed_addresses` for the addresses in `address_hashes`.

    `email_holders` maps an address to (index in facts.holders[address], subject id) pairs.
    """
    hasher = ContactHasher()
    hashes = {
        sid: {hasher(c.kind, c.value) for c in contacts if c.kind != "post"} - {None}
        for sid, contacts in facts.contacts.items()
    }
    wanted = {h for hs in hashes.values() for h in hs} | set(address_hashes.values())
    listed = suppressed_hashes(wanted, facts.purpose.activity)
    facts.suppressed_addresses |= {email for email, h in address_hashes.items() if h in listed}
    for sid, bits in by_subject.items():
        usable = [c for c in facts.contacts.get(sid, ()) if c.kind == channel]
        if usable:
            bits |= USABLE
            if any(c.processable for c in usable):
                bits |= USABLE_OK
        if hashes.get(sid, set()) & listed:
            bits |= SUPPRESSED
        facts.subjects[sid] = bits
    if not listed:
        return
    # A holder of an address: the address's own hash counts per address; the holder's phone
    # numbers (read when the channel is not e-mail, or the holder was asked about too) count
    # against the holder.
    phones = {
        sid: {hasher("phone", c.value) for c in contacts if c.kind == "phone"} - {None}
        for sid, contacts in facts.contacts.items()
    }
    for email, index in email_holders.items():
        for i, sid in index:
            if phones.get(sid, set()) & listed:
                facts.holders[email][i] |= SUPPRESSED


def suppressed_hashes(hashes: set[str], activity: Activity) -> set[str]:
    """Those of `hashes` whose suppression list entry forbids contact for `activity` (one query, none if empty)."""
    if not hashes:
        return set()
    rows = (
        SuppressionEntry.objects.filter(AnyOf("value_hash", hashes))
        .order_by()
        .values_list("value_hash", "reason", "activity_id")
    )
    return {
        h
        for h, reason, activity_id in rows
        if SuppressionEntry(reason=reason, activity_id=activity_id).blocks(activity)
    }


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


# --- the portable gatherer ----------------------------------------------------------------


def gather_orm(*, purpose_code: str, channel: str, subject_keys: set[int], email_hashes: dict[str, str]) -> Facts:
    """The facts with the ORM: purpose, addresses, people, consents, contacts, suppression list."""
    purpose = ConsentPurpose.objects.select_related("activity").filter(code=purpose_code, is_active=True).first()
    if purpose is None:
        return Facts(None)
    activity = Activity(purpose.activity.pk, purpose.activity.is_marketing)
    facts = Facts(PurposeFacts(purpose.needs_consent, purpose.covers(channel), activity))
    if not facts.purpose.covers:
        return facts

    by_email: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    if email_hashes:
        addresses = (
            EmailAddress.objects.filter(AnyOf("email", email_hashes))
            .annotate(f_ok=Q(restricted_at__isnull=True, anonymised_at__isnull=True))
            .order_by()
        )
        for email, subject_id, processable in addresses.values_list("email", "subject_id", "f_ok"):
            by_email[email].append((subject_id, bool(processable)))
    holder_ids = {sid for holders in by_email.values() for sid, _ok in holders}
    subject_ids = subject_keys | holder_ids
    people = _subject_bits(purpose, subject_ids)
    consents = _consent_rows(purpose, subject_ids)
    facts.contacts = _contact_rows(channel, contact_subjects(channel, subject_keys, holder_ids))

    email_holders: dict[str, list[tuple[int, int]]] = {}
    for email in email_hashes:
        bits_list, index = [], []
        for i, (sid, processable) in enumerate(by_email.get(email, ())):
            bits = people.get(sid, 0)
            if bits:
                bits |= _consent_bits(consents.get(sid, ()), email) | (ADDRESS_OK if processable else 0)
            bits_list.append(bits)
            index.append((i, sid))
        if bits_list:
            facts.holders[email] = bits_list
            email_holders[email] = index
    by_subject = {
        sid: people[sid] | _consent_bits(consents.get(sid, ()), None) for sid in subject_keys if sid in people
    }
    apply_contacts(facts, channel, by_subject, email_holders, email_hashes)
    return facts


def _subject_bits(purpose: ConsentPurpose, subject_ids: set[int]) -> dict[int, int]:
    """Per person: KNOWN and the flags computed by the database (booleans are cheaper than timestamps)."""
    if not subject_ids:
        return {}
    activity = purpose.activity
    objected = Q(objected_activity_id=activity.pk)
    if activity.is_marketing:
        objected |= Q(is_marketing=True)  # an objection to direct marketing covers all of it
    live = Objection.objects.filter(objected, subject_id=OuterRef("pk"))
    if purpose.needs_consent:
        customer = Value(True)
    else:
        # An existing customer relationship (§ 7(3) UWG): an order, or an event registration, attended or not: the
        # policy counts events among its goods and services, and a registration is a contract for one (the register's
        # event-management rests on Art. 6(1)(b)). contact_sql's `customer` asks the same.
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
    return {
        pk: KNOWN
        | (RESTRICTED if restricted else 0)
        | (BLOCKED if blocked else 0)
        | (ERASED if erased else 0)
        | (UPHELD if upheld else 0)
        | (PENDING if pending else 0)
        | (CUSTOMER if customer else 0)
        for pk, restricted, blocked, erased, upheld, pending, customer in rows
    }


def _consent_rows(purpose: ConsentPurpose, subject_ids: set[int]) -> dict[int, list[tuple]]:
    """Per person: [(email, live, effective, record processable), …] of their consents to `purpose`."""
    rows: dict[int, list[tuple]] = defaultdict(list)
    if not purpose.needs_consent or not subject_ids:
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


def _consent_bits(consents: Iterable[tuple], email: str | None) -> int:
    if email is not None:
        # Written to a given address: the consent must be for that address (the one the double
        # opt-in confirmed), or for no particular address (given on paper, by phone).
        consents = [c for c in consents if c[0] in ("", email)]
    bits = 0
    for _email, live, effective, ok in consents:
        bits |= C_ANY | (C_LIVE if live else 0) | (C_EFF if effective else 0) | (C_EFF_OK if effective and ok else 0)
    return bits


def _contact_rows(channel: str, subject_ids: set[int]) -> dict[int, list[Contact]]:
    """Every e-mail address and phone number (and, for post, address) of these people, in one query."""
    rows: dict[int, list[Contact]] = defaultdict(list)
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
        rows[subject_id].append(Contact(kind, value, bool(processable)))
    return rows
