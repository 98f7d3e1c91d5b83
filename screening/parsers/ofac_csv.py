"""The US OFAC SDN list in its legacy CSV layout: sdn.csv, alt.csv and add.csv, no header rows.

`-0-` means empty. Dates of birth, nationality, gender and identity documents exist only as
free text in the Remarks column ("DOB 28 Jul 1963; nationality Russia; Passport 123 (Belize)");
low-quality aliases appear there too, in single quotes ("a.k.a. 'HESA'").
"""

import csv
import hashlib
import io
import re
from pathlib import Path

from django.utils.translation import gettext as _
from django_countries import countries

from screening.matching import BirthDate
from screening.normalise import AIRPLANE, COMPANY, ORGANIZATION, PERSON, VESSEL

from . import ListFormatError, ParsedEntry, ParsedList, birth_date_checked, require_content

FILES = {"sdn.csv": 12, "alt.csv": 5, "add.csv": 6}
EMPTY = "-0-"
SCHEMAS = {"individual": PERSON, "vessel": VESSEL, "aircraft": AIRPLANE}
_ORGANISATION_WORDS = re.compile(r"\b(FOUNDATION|ORGANI[SZ]ATION|MINISTRY|COMMITTEE|ARMY|BRIGADE|FRONT|PARTY|GUARD)\b")
_WEAK_ALIAS = re.compile(r"\b[afn]\.k\.a\.,? '([^']+)'", re.IGNORECASE)
_MONTHS = {
    m: i
    for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)
}
_DOB = re.compile(r"^(?:alt\. )?DOB (circa |c\. )?(?:(\d{1,2}) )?(?:([A-Z][a-z]{2}) )?(\d{4})(?: to (\d{4}))?")
_ID_KINDS = (
    "Passport",
    "National ID No.",
    "Tax ID No.",
    "SSN",
    "Cedula No.",
    "Registration Number",
    "Business Registration Number",
    "Registration ID",
    "Identification Number",
    "Vessel Registration Identification",
    "UK Company Number",
    "V.A.T. Number",
    "Driver's License No.",
)
_ID = re.compile(
    r"^(?:alt\. )?(" + "|".join(re.escape(k) for k in _ID_KINDS) + r") ([^\s;]+)(?:.*\(([^()]+)\)\s*\.?)?$"
)
# Names OFAC uses that django-countries does not know.
_COUNTRY_ALIASES = {
    "Korea, North": "KP",
    "Korea, South": "KR",
    "Burma": "MM",
    "Kosovo": "XK",
    "Russian Federation": "RU",
    "Congo, Democratic Republic of the": "CD",
    "Congo, Republic of the": "CG",
    "Iran": "IR",
    "Syria": "SY",
    "Palestinian": "PS",
    "West Bank": "PS",
    "Gaza": "PS",
}


def country_code(name: str) -> str:
    name = name.strip().rstrip(".")
    if not name or name == EMPTY:
        return ""
    return _COUNTRY_ALIASES.get(name) or countries.by_name(name, language="en") or ""


def _value(field: str) -> str:
    field = field.strip()
    return "" if field == EMPTY else field


