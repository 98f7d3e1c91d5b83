"""Importing a list version: all or nothing, and the switch of the active version in the same transaction."""

from pathlib import Path

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from screening.models import (
    EntryBirthDate,
    EntryCountry,
    EntryIdentifier,
    EntryName,
    ListEntry,
    ListVersion,
    NameKey,
)
from screening.normalise import blocking_keys
from screening.parsers import ListFormatError, ParsedList
from screening.parsers.eu_xml import parse_eu_xml
from screening.parsers.ofac_csv import parse_ofac_csv

FORMATS = {"eu-xml": "eu", "ofac-csv": "ofac"}
# Delistings come a few at a time: a new version missing more than this share of the active one's entries is
# refused as probably truncated (a cut at a line boundary still parses), however many entries it adds; a count
# alone missed a cut of OFAC's sdn.csv after 10 of 17 lines. --allow-shrink accepts it.
MAX_SHARE_REMOVED = 0.1
# The aliases and address countries of entries in both versions may fall to this share.
MIN_SHARE_KEPT = 0.8
BATCH = 2000


def list_parse(*, path: Path, fmt: str) -> ParsedList:
    """Reads and parses a list file (eu-xml) or folder (ofac-csv); ListFormatError on anything unsound."""
    path = Path(path)
    if fmt in FORMATS and not path.exists():
        # A mistyped path is no file passed for a folder (or the reverse): say that it is missing.
        raise ListFormatError(_("%(path)s does not exist.") % {"path": path.name})
    if fmt == "eu-xml":
        if path.is_dir():
            raise ListFormatError(
                _("%(path)s is a folder: for the OFAC folder use --format ofac-csv.") % {"path": path.name}
            )
        if not path.is_file():
            raise ListFormatError(_("%(path)s does not exist.") % {"path": path.name})
        return parse_eu_xml(path.read_bytes(), name=path.name)
    if fmt == "ofac-csv":
        return parse_ofac_csv(path)
    raise ListFormatError(_("Unknown format %(fmt)s.") % {"fmt": fmt})


@transaction.atomic
def list_import(*, parsed: ParsedList, allow_shrink: bool = False) -> tuple[ListVersion, bool]:
    """Stores a parsed list as a new version and makes it the active one.

    Returns (version, created). An unchanged file (same hash as the active version) creates
    nothing. Either the whole version is stored and activated or, on any error, nothing is:
    the previously active version stays active. Re-screening starts after the commit.
    """
    active = ListVersion.objects.select_for_update().filter(source=parsed.source, is_active=True).first()
    if active and active.sha256 == parsed.sha256:
        return active, False
    if active and not allow_shrink:
        _refuse_shrink(active, parsed)
    version = ListVersion.objects.create(
        source=parsed.source,
        sha256=parsed.sha256,
        published_on=parsed.published_on,
        file_name=parsed.file_name[:300],
        entry_count=len(parsed.entries),
        name_count=sum(len(e.names) for e in parsed.entries),
        replaces=active,
    )
    for start in range(0, len(parsed.entries), BATCH):
        _store_entries(version, parsed.entries[start : start + BATCH])
    if active:
        active.is_active = False
        active.save(update_fields=["is_active"])
    version.is_active = True
    version.save(update_fields=["is_active"])
    audit_record(version, Action.CREATE, fields=["source", "sha256", "entry_count"], detail="sanctions list import")

    from screening.tasks import screen_list_update

    transaction.on_commit(lambda: screen_list_update.delay(version.pk))
    return version, True


