"""Contact details are kept for the limitation period after the last contact with their person: an order, a
contract's end, a message, an event; never while a contract, subscription or consent runs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from retention.sweep import sweep_run
from subjects.models import EmailAddress, Order, PhoneNumber, PostalAddress
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


def _old_email(**kwargs) -> EmailAddress:
    return f.EmailAddressFactory(collected_on=D(2020, 3, 1), **kwargs)  # due 1 Jan 2024 on its own


def _deletable(record) -> datetime.date | None:
    sweep_run(dry_run=True)  # registers
    return type(record).objects.get(pk=record.pk).deletable_from


def test_details_of_a_person_nobody_has_heard_from_are_due(today):
    email = _old_email()
    assert _deletable(email) == D(2024, 1, 1)
    assert sweep_run().total == 1 and not EmailAddress.objects.exists()


def test_an_order_a_message_or_an_event_is_contact(today):
    ordered = _old_email()
    f.OrderFactory(subject=ordered.subject, ordered_on=D(2025, 9, 17), collected_on=D(2025, 9, 17))
    wrote = _old_email()
    f.CommunicationFactory(
        subject=wrote.subject,
        occurred_at=datetime.datetime(2024, 5, 2, 9, tzinfo=datetime.UTC),
        collected_on=D(2024, 5, 2),
    )
    coming = _old_email()
    f.EventRegistrationFactory(subject=coming.subject, event_date=D(2027, 1, 3), collected_on=D(2026, 10, 1))
    assert (_deletable(ordered), _deletable(wrote), _deletable(coming)) == (
        D(2029, 1, 1),
        D(2028, 1, 1),
        D(2031, 1, 1),
    )
    sweep_run()
    assert EmailAddress.objects.count() == 3


def test_a_contract_that_ended_counts_from_its_end(today):
    email = _old_email()
    f.OrderFactory(
        subject=email.subject, kind=Order.Kind.SUBSCRIPTION, ordered_on=D(2021, 1, 1), contract_end=D(2026, 9, 17)
    )
    assert _deletable(email) == D(2030, 1, 1)


def test_nothing_is_due_while_a_contract_or_a_consent_runs(today):
    from consents.services import consent_withdraw

    running = _old_email()
    f.OrderFactory(subject=running.subject, kind=Order.Kind.CONTRACT, ordered_on=D(2020, 3, 1))
    phone = f.PhoneNumberFactory(subject=running.subject, collected_on=D(2020, 3, 1))
    address = f.PostalAddressFactory(subject=running.subject, collected_on=D(2020, 3, 1))
    subscribed = _old_email()
    f.consent_on_paper(
        subscribed.subject,
        "affiliate-transfer",
        given_at=datetime.datetime(2020, 3, 1, 9, tzinfo=datetime.UTC),
    )
    assert [_deletable(r) for r in (running, phone, address, subscribed)] == [None] * 4
    assert sweep_run().total == 0 and EmailAddress.objects.count() == 2
    assert PhoneNumber.objects.exists() and PostalAddress.objects.exists()
    # Withdrawn, the consent no longer holds the details; they count from the withdrawal, itself a contact.
    consent_withdraw(subject=subscribed.subject, purpose_code="affiliate-transfer", channel="paper")
    assert _deletable(subscribed) == D(2030, 1, 1)


def test_a_due_address_whose_person_ordered_since_is_not_deleted(today):
    email = _old_email()
    assert _deletable(email) == D(2024, 1, 1)
    f.OrderFactory(subject=email.subject, ordered_on=today, collected_on=today)  # the next morning: a new order
    assert sweep_run().total == 0
    assert EmailAddress.objects.get(pk=email.pk).deletable_from == D(2030, 1, 1)


def test_a_due_address_whose_person_signed_a_contract_since_is_not_deleted(today):
    email = _old_email()
    assert _deletable(email) == D(2024, 1, 1)
    f.OrderFactory(subject=email.subject, kind=Order.Kind.CONTRACT, ordered_on=today, collected_on=today)
    assert sweep_run().total == 0
    assert EmailAddress.objects.get(pk=email.pk).deletable_from is None


def test_a_survey_a_course_or_a_request_is_contact(today):
    from tests.factories import request_with

    answered, trained, asked = _old_email(), _old_email(), _old_email()
    f.SurveyAnswerFactory(subject=answered.subject, submitted_on=D(2024, 3, 13), collected_on=D(2024, 3, 13))
    f.TrainingProgressFactory(
        subject=trained.subject, started_on=D(2023, 1, 5), completed_on=D(2023, 9, 5), collected_on=D(2023, 1, 5)
    )
    request_with("access", subject=asked.subject, received_at=datetime.datetime(2025, 6, 2, 9, tzinfo=datetime.UTC))
    assert [_deletable(e) for e in (answered, trained, asked)] == [D(2028, 1, 1), D(2027, 1, 1), D(2029, 1, 1)]


def test_a_new_contact_moves_details_coming_due_before_they_are_due(today):
    """The forecast and the record's page see a new order the next night, not only once the details are due."""
    email = f.EmailAddressFactory(collected_on=D(2023, 6, 1))  # due on 1 Jan 2027, within the forecast
    assert _deletable(email) == D(2027, 1, 1)
    f.OrderFactory(subject=email.subject, ordered_on=today, collected_on=today)
    assert _deletable(email) == D(2030, 1, 1)


