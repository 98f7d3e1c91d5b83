"""German is the default language: every catalogue is complete, and the UI speaks German and English."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

CATALOGUES = sorted(Path(settings.BASE_DIR).glob("**/locale/de/LC_MESSAGES/django.po"))
CATALOGUES = [p for p in CATALOGUES if ".venv" not in p.parts]


def test_there_is_a_core_catalogue():
    assert Path(settings.BASE_DIR, "locale/de/LC_MESSAGES/django.po") in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_every_german_string_is_translated(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_placeholders_survive_translation(path):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    for entry in polib.pofile(str(path)).translated_entries():
        if entry.msgid_plural:
            # A singular form may spell out "one"; no form may use a placeholder the source lacks.
            allowed = set(pattern.findall(entry.msgid_plural))
            assert all(set(pattern.findall(form)) <= allowed for form in entry.msgstr_plural.values()), entry.msgid
        else:
            assert sorted(pattern.findall(entry.msgid)) == sorted(pattern.findall(entry.msgstr)), entry.msgid


def test_a_string_has_one_german_translation_in_all_catalogues():
    """Django merges the catalogues into one (the core's first, then the apps in INSTALLED_APPS order): the same
    string translated differently in two apps shows the winner's words in the other's pages ("withdrawn" request
    read "widerrufen", a consent's). A string with two senses takes a context (pgettext)."""
    from collections import defaultdict

    translations = defaultdict(dict)
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)).translated_entries():
            text = entry.msgstr or entry.msgstr_plural.get(0)
            translations[(entry.msgctxt, entry.msgid)][str(path.relative_to(settings.BASE_DIR))] = text
    clashes = {key: found for key, found in translations.items() if len(set(found.values())) > 1}
    assert not clashes, clashes


def test_german_is_the_default():
    assert settings.LANGUAGE_CODE == "de"
    with translation.override("de"):
        assert translation.gettext("data subject") == "betroffene Person"


@pytest.mark.django_db
def test_each_user_sees_the_admin_in_the_language_of_their_browser(dpo_client):
    german = dpo_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = dpo_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Verarbeitungstätigkeiten" in german
    assert "Processing activities" in english


@pytest.mark.django_db
def test_a_user_can_choose_the_language(dpo_client):
    dpo_client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    page = dpo_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Processing activities" in page


def test_english_dates_are_written_and_read_day_first():
    import datetime

    from django import forms
    from django.utils import formats

    with translation.override("en"):
        assert formats.date_format(datetime.date(2034, 12, 31), "SHORT_DATE_FORMAT") == "31/12/2034"
        moment = datetime.datetime(2024, 12, 9, 14, 5)
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "09/12/2024 14:05"
        assert forms.DateField().clean("03/07/2026") == datetime.date(2026, 7, 3)
    with translation.override("de"):
        assert formats.date_format(datetime.date(2034, 12, 31), "SHORT_DATE_FORMAT") == "31.12.2034"


@pytest.mark.django_db
def test_the_admin_s_two_list_selector_speaks_german(dpo_client):
    # Django 5's German catalogue lacks these; the project's djangojs catalogue fills them in.
    script = dpo_client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Alle %s ausw\\u00e4hlen" in script or "Alle %s auswählen" in script
    assert "Markierte %s entfernen" in script
