"""List and detail pages run a fixed number of queries, however many rows there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    CommunicationFactory,
    DataSubjectFactory,
    EmailAddressFactory,
    EventHealthDataFactory,
    OrderFactory,
    PaymentMethodFactory,
    subject_with_everything,
)


def _queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (content types) first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_subject_list_query_count_does_not_grow(register, dpo_client):
    url = reverse("admin:subjects_datasubject_changelist")
    DataSubjectFactory.create_batch(2)
    few = _queries(dpo_client, url)
    DataSubjectFactory.create_batch(30)
    assert _queries(dpo_client, url) == few


@pytest.mark.django_db
def test_subject_page_query_count_does_not_grow_with_records(register, dpo_client):
    subject = subject_with_everything()
    url = reverse("admin:subjects_datasubject_change", args=[subject.pk])
    few = _queries(dpo_client, url)
    for factory in (
        EmailAddressFactory,
        OrderFactory,
        PaymentMethodFactory,
        CommunicationFactory,
        EventHealthDataFactory,
    ):
        factory.create_batch(6, subject=subject)
    assert _queries(dpo_client, url) == few


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["order", "emailaddress", "communication", "paymentmethod"])
def test_record_lists_query_count_does_not_grow(register, dpo_client, model):
    url = reverse(f"admin:subjects_{model}_changelist")
    subject_with_everything()
    few = _queries(dpo_client, url)
    for _ in range(8):
        subject_with_everything()
    assert _queries(dpo_client, url) == few


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "admin:dpo_portal_processingactivity_changelist",
        "admin:dpo_portal_recipient_changelist",
        "admin:dpo_portal_system_changelist",
        "admin:audit_auditentry_changelist",
    ],
)
def test_register_lists_have_a_query_budget(register, dpo_client, url_name):
    # The register has ~20 rows; a per-row query would push these far past the budget.
    assert _queries(dpo_client, reverse(url_name)) <= 12


@pytest.mark.django_db
def test_record_rows_on_the_subject_page_get_small_boxes(register, dpo_client):
    from tests.factories import DataSubjectFactory

    subject = DataSubjectFactory()
    page = dpo_client.get(reverse("admin:subjects_datasubject_change", args=[subject.pk])).content.decode()
    # The interaction profile's long texts: a two-line box in the table row, not the page-wide admin widget.
    assert 'name="interactionprofile_set-__prefix__-purchases" cols="30" rows="2"' in page
    assert 'class="vLargeTextField" cols="40" name="interactionprofile_set' not in page
