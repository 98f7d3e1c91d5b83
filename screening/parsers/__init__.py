"""Parsers of the published list formats into one neutral shape.

Each parser reads the whole input, checks it, and either returns a `ParsedList` or raises
`ListFormatError` with a translated reason; nothing is written before parsing succeeded.
"""

import calendar
import hashlib
import json
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from screening.matching import BirthDate


class ListFormatError(Exception):
    """The input is not a complete, well-formed file of the expected list; the message says why."""


@dataclass
class ParsedName:
    name: str
    is_weak: bool = False


@dataclass
class ParsedEntry:
    external_id: str
    schema: str
    names: list[ParsedName] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    reference: str = ""
    gender: str = ""
    remarks: str = ""
    birth_dates: list[BirthDate] = field(default_factory=list)
    countries: list[tuple[str, str]] = field(default_factory=list)  # (ISO code, kind)
    identifiers: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, number, ISO code)

    @property
    def primary_name(self) -> str:
        strong = [n for n in self.names if not n.is_weak]
        return (strong or self.names)[0].name

    def add_name(self, name: str, *, is_weak: bool = False) -> None:
        name = " ".join(name.split())
        if name and all(n.name != name for n in self.names):
            self.names.append(ParsedName(name, is_weak))

    def fingerprint(self) -> str:
        """Hash of everything the list says about the entry, independent of order."""
        data = {
            "schema": self.schema,
            "names": sorted([n.name, n.is_weak] for n in self.names),
            "programmes": sorted(self.programmes),
            "gender": self.gender,
            "birth": sorted([b.year, b.month or 0, b.day or 0, b.circa] for b in self.birth_dates),
            "countries": sorted(self.countries),
            "ids": sorted(self.identifiers),
            "remarks": self.remarks,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass
class ParsedList:
    source: str
    sha256: str
    entries: list[ParsedEntry]
    published_on: object = None  # datetime.date | None
    file_name: str = ""


# Plausible years of birth of listed persons; anything outside is a broken file, not a person
# (and would not fit the database column).
EARLIEST_BIRTH_YEAR = 1850


def birth_date_checked(
    year: int, month: int | None, day: int | None, *, circa: bool, file: str, entry: str
) -> BirthDate:
    """A BirthDate, or ListFormatError naming the file and entry when the date cannot be real."""
    valid = (
        EARLIEST_BIRTH_YEAR <= year <= timezone.localdate().year
        and (month is None or 1 <= month <= 12)
        and (day is None or (month is not None and 1 <= day <= calendar.monthrange(year, month)[1]))
    )
    if not valid:
        value = "-".join(str(p) for p in (year, month, day) if p is not None)
        raise ListFormatError(
            _("%(file)s: entry %(entry)s has an impossible date of birth (%(date)s).")
            % {"file": file, "entry": entry, "date": value}
        )
    return BirthDate(year=year, month=month, day=day, circa=circa)


def require_content(data: bytes, name: str) -> None:
    if not data.strip():
        raise ListFormatError(_("%(file)s is empty.") % {"file": name})
