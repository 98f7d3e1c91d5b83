"""The deletion concept (DIN 66398): the deletion classes, the catalogue of rules per data category, the holds in
force and how the rules are enforced, read from the rules as they stand, in German and English."""

import io

import pytest
from django.urls import reverse
from django.utils.text import capfirst
from pypdf import PdfReader

from audit.models import AuditEntry
from dpo_portal.models import DataCategory
from retention.concept import catalogue, concept_context, deletion_classes, scheduled_time
from retention.models import DeletionRule, HoldReason, StartEvent
from retention.selectors import active_rules_by_category, rule_for_category
from retention.services import hold_place, rule_save
from retention.sweep import sweep_run
from subjects.models import EmailAddress
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")

URL = "admin:retention_deletionrule_concept"


def _class_of(classes, category_code: str) -> tuple[str, int]:
    """(row label, column index) of the cell holding the category."""
    for row in classes:
        for column, cell in enumerate(row.cells):
            if any(c.code == category_code for c in cell):
                return row.label, column
    raise AssertionError(f"{category_code} is in no deletion class")


def test_it_places_each_category_in_the_class_of_its_period_and_start_event(settings):
    from django.utils import translation

    with translation.override("en"):
        classes = deletion_classes(list(active_rules_by_category().values()))
    labels = [row.label for row in classes]
    events = list(StartEvent)
    assert _class_of(classes, "ad-conversion") == ("30 days", events.index(StartEvent.COLLECTION))
    assert _class_of(classes, "order") == (
        "8 years from the end of the calendar year",
        events.index(StartEvent.COLLECTION),
    )
    # Shortest period first; one row per distinct period, however many categories share it.
    assert labels.index("30 days") < labels.index("6 months") < labels.index("1 year")
    assert labels.index("6 years from the end of the calendar year") < labels.index(
        "8 years from the end of the calendar year"
    )
    assert len(labels) == len(set(labels))
    assert sum(len(cell) for row in classes for cell in row.cells) == DeletionRule.objects.active().count()


def test_a_changed_rule_moves_its_category_to_another_class():
    from django.utils import translation

    rule = rule_for_category(DataCategory.objects.get(code="ad-conversion"))
    rule.days, rule.months = 0, 2
    rule_save(rule=rule)
    with translation.override("en"):
        classes = deletion_classes(list(active_rules_by_category().values()))
    assert _class_of(classes, "ad-conversion")[0] == "2 months"
    assert "30 days" not in [row.label for row in classes]


def test_a_category_without_an_active_rule_is_named_as_a_gap(dpo_client):
    gap = DataCategory.objects.create(code="visitor-log", name_de="Besucherprotokoll", name_en="Visitor log")
    entries = {e.category.code: e for e in catalogue(rules=active_rules_by_category())}
    assert entries["visitor-log"].rule is None
    assert rule_for_category(gap) is None
    html = dpo_client.get(reverse(URL, args=["html", "en"])).content.decode()
    assert "Visitor log" in html
    assert "No active deletion rule: the records of this category are never deleted." in html


def test_the_catalogue_counts_the_records_of_each_kind_with_restricted_and_anonymised(today):
    f.EmailAddressFactory(collected_on=today)
    f.EmailAddressFactory(collected_on=today)
    anonymous = f.EmailAddressFactory(collected_on=today)
    EmailAddress.objects.filter(pk=anonymous.pk).update(anonymised_at=anonymous.created_at, email="")
    restricted = f.EmailAddressFactory(collected_on=today)
    EmailAddress.objects.filter(pk=restricted.pk).update(restricted_at=restricted.created_at)
    entries = {e.category.code: e for e in catalogue(rules=active_rules_by_category())}
    kinds = {k["name"]: k for k in entries["contact"].kinds}
    email = kinds[capfirst(EmailAddress._meta.verbose_name_plural)]
    assert (email["count"], email["restricted"], email["anonymised"]) == (4, 1, 1)


def test_it_lists_the_activities_and_systems_that_use_a_category():
    entries = {e.category.code: e for e in catalogue(rules=active_rules_by_category())}
    ads = entries["ad-conversion"]
    assert [a.code for a in ads.activities] == ["google-ads-conversion"]
    assert ads.systems == ["Google Ads"]


def test_holds_name_categories_but_only_count_people_and_records(dpo_client, today):
    person = f.DataSubjectFactory(first_name="Walburga", last_name="Quendt")
    hold_place(reason=HoldReason.LITIGATION, subject=person, reference="LG Kiel 3 O 12/26")
    record = f.EmailAddressFactory(email="quendt@example.org")
    hold_place(reason=HoldReason.LITIGATION, record=record, reference="LG Kiel 3 O 13/26")
    hold_place(reason=HoldReason.TAX_AUDIT, category=DataCategory.objects.get(code="order"))
    html = dpo_client.get(reverse(URL, args=["html", "en"])).content.decode()
    assert "1 data subject, 1 single record" in html
    assert "Order and contract data" in html.split("Legal holds in force")[1]
    for personal in ("Walburga", "Quendt", "quendt@example.org", "3 O 12/26"):
        assert personal not in html


