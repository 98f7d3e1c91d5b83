"""A truncated alias or address file, and impossible dates of birth, are refused like a broken file."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from screening.models import ListVersion
from screening.parsers import ListFormatError
from screening.parsers.eu_xml import parse_eu_xml
from screening.parsers.ofac_csv import parse_ofac_csv

from .conftest import EU_XML, OFAC_DIR


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _cut(path, lines: int) -> None:
    """Cuts a file at a line boundary: it still parses."""
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:lines]))


@pytest.mark.django_db
@pytest.mark.parametrize(("file_name", "what"), [("alt.csv", "aliases"), ("add.csv", "address countries")])
def test_a_truncated_ofac_side_file_is_refused_unless_allowed(ofac_copy, file_name, what):
    call_command("sanctions_import", str(OFAC_DIR), "--format", "ofac-csv")
    active = ListVersion.objects.get()
    _cut(ofac_copy / file_name, 3)
    with pytest.raises(CommandError, match=f"{what} in the new list.*truncated"):
        call_command("sanctions_import", str(ofac_copy), "--format", "ofac-csv")
    assert list(ListVersion.objects.filter(is_active=True)) == [active]
    call_command("sanctions_import", str(ofac_copy), "--format", "ofac-csv", "--allow-shrink")
    assert ListVersion.objects.get(is_active=True) != active


@pytest.mark.django_db
def test_aliases_that_leave_with_their_entries_are_no_truncation(ofac_copy):
    call_command("sanctions_import", str(OFAC_DIR), "--format", "ofac-csv")
    # Delisting: an entry leaves with its 4 aliases and 5 addresses.
    gone = {line.split(b",")[0] for line in (ofac_copy / "sdn.csv").read_bytes().splitlines()[1:2]}
    for name in ("sdn.csv", "alt.csv", "add.csv"):
        path = ofac_copy / name
        path.write_bytes(
            b"".join(x for x in path.read_bytes().splitlines(keepends=True) if x.split(b",")[0] not in gone)
        )
    call_command("sanctions_import", str(ofac_copy), "--format", "ofac-csv")
    assert ListVersion.objects.get(is_active=True).entry_count == 16


@pytest.mark.django_db
def test_an_sdn_file_cut_at_a_line_boundary_is_refused_even_with_entries_added(ofac_copy):
    """Over half the entries were kept, so the count alone let it through; the entries missing do not."""
    call_command("sanctions_import", str(OFAC_DIR), "--format", "ofac-csv")
    active = ListVersion.objects.get()
    sdn = ofac_copy / "sdn.csv"
    lines = sdn.read_bytes().splitlines(keepends=True)
    added = [
        b'99001,"NEW LISTING ONE",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n',
        b'99002,"NEW LISTING TWO",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n',
    ]
    sdn.write_bytes(b"".join(lines[:10] + added))
    with pytest.raises(CommandError, match="7 of the active list's 17 entries are missing from the new one"):
        call_command("sanctions_import", str(ofac_copy), "--format", "ofac-csv")
    assert list(ListVersion.objects.filter(is_active=True)) == [active] and ListVersion.objects.count() == 1
    call_command("sanctions_import", str(ofac_copy), "--format", "ofac-csv", "--allow-shrink")
    assert ListVersion.objects.get(is_active=True).entry_count == 12


@pytest.mark.parametrize("year", ["99999", "40000", "1200", "-5"])
def test_an_impossible_eu_birth_year_is_a_format_error(year):
    data = EU_XML.read_bytes().replace(b'monthOfYear="12" year="1965"', f'monthOfYear="12" year="{year}"'.encode())
    with pytest.raises(ListFormatError, match="impossible date of birth"):
        parse_eu_xml(data, name="eu.xml")


def test_an_impossible_eu_birth_day_is_a_format_error():
    data = EU_XML.read_bytes().replace(b'dayOfMonth="12" monthOfYear="12"', b'dayOfMonth="31" monthOfYear="2"')
    with pytest.raises(ListFormatError, match=r"eu\.xml: entry .* impossible date of birth \(1965-2-31\)"):
        parse_eu_xml(data, name="eu.xml")


@pytest.mark.parametrize(
    ("old", "new"), [(b"DOB 28 Jul 1963", b"DOB 30 Feb 1963"), (b"DOB 28 Jul 1963", b"DOB 1963 to 9999")]
)
def test_an_impossible_ofac_birth_date_is_a_format_error(ofac_copy, old, new):
    sdn = ofac_copy / "sdn.csv"
    sdn.write_bytes(sdn.read_bytes().replace(old, new))
    with pytest.raises(ListFormatError, match="sdn.csv: entry 10278 has an impossible date of birth"):
        parse_ofac_csv(ofac_copy)


@pytest.mark.django_db
def test_an_impossible_birth_year_is_refused_and_the_active_list_stays(tmp_path):
    call_command("sanctions_import", str(EU_XML), "--format", "eu-xml")
    active = ListVersion.objects.get()
    bad = tmp_path / "eu.xml"
    bad.write_bytes(EU_XML.read_bytes().replace(b'year="1965"', b'year="99999"'))
    with pytest.raises(CommandError, match="impossible date of birth"):
        call_command("sanctions_import", str(bad), "--format", "eu-xml")
    assert list(ListVersion.objects.filter(is_active=True)) == [active]
    assert ListVersion.objects.count() == 1