def _rows(data: bytes, file_name: str) -> list[list[str]]:
    require_content(data, file_name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(
            _("%(file)s is not UTF-8 encoded text (invalid byte at position %(pos)s).")
            % {"file": file_name, "pos": exc.start}
        )
    if text.lstrip().startswith("<"):
        raise ListFormatError(_("%(file)s is XML, not CSV: for the EU list use --format eu-xml.") % {"file": file_name})
    text = text.rstrip("\x1a \r\n")  # OFAC ends its files with an end-of-file mark (Ctrl-Z)
    expected = FILES[file_name]
    try:
        rows = [r for r in csv.reader(io.StringIO(text), strict=True) if r]
    except csv.Error as exc:
        if "unexpected end of data" in str(exc) or "EOF" in str(exc):
            raise ListFormatError(
                _("%(file)s ends inside a quoted field: the file is truncated.") % {"file": file_name}
            )
        raise ListFormatError(_("%(file)s is not valid CSV: %(error)s") % {"file": file_name, "error": exc})
    for number, row in enumerate(rows, start=1):
        if len(row) != expected:
            if number == len(rows) and len(row) < expected:
                raise ListFormatError(
                    _("The last line of %(file)s is incomplete: the file is truncated.") % {"file": file_name}
                )
            raise ListFormatError(
                _("Line %(line)s of %(file)s has %(found)s columns; the OFAC layout has %(expected)s.")
                % {"line": number, "file": file_name, "found": len(row), "expected": expected}
            )
        if not row[0].strip().isdigit():
            raise ListFormatError(
                _("Line %(line)s of %(file)s does not start with an entry number.")
                % {"line": number, "file": file_name}
            )
    return rows


def _remarks(entry: ParsedEntry, remarks: str) -> None:
    def born(year: int, month: int | None = None, day: int | None = None, *, circa: bool) -> BirthDate:
        return birth_date_checked(year, month, day, circa=circa, file="sdn.csv", entry=entry.external_id)

    for alias in _WEAK_ALIAS.findall(remarks):
        entry.add_name(alias, is_weak=True)
    for part in (p.strip() for p in remarks.split(";")):
        if match := _DOB.match(part):
            circa, day, month, year, until = match.groups()
            if until:
                # Both ends are checked first: a range like "1960 to 9999" must not become thousands of dates.
                born(int(year), circa=True)
                born(int(until), circa=True)
                for y in range(int(year), int(until) + 1):
                    entry.birth_dates.append(born(y, circa=True))
            else:
                month_number = _MONTHS.get(month or "")
                entry.birth_dates.append(
                    born(int(year), month_number, int(day) if day and month_number else None, circa=bool(circa))
                )
        elif part.startswith(("nationality ", "citizen ", "alt. nationality ", "alt. citizen ")):
            code = country_code(part.split(" ", 1)[1].removeprefix("nationality ").removeprefix("citizen "))
            if code:
                entry.countries.append((code, "citizenship"))
        elif part.startswith("POB "):
            code = country_code(part.rsplit(",", 1)[-1])
            if code:
                entry.countries.append((code, "birth"))
        elif part.startswith("Gender "):
            entry.gender = {"Male": "m", "Female": "f"}.get(part[7:].strip().rstrip("."), "")
        elif match := _ID.match(part.rstrip(".")):
            kind, number, country = match.groups()
            entry.identifiers.append((kind, number.rstrip(","), country_code(country or "")))


def parse_ofac_csv(folder: Path) -> ParsedList:
    """Parses sdn.csv, alt.csv and add.csv in `folder`; raises ListFormatError unless all three are sound."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ListFormatError(
            _("%(path)s is not a folder: for --format ofac-csv give the folder holding sdn.csv, alt.csv and add.csv.")
            % {"path": folder.name}
        )
    raw: dict[str, bytes] = {}
    for file_name in FILES:
        path = folder / file_name
        if not path.is_file():
            raise ListFormatError(_("%(file)s is missing from the folder.") % {"file": file_name})
        raw[file_name] = path.read_bytes()
    rows = {file_name: _rows(data, file_name) for file_name, data in raw.items()}

    entries: dict[str, ParsedEntry] = {}
    for row in rows["sdn.csv"]:
        ent_num, name, sdn_type, programmes, title, _call_sign, _vess_type, _t, _g, flag, _owner, remarks = (
            _value(f) for f in row
        )
        schema = SCHEMAS.get(sdn_type.lower())
        if schema is None:
            schema = ORGANIZATION if _ORGANISATION_WORDS.search(name.upper()) else COMPANY
        entry = ParsedEntry(
            external_id=ent_num,
            schema=schema,
            programmes=[p.strip(" []") for p in programmes.split("] [") if p.strip(" []")],
            remarks=remarks,
        )
        entry.add_name(name)
        if flag and country_code(flag):
            entry.countries.append((country_code(flag), "flag"))
        _remarks(entry, remarks)
        entries[ent_num] = entry
    if not entries:
        raise ListFormatError(_("sdn.csv contains no entries."))
    for row in rows["alt.csv"]:
        ent_num, _alt_num, _alt_type, alt_name, _alt_remarks = (_value(f) for f in row)
        if ent_num in entries:  # aliases of entries not in sdn.csv are ignored
            entries[ent_num].add_name(alt_name)
    for row in rows["add.csv"]:
        ent_num, _add_num, _address, _city, country, _add_remarks = (_value(f) for f in row)
        if ent_num in entries and country_code(country):
            entries[ent_num].countries.append((country_code(country), "address"))
    for entry in entries.values():
        entry.countries = sorted(set(entry.countries))
    digest = hashlib.sha256()
    for file_name in FILES:
        digest.update(file_name.encode() + b"\0" + raw[file_name] + b"\0")
    return ParsedList(source="ofac", sha256=digest.hexdigest(), entries=list(entries.values()), file_name=folder.name)
