"""How alike two names are, and how alike a data subject and a list entry are.

`name_score` (a public entry point, see CONTRACT.md) aligns the tokens of two names one to
one, whatever their order, and weighs each token by how much it says: a rare family name
says much, a particle ("al", "von") or a very common given name little, a legal form
nothing. Two rules keep shared commonplaces from making a match: a person's name needs at
least two aligned tokens when either side has two, and a match resting only on common or
generic tokens is capped below the threshold.

`entity_score` then lets date of birth, country and gender raise or lower the name score,
and keeps a hit on a weak alias below the threshold unless the date of birth agrees.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from rapidfuzz.distance import Levenshtein

from .normalise import BODY_SCHEMAS, PERSON, PreparedName, Token, consonants, prepare, skeleton

_FINAL_VOWELS = frozenset("aeiou")
_VOWELS = frozenset("aeiou")


def _only_final_vowel_differs(a: str, b: str) -> bool:
    """Maria / Mario, Daniel / Daniela, Ivanov / Ivanova: a different name, not a spelling."""
    short, long_ = sorted((a, b), key=len)
    if len(long_) == len(short) + 1:
        return long_.startswith(short) and long_[-1] in _FINAL_VOWELS
    if len(long_) == len(short):
        return long_[:-1] == short[:-1] and long_[-1] in _FINAL_VOWELS and short[-1] in _FINAL_VOWELS
    return False


def token_similarity(a: Token, b: Token) -> float:
    """0 (different) to 1 (same) for two tokens; spelling variants within an edit budget score 0.7–0.95."""
    if a.text == b.text:
        return 1.0
    if a.is_initial or b.is_initial:
        return 0.9 if a.text[0] == b.text[0] else 0.0
    if a.skeleton == b.skeleton:
        return 0.95
    if _only_final_vowel_differs(a.text, b.text):
        return 0.5
    same_frame = a.consonants == b.consonants
    if same_frame and a.is_generic and b.is_generic and a.text[0] == b.text[0]:
        return 0.85  # particles: ben / bin, el / al
    longest = max(len(a.skeleton), len(b.skeleton))
    budget = 0 if longest <= 3 else 1 if longest <= 6 else 2 if longest <= 10 else 3
    distance = Levenshtein.distance(a.skeleton, b.skeleton, score_cutoff=budget)
    if distance <= budget:
        # Vowels are what romanisations disagree on most (Osama / Usama, Belkacem / Belqasim).
        similarity = 0.95 - (0.04 if same_frame else 0.08) * distance
        first_a, first_b = a.skeleton[0], b.skeleton[0]
        # Typos rarely hit the first letter; a different first consonant is usually a different name.
        if first_a != first_b and not (first_a in _VOWELS and first_b in _VOWELS):
            similarity -= 0.15
        return similarity
    if min(len(a.text), len(b.text)) >= 6 and len(a.consonants) >= 3 and same_frame:
        return 0.85
    return 0.0


def _joins(joined: str, single: str) -> bool:
    if joined == single:
        return True
    return len(single) >= 8 and Levenshtein.distance(joined, single, score_cutoff=1) <= 1


def _merge_adjacent(tokens: tuple[Token, ...], other: tuple[Token, ...]) -> tuple[Token, ...]:
    """Joins 2–3 adjacent tokens that appear as one on the other side ("Hans-Peter" / "Hanspeter",
    "Abd al-Hamid" / "Abdelhamid")."""
    singles = [t.skeleton for t in other if len(t.skeleton) >= 4]
    if len(tokens) < 2 or not singles:
        return tokens
    merged: list[Token] = []
    i = 0
    while i < len(tokens):
        for size in (3, 2):
            group = tokens[i : i + size]
            # Initials never join: "C. Zimmermann" is not "Czimmermann".
            if len(group) < size or group[0].skeleton in singles or any(t.is_initial for t in group):
                continue
            text = "".join(t.text for t in group)
            joined = skeleton(text)
            if any(_joins(joined, single) for single in singles):
                merged.append(
                    Token(
                        text=text,
                        skeleton=joined,
                        consonants=consonants(text),
                        weight=max(t.weight for t in group),
                    )
                )
                i += size
                break
        else:
            merged.append(tokens[i])
            i += 1
    return tuple(merged)


@dataclass(frozen=True)
class _Alignment:
    pairs: tuple[tuple[Token, Token, float], ...]
    left: tuple[Token, ...]
    right: tuple[Token, ...]


def _align(left: tuple[Token, ...], right: tuple[Token, ...]) -> _Alignment:
    """Greedy one-to-one alignment, best pairs first (names have few tokens; greedy is exact enough)."""
    candidates = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            similarity = token_similarity(a, b)
            if similarity > 0:
                candidates.append((similarity, max(a.weight, b.weight), i, j))
    candidates.sort(reverse=True)
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs = []
    for similarity, _weight, i, j in candidates:
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        pairs.append((left[i], right[j], similarity))
    return _Alignment(tuple(pairs), left, right)


def score_prepared(query: PreparedName, candidate: PreparedName) -> float:
    """`name_score` on names already prepared (the screening loop prepares each list name once)."""
    left, right = query.tokens, candidate.tokens
    if not left or not right:
        return 0.0
    left, right = _merge_adjacent(left, right), _merge_adjacent(right, left)
    alignment = _align(left, right)
    if not alignment.pairs:
        return 0.0
    weight_left = sum(t.weight for t in left)
    weight_right = sum(t.weight for t in right)
    covered_left = sum(a.weight * s for a, _b, s in alignment.pairs) / weight_left
    covered_right = sum(b.weight * s for _a, b, s in alignment.pairs) / weight_right
    # The shorter name must be covered; extra tokens on the longer one (a middle name, a
    # patronymic) lower the score a little, not to zero.
    # Organisations' names are shorter and each extra word more telling: it weighs more.
    extra = 0.3 if query.schema in BODY_SCHEMAS else 0.15
    score = (1 - extra) * max(covered_left, covered_right) + extra * min(covered_left, covered_right)

    matched_left = {id(a) for a, _b, _s in alignment.pairs}
    matched_right = {id(b) for _a, b, _s in alignment.pairs}
    informative_matched = any(not (a.is_generic or a.is_initial) for a, _b, _s in alignment.pairs)
    informative_unmatched = any(not (t.is_generic or t.is_initial) and id(t) not in matched_left for t in left) or any(
        not (t.is_generic or t.is_initial) and id(t) not in matched_right for t in right
    )

    if query.schema in BODY_SCHEMAS:
        if not informative_matched:
            score = min(score, 0.5)  # "International Trading GmbH" is not "Trading International S.A."
        if query.legal_forms and candidate.legal_forms and not query.legal_forms & candidate.legal_forms:
            score -= 0.03
    else:
        if len(alignment.pairs) < 2 and max(len(left), len(right)) >= 2:
            score = min(score, 0.6)  # one shared name (a family name alone) is not a match
        if not informative_matched and (informative_unmatched or any(s < 0.95 for _a, _b, s in alignment.pairs)):
            # "Mohammed Ali" against "Ali Mohammed Rahimi", "Ali Hassan" against "Ali Hussein":
            # common names alone make a match only when they are all there and spelt alike.
            score = min(score, 0.75)
    return max(0.0, min(1.0, score))


def name_score(query: str, candidate: str, *, schema: str = PERSON) -> float:
    """Similarity in [0, 1] of two names of the same kind of party (CONTRACT.md).

    A score at or above `settings.SCREENING_THRESHOLD` is a possible match.
    """
    return score_prepared(prepare(query or "", schema), prepare(candidate or "", schema))


@dataclass(frozen=True)
class BirthDate:
    """A list entry's date of birth, possibly partial (year, or year and month) or circa."""

    year: int
    month: int | None = None
    day: int | None = None
    circa: bool = False


