"""`may_contact_many`'s facts in one PostgreSQL statement (the ORM version is in contact_facts.py).

One round trip answers everything the judgement needs about a whole audience: the purpose
(looked up by code in the same statement, so it can never be stale), per address and holder
the person's flags, the consents that may be used for that address, objections, the
processability of the address record and whether the address's own hash is on the
suppression list. Reading it all in one statement also reads one snapshot: no withdrawal can
fall between the consent query and the objection query.

Addresses, their hashes and subject ids travel as newline-joined strings split by the server
(see selectors.AnyOf: one short parameter instead of 100,000 placeholders).

Each `who` row becomes one bit set (the FACT_* bits of contact_facts); the index each part
uses is named next to it.
"""

from collections import defaultdict

from django.db import connection
from django.utils import timezone

from subjects.models import DataSubject, EmailAddress, EventRegistration, Order, PhoneNumber, PostalAddress

from .contact_facts import (
    ADDRESS_OK,
    ADDRESS_SUPPRESSED,
    BLOCKED,
    C_ANY,
    C_EFF,
    C_EFF_OK,
    C_LIVE,
    CUSTOMER,
    ERASED,
    KNOWN,
    PENDING,
    RESTRICTED,
    UPHELD,
    Activity,
    Contact,
    Facts,
    PurposeFacts,
    apply_contacts,
)
from .models import Consent, ConsentPurpose, ContactChannel, Objection, SuppressionEntry

_T = {
    "purpose": ConsentPurpose._meta.db_table,
    "activity": ConsentPurpose._meta.get_field("activity").related_model._meta.db_table,
    "subject": DataSubject._meta.db_table,
    "email": EmailAddress._meta.db_table,
    "phone": PhoneNumber._meta.db_table,
    "post": PostalAddress._meta.db_table,
    "order": Order._meta.db_table,
    "event": EventRegistration._meta.db_table,
    "consent": Consent._meta.db_table,
    "objection": Objection._meta.db_table,
    "suppression": SuppressionEntry._meta.db_table,
}

FACTS = """
WITH p AS (
    SELECT cp.id, cp.basis <> 'opt_out' AS needs_consent, cp.channels ? %(channel)s AS covers,
        cp.activity_id, a.is_marketing
    FROM {purpose} cp JOIN {activity} a ON a.id = cp.activity_id
    WHERE cp.code = %(code)s AND cp.is_active
),
q AS (
    SELECT * FROM unnest(string_to_array(%(emails)s, E'\\n'), string_to_array(%(hashes)s, E'\\n')) AS q(email, hash)
),
who AS (
    -- Every holder of each address (emailaddress_email_idx); subject_id NULL when nobody holds it.
    SELECT 'e' AS tag, q.email, q.hash, e.subject_id,
        e.restricted_at IS NULL AND e.anonymised_at IS NULL AS address_ok
    FROM q LEFT JOIN {email} e ON e.email = q.email
    UNION ALL
    SELECT 's', NULL, NULL, ids.id, NULL
    FROM unnest(string_to_array(%(subjects)s, E'\\n')::bigint[]) AS ids(id)
),
cids AS (
    -- Whose own addresses and numbers count (contact_facts.contact_subjects).
    SELECT DISTINCT subject_id AS id FROM who
    WHERE tag = 's' OR (%(holder_contacts)s AND subject_id IS NOT NULL)
)
SELECT 'p', NULL, p.activity_id,
    p.needs_consent::int + p.covers::int * 2 + p.is_marketing::int * 4, NULL
FROM p
UNION ALL
-- Contact records by the subject_id foreign-key indexes.
SELECT 'c', 'email', r.subject_id, (r.restricted_at IS NULL AND r.anonymised_at IS NULL)::int, r.email
FROM {email} r WHERE r.subject_id IN (SELECT id FROM cids)
UNION ALL
SELECT 'c', 'phone', r.subject_id, (r.restricted_at IS NULL AND r.anonymised_at IS NULL)::int, r.number
FROM {phone} r WHERE r.subject_id IN (SELECT id FROM cids)
UNION ALL
SELECT 'c', 'post', r.subject_id, (r.restricted_at IS NULL AND r.anonymised_at IS NULL)::int, ''
FROM {post} r WHERE %(post)s AND r.subject_id IN (SELECT id FROM cids)
UNION ALL
SELECT w.tag, w.email, w.subject_id,
    CASE WHEN s.id IS NULL THEN 0 ELSE
        {KNOWN}
        | (s.restricted_at IS NOT NULL)::int * {RESTRICTED}
        | s.is_blocked::int * {BLOCKED}
        | (s.erased_at IS NOT NULL)::int * {ERASED}
        | coalesce(o.upheld, false)::int * {UPHELD}
        | coalesce(o.pending, false)::int * {PENDING}
        | (CASE WHEN p.needs_consent THEN true ELSE s.restricted_at IS NULL AND (
                -- An existing customer relationship (§ 7(3) UWG): a processable order or event
                -- registration (the subject_id foreign-key indexes).
                EXISTS (SELECT 1 FROM {order} r WHERE r.subject_id = s.id AND r.restricted_at IS NULL)
                OR EXISTS (SELECT 1 FROM {event} r WHERE r.subject_id = s.id AND r.restricted_at IS NULL)
            ) END)::int * {CUSTOMER}
        | (c.n > 0)::int * {C_ANY}
        | coalesce(c.eff_ok, false)::int * {C_EFF_OK}
        | coalesce(c.eff, false)::int * {C_EFF}
        | coalesce(c.live, false)::int * {C_LIVE}
    END
    | coalesce(w.address_ok, false)::int * {ADDRESS_OK}
    | (w.hash IS NOT NULL AND EXISTS (
        -- suppression_hash_idx; the condition is SuppressionEntry.blocks().
        SELECT 1 FROM {suppression} x
        WHERE x.value_hash = w.hash AND CASE x.reason
            WHEN 'erasure' THEN true WHEN 'request' THEN true
            WHEN 'marketing_objection' THEN p.is_marketing
            ELSE x.activity_id IS NOT DISTINCT FROM p.activity_id END
    ))::int * {ADDRESS_SUPPRESSED}, NULL
FROM who w
CROSS JOIN p
LEFT JOIN {subject} s ON s.id = w.subject_id
LEFT JOIN LATERAL (
    -- objection_live_idx (partial: status <> 'rejected').
    SELECT bool_or(o.status = 'upheld') AS upheld, bool_or(o.status = 'pending') AS pending
    FROM {objection} o
    WHERE o.subject_id = s.id AND o.status <> 'rejected'
        AND (o.objected_activity_id = p.activity_id OR (p.is_marketing AND o.is_marketing))
) o ON true
LEFT JOIN LATERAL (
    -- consent_subject_purpose_idx. Written to an address, only the consents for that address
    -- (the one the double opt-in confirmed) or for none in particular (paper, phone) count.
    SELECT count(*) AS n,
        bool_or(k.eff AND k.restricted_at IS NULL AND k.anonymised_at IS NULL) AS eff_ok,
        bool_or(k.eff) AS eff, bool_or(k.live) AS live
    FROM (
        SELECT k.*, k.withdrawn_at IS NULL OR k.withdrawn_at > %(now)s AS live,
            (k.withdrawn_at IS NULL OR k.withdrawn_at > %(now)s)
                AND (NOT k.needs_confirmation OR k.confirmed_at IS NOT NULL) AS eff
        FROM {consent} k
        WHERE p.needs_consent AND k.subject_id = s.id AND k.purpose_id = p.id
            AND (w.email IS NULL OR k.email IN ('', w.email))
    ) k
) c ON true
WHERE p.covers
"""

