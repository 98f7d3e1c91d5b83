"""The EU Consolidated Financial Sanctions List in its FSF XML export (namespace .../fpi/fsd/export)."""

import datetime
import hashlib
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _

from screening.matching import BirthDate
from screening.normalise import COMPANY, LEGAL_ENTITY, PERSON

from . import ListFormatError, ParsedEntry, ParsedList, birth_date_checked, require_content

NS = "{http://eu.europa.ec/fpi/fsd/export}"
SCHEMAS = {"person": PERSON, "enterprise": COMPANY}
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def _check_encoding(data: bytes, name: str) -> None:
    match = _DECLARED_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
    encoding = match.group(1).decode() if match else "utf-8"
    try:
        data.decode(encoding)
    except LookupError:
        raise ListFormatError(_("%(file)s declares an unknown encoding %(enc)s.") % {"file": name, "enc": encoding})
    except UnicodeDecodeError as exc:
        raise ListFormatError(
            _("%(file)s is not encoded in %(enc)s as it declares (invalid byte at position %(pos)s).")
            % {"file": name, "enc": encoding, "pos": exc.start}
        )


def _parse_xml(data: bytes, name: str) -> Element:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        hint = _(" It looks like CSV: for the OFAC list use --format ofac-csv.") if b"," in head[:200] else ""
        raise ListFormatError(_("%(file)s is not an XML file.") % {"file": name} + hint)
    _check_encoding(data, name)
    try:
        return ElementTree.fromstring(data)
    except DefusedXmlException:
        raise ListFormatError(_("%(file)s uses forbidden XML features (entities or DTDs).") % {"file": name})
    except ParseError as exc:
        line, column = exc.position
        last_line = data.rstrip().count(b"\n") + 1
        if line >= last_line and ("no element found" in str(exc) or "unclosed token" in str(exc)):
            raise ListFormatError(
                _("%(file)s ends before the XML is complete: the file is truncated.") % {"file": name}
            )
        raise ListFormatError(
            _("%(file)s is not well-formed XML (line %(line)s, column %(column)s).")
            % {"file": name, "line": line, "column": column}
        )


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number or None


def _birth_date(element: Element, *, file: str, entry: str) -> BirthDate | None:
    year, month, day = (_int(element.get(k)) for k in ("year", "monthOfYear", "dayOfMonth"))
    full = element.get("birthdate") or ""
    if full and not year:
        try:
            parsed = datetime.date.fromisoformat(full)
        except ValueError:
            return None
        year, month, day = parsed.year, parsed.month, parsed.day
    if not year:
        return None
    return birth_date_checked(
        year, month, day if month else None, circa=element.get("circa") == "true", file=file, entry=entry
    )


def _country(element: Element) -> str:
    code = (element.get("countryIso2Code") or "").upper()
    return code if len(code) == 2 and code != "00" else ""


def _entity(element: Element, entry: ParsedEntry, file: str) -> None:
    subject_type = element.find(f"{NS}subjectType")
    if subject_type is not None:
        entry.schema = SCHEMAS.get(subject_type.get("code", ""), LEGAL_ENTITY)
    entry.reference = entry.reference or element.get("euReferenceNumber", "")
    for regulation in element.iter(f"{NS}regulation"):
        programme = regulation.get("programme", "")
        if programme and programme not in entry.programmes:
            entry.programmes.append(programme)
    for alias in element.findall(f"{NS}nameAlias"):
        whole = alias.get("wholeName") or " ".join(
            p for p in (alias.get("firstName"), alias.get("middleName"), alias.get("lastName")) if p
        )
        entry.add_name(whole, is_weak=alias.get("strong") == "false")
        gender = (alias.get("gender") or "").lower()
        if gender in ("m", "f"):
            entry.gender = gender
    for birth in element.findall(f"{NS}birthdate"):
        parsed = _birth_date(birth, file=file, entry=entry.external_id)
        if parsed and parsed not in entry.birth_dates:
            entry.birth_dates.append(parsed)
        if _country(birth):
            entry.countries.append((_country(birth), "birth"))
    for tag, kind in (("citizenship", "citizenship"), ("address", "address")):
        for place in element.findall(f"{NS}{tag}"):
            if _country(place):
                entry.countries.append((_country(place), kind))
    for ident in element.findall(f"{NS}identification"):
        number = (ident.get("number") or "").strip()
        if number:
            entry.identifiers.append((ident.get("identificationTypeCode") or "id", number, _country(ident)))
    remarks = [r.text.strip() for r in element.findall(f"{NS}remark") if r.text and r.text.strip()]
    entry.remarks = "\n".join(filter(None, [entry.remarks, *remarks]))
    entry.countries = sorted(set(entry.countries))


def parse_eu_xml(data: bytes, *, name: str = "EU XML") -> ParsedList:
    """Parses a whole FSF XML export; raises ListFormatError unless it is complete and well-formed."""
    require_content(data, name)
    root = _parse_xml(data, name)
    if root.tag != f"{NS}export":
        raise ListFormatError(
            _("%(file)s is not an EU financial sanctions export (root element <%(tag)s>).")
            % {"file": name, "tag": root.tag.rsplit("}", 1)[-1]}
        )
    entries: dict[str, ParsedEntry] = {}
    for element in root.findall(f"{NS}sanctionEntity"):
        external_id = element.get("logicalId") or element.get("euReferenceNumber") or ""
        if not external_id:
            raise ListFormatError(_("%(file)s has an entry without an id.") % {"file": name})
        # The same entity may appear twice (an amendment); its names and details are merged.
        entry = entries.setdefault(external_id, ParsedEntry(external_id=external_id, schema=LEGAL_ENTITY))
        _entity(element, entry, name)
    entries = {k: e for k, e in entries.items() if e.names}
    if not entries:
        raise ListFormatError(_("%(file)s contains no sanctioned entries.") % {"file": name})
    generated = (root.get("generationDate") or "")[:10]
    try:
        published = datetime.date.fromisoformat(generated)
    except ValueError:
        published = None
    return ParsedList(
        source="eu",
        sha256=hashlib.sha256(data).hexdigest(),
        entries=list(entries.values()),
        published_on=published,
        file_name=name,
    )