def _refuse_shrink(active: ListVersion, parsed: ParsedList) -> None:
    """ListFormatError when the new version lost too much of the active one's entries, aliases or addresses."""
    old = active.entry_count
    kept = {e.external_id[:64] for e in parsed.entries}
    removed = sum(
        1
        for eid in ListEntry.objects.filter(version=active).values_list("external_id", flat=True).iterator()
        if eid not in kept
    )
    if removed > old * MAX_SHARE_REMOVED:
        raise ListFormatError(
            _(
                "%(removed)s of the active list's %(old)s entries are missing from the new one: the file is probably "
                "truncated. Use --allow-shrink if they were really delisted."
            )
            % {"removed": removed, "old": old}
        )
    # OFAC's aliases (alt.csv) and addresses (add.csv) are files of their own: one cut at a line
    # boundary leaves the entries whole. Only entries in both versions are compared, so that a
    # delisting (an entry leaving with its aliases) is no shrink.
    names = _per_entry(EntryName.objects.filter(entry__version=active))
    addresses = _per_entry(EntryCountry.objects.filter(entry__version=active, kind=EntryCountry.Kind.ADDRESS))
    old_aliases = new_aliases = old_addresses = new_addresses = 0
    for entry in parsed.entries:
        if entry.external_id in names:
            old_aliases += names[entry.external_id] - 1
            new_aliases += len(entry.names) - 1
            old_addresses += addresses.get(entry.external_id, 0)
            new_addresses += sum(1 for _code, kind in entry.countries if kind == EntryCountry.Kind.ADDRESS)
    if new_aliases < old_aliases * MIN_SHARE_KEPT:
        raise ListFormatError(
            _(
                "The entries in both lists have %(new)s aliases in the new list, %(old)s in the active one: "
                "a file is probably truncated. Use --allow-shrink if the list really shrank."
            )
            % {"new": new_aliases, "old": old_aliases}
        )
    if new_addresses < old_addresses * MIN_SHARE_KEPT:
        raise ListFormatError(
            _(
                "The entries in both lists have %(new)s address countries in the new list, %(old)s in the active "
                "one: a file is probably truncated. Use --allow-shrink if the list really shrank."
            )
            % {"new": new_addresses, "old": old_addresses}
        )


def _per_entry(rows) -> dict[str, int]:
    """Rows per entry id in the list (one query)."""
    return dict(
        rows.order_by().values("entry__external_id").annotate(n=Count("pk")).values_list("entry__external_id", "n")
    )


def _store_entries(version: ListVersion, parsed_entries) -> None:
    entries = ListEntry.objects.bulk_create(
        [
            ListEntry(
                version=version,
                external_id=p.external_id[:64],
                schema=p.schema,
                primary_name=p.primary_name[:500],
                programmes=", ".join(p.programmes)[:500],
                reference=p.reference[:100],
                gender=p.gender,
                remarks=p.remarks,
                fingerprint=p.fingerprint(),
            )
            for p in parsed_entries
        ]
    )
    names, births, countries, identifiers = [], [], [], []
    for entry, parsed in zip(entries, parsed_entries, strict=True):
        primary = parsed.primary_name
        names += [
            EntryName(entry=entry, name=n.name[:500], is_weak=n.is_weak, is_primary=n.name == primary)
            for n in parsed.names
        ]
        births += [
            EntryBirthDate(entry=entry, year=b.year, month=b.month, day=b.day, circa=b.circa)
            for b in parsed.birth_dates
        ]
        countries += [EntryCountry(entry=entry, country=c, kind=k) for c, k in parsed.countries]
        identifiers += [
            EntryIdentifier(entry=entry, kind=k[:100], number=n[:200], country=c) for k, n, c in parsed.identifiers
        ]
    names = EntryName.objects.bulk_create(names)
    schemas = {e.pk: e.schema for e in entries}
    NameKey.objects.bulk_create(
        [
            NameKey(version=version, name=n, key=key[:80])
            for n in names
            for key in blocking_keys(n.name, schemas[n.entry_id])
        ],
        batch_size=5000,
    )
    EntryBirthDate.objects.bulk_create(births)
    EntryCountry.objects.bulk_create(countries)
    EntryIdentifier.objects.bulk_create(identifiers)