def test_the_sweep_time_is_read_from_the_schedule(settings):
    from celery.schedules import crontab

    schedule = dict(settings.CELERY_BEAT_SCHEDULE)
    schedule["retention-sweep"] = {**schedule["retention-sweep"], "schedule": crontab(hour=1, minute=15)}
    settings.CELERY_BEAT_SCHEDULE = schedule
    assert scheduled_time("retention-sweep").strftime("%H:%M") == "01:15"
    assert scheduled_time("screening-weekly-rescreen") is None  # weekly, not daily
    assert concept_context(language="en")["sweep_time"].strftime("%H:%M") == "01:15"


def test_the_last_sweep_and_the_rule_history_are_shown(dpo_client, today):
    sweep_run()
    rule = rule_for_category(DataCategory.objects.get(code="ad-conversion"))
    rule.days = 45
    rule_save(rule=rule, actor=None)
    html = dpo_client.get(reverse(URL, args=["html", "de"])).content.decode()
    history = html.split("5. Änderungshistorie")[1]
    assert "45 Tage ab der Erhebung" in history and "30 Tage ab der Erhebung" in history
    assert "Letzter Löschlauf: 25.11.2026" in html


@pytest.mark.parametrize(
    ("language", "heading", "matrix"),
    [
        ("de", "Löschkonzept (DIN 66398)", "Matrix der Löschklassen"),
        ("en", "Deletion concept (DIN 66398)", "Matrix of deletion classes"),
    ],
)
def test_the_dpo_prints_or_downloads_it_in_german_or_english(dpo_client, language, heading, matrix):
    page = dpo_client.get(reverse(URL, args=["html", language]))
    assert page.status_code == 200
    assert heading in page.content.decode() and matrix in page.content.decode()
    pdf = dpo_client.get(reverse(URL, args=["pdf", language]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert heading in text and matrix in text
    assert AuditEntry.objects.filter(detail=f"deletion concept pdf {language}").exists()


def test_the_rules_list_links_to_it(dpo_client):
    page = dpo_client.get(reverse("admin:retention_deletionrule_changelist"), headers={"accept-language": "de"})
    assert reverse(URL, args=["pdf", "en"]) in page.content.decode()


def test_the_auditor_reads_it_and_support_does_not(client, auditor_user, support_user):
    client.force_login(auditor_user)
    assert client.get(reverse(URL, args=["html", "de"])).status_code == 200
    client.force_login(support_user)
    assert client.get(reverse(URL, args=["html", "de"])).status_code == 403
    assert not AuditEntry.objects.filter(
        detail__startswith="deletion concept", actor_name=support_user.username
    ).exists()


def test_an_unknown_format_or_language_is_not_found(dpo_client):
    assert dpo_client.get(reverse(URL, args=["docx", "de"])).status_code == 404
    assert dpo_client.get(reverse(URL, args=["pdf", "fr"])).status_code == 404


def test_its_queries_do_not_grow_with_records_or_rules(django_assert_max_num_queries, dpo_client, today):
    def render():
        return dpo_client.get(reverse(URL, args=["html", "en"]))

    render()  # sessions, content types and the like settle
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        render()
    for _ in range(5):
        subject = f.subject_with_everything()
        hold_place(reason=HoldReason.LEGAL_CLAIMS, subject=subject)
    DataCategory.objects.create(code="visitor-log", name_de="Besucherprotokoll", name_en="Visitor log")
    with django_assert_max_num_queries(len(few.captured_queries)):
        render()


def test_each_reader_gets_the_rule_s_note_in_their_language(dpo_client):
    german = dpo_client.get(reverse(URL, args=["html", "de"])).content.decode()
    english = dpo_client.get(reverse(URL, args=["html", "en"])).content.decode()
    assert "Das Conversion-Cookie verliert nach 30 Tagen seine Gültigkeit" in german
    assert "The conversion cookie expires after 30 days; so does the data about it." in english
    assert "Das Conversion-Cookie" not in english


def test_a_note_without_english_is_shown_as_written(dpo_client):
    rule = rule_for_category(DataCategory.objects.get(code="ad-conversion"))
    DeletionRule.objects.filter(pk=rule.pk).update(note="Eigene Notiz der DSB.", note_en="")
    assert "Eigene Notiz der DSB." in dpo_client.get(reverse(URL, args=["html", "en"])).content.decode()


def test_it_states_how_long_backups_keep_deleted_data(dpo_client, settings):
    settings.BACKUP_RETENTION_DAYS = 35
    html = dpo_client.get(reverse(URL, args=["html", "de"])).content.decode()
    assert "Datensicherungen der Datenbank werden 35 Tage aufbewahrt und dann als Ganzes gelöscht" in html
    settings.BACKUP_RETENTION_DAYS = None
    html = dpo_client.get(reverse(URL, args=["html", "en"])).content.decode()
    assert "No retention period for database backups is stated (setting BACKUP_RETENTION_DAYS)." in html


@pytest.mark.parametrize(("days", "ids"), [(35, []), (None, ["retention.W002"]), (0, ["retention.E003"])])
def test_check_deploy_asks_for_the_backup_period(settings, days, ids):
    from django.core.checks import run_checks

    settings.BACKUP_RETENTION_DAYS = days
    found = [m.id for m in run_checks(include_deployment_checks=True) if m.id in ("retention.W002", "retention.E003")]
    assert found == ids
    assert not [m.id for m in run_checks() if m.id in ("retention.W002", "retention.E003")]  # deploy only
