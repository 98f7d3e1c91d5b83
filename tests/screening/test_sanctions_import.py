import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from audit.models import AuditEntry
from screening.models import EntryName, ListEntry, ListVersion, NameKey

from .conftest import EU_XML, OFAC_DIR


@pytest.fixture(autouse=True)
def _english():
    # The reasons are asserted in English; test_it_says_why_in_german checks the catalogue.
    with translation.override("en"):
        yield


@pytest.mark.django_db
def test_it_imports_both_lists_and_activates_them(capsys):
    call_command("sanctions_import", str(EU_XML), "--format", "eu-xml")
    call_command("sanctions_import", str(OFAC_DIR), "--format", "ofac-csv")
    assert "6" in capsys.readouterr().out
    eu, ofac = ListVersion.objects.get(source="eu"), ListVersion.objects.get(source="ofac")
    assert eu.is_active and ofac.is_active
    assert (eu.entry_count, ofac.entry_count) == (6, 17)
    assert str(eu.published_on) == "2020-04-15"
    assert len(eu.sha256) == 64
    assert EntryName.objects.filter(entry__version=ofac, is_weak=True).exists()
    assert NameKey.objects.filter(version=eu).exists()
    assert AuditEntry.objects.filter(object_type="screening.listversion", action="create").count() == 2


@pytest.mark.django_db
def test_the_same_file_twice_is_one_version(capsys):
    call_command("sanctions_import", str(EU_XML), "--format", "eu-xml")
    call_command("sanctions_import", str(EU_XML), "--format", "eu-xml")
    out = capsys.readouterr().out
    assert "Unchanged" in out or "Unverändert" in out
    assert ListVersion.objects.count() == 1


@pytest.mark.django_db
def test_a_new_version_replaces_the_active_one(tmp_path):
    call_command("sanctions_import", str(EU_XML), "--format", "eu-xml")
    first = ListVersion.objects.get()
    changed = tmp_path / "eu.xml"
    changed.write_bytes(EU_XML.read_bytes().replace(b"Leo Manzi", b"Leo Manzi Junior"))
    call_command("sanctions_import", str(changed), "--format", "eu-xml")
    first.refresh_from_db()
    second = ListVersion.objects.get(is_active=True)
    assert not first.is_active
    assert second.replaces == first
    assert ListEntry.objects.filter(version=first).count() == 6  # the old version is kept


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "fmt", "reason"),
    [
        (b"", "eu-xml", "empty"),
        (EU_XML.read_bytes()[:5000], "eu-xml", "truncated"),
        ((OFAC_DIR / "sdn.csv").read_bytes(), "eu-xml", "ofac-csv"),
    ],
)
def test_a_broken_file_is_refused_and_the_active_version_stays(tmp_path, content, fmt, reason):
    call_command("sanctions_import", str(EU_XML), "--format", "eu-xml")
    active = ListVersion.objects.get()
    broken = tmp_path / "broken.xml"
    broken.write_bytes(content)
    with pytest.raises(CommandError, match=reason):
        call_command("sanctions_import", str(broken), "--format", "eu-xml")
    assert list(ListVersion.objects.all()) == [active]
    active.refresh_from_db()
    assert active.is_active


@pytest.mark.django_db
def test_a_much_shorter_list_is_refused_unless_allowed(ofac_copy):
    call_command("sanctions_import", str(OFAC_DIR), "--format", "ofac-csv")
    sdn = ofac_copy / "sdn.csv"
    sdn.write_bytes(b"\n".join(sdn.read_bytes().splitlines()[:3]) + b"\n")
    with pytest.raises(CommandError, match="truncated"):
        call_command("sanctions_import", str(ofac_copy), "--format", "ofac-csv")
    assert ListVersion.objects.get(is_active=True).entry_count == 17
    call_command("sanctions_import", str(ofac_copy), "--format", "ofac-csv", "--allow-shrink")
    assert ListVersion.objects.get(is_active=True).entry_count == 3


@pytest.mark.django_db
def test_a_folder_given_as_eu_xml_is_refused():
    with pytest.raises(CommandError, match="ofac-csv"):
        call_command("sanctions_import", str(OFAC_DIR), "--format", "eu-xml")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["ofac-csv", "eu-xml"])
def test_it_says_that_a_mistyped_path_does_not_exist(tmp_path, fmt):
    with pytest.raises(CommandError, match="ofac-2026 does not exist"):
        call_command("sanctions_import", str(tmp_path / "ofac-2026"), "--format", fmt)
