"""The deletion concept (DIN 66398): the deletion classes, the catalogue of rules per data category, the holds in
force and how the rules are enforced, read from the rules as they stand, in German and English."""

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from pypdf import PdfReader

from audit.context import SYSTEM, actor_for
from audit.models import AuditEntry
from dpo_portal.models import DataCategory, ProcessingActivity, System
from retention.concept import catalogue, concept_context, deletion_classes, scheduled_time
from retention.models import DeletionRule, DeletionRuleVersion, HoldReason, StartEvent, SweepRun
from retention.selectors import active_rules_by_category, rule_for_category
from retention.services import hold_place, rule_save
from retention.sweep import sweep_run
from subjects.models import EmailAddress
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")

URL = "admin:retention_deletionrule_concept"


def _entries() -> dict:
    return {e.category.code: e for e in catalogue(rules=active_rules_by_category())}


def _classes(language="en"):
    with translation.override(language):
        return deletion_classes(list(_entries().values()))


def _class_of(classes, category_code: str) -> tuple[str, int]:
    """(row label, column index) of the cell holding the category."""
    for row in classes:
        for column, cell in enumerate(row.cells):
            if any(entry.category.code == category_code for entry in cell):
                return row.label, column
    raise AssertionError(f"{category_code} is in no deletion class")


def _html(client, language="en") -> str:
    return client.get(reverse(URL, args=["html", language])).content.decode()


def _ad_rule() -> DeletionRule:
    return rule_for_category(DataCategory.objects.get(code="ad-conversion"))


# --- the matrix of deletion classes -------------------------------------------------------------------------------


def test_it_places_each_category_in_the_class_of_its_period_and_start_event():
    classes = _classes()
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
    rule = _ad_rule()
    rule.days, rule.months = 0, 2
    rule_save(rule=rule)
    classes = _classes()
    assert _class_of(classes, "ad-conversion")[0] == "2 months"
    assert "30 days" not in [row.label for row in classes]


def test_no_period_from_the_year_end_reads_the_same_in_matrix_and_catalogue(dpo_client):
    rule = _ad_rule()
    rule.days, rule.from_year_end = 0, True
    rule_save(rule=rule)
    assert _class_of(_classes(), "ad-conversion")[0] == "at the end of the calendar year"
    assert rule.describe_period("en") == "from the end of the calendar year of the collection"
    assert rule.deletable_from(datetime.date(2026, 3, 1)) == datetime.date(2027, 1, 1)


def test_categories_whose_kinds_date_the_start_their_own_way_are_marked():
    flagged = {e.category.code for row in _classes() for cell in row.cells for e in cell if e.reads_start_its_own_way}
    # Orders (contracts from their end), events, consents, request files, contact details, screening cases.
    assert {"order", "event", "health", "consent-records", "data-subject-requests", "contact", "screening"} <= flagged
    assert "ad-conversion" not in flagged


# --- the catalogue -----------------------------------------------------------------------------------------------


def test_a_category_without_an_active_rule_is_named_as_a_gap(dpo_client):
    DataCategory.objects.create(code="visitor-log", name_de="Besucherprotokoll", name_en="Visitor log")
    assert _entries()["visitor-log"].rule is None
    html = _html(dpo_client)
    assert "Visitor log" in html
    assert "No active deletion rule: the sweep never deletes the records of this category." in html


def test_the_catalogue_counts_the_records_of_each_kind_with_restricted_and_anonymised(today):
    f.EmailAddressFactory(collected_on=today)
    f.EmailAddressFactory(collected_on=today)
    anonymous = f.EmailAddressFactory(collected_on=today)
    EmailAddress.objects.filter(pk=anonymous.pk).update(
        anonymised_at=anonymous.created_at, restricted_at=anonymous.created_at, email=""
    )
    restricted = f.EmailAddressFactory(collected_on=today)
    EmailAddress.objects.filter(pk=restricted.pk).update(restricted_at=restricted.created_at)
    kinds = {k["name"]: k for k in _entries()["contact"].kinds}
    email = kinds[capfirst(EmailAddress._meta.verbose_name_plural)]
    assert (email["count"], email["restricted"], email["anonymised"]) == (4, 1, 1)  # anonymous is not "restricted"


