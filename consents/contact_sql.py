"""`may_contact_many`'s facts in one PostgreSQL statement (the ORM version is in contact_facts.py).

One round trip answers everything the judgement needs about a whole audience: the purpose
(looked up by code in the same statement, so it can never be stale), per address and holder
the person's flags, the consents that may be used for that address, objections, the
processability of the address record and whether the address's own hash is on the
suppression list. Reading it all in one statement also reads one snapshot: no withdrawal can
fall between the consent query and the objection query.

Addresses, their hashes and subject ids travel as newline-joined strings split by the server
(see contact_facts.AnyOf: one short parameter instead of 100,000 placeholders).

Each `who` row (an address and one of its holders, or a person asked about) becomes one bit
set (the bits defined in contact_facts); the index each part uses is named next to it.
"""

import weakref
from collections import defaultdict

from django.db import connection, transaction
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

# The input: addresses with their hashes, and subject ids. {bulk}: arrays split by the server;
# {single}: at most one of each as plain parameters, so that the prepared statement's generic
# plan is the right one (nested loops over the indexes named below).
BULK_INPUT = """
q AS (
    SELECT * FROM unnest(string_to_array(%(emails)s, E'\\n'), string_to_array(%(hashes)s, E'\\n')) AS q(email, hash)
),
ids AS (SELECT unnest(string_to_array(%(subjects)s, E'\\n')::bigint[]) AS id),
"""
SINGLE_INPUT = """
q AS (SELECT %(emails)s::text AS email, %(hashes)s::text AS hash WHERE %(emails)s::text <> ''),
ids AS (SELECT %(subjects)s::bigint AS id WHERE %(subjects)s::bigint IS NOT NULL),
"""

# The small tables (objections, suppression list, customer records) are joined as aggregates,
# so that the planner can hash-join them for an audience and still use nested loops over their
# indexes for one answer. The consents are read per person from the covering index
# consent_facts_idx (an index-only scan of a few microseconds): tried as a join with GROUP BY,
# the planner hashed all 500,000 consents of the purpose and took a third longer.
FACTS = """
WITH p AS (
    SELECT cp.id, cp.basis <> 'opt_out' AS needs_consent, cp.channels ? %(channel)s AS covers,
        cp.activity_id, a.is_marketing
    FROM {purpose} cp JOIN {activity} a ON a.id = cp.activity_id
    WHERE cp.code = %(code)s AND cp.is_active
),
{input}
who AS (
    -- Every holder of each address (emailaddress_email_idx); subject_id NULL when nobody holds it.
    SELECT 'e' AS tag, q.email, q.hash, e.subject_id,
        e.restricted_at IS NULL AND e.anonymised_at IS NULL AS address_ok
    FROM q LEFT JOIN {email} e ON e.email = q.email
    UNION ALL
    SELECT 's', '', NULL, ids.id, NULL FROM ids
),
objected AS (
    -- objection_live_idx (partial: status <> 'rejected').
    SELECT o.subject_id, bool_or(o.status = 'upheld') AS upheld, bool_or(o.status = 'pending') AS pending
    FROM {objection} o CROSS JOIN p
    WHERE o.status <> 'rejected' AND o.subject_id IN (SELECT subject_id FROM who)
        AND (o.objected_activity_id = p.activity_id OR (p.is_marketing AND o.is_marketing))
    GROUP BY o.subject_id
),
customer AS (
    -- An existing customer relationship (§ 7(3) UWG), only asked for an opt-out purpose: a
    -- processable order or event registration, attended or not (a registration is a contract
    -- for a service, as in contact_facts._subject_bits); their subject_id foreign-key indexes.
    SELECT r.subject_id FROM {order} r
    WHERE NOT (SELECT needs_consent FROM p) AND r.restricted_at IS NULL AND r.subject_id IN (SELECT subject_id FROM who)
    UNION
    SELECT r.subject_id FROM {event} r
    WHERE NOT (SELECT needs_consent FROM p) AND r.restricted_at IS NULL AND r.subject_id IN (SELECT subject_id FROM who)
),
suppressed AS (
    -- suppression_hash_idx; the condition is SuppressionEntry.blocks().
    SELECT DISTINCT x.value_hash FROM {suppression} x CROSS JOIN p
    WHERE x.value_hash IN (SELECT hash FROM who) AND CASE x.reason
        WHEN 'erasure' THEN true WHEN 'request' THEN true
        WHEN 'marketing_objection' THEN p.is_marketing
        ELSE x.activity_id IS NOT DISTINCT FROM p.activity_id END
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
        | (p.needs_consent OR (s.restricted_at IS NULL AND cu.subject_id IS NOT NULL))::int * {CUSTOMER}
        | (coalesce(c.n, 0) > 0)::int * {C_ANY}
        | coalesce(c.eff_ok, false)::int * {C_EFF_OK}
        | coalesce(c.eff, false)::int * {C_EFF}
        | coalesce(c.live, false)::int * {C_LIVE}
    END
    | coalesce(w.address_ok, false)::int * {ADDRESS_OK}
    | (x.value_hash IS NOT NULL)::int * {ADDRESS_SUPPRESSED}, NULL
FROM who w
CROSS JOIN p
LEFT JOIN {subject} s ON s.id = w.subject_id
LEFT JOIN objected o ON o.subject_id = w.subject_id
LEFT JOIN customer cu ON cu.subject_id = w.subject_id
LEFT JOIN LATERAL (
    -- consent_facts_idx (covering: index-only scans, one per person). Written to an address,
    -- only the consents for that address (the one the double opt-in confirmed) or for none in
    -- particular (paper, phone) count; for a person, all of them.
    SELECT count(*) AS n,
        bool_or(k.live AND k.confirmed AND k.restricted_at IS NULL AND k.anonymised_at IS NULL) AS eff_ok,
        bool_or(k.live AND k.confirmed) AS eff,
        bool_or(k.live) AS live
    FROM (
        SELECT k.restricted_at, k.anonymised_at,
            k.withdrawn_at IS NULL OR k.withdrawn_at > %(now)s AS live,
            NOT k.needs_confirmation OR k.confirmed_at IS NOT NULL AS confirmed
        FROM {consent} k
        WHERE p.needs_consent AND k.purpose_id = p.id AND k.subject_id = w.subject_id
            AND (w.tag = 's' OR k.email IN ('', w.email))
    ) k
) c ON true
LEFT JOIN suppressed x ON x.value_hash = w.hash
WHERE p.covers
"""

