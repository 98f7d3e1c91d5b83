"""Each figure of the forecast, per kind of record, leads to the list of exactly those records, and every kind's
list can be filtered by what comes due."""

import datetime

import pytest
from django.urls import reverse

from retention.models import HoldReason
from retention.selectors import rule_for_category
from retention.services import hold_place
from retention.sweep import sweep_run
from subjects.models import EmailAddress
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def _row(response, code: str) -> dict:
    return next(r for r in response.context["rows"] if r["rule"].code == code)


def test_a_figure_leads_to_the_records_behind_it(dpo_client, today):
    due = f.EmailAddressFactory(email="alt@example.org", collected_on=D(2021, 3, 1))  # due since 1 Jan 2025
    f.PhoneNumberFactory(subject=due.subject, number="+494102123456", collected_on=D(2021, 3, 1))
    held = f.EmailAddressFactory(email="gesperrt@example.org", collected_on=D(2021, 3, 1))
    hold_place(reason=HoldReason.LITIGATION, subject=held.subject, reference="LG Kiel 3 O 12/26")
    f.EmailAddressFactory(email="neu@example.org", collected_on=D(2026, 3, 1))  # not yet
    sweep_run(dry_run=True)  # registers them

    page = dpo_client.get(reverse("admin:retention_deletionrule_forecast"), headers={"accept-language": "de"})
    row = _row(page, "contact-limitation")
    assert row["due"] == 2
    kinds = {k["model"]: k for k in row["kinds"]}
    assert (kinds[EmailAddress]["due"], kinds[EmailAddress]["name"]) == (1, "E-Mail-Adressen")

    listed = dpo_client.get(kinds[EmailAddress]["links"]["due"], headers={"accept-language": "de"})
    assert listed.status_code == 200
    assert [r.email for r in listed.context["cl"].result_list] == ["alt@example.org"]
    assert "Löschvorschau" in listed.content.decode()


def test_every_kind_s_list_filters_by_what_comes_due(dpo_client, today):
    f.EmailAddressFactory(email="alt@example.org", collected_on=D(2021, 3, 1))
    f.EmailAddressFactory(email="bald@example.org", collected_on=D(2022, 12, 20))  # 1 Jan 2026: due too
    f.EmailAddressFactory(email="naechstes-jahr@example.org", collected_on=D(2023, 2, 1))  # 1 Jan 2027
    sweep_run(dry_run=True)
    url = reverse("admin:subjects_emailaddress_changelist")
    emails = lambda window: sorted(r.email for r in dpo_client.get(url, {"due": window}).context["cl"].result_list)  # noqa: E731
    assert emails("now") == ["alt@example.org", "bald@example.org"]
    assert emails("90") == ["naechstes-jahr@example.org"]
    assert len(emails("")) == 3  # no filter


def test_a_held_category_or_an_unknown_rule_lists_nothing_due(dpo_client, today):
    email = f.EmailAddressFactory(collected_on=D(2021, 3, 1))
    sweep_run(dry_run=True)
    url = reverse("admin:subjects_emailaddress_changelist")
    other_rule = rule_for_category(f.OrderFactory.build().category)
    assert not dpo_client.get(url, {"due": "now", "due_rule": other_rule.pk}).context["cl"].result_list
    hold_place(reason=HoldReason.TAX_AUDIT, category=email.category, reference="Bp 2026/17")
    assert not dpo_client.get(url, {"due": "now"}).context["cl"].result_list


def test_the_auditor_gets_no_link_to_health_data(client, auditor_user, today):
    registration = f.EventRegistrationFactory(event_date=D(2026, 10, 1), collected_on=D(2026, 9, 1))
    f.EventHealthDataFactory(subject=registration.subject, registration=registration, collected_on=D(2026, 9, 1))
    sweep_run(dry_run=True)
    client.force_login(auditor_user)
    page = client.get(reverse("admin:retention_deletionrule_forecast"))
    [kind] = _row(page, "event-health-data")["kinds"]
    assert kind["due"] == 1 and kind["links"] == {}


@pytest.mark.parametrize("rule", ["²", "-1", "x", "99999999999999999999999", "0"])
def test_a_malformed_rule_in_the_link_lists_nothing_and_does_not_crash(dpo_client, today, rule):
    f.EmailAddressFactory(collected_on=D(2021, 3, 1))
    sweep_run(dry_run=True)
    response = dpo_client.get(reverse("admin:subjects_emailaddress_changelist"), {"due": "now", "due_rule": rule})
    assert response.status_code == 200
    assert not response.context["cl"].result_list


def test_support_sees_neither_why_a_record_is_kept_nor_what_comes_due(client, support_user, dpo_client, today):
    email = f.EmailAddressFactory(collected_on=D(2021, 3, 1))
    hold_place(reason=HoldReason.LITIGATION, subject=email.subject, reference="LG Kiel 3 O 118/26")
    sweep_run(dry_run=True)
    page = reverse("admin:subjects_emailaddress_change", args=[email.pk])
    listing = reverse("admin:subjects_emailaddress_changelist")
    assert "3 O 118/26" in dpo_client.get(page).content.decode()  # the DPO's page says why it is kept
    client.force_login(support_user)
    shown = client.get(page)
    assert shown.status_code == 200 and "3 O 118/26" not in shown.content.decode()
    assert "Warum noch gespeichert" not in shown.content.decode()
    assert client.get(listing, {"due": "now"}).status_code == 302  # no such filter for support: ?e=1


def test_request_files_lists_filter_by_what_comes_due_too(dpo_client, today):
    # A request file is a record the engine keeps: the forecast's figure for it leads to this list.
    response = dpo_client.get(reverse("admin:requests_app_datasubjectrequest_changelist"), {"due": "now"})
    assert response.status_code == 200  # without the filter, the admin answers ?e=1


def test_a_list_opened_from_a_figure_names_its_rule(dpo_client, today):
    rule = rule_for_category(f.EmailAddressFactory(collected_on=D(2021, 3, 1)).category)
    url = reverse("admin:subjects_emailaddress_changelist")
    page = dpo_client.get(url, {"due": "now", "due_rule": rule.pk}, headers={"accept-language": "de"})
    assert "Löschvorschau unter contact-limitation" in page.content.decode()