def test_each_kind_says_how_it_dates_the_start_event_where_it_differs(dpo_client):
    with translation.override("en"):
        kinds = {str(k["name"]): str(k["start_note"]) for k in _entries()["order"].kinds}
        requests = {str(k["name"]): str(k["start_note"]) for k in _entries()["data-subject-requests"].kinds}
        ads = [str(k["start_note"]) for k in _entries()["ad-conversion"].kinds]
    assert kinds["Orders and contracts"] == "contracts and subscriptions count from their end, never while they run"
    assert "an open request never comes due" in next(iter(requests.values()))
    assert ads == [""]
    html = _html(dpo_client)
    assert "Start event (Orders and contracts)</th><td>Contracts and subscriptions count from their end" in html
    contact = _entries()["contact"].start_notes
    assert len(contact) == 1 and contact[0][0].count(",") == 2  # three kinds of contact detail, one sentence


def test_a_category_the_portal_holds_no_records_of_says_so(dpo_client):
    assert _entries()["accounting"].kinds == []
    assert "None: the portal holds no records of this category; the rule applies in the systems listed." in _html(
        dpo_client
    )


def test_it_lists_the_activities_in_force_and_their_systems():
    ads = _entries()["ad-conversion"]
    assert [a.code for a in ads.activities] == ["google-ads-conversion"]
    with translation.override("de"):
        assert ads.systems == ["Google Ads – betrieben von Google LLC"]  # who deletes in it
    System.objects.filter(name="Google Ads").update(operator=None)
    assert _entries()["ad-conversion"].systems == ["Google Ads"]  # run by the controller itself
    ProcessingActivity.objects.filter(code="google-ads-conversion").update(status=ProcessingActivity.Status.DRAFT)
    ads = _entries()["ad-conversion"]
    assert (ads.activities, ads.systems) == ([], [])  # a draft is not in force


def test_in_force_since_is_the_last_change_of_period_start_or_action_not_of_a_citation():
    rule = _ad_rule()
    first = DeletionRuleVersion.objects.filter(rule=rule).latest("valid_from").valid_from
    assert _entries()["ad-conversion"].since == first
    with time_machine.travel(first + datetime.timedelta(days=10)):
        rule.legal_reference_en = "§ 25(1) TDDDG"
        rule_save(rule=rule)
    assert DeletionRuleVersion.objects.filter(rule=rule).count() == 2
    assert _entries()["ad-conversion"].since == first  # a reworded citation changes nothing in force
    with time_machine.travel(first + datetime.timedelta(days=20), tick=False):
        rule.days = 45
        rule_save(rule=rule)
        changed = datetime.datetime.now(datetime.UTC)
    assert _entries()["ad-conversion"].since == changed


# --- legal holds --------------------------------------------------------------------------------------------------


def test_holds_name_categories_but_only_count_people_and_records(dpo_client, today):
    person = f.DataSubjectFactory(first_name="Walburga", last_name="Quendt")
    hold_place(reason=HoldReason.LITIGATION, subject=person, reference="LG Kiel 3 O 12/26")
    hold_place(reason=HoldReason.LITIGATION, subject=person, reference="LG Kiel 3 O 14/26")  # the same person again
    record = f.EmailAddressFactory(email="quendt@example.org")
    hold_place(reason=HoldReason.LITIGATION, record=record, reference="LG Kiel 3 O 13/26")
    hold_place(reason=HoldReason.TAX_AUDIT, category=DataCategory.objects.get(code="order"))
    html = _html(dpo_client)
    assert "1 data subject, 1 individual record" in html
    assert "Order and contract data" in html.split("Legal holds in force")[1]
    for personal in ("Walburga", "Quendt", "quendt@example.org", "3 O 12/26", "3 O 13/26", "3 O 14/26"):
        assert personal not in html