_BITS = {
    "KNOWN": KNOWN,
    "RESTRICTED": RESTRICTED,
    "BLOCKED": BLOCKED,
    "ERASED": ERASED,
    "UPHELD": UPHELD,
    "PENDING": PENDING,
    "CUSTOMER": CUSTOMER,
    "C_ANY": C_ANY,
    "C_EFF_OK": C_EFF_OK,
    "C_EFF": C_EFF,
    "C_LIVE": C_LIVE,
    "ADDRESS_OK": ADDRESS_OK,
    "ADDRESS_SUPPRESSED": ADDRESS_SUPPRESSED,
}
BULK_SQL = FACTS.format(input=BULK_INPUT.strip(), **_T, **_BITS)
SINGLE_SQL = FACTS.format(input=SINGLE_INPUT.strip(), **_T, **_BITS)


# One answer: a server-side prepared statement, planned once per database session (planning
# took about 0.7 ms of a 1 ms answer). Prepared statements are not transactional, so a rollback does
# not lose it; a new session is a new psycopg connection object. (A pooler that resets
# sessions behind Django's back, e.g. DISCARD ALL, would need this switched to BULK_SQL.)
_STATEMENT = "consents_may_contact_facts"
_ARGS = (
    ("code", "text"),
    ("channel", "text"),
    ("emails", "text"),
    ("hashes", "text"),
    ("subjects", "bigint"),
    ("holder_contacts", "boolean"),
    ("post", "boolean"),
    ("now", "timestamptz"),
)
_PREPARE = "PREPARE {name} ({types}) AS {sql}".format(
    name=_STATEMENT,
    types=", ".join(t for _n, t in _ARGS),
    sql=SINGLE_SQL % {name: f"${i}" for i, (name, _t) in enumerate(_ARGS, start=1)},
)
_EXECUTE = "EXECUTE {name} ({args})".format(name=_STATEMENT, args=", ".join(["%s"] * len(_ARGS)))
_prepared_in: weakref.WeakSet = weakref.WeakSet()

# An audience: the planner's estimate of a statement over 100,000 rows is high enough to switch
# on JIT compilation, which costs more (a second) than it saves; and hash joins over the address
# and person tables need more than the default work_mem not to spill to disk. Both only for
# this transaction, and put back afterwards (the caller's transaction may go on).
_TUNE = (
    "SELECT current_setting('jit'), current_setting('work_mem'), "
    "set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
)
_RESTORE = "SELECT set_config('jit', %s, true), set_config('work_mem', %s, true)"


def _fetch_single(params: dict) -> list[tuple]:
    connection.ensure_connection()
    session = connection.connection
    with connection.cursor() as cursor:
        if session not in _prepared_in:
            cursor.execute(_PREPARE)
            _prepared_in.add(session)
        cursor.execute(_EXECUTE, [params[name] for name, _t in _ARGS])
        return cursor.fetchall()


def _fetch_bulk(params: dict) -> list[tuple]:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(_TUNE)
        jit, work_mem, _, _ = cursor.fetchone()
        cursor.execute(BULK_SQL, params)
        rows = cursor.fetchall()
        cursor.execute(_RESTORE, [jit, work_mem])
    return rows


def gather_postgresql(
    *, purpose_code: str, channel: str, subject_keys: set[int], email_hashes: dict[str, str]
) -> Facts:
    """The facts in one statement, and one more for the suppression list if the people's own
    addresses and numbers were read (they must be hashed in Python first)."""
    params = {
        "code": purpose_code,
        "channel": channel,
        "holder_contacts": channel != ContactChannel.EMAIL,
        "post": channel == ContactChannel.POST,
        "now": timezone.now(),
    }
    if len(email_hashes) <= 1 and len(subject_keys) <= 1:
        email, email_hash = next(iter(email_hashes.items()), ("", ""))
        params.update(emails=email, hashes=email_hash, subjects=next(iter(subject_keys), None))
        rows = _fetch_single(params)
    else:
        params.update(
            emails="\n".join(email_hashes),
            hashes="\n".join(email_hashes.values()),
            subjects="\n".join(map(str, subject_keys)),
        )
        rows = _fetch_bulk(params)
    purpose_row = next((row for row in rows if row[0] == "p"), None)
    if purpose_row is None:
        return Facts(None)
    _tag, _key, activity_id, bits, _value = purpose_row
    facts = Facts(PurposeFacts(bool(bits & 1), bool(bits & 2), Activity(activity_id, bool(bits & 4))))
    holders = facts.holders
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
                known = holders.get(key)
                if known is None:
                    known = holders[key] = []
                if track:
                    email_holders[key].append((len(known), sid))
                known.append(bits & ~ADDRESS_SUPPRESSED)
        elif tag == "s":
            if bits & KNOWN:
                by_subject[sid] = bits
        elif tag == "c":
            facts.contacts[sid].append(Contact(key, value, bool(bits)))
    apply_contacts(facts, channel, by_subject, email_holders, {})
    return facts
