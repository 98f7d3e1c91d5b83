import pytest
from django.utils import translation

from screening.matching import BirthDate
from screening.parsers import ListFormatError
from screening.parsers.eu_xml import parse_eu_xml
from screening.parsers.ofac_csv import parse_ofac_csv

from .conftest import EU_XML, OFAC_DIR


@pytest.fixture(autouse=True)
def _english():
    # The reasons are asserted in English; test_it_says_why_in_german checks the catalogue.
    with translation.override("en"):
        yield


def _by_id(parsed):
    return {e.external_id: e for e in parsed.entries}


def test_it_parses_the_eu_sample():
    parsed = parse_eu_xml(EU_XML.read_bytes())
    entries = _by_id(parsed)
    assert parsed.source == "eu"
    assert str(parsed.published_on) == "2020-04-15"
    # Seven sanctionEntity elements, one of them twice (its names are merged).
    assert len(entries) == 6
    assert {n.name for n in entries["5468"].names} == {"Sok-hwa Hwang", "TestOneWord"}
    abid = entries["5295"]
    assert abid.schema == "Person"
    assert abid.primary_name == "Abid Hammadou"
    assert len(abid.names) == 5
    assert BirthDate(1965, 12, 12, False) in abid.birth_dates
    assert BirthDate(1958, None, None, True) in abid.birth_dates  # circa, year only
    assert ("DZ", "citizenship") in abid.countries
    assert abid.programmes == ["TAQA"]
    assert entries["191"].gender == "m"
    assert ("passport", "L191609", "TN") in entries["927"].identifiers
    assert BirthDate(1954) in entries["5807"].birth_dates  # year only


def test_it_marks_weak_eu_aliases():
    data = EU_XML.read_bytes().replace(
        b'wholeName="Youcef Adel" function="" title="" nameLanguage="" strong="true"',
        b'wholeName="Youcef Adel" function="" title="" nameLanguage="" strong="false"',
    )
    names = {n.name: n.is_weak for n in _by_id(parse_eu_xml(data))["5295"].names}
    assert names["Youcef Adel"] is True
    assert names["Abid Hammadou"] is False


def test_it_parses_the_ofac_sample():
    parsed = parse_ofac_csv(OFAC_DIR)
    entries = _by_id(parsed)
    assert parsed.source == "ofac"
    assert len(entries) == 17
    khoroshev = entries["48603"]
    assert khoroshev.schema == "Person"
    assert khoroshev.gender == "m"
    assert BirthDate(1993, 4, 17, False) in khoroshev.birth_dates
    assert ("RU", "citizenship") in khoroshev.countries
    assert ("Passport", "2018278055", "RU") in khoroshev.identifiers
    names = {n.name: n.is_weak for n in khoroshev.names}
    assert names["KHOROSHEV, Dmitriy Yurevich"] is False  # alt.csv
    assert names["LOCKBITSUPP"] is True  # a.k.a. in the remarks: weak
    assert entries["40716"].schema == "Vessel"
    assert ("IR", "flag") in entries["40716"].countries
    assert entries["20540"].schema == "Airplane"
    assert entries["12685"].schema == "Organization"
    assert entries["44525"].schema == "Company"
    assert entries["11195"].programmes == ["NPWMD", "IFSR", "IRAN-CON-ARMS-EO"]
    # alt.csv rows of entries missing from sdn.csv are ignored, not attached elsewhere.
    assert "10416" not in entries
    assert all(n.name != "KARADH AL-HASSAN" for n in entries["10278"].names)


def test_the_fingerprint_changes_only_with_the_content():
    first, second = parse_ofac_csv(OFAC_DIR), parse_ofac_csv(OFAC_DIR)
    assert [e.fingerprint() for e in first.entries] == [e.fingerprint() for e in second.entries]
    entry = first.entries[0]
    before = entry.fingerprint()
    entry.add_name("SOMEONE ELSE")
    assert entry.fingerprint() != before


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "is empty"),
        (b"   \n", "is empty"),
        (EU_XML.read_bytes()[:9000], "truncated"),
        (EU_XML.read_bytes().replace(b"</nameAlias>", b"</nameAlia>", 1), "not well-formed XML"),
        (EU_XML.read_bytes().replace(b"Abid", "Äbid".encode("latin-1"), 1), "not encoded in UTF-8"),
        ((OFAC_DIR / "sdn.csv").read_bytes(), "OFAC"),
        (b'<?xml version="1.0"?><rss><channel/></rss>', "not an EU financial sanctions export"),
        (b'<?xml version="1.0"?><export xmlns="http://eu.europa.ec/fpi/fsd/export"/>', "no sanctioned entries"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><export xmlns="http://eu.europa.ec/fpi/fsd/export"/>',
            "forbidden XML",
        ),
    ],
)
def test_it_refuses_broken_eu_files(data, reason):
    with pytest.raises(ListFormatError, match=reason):
        parse_eu_xml(data, name="eu.xml")


def _break(folder, name, transform):
    path = folder / name
    path.write_bytes(transform(path.read_bytes()))


@pytest.mark.parametrize(
    ("name", "transform", "reason"),
    [
        ("sdn.csv", lambda b: b"", "sdn.csv is empty"),
        ("alt.csv", lambda b: b"\n\n", "alt.csv is empty"),
        ("sdn.csv", lambda b: b[: b.index(b"Passport P0017003")], "truncated"),
        ("sdn.csv", lambda b: b[: b.rindex(b'-0- ,"Vessel Registration')], "truncated"),
        ("add.csv", lambda b: b.replace(b',"Esfahan",', b",", 1), "has 5 columns"),
        ("sdn.csv", lambda b: b.replace(b"Belize", "Bélize".encode("latin-1"), 1), "not UTF-8"),
        ("sdn.csv", lambda b: EU_XML.read_bytes(), "XML, not CSV"),
        ("alt.csv", lambda b: b"ent_num,alt_num,alt_type,alt_name,alt_remarks\n" + b, "entry number"),
    ],
)
def test_it_refuses_broken_ofac_files(ofac_copy, name, transform, reason):
    _break(ofac_copy, name, transform)
    with pytest.raises(ListFormatError, match=reason):
        parse_ofac_csv(ofac_copy)


def test_it_refuses_an_incomplete_ofac_folder(ofac_copy):
    (ofac_copy / "add.csv").unlink()
    with pytest.raises(ListFormatError, match="add.csv is missing"):
        parse_ofac_csv(ofac_copy)


def test_it_refuses_a_file_for_the_ofac_folder():
    with pytest.raises(ListFormatError, match="not a folder"):
        parse_ofac_csv(EU_XML)


def test_it_accepts_the_ofac_end_of_file_mark(ofac_copy):
    _break(ofac_copy, "sdn.csv", lambda b: b + b"\x1a")
    assert len(parse_ofac_csv(ofac_copy).entries) == 17


def test_it_says_why_in_german():
    with translation.override("de"), pytest.raises(ListFormatError, match="ist leer"):
        parse_eu_xml(b"", name="eu.xml")