@dataclass(frozen=True)
class EntityFacts:
    """What, besides the name, can confirm or contradict a match."""

    birth_dates: tuple[BirthDate, ...] = ()
    countries: frozenset[str] = frozenset()
    gender: str = ""


def birth_date_agreement(born: datetime.date | None, listed: tuple[BirthDate, ...]) -> float:
    """+1 same date, +0.5 a partial date or circa year that fits, 0 unknown, -1 contradicted."""
    if born is None or not listed:
        return 0.0
    best = -1.0
    for entry in listed:
        tolerance = 2 if entry.circa else 0
        if abs(entry.year - born.year) > tolerance:
            continue
        if entry.month is None or entry.circa:
            best = max(best, 0.5)
        elif entry.month == born.month and entry.day in (None, born.day):
            best = max(best, 1.0 if entry.day else 0.5)
    return best


def entity_score(
    name: float,
    *,
    born: datetime.date | None,
    country: str,
    gender: str,
    facts: EntityFacts,
    weak_alias: bool = False,
) -> float:
    """The name score raised or lowered by date of birth, country and gender (all optional on both sides)."""
    score = name
    dob = birth_date_agreement(born, facts.birth_dates)
    score += {1.0: 0.06, 0.5: 0.03, 0.0: 0.0, -1.0: -0.15}[dob]
    if country and facts.countries:
        score += 0.02 if country in facts.countries else -0.03
    if gender and facts.gender and gender in "mf" and facts.gender in "mf":
        score += 0.0 if gender == facts.gender else -0.1
    if weak_alias and dob <= 0:
        # Weak aliases ("a.k.a. 'HESA'") are too vague to block anyone without more evidence.
        score = min(score, settings.SCREENING_THRESHOLD - 0.01)
    return max(0.0, min(1.0, round(score, 4)))