_SQL = FACTS.format(
    **_T,
    KNOWN=KNOWN,
    RESTRICTED=RESTRICTED,
    BLOCKED=BLOCKED,
    ERASED=ERASED,
    UPHELD=UPHELD,
    PENDING=PENDING,
    CUSTOMER=CUSTOMER,
    C_ANY=C_ANY,
    C_EFF_OK=C_EFF_OK,
    C_EFF=C_EFF,
    C_LIVE=C_LIVE,
    ADDRESS_OK=ADDRESS_OK,
    ADDRESS_SUPPRESSED=ADDRESS_SUPPRESSED,
)


def gather_postgresql(
    *, purpose_code: str, channel: str, subject_keys: set[int], email_hashes: dict[str, str]
) -> Facts:
    """The facts in one statement, and one more for the suppression list if the people's own
    addresses and numbers were read (they must be hashed in Python first)."""
    params = {
        "code": purpose_code,
        "channel": channel,
        "emails": "\n".join(email_hashes),
        "hashes": "\n".join(email_hashes.values()),
        "subjects": "\n".join(map(str, subject_keys)),
        "holder_contacts": channel != ContactChannel.EMAIL,
        "post": channel == ContactChannel.POST,
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        rows = cursor.fetchall()
    purpose_row = next((row for row in rows if row[0] == "p"), None)
    if purpose_row is None:
        return Facts(None)
    _tag, _key, activity_id, bits, _value = purpose_row
    facts = Facts(PurposeFacts(bool(bits & 1), bool(bits & 2), Activity(activity_id, bool(bits & 4))))
    holders = facts.holders = {email: [] for email in email_hashes}
    suppressed = facts.suppressed_addresses
    by_subject: dict[int, int] = {}
    # Which holder is who matters only if someone's phone numbers were read.
    track = params["holder_contacts"] or bool(subject_keys)
    email_holders: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for tag, key, sid, bits, value in rows:
        if tag == "e":
            if bits & ADDRESS_SUPPRESSED:
                suppressed.add(key)
            if sid is not None:
                if track:
                    email_holders[key].append((len(holders[key]), sid))
                holders[key].append(bits & ~ADDRESS_SUPPRESSED)
        elif tag == "s":
            if bits & KNOWN:
                by_subject[sid] = bits
        elif tag == "c":
            facts.contacts[sid].append(Contact(key, value, bool(bits)))
    apply_contacts(facts, channel, by_subject, email_holders, {})
    return facts
