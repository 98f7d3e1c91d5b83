"""Reads that span the list tables: loading list names into a NameIndex, finding candidates, changes."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from dpo_portal.models import ProcessingActivity
from subjects.models import DataSubject

from .index import IndexedEntry, NameIndex, SubjectIdentity, build_index, facts_of, identity_keys
from .matching import BirthDate
from .models import EntryBirthDate, EntryCountry, EntryName, ListEntry, ListVersion, NameKey, ScreeningCase

# One index per process and set of active versions: the bulk jobs reuse it batch after batch.
_CACHE: dict[tuple, NameIndex] = {}


def load_index(entries: QuerySet[ListEntry]) -> NameIndex:
    """A NameIndex of `entries` (five queries, whatever their number)."""
    rows = list(entries.values_list("pk", "version__source", "external_id", "fingerprint", "schema", "gender"))
    ids = [r[0] for r in rows]
    births: dict[int, list[BirthDate]] = defaultdict(list)
    countries: dict[int, set[str]] = defaultdict(set)
    names: list[tuple[int, int, str, bool]] = []
    # Chunked so that SQLite's limit on query parameters is never reached.
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for entry_id, year, month, day, circa in EntryBirthDate.objects.filter(entry_id__in=chunk).values_list(
            "entry_id", "year", "month", "day", "circa"
        ):
            births[entry_id].append(BirthDate(year, month, day, circa))
        for entry_id, country in EntryCountry.objects.filter(entry_id__in=chunk).values_list("entry_id", "country"):
            countries[entry_id].add(country)
        names += EntryName.objects.filter(entry_id__in=chunk).values_list("pk", "entry_id", "name", "is_weak")
    indexed = [
        IndexedEntry(pk, source, external_id, fingerprint, schema, facts_of(births[pk], countries[pk], gender))
        for pk, source, external_id, fingerprint, schema, gender in rows
    ]
    return build_index(indexed, names)


def active_versions() -> list[ListVersion]:
    return list(ListVersion.objects.active().order_by("source"))


def active_index(*, only_changed_in: ListVersion | None = None) -> NameIndex:
    """Every name of the active list versions, or only those of entries new or changed in one version."""
    versions = active_versions()
    version_ids = tuple(v.pk for v in versions)
    baseline = rescreen_baseline(only_changed_in) if only_changed_in else None
    # The import time is part of the key: ids are reused after a rollback (tests, SQLite).
    cache_key = (
        tuple((v.pk, v.imported_at) for v in versions),
        (only_changed_in.pk, only_changed_in.imported_at, baseline and baseline.pk) if only_changed_in else None,
    )
    if cache_key not in _CACHE:
        _CACHE.clear()
        entries = (
            changed_entries(only_changed_in, since=baseline)
            if only_changed_in
            else ListEntry.objects.filter(version_id__in=version_ids)
        )
        _CACHE[cache_key] = load_index(entries)
    return _CACHE[cache_key]


def rescreen_baseline(version: ListVersion) -> ListVersion | None:
    """The newest earlier version of the same list whose re-screening finished (one query).

    Not simply `version.replaces`: if that one was replaced before its job ran, its new
    entries were never screened against the people already registered.
    """
    return (
        ListVersion.objects.filter(source=version.source, pk__lt=version.pk, rescreened_at__isnull=False)
        .order_by("-pk")
        .first()
    )


def changed_entries(version: ListVersion, *, since: ListVersion | None = None) -> QuerySet[ListEntry]:
    """Entries of `version` that are new or changed since `since` (everything without one)."""
    entries = ListEntry.objects.filter(version=version)
    if since is not None:
        entries = entries.exclude(fingerprint__in=ListEntry.objects.filter(version_id=since.pk).values("fingerprint"))
    return entries


def index_for_identity(identity: SubjectIdentity) -> NameIndex:
    """A small index of the active list names that share a blocking key with this person (one person)."""
    keys = identity_keys(identity)
    if not keys:
        return NameIndex()
    entry_ids = NameKey.objects.filter(key__in=keys, version__is_active=True).values("name__entry_id")
    return load_index(ListEntry.objects.filter(pk__in=entry_ids))


def version_names(ids) -> dict[int, str]:
    """Each list version by id, named as the admin names it (list, date, entries): one query for a page of runs."""
    return {v.pk: str(v) for v in ListVersion.objects.filter(pk__in=set(ids))}


@dataclass(frozen=True)
class SubjectScreening:
    """What the person's page says about their screening: when, on which basis, with what result."""

    screened_at: datetime.datetime | None
    activity: str
    legal_basis: str
    open_cases: int
    cases: int


def subject_screening(subject: DataSubject) -> SubjectScreening:
    """The person's sanctions screening: last screened, the processing activity and its legal basis (in the active
    language), and their cases (two queries)."""
    activity = ProcessingActivity.objects.filter(code=ScreeningCase.default_activity).first()
    counts = ScreeningCase.objects.filter(subject=subject).aggregate(
        cases=Count("pk"), open_cases=Count("pk", filter=Q(status__in=ScreeningCase.OPEN_STATES))
    )
    return SubjectScreening(
        screened_at=subject.screened_at,
        activity=activity.name if activity else "",
        legal_basis=(activity.legal_basis_details or activity.get_legal_basis_display()) if activity else "",
        open_cases=counts["open_cases"],
        cases=counts["cases"],
    )


def block_reason(case: ScreeningCase) -> str:
    """Why `case` blocks its person, in the active language."""
    return _("Possible sanctions list match, screening case %(id)s") % {"id": case.pk}


def subject_block_reason(subject: DataSubject) -> str:
    """The reason of the person's block in the active language, when an open screening case blocks them ("" else):
    the stored reason is German, for the systems that read it (one query)."""
    if not subject.is_blocked:
        return ""
    open_cases = ScreeningCase.objects.filter(subject=subject, status__in=ScreeningCase.OPEN_STATES)
    for case in open_cases.order_by("-opened_at", "-pk"):
        with translation.override(settings.LANGUAGE_CODE):
            stored = block_reason(case)
        if subject.blocked_reason == stored:
            return block_reason(case)
    return ""