def test_a_contact_stays_known_when_its_record_is_deleted(today):
    email = _old_email()
    chat = f.CommunicationFactory(
        subject=email.subject,
        occurred_at=datetime.datetime(2024, 5, 2, 9, tzinfo=datetime.UTC),
        collected_on=D(2024, 5, 2),
    )
    assert _deletable(email) == D(2028, 1, 1)
    type(chat).objects.filter(pk=chat.pk).delete()  # its own rule took it
    EmailAddress.objects.filter(pk=email.pk).update(retention_computed_at=None)  # registered again
    assert _deletable(email) == D(2028, 1, 1)


def test_a_contact_far_from_due_is_remembered_before_its_record_goes(today):
    """A survey answered today is anonymised after six months; the address still counts from it."""
    import time_machine

    address = f.PostalAddressFactory(collected_on=D(2025, 6, 1))
    assert _deletable(address) == D(2029, 1, 1)  # far beyond the forecast: not checked again a forecast ahead
    f.SurveyAnswerFactory(subject=address.subject, submitted_on=today, collected_on=today)
    sweep_run()  # registers the answer, and with it the person's contact details again
    assert PostalAddress.objects.get(pk=address.pk).deletable_from == D(2030, 1, 1)
    with time_machine.travel(datetime.datetime(2027, 8, 1, 10, tzinfo=datetime.UTC), tick=False):
        sweep_run()  # the answer is anonymised by its own rule
    assert PostalAddress.objects.get(pk=address.pk).deletable_from == D(2030, 1, 1)


def test_a_letter_to_the_person_is_no_contact(today):
    from subjects.models import Communication

    email = _old_email()
    f.CommunicationFactory(
        subject=email.subject,
        direction=Communication.Direction.OUTBOUND,
        occurred_at=datetime.datetime(2026, 5, 2, 9, tzinfo=datetime.UTC),
        collected_on=D(2026, 5, 2),
    )
    assert _deletable(email) == D(2024, 1, 1)


def test_registering_contact_details_takes_no_query_per_record(today):
    def register(n: int) -> int:
        for email in [_old_email() for _ in range(n)]:
            f.OrderFactory(subject=email.subject, ordered_on=D(2025, 1, 1))
        with CaptureQueriesContext(connection) as queries:
            sweep_run(dry_run=True)
        return len(queries)

    assert register(2) == register(6)


def test_a_running_contract_is_not_made_anonymous_and_an_ended_one_counts_from_its_end(today):
    running = f.OrderFactory(kind=Order.Kind.SUBSCRIPTION, ordered_on=D(2015, 1, 5), collected_on=D(2015, 1, 5))
    ended = f.OrderFactory(
        kind=Order.Kind.CONTRACT, ordered_on=D(2015, 1, 5), collected_on=D(2015, 1, 5), contract_end=D(2019, 6, 30)
    )
    one_off = f.OrderFactory(ordered_on=D(2015, 1, 5), collected_on=D(2015, 1, 5))
    assert [_deletable(o) for o in (running, ended, one_off)] == [None, D(2028, 1, 1), D(2024, 1, 1)]
    sweep_run()
    assert Order.objects.get(pk=running.pk).subject_id is not None  # untouched while it runs
