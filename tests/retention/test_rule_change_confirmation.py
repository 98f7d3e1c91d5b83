"""A rule change that makes records due at once is saved only once the DPO confirms it: the next sweep deletes
or anonymises them for good (a period typed as 1 year instead of 10 would wipe nine years of books)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from retention.models import HoldReason
from retention.selectors import latest_due_start, newly_due, rule_for_category
from retention.services import hold_place, rule_save
from retention.sweep import sweep_run
from subjects.models import Order
from tests import factories as f
from tests.retention.test_admin import _rule_form

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def _order(day: datetime.date, **kwargs) -> Order:
    return f.OrderFactory(collected_on=day, ordered_on=day, **kwargs)


@pytest.mark.parametrize(
    ("language", "message", "details"),
    [
        (
            "de",
            "Nach dieser Änderung verarbeitet der nächste Löschlauf sofort 1 Datensatz",
            "Bestellungen und Verträge: 1 (anonymisieren)",
        ),
        (
            "en",
            "After this change the next sweep processes 1 record at once",
            "Orders and contracts: 1 (anonymise)",
        ),
    ],
)
def test_shortening_a_rule_so_that_records_fall_due_asks_first(dpo_client, today, language, message, details):
    falls_due = _order(D(2020, 6, 1))  # 8 years: 1 Jan 2029; 5 years: 1 Jan 2026
    _order(D(2016, 6, 1))  # due already: nothing new
    _order(D(2024, 6, 1))  # 5 years: 1 Jan 2030, not yet
    held = _order(D(2020, 6, 1))
    hold_place(reason=HoldReason.LITIGATION, subject=held.subject, reference="LG Kiel 3 O 12/26")
    sweep_run(dry_run=True)  # registers them
    rule = rule_for_category(falls_due.category)
    url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
    audit_entries = AuditEntry.objects.count()

    response = dpo_client.post(url, _rule_form(rule, years=5), headers={"accept-language": language})

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["confirm_due"]
    assert error.startswith(message) and details in error
    rule.refresh_from_db()
    falls_due.refresh_from_db()
    assert (rule.years, falls_due.deletable_from, AuditEntry.objects.count()) == (8, D(2029, 1, 1), audit_entries)

    confirmed_for = response.context["adminform"].form.data["confirmed_for"]
    response = dpo_client.post(url, _rule_form(rule, years=5, confirm_due="on", confirmed_for=confirmed_for))

    assert response.status_code == 302
    rule.refresh_from_db()
    falls_due.refresh_from_db()
    assert (rule.years, falls_due.deletable_from) == (5, D(2026, 1, 1))


def test_a_change_that_makes_nothing_due_saves_without_asking(dpo_client, today):
    order = _order(D(2020, 6, 1))
    rule = rule_for_category(order.category)
    url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
    assert dpo_client.post(url, _rule_form(rule, note="Rechnungen und Verträge")).status_code == 302
    assert dpo_client.post(url, _rule_form(rule, years=10)).status_code == 302
    assert dpo_client.post(url, _rule_form(rule, years=7, from_year_end="")).status_code == 302  # 2 Jun 2027
    rule.refresh_from_db()
    assert (rule.years, rule.from_year_end) == (7, False)


def test_ending_the_retention_duty_makes_data_whose_purpose_ended_due():
    erased = _order(D(2025, 3, 10))
    Order.objects.filter(pk=erased.pk).update(purpose_ended_on=D(2026, 11, 2))
    _order(D(2025, 3, 10))
    rule = rule_for_category(erased.category)
    assert newly_due(rule, today=D(2026, 11, 25)) == []
    rule.retention_duty = False
    [due] = newly_due(rule, today=D(2026, 11, 25))
    assert (due.model, due.count) == (Order, 1)


def test_it_finds_the_latest_start_event_that_is_due():
    rule = rule_for_category(_order(D(2020, 1, 1)).category)  # 8 years from the year end
    assert latest_due_start(rule, D(2026, 12, 31)) == D(2017, 12, 31)
    assert latest_due_start(rule, D(2027, 1, 1)) == D(2018, 12, 31)
    rule.from_year_end, rule.years, rule.months = False, 0, 1
    assert latest_due_start(rule, D(2025, 3, 1)) == D(2025, 1, 31)  # 31 Jan + 1 month ends on 28 Feb
    assert latest_due_start(rule, D(1900, 1, 15)) is None


def test_counting_takes_one_query_per_kind_of_record_however_many_records():
    rule = rule_for_category(_order(D(2020, 6, 1)).category)
    rule.years = 5

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            newly_due(rule, today=D(2026, 11, 25))
        return len(captured)

    few = queries()
    for _ in range(5):
        _order(D(2020, 6, 1))
    assert queries() == few
    assert sum(d.count for d in newly_due(rule, today=D(2026, 11, 25))) == 6


def test_a_new_start_event_counts_records_whose_old_start_has_not_happened():
    running = f.OrderFactory(
        kind=Order.Kind.SUBSCRIPTION, ordered_on=D(2016, 1, 4), collected_on=D(2016, 1, 4), contract_end=None
    )
    sweep_run(dry_run=True)
    rule = rule_for_category(running.category)
    rule.start_event = "contract_end"
    assert newly_due(rule, today=D(2026, 11, 25)) == []  # runs: no end, no start
    order = _order(D(2016, 6, 1))
    Order.objects.filter(pk=order.pk).update(contract_end=None)
    rule.start_event = "collection"
    current = rule_for_category(running.category)
    current.start_event = "contract_end"
    rule_save(rule=current)  # now counted from the contract's end, which the plain order lacks
    [due] = newly_due(rule, today=D(2026, 11, 25))
    assert (due.model, due.count) == (Order, 1)


def test_a_new_action_counts_what_the_old_one_had_done_already():
    order = _order(D(2016, 6, 1))
    rule = rule_for_category(order.category)
    rule.action, rule.retention_duty = "restrict", True
    rule_save(rule=rule)
    assert sweep_run().total == 1  # restricted, and left alone by later sweeps
    assert newly_due(rule, today=D(2026, 11, 25)) == []
    rule.action = "delete"
    [due] = newly_due(rule, today=D(2026, 11, 25))
    assert (due.model, due.action, due.count) == (Order, "delete", 1)


def test_the_tick_confirms_the_change_it_was_asked_for_and_no_other(dpo_client, today):
    order = _order(D(2020, 6, 1))  # 5 years: due; 1 year: due too, and with it the order of 2024
    _order(D(2024, 6, 1))
    sweep_run(dry_run=True)
    rule = rule_for_category(order.category)
    url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
    asked = dpo_client.post(url, _rule_form(rule, years=5)).context["adminform"].form.data["confirmed_for"]

    response = dpo_client.post(
        url, _rule_form(rule, years=1, confirm_due="on", confirmed_for=asked), headers={"accept-language": "de"}
    )

    assert response.status_code == 200  # asked again, for the period now typed
    [error] = response.context["adminform"].form.errors["confirm_due"]
    assert error.startswith("Nach dieser Änderung verarbeitet der nächste Löschlauf sofort 2 Datensätze")
    rule.refresh_from_db()
    assert rule.years == 8


def test_the_page_asking_names_the_rule_as_saved(dpo_client, today):
    order = _order(D(2020, 6, 1))
    sweep_run(dry_run=True)
    rule = rule_for_category(order.category)
    url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
    response = dpo_client.post(url, _rule_form(rule, years=5), headers={"accept-language": "de"})
    assert response.context["subtitle"].startswith("Bestell- und Vertragsdaten: 8 Jahre")
    assert response.context["adminform"].form["years"].value() == "5"  # the form keeps what was typed
    page = " ".join(response.content.decode().split())
    assert "8 Jahre ab Ende des Kalenderjahres der Erhebung" in page and "5 Jahre ab Ende" not in page


def test_it_counts_for_the_date_the_next_sweep_sweeps_as_of(client, dpo_user):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 12, 31, 10, tzinfo=datetime.UTC), tick=False):
        client.force_login(dpo_user)  # a session of that day
        order = _order(D(2020, 6, 1))  # 6 years from the end of 2020: deletable from 1 January 2027
        sweep_run(dry_run=True)
        rule = rule_for_category(order.category)
        url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
        response = client.post(url, _rule_form(rule, years=6), headers={"accept-language": "en"})
    # Nothing is due on 31 December, but the sweep at 02:30 sweeps as of 1 January.
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["confirm_due"]
    assert error.startswith("After this change the next sweep processes 1 record at once")


def test_the_tick_is_no_change_of_the_rule_and_shows_only_when_asked(dpo_client, today):
    from django.contrib.admin.models import LogEntry

    order = _order(D(2020, 6, 1))
    sweep_run(dry_run=True)
    rule = rule_for_category(order.category)
    url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
    refused = dpo_client.post(url, _rule_form(rule, years=-3))
    assert refused.status_code == 200 and 'name="confirm_due"' not in refused.content.decode()
    asked = dpo_client.post(url, _rule_form(rule, years=5))
    assert 'name="confirm_due"' in asked.content.decode()
    confirmed_for = asked.context["adminform"].form.data["confirmed_for"]
    assert (
        dpo_client.post(url, _rule_form(rule, years=5, confirm_due="on", confirmed_for=confirmed_for)).status_code
        == 302
    )
    message = LogEntry.objects.filter(object_id=str(rule.pk)).latest("action_time").get_change_message()
    assert "confirm" not in message.lower() and "Ja, der nächste" not in message


def test_the_morning_check_follows_the_sweep_by_four_hours(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    sweep, check = schedule["retention-sweep"]["schedule"], schedule["retention-sweep-check"]["schedule"]
    assert {(h + 4) % 24 for h in sweep.hour} == check.hour and sweep.minute == check.minute


def test_a_page_sent_back_only_to_confirm_says_so(dpo_client, today):
    order = _order(D(2020, 6, 1))
    sweep_run(dry_run=True)
    rule = rule_for_category(order.category)
    url = reverse("admin:retention_deletionrule_change", args=[rule.pk])
    asked = dpo_client.post(url, _rule_form(rule, years=5), headers={"accept-language": "de"}).content.decode()
    assert "Bitte bestätigen Sie die Änderung unten, bevor sie gespeichert wird." in asked
    assert "Bitte den unten aufgeführten Fehler korrigieren" not in asked
    refused = dpo_client.post(url, _rule_form(rule, years=-3), headers={"accept-language": "de"}).content.decode()
    assert "Bitte bestätigen Sie" not in refused and "Bitte den unten aufgeführten Fehler korrigieren" in refused


@pytest.mark.parametrize(
    ("utc", "day"),
    [
        (datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC), D(2027, 1, 1)),  # 00:30 on 1 January: tonight
        (datetime.datetime(2027, 1, 1, 1, 31, tzinfo=datetime.UTC), D(2027, 1, 2)),  # 02:31: swept already
        # Clocks back on 25 October: 02:15 in the repeated hour comes after the 02:30 that already swept.
        (datetime.datetime(2026, 10, 25, 1, 15, tzinfo=datetime.UTC), D(2026, 10, 26)),
        (datetime.datetime(2026, 10, 25, 0, 15, tzinfo=datetime.UTC), D(2026, 10, 25)),  # 02:15 the first time
        # Clocks forward on 29 March: 02:30 does not exist; Celery runs the sweep at 03:30.
        (datetime.datetime(2026, 3, 29, 1, 15, tzinfo=datetime.UTC), D(2026, 3, 29)),  # 03:15
    ],
)
def test_the_next_sweep_day_around_midnight_and_the_clock_changes(utc, day):
    from retention.selectors import next_sweep_day

    assert next_sweep_day(utc) == day


def test_it_counts_the_erased_people_whose_last_kept_record_the_change_releases(today):
    from retention.services import subject_erase
    from subjects.models import DataSubject

    order = _order(D(2020, 6, 1))  # kept for the booking duty after the erasure: 8 years, then 5
    _order(D(2020, 6, 1))  # another customer's, not erased
    subject_erase(subject=order.subject)
    rule = rule_for_category(order.category)
    rule.years = 5
    due = {(d.model, d.action): d.count for d in newly_due(rule, today=D(2026, 11, 25))}
    assert due == {(Order, "anonymise"): 2, (DataSubject, "anonymise"): 1}
    rule_save(rule=rule)
    done = {(c.model_label, c.action): c.count for c in sweep_run(dry_run=True).counts.all()}
    assert done == {("subjects.Order", "anonymise"): 2, ("subjects.DataSubject", "anonymise"): 1}
