"""Reads spanning relations: subject look-up, queues, duplicates, the deadline digest."""

import contextlib
import datetime
import re
from dataclasses import dataclass

import jellyfish
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from audit.models import AuditEntry
from consents.models import ConsentPurpose
from screening.normalise import fold, skeleton, tokenize
from subjects.models import DataSubject, EmailAddress, PhoneNumber
from subjects.validators import normalise_phone

from .models import ART18_GROUNDS, DataSubjectRequest, RequestItem, RequestType
from .records import rights_record_models

SEARCH_LIMIT = 20

# How services.subject_restriction_lift names a lifting in the audit trail: "restriction lifted, told 2026-11-02".
RESTRICTION_LIFTED = "restriction lifted"
_TOLD_ON = re.compile(r"told (\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class SubjectSearch:
    """The people a support search found; `similar`: nobody matched as typed, these names are spelled alike."""

    subjects: list[DataSubject]
    similar: bool = False


def subject_search(query: str, *, limit: int = SEARCH_LIMIT) -> SubjectSearch:
    """Data subjects matching a name, e-mail address, phone number or customer number.

    Names match however the caller spelt umlauts and "ß" (Köster, Koester, KÖSTER; Heß, Hess), in either
    order ("Köster, Myriam"); only when nobody matches so, names one or two typing errors away ("Kster").
    Only identity and contact data is loaded: the support desk never sees more.
    """
    query = " ".join(query.split())
    if len(query) < 2:
        return SubjectSearch([])
    condition = Q(customer_number__iexact=query)
    if "@" in query:
        condition |= Q(emailaddress__email__iexact=query.lower())
    else:
        with contextlib.suppress(ValidationError):
            condition |= Q(phonenumber__number=normalise_phone(query))
        first, _, last = query.rpartition(" ")
        if first:
            condition |= Q(first_name__icontains=first, last_name__icontains=last)
        condition |= Q(last_name__icontains=query) | Q(company__icontains=query)
    ids = set(DataSubject.objects.filter(condition, erased_at__isnull=True).values_list("pk", flat=True).distinct())
    similar = False
    if "@" not in query:
        spelt_alike, typos = _names_alike(query)
        ids |= spelt_alike
        if not ids:
            ids, similar = typos, bool(typos)
    subjects = list(
        DataSubject.objects.filter(pk__in=ids)
        .prefetch_related(
            Prefetch("emailaddress_set", queryset=EmailAddress.objects.only("pk", "subject_id", "email")),
            Prefetch("phonenumber_set", queryset=PhoneNumber.objects.only("pk", "subject_id", "number")),
        )
        .order_by("last_name", "first_name", "pk")[:limit]
    )
    return SubjectSearch(subjects, similar)


def _initials() -> dict[str, set[str]]:
    """The letters, in both cases, a name may start with where its folded form starts with an ASCII one
    (Ö for "oe", É for "e"): the database compares them, and neither SQLite nor a case-sensitive LIKE folds them."""
    initials: dict[str, set[str]] = {}
    for letter in "abcdefghijklmnopqrstuvwxyzäöüàáâãåæçèéêëìíîïñòóôõøùúûýÿčćďěłńňřśšťůźżž":
        initials.setdefault(fold(letter)[0], set()).update({letter, letter.upper()})
    return initials


_INITIALS = _initials()
# How many candidates one search compares in Python at most: those whose surname starts like a word of the query.
NAME_CANDIDATES = 20_000


def _names_alike(query: str) -> tuple[set[int], set[int]]:
    """Ids of people whose names contain every word of `query` once both are folded (umlauts, "ß", case: see
    screening.normalise.fold), and ids of those whose names are only a typo or a spelling variant away.

    Compared in Python, not SQL: SQLite folds neither umlauts nor their case. The candidates are the people whose
    surname starts with the letter one of the words starts with (a typo in the first letter is not found).
    """
    words = [w for w in tokenize(query) if len(w) >= 2]
    if not words:
        return set(), set()
    initials = {variant for word in words for variant in _INITIALS.get(word[0], {word[0]})}
    starts = Q()
    for initial in initials:
        starts |= Q(last_name__startswith=initial)
    rows = (
        DataSubject.objects.filter(starts, erased_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "first_name", "last_name")[:NAME_CANDIDATES]
    )
    spelt_alike, typos = set(), set()
    for pk, first_name, last_name in rows:
        names = tokenize(f"{first_name} {last_name}")
        closeness = max((_closeness(word, names) for word in words), default=None)
        if closeness == 0:
            spelt_alike.add(pk)
        elif closeness == 1:
            typos.add(pk)
    return spelt_alike, typos


def _closeness(word: str, names: list[str]) -> int:
    """0: a name contains the folded word; 1: a name is a spelling variant or a typo away from it; 2: neither."""
    if any(word in name for name in names):
        return 0
    allowed = 0 if len(word) < 4 else 1 if len(word) < 8 else 2
    alike = any(
        skeleton(word) == skeleton(name) or jellyfish.damerau_levenshtein_distance(word, name) <= allowed
        for name in names
    )
    return 1 if alike else 2


def with_purpose_names(items: QuerySet[RequestItem]) -> QuerySet[RequestItem]:
    """`items` with their consent purposes' names in German and English, in the same query (RequestItem.purpose_name
    reads them): a request page names the purpose withdrawn, not its code."""
    purposes = ConsentPurpose.objects.filter(code=OuterRef("purpose_code"))
    return items.annotate(
        purpose_name_de=Subquery(purposes.values("name_de")[:1]),
        purpose_name_en=Subquery(purposes.values("name_en")[:1]),
    )


def subject_has_art18_restriction(subject: DataSubject) -> bool:
    """Whether the person, or any record of theirs, is restricted on an Art. 18(1) ground: only that can be lifted
    at the person's request. A retention duty or a legal hold (e.g. after an erasure) is the controller's and stays.
    """
    grounds = list(ART18_GROUNDS)
    if subject.restriction_ground in grounds:
        return True
    return any(
        model.objects.filter(subject=subject, restriction_ground__in=grounds).exists()
        for model in rights_record_models()
    )


def restriction_lift_after(subject_id: int, since: datetime.datetime) -> dict | None:
    """The first lifting of the person's Art. 18 restriction after `since`, as the audit trail recorded it:
    {"lifted_on": date, "told_on": the day the person was told beforehand, or None}; None if none was lifted.

    The audit trail, not the timeline: a restriction can be lifted from another request of the same person, and
    the timeline's text is written for people, in the language of whoever lifted it.
    """
    entries = AuditEntry.objects.filter(
        subject_id=subject_id, action=AuditEntry.Action.CHANGE, at__gte=since, detail__startswith=RESTRICTION_LIFTED
    )
    first = entries.order_by("seq").values_list("at", flat=True).first()
    if first is None:
        return None
    # One lifting writes all its entries at once; older liftings named the day only on the person's entry.
    details = entries.filter(at=first).values_list("detail", flat=True)
    told = next((match.group(1) for detail in details if (match := _TOLD_ON.search(detail))), None)
    return {
        "lifted_on": timezone.localdate(first),
        "told_on": datetime.date.fromisoformat(told) if told else None,
    }


def open_requests_like(
    *,
    kinds,
    subject: DataSubject | None = None,
    requester_email: str = "",
    requester_name: str = "",
    exclude_pk: int | None = None,
) -> QuerySet[DataSubjectRequest]:
    """Open requests asking for any of `kinds` of the same subject or, where none is known, from the same
    requester (by e-mail address or name): the duplicate warning at intake, also for a form sent twice."""
    if subject is not None:
        same = Q(request__subject=subject)
    else:
        same = Q(request__requester_name__iexact=requester_name.strip()) if requester_name.strip() else Q(pk__in=[])
        if requester_email.strip():
            same |= Q(request__requester_email__iexact=requester_email.strip())
    ids = RequestItem.objects.filter(same, kind__in=list(kinds), request__state__in=_open_states()).values("request_id")
    qs = DataSubjectRequest.objects.filter(pk__in=ids).prefetch_related("items").order_by("received_at", "pk")
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


@dataclass(frozen=True)
class OpenDuplicates:
    """Open requests like the one being logged, as the desk may show them to an agent: `named` in full (receipt
    number, date, kinds, state), `counted` (ids) only as a number."""

    named: list[DataSubjectRequest]
    counted: list[int]

    def __bool__(self) -> bool:
        return bool(self.named or self.counted)


def open_duplicates(user, **like) -> OpenDuplicates:
    """`open_requests_like(**like)`, split by what `user` sees at the desk (`desk_requests`): the others' requests are
    counted, not named, as their receipts are not found for `user` either."""
    duplicates = list(open_requests_like(**like))
    if not duplicates:
        return OpenDuplicates([], [])
    visible = set(desk_requests(user).filter(pk__in=[d.pk for d in duplicates]).values_list("pk", flat=True))
    return OpenDuplicates(
        named=[d for d in duplicates if d.pk in visible],
        counted=[d.pk for d in duplicates if d.pk not in visible],
    )


def _open_states() -> list[str]:
    return [s for s in DataSubjectRequest.State.values if s not in DataSubjectRequest.CLOSED_STATES]


def contact_purpose_choices() -> list[tuple[str, str]]:
    """(code, name) of the active purposes support may ask `may_contact` about: all but explicit consents to
    special categories, whose answer would tell support about such data (e.g. health data given for an event)."""
    purposes = ConsentPurpose.objects.filter(is_active=True).exclude(basis=ConsentPurpose.Basis.EXPLICIT_CONSENT)
    return sorted(((p.code, p.name) for p in purposes), key=lambda choice: choice[1])


def desk_requests(user) -> QuerySet[DataSubjectRequest]:
    """The requests the support desk shows `user` in full: those they logged; all for whoever fulfils requests."""
    if user.has_perm("requests_app.fulfil_request"):
        return DataSubjectRequest.objects.all()
    return DataSubjectRequest.objects.filter(logged_by=user)


def support_queue(user) -> QuerySet[DataSubjectRequest]:
    """The requests a support user logged, open ones first."""
    return (
        DataSubjectRequest.objects.filter(logged_by=user)
        .select_related("subject")
        .prefetch_related("items")
        # Open (closed_at NULL) first on every database: PostgreSQL sorts NULLs last by default.
        .order_by(F("closed_at").asc(nulls_first=True), "due_on", "pk")
    )


def digest_requests(today: datetime.date | None = None, *, days: int = 7) -> dict[str, list[DataSubjectRequest]]:
    """Open requests overdue and due within `days` days, for the DPO's daily digest."""
    today = today or timezone.localdate()
    base = DataSubjectRequest.objects.select_related("subject").prefetch_related("items").order_by("due_on", "pk")
    return {
        "overdue": list(base.overdue(today)),
        "due_soon": list(base.due_within(days, today)),
    }


def open_objection_items(objection_id: int) -> list[RequestItem]:
    """The open request lines through which objection `objection_id` came in, oldest first (its decision closes them;
    a person may object again by another request before the first is decided).

    A line of a closed request is not open: the objection is then decided in the consents app alone.
    """
    return list(
        RequestItem.objects.filter(
            kind=RequestType.OBJECTION,
            done_at=None,
            result__objection_id=objection_id,
            request__state__in=_open_states(),
        )
        .select_related("request")
        .order_by("pk")
    )