def test_a_reader_who_may_not_see_holds_gets_the_concept_without_them(client):
    from django.contrib.auth.models import Permission

    hold_place(reason=HoldReason.TAX_AUDIT, category=DataCategory.objects.get(code="order"))
    from django.contrib.auth.models import User

    user = User.objects.create_user("reader", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_deletionrule"))
    client.force_login(user)
    html = _html(client)
    assert "Legal holds in force" not in html and "Tax audit" not in html
    assert "3. Enforcement" in html and "4. Change history" in html


# --- enforcement --------------------------------------------------------------------------------------------------


def test_the_sweep_and_check_times_are_read_from_the_schedule(settings):
    from celery.schedules import crontab

    schedule = dict(settings.CELERY_BEAT_SCHEDULE)
    schedule["retention-sweep"] = {**schedule["retention-sweep"], "schedule": crontab(hour=1, minute=15)}
    schedule["retention-sweep-check"] = {**schedule["retention-sweep-check"], "schedule": crontab(hour=5, minute=15)}
    settings.CELERY_BEAT_SCHEDULE = schedule
    context = concept_context(language="en")
    assert (context["sweep_time"].strftime("%H:%M"), context["check_time"].strftime("%H:%M")) == ("01:15", "05:15")
    assert scheduled_time("screening-weekly-rescreen") is None  # weekly, not daily


def test_a_sweep_not_scheduled_daily_is_flagged(settings, dpo_client):
    from celery.schedules import crontab

    schedule = dict(settings.CELERY_BEAT_SCHEDULE)
    schedule["retention-sweep"] = {**schedule["retention-sweep"], "schedule": crontab(hour=2, minute=0, day_of_month=1)}
    settings.CELERY_BEAT_SCHEDULE = schedule
    assert "The sweep is not scheduled to run once every day." in _html(dpo_client)


def test_the_last_real_sweep_is_shown_and_a_missing_one_is_flagged(dpo_client, today):
    html = _html(dpo_client)
    assert "Last sweep: none yet" in html and "No retention sweep has run yet." in html
    sweep_run()
    sweep_run(dry_run=True)
    real = SweepRun.objects.get(dry_run=False)
    SweepRun.objects.filter(dry_run=True).update(started_at=real.started_at + datetime.timedelta(hours=1))
    html = _html(dpo_client, "de")
    assert "Letzter Löschlauf: 25.11.2026 11:00, beendet" in html  # the real one, not the later dry run
    assert "Kein Löschlauf" not in html


def test_it_states_how_long_backups_keep_deleted_data(dpo_client, settings):
    settings.BACKUP_RETENTION_DAYS = 35
    html = _html(dpo_client, "de")
    assert "Datensicherungen der Datenbank werden 35 Tage aufbewahrt und dann als Ganzes gelöscht" in html
    for unstated in (None, 0, -3):
        settings.BACKUP_RETENTION_DAYS = unstated
        html = _html(dpo_client)
        assert "No retention period for database backups is stated (setting BACKUP_RETENTION_DAYS)." in html
        assert "Database backups are kept for" not in html


@pytest.mark.parametrize(("days", "ids"), [(35, []), (None, ["retention.W002"]), (0, ["retention.E003"])])
def test_check_deploy_asks_for_the_backup_period(settings, days, ids):
    from django.core.checks import run_checks

    settings.BACKUP_RETENTION_DAYS = days
    found = [m.id for m in run_checks(include_deployment_checks=True) if m.id in ("retention.W002", "retention.E003")]
    assert found == ids
    assert not [m.id for m in run_checks() if m.id in ("retention.W002", "retention.E003")]  # deploy only


# --- change history and notes -------------------------------------------------------------------------------------


def test_the_history_lists_each_version_with_who_changed_it(dpo_client, dpo_user, today):
    rule = _ad_rule()
    rule.days = 45
    rule_save(rule=rule, actor=actor_for(dpo_user))
    history = _html(dpo_client, "de").split("Änderungshistorie</h2>")[1]
    assert "45 Tage ab der Erhebung" in history and "30 Tage ab der Erhebung" in history
    assert "<td>dpo</td>" in history and "<td>System</td>" in history


@pytest.mark.parametrize(("changed_by", "shown"), [(SYSTEM.name, "system"), ("", "—"), ("dpo", "dpo")])
def test_who_changed_a_version_reads_as_a_person_the_system_or_unknown(changed_by, shown):
    with translation.override("en"):
        assert DeletionRuleVersion(changed_by=changed_by).changed_by_label == shown


def test_each_reader_gets_the_rule_s_note_in_their_language(dpo_client):
    german, english = _html(dpo_client, "de"), _html(dpo_client, "en")
    assert "Das Conversion-Cookie verliert nach 30 Tagen seine Gültigkeit" in german
    assert "The conversion cookie expires after 30 days; so does the data about it." in english
    assert "Das Conversion-Cookie" not in english


def test_a_note_without_english_is_shown_as_written(dpo_client):
    DeletionRule.objects.filter(pk=_ad_rule().pk).update(note="Eigene Notiz der DSB.", note_en="")
    assert "Eigene Notiz der DSB." in _html(dpo_client)


# --- the page ----------------------------------------------------------------------------------------------------


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
    for fmt in ("html", "pdf"):
        assert AuditEntry.objects.filter(detail=f"deletion concept {fmt} {language}").exists()


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


def test_its_queries_do_not_grow_with_records_rules_activities_or_holds(django_assert_num_queries, dpo_client, today):
    _html(dpo_client)  # sessions, content types and the like settle
    with CaptureQueriesContext(connection) as few:
        _html(dpo_client)
    for _ in range(3):
        subject = f.subject_with_everything()
        hold_place(reason=HoldReason.LEGAL_CLAIMS, subject=subject)
        hold_place(reason=HoldReason.LITIGATION, record=subject.emailaddress_set.first())
    category = DataCategory.objects.create(code="visitor-log", name_de="Besucherprotokoll", name_en="Visitor log")
    rule_save(
        rule=DeletionRule(
            code="visitor-log-90",
            category=category,
            start_event=StartEvent.COLLECTION,
            days=90,
            action="delete",
            legal_reference="Art. 6 Abs. 1 lit. f DSGVO",
            description_de="Besucherprotokoll",
            description_en="visitor log",
        )
    )
    activity = ProcessingActivity.objects.get(code="google-ads-conversion")
    activity.data_categories.add(category)
    activity.systems.add(System.objects.create(name="Empfangs-Tablet", country="DE"))
    rule = _ad_rule()
    rule.days = 40
    rule_save(rule=rule)
    with django_assert_num_queries(len(few.captured_queries)):
        html = _html(dpo_client)
    assert "Empfangs-Tablet" in html and "Visitor log" in html


def test_the_start_page_names_a_category_without_a_rule(dpo_client, client, auditor_user):
    index = reverse("admin:index")
    assert "keine aktive Löschregel" not in dpo_client.get(index, headers={"accept-language": "de"}).content.decode()
    DataCategory.objects.create(code="visitor-log", name_de="Besucherprotokoll", name_en="Visitor log")
    german = dpo_client.get(index, headers={"accept-language": "de"}).content.decode()
    assert "Die Datenkategorie Besucherprotokoll hat keine aktive Löschregel" in german
    client.force_login(auditor_user)
    english = client.get(index, headers={"accept-language": "en"}).content.decode()
    assert "The data category Visitor log has no active deletion rule" in english
