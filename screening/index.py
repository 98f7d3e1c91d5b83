"""The in-memory side of screening: list names by blocking key, and the comparison of one person.

A `NameIndex` holds prepared names and the facts of their entries. The bulk jobs build one
for every active list name and reuse it for thousands of people; a single screening builds
a small one from the names the database index (NameKey) finds for that person's keys.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings

from .matching import BirthDate, EntityFacts, entity_score, score_prepared
from .normalise import BODY_SCHEMAS, COMPANY, PERSON, PreparedName, blocking_keys, prepare, token_keys


@dataclass(frozen=True)
class IndexedEntry:
    entry_id: int
    source: str
    external_id: str
    fingerprint: str
    schema: str
    facts: EntityFacts


@dataclass(frozen=True)
class IndexedName:
    name_id: int
    entry: IndexedEntry
    name: str
    is_weak: bool
    prepared: PreparedName


@dataclass(frozen=True)
class SubjectIdentity:
    """What screening knows of a person: their name, company, date of birth, country, gender."""

    name: str
    company: str = ""
    born: datetime.date | None = None
    country: str = ""
    gender: str = ""


@dataclass(frozen=True)
class Hit:
    entry: IndexedEntry
    name: IndexedName
    name_score: float
    score: float


@dataclass
class NameIndex:
    by_key: dict[str, list[IndexedName]] = field(default_factory=lambda: defaultdict(list))
    size: int = 0

    def add(self, name: IndexedName) -> None:
        self.size += 1
        for token in name.prepared.tokens:
            for key in token_keys(token):
                self.by_key[key].append(name)
        if len(name.prepared.tokens) > 1 and len(name.prepared.joined) >= 6:
            self.by_key["s:" + name.prepared.joined].append(name)

    def candidates(self, query: PreparedName) -> Iterable[IndexedName]:
        seen: set[int] = set()
        for key in blocking_keys_of(query):
            for name in self.by_key.get(key, ()):
                if name.name_id not in seen:
                    seen.add(name.name_id)
                    yield name


def blocking_keys_of(prepared: PreparedName) -> set[str]:
    keys: set[str] = set()
    for token in prepared.tokens:
        keys |= token_keys(token)
    if len(prepared.tokens) > 1 and len(prepared.joined) >= 6:
        keys.add("s:" + prepared.joined)
    return keys


def identity_keys(identity: SubjectIdentity) -> set[str]:
    keys = blocking_keys(identity.name, PERSON) if identity.name.strip() else set()
    if identity.company.strip():
        keys |= blocking_keys(identity.company, COMPANY)
    return keys


def build_index(entries: Iterable[IndexedEntry], names: Iterable[tuple[int, int, str, bool]]) -> NameIndex:
    """`names` are (name id, entry id, name, is weak) rows of the given entries."""
    # Vessels and aircraft are listed too, but no data subject is one.
    by_id = {e.entry_id: e for e in entries if e.schema == PERSON or e.schema in BODY_SCHEMAS}
    index = NameIndex()
    for name_id, entry_id, name, is_weak in names:
        entry = by_id.get(entry_id)
        if entry is not None:
            index.add(IndexedName(name_id, entry, name, is_weak, prepare(name, entry.schema)))
    return index


def facts_of(birth_dates: list[BirthDate], countries: set[str], gender: str) -> EntityFacts:
    return EntityFacts(birth_dates=tuple(birth_dates), countries=frozenset(countries), gender=gender)


def screen_identity(identity: SubjectIdentity, index: NameIndex, *, threshold: float | None = None) -> list[Hit]:
    """Every list entry the person possibly is, best first: the best name per entry, scored as an entity."""
    threshold = settings.SCREENING_THRESHOLD if threshold is None else threshold
    # Date of birth and country can add at most 0.08: names further below cannot reach the threshold.
    floor = threshold - 0.08
    best: dict[int, Hit] = {}
    queries = []
    if identity.name.strip():
        queries.append((prepare(identity.name, PERSON), False))
    if identity.company.strip():
        queries.append((prepare(identity.company, COMPANY), True))
    for query, is_company in queries:
        for candidate in index.candidates(query):
            schema = candidate.entry.schema
            if (schema in BODY_SCHEMAS) != is_company or (not is_company and schema != PERSON):
                continue
            name = score_prepared(query, candidate.prepared)
            if name < floor:
                continue
            score = entity_score(
                name,
                born=None if is_company else identity.born,
                country="" if is_company else identity.country,
                gender="" if is_company else identity.gender,
                facts=candidate.entry.facts,
                weak_alias=candidate.is_weak,
            )
            if score >= threshold:
                current = best.get(candidate.entry.entry_id)
                if current is None or score > current.score:
                    best[candidate.entry.entry_id] = Hit(candidate.entry, candidate, name, score)
    return sorted(best.values(), key=lambda h: -h.score)
