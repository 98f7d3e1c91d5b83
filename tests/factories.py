"""factory_boy factories for the whole project. Records need the default register loaded."""

import datetime
import decimal

import factory
from django.utils import timezone

from dpo_portal.models import DataCategory, ProcessingActivity
from subjects import models as m


def _activity(code):
    return factory.LazyFunction(lambda: ProcessingActivity.objects.get(code=code))


def _category(code):
    return factory.LazyFunction(lambda: DataCategory.objects.get(code=code))


class DataSubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.DataSubject

    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    customer_number = factory.Sequence(lambda n: f"K-{100000 + n}")
    country = "DE"
    company = factory.Faker("company", locale="de_DE")


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    subject = factory.SubFactory(DataSubjectFactory)
    collected_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))


class EmailAddressFactory(RecordFactory):
    class Meta:
        model = m.EmailAddress

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    activity = _activity("order-processing")
    category = _category("contact")


class PhoneNumberFactory(RecordFactory):
    class Meta:
        model = m.PhoneNumber

    number = factory.Sequence(lambda n: f"+49301234{n:04d}")
    activity = _activity("order-processing")
    category = _category("contact")


class PostalAddressFactory(RecordFactory):
    class Meta:
        model = m.PostalAddress

    street = "Hauptstraße 1"
    postal_code = "22926"
    city = "Ahrensburg"
    activity = _activity("order-processing")
    category = _category("contact")


class OrderFactory(RecordFactory):
    class Meta:
        model = m.Order

    number = factory.Sequence(lambda n: f"A-{2025000 + n}")
    ordered_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    description = "Softwarelizenz"
    total = decimal.Decimal("199.00")
    activity = _activity("order-processing")
    category = _category("order")


class PaymentMethodFactory(RecordFactory):
    class Meta:
        model = m.PaymentMethod

    kind = m.PaymentMethod.Kind.SEPA
    masked = "DE89 •••• 3000"
    iban = "DE89370400440532013000"
    account_holder = factory.LazyAttribute(lambda o: str(o.subject))
    activity = _activity("order-processing")
    category = _category("payment")


class CommunicationFactory(RecordFactory):
    class Meta:
        model = m.Communication

    channel = m.Communication.Channel.CHAT
    occurred_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))
    body = "Frage zur Rechnung"
    activity = _activity("customer-support")
    category = _category("support-communication")


class EventRegistrationFactory(RecordFactory):
    class Meta:
        model = m.EventRegistration

    event_name = "Anwendertreffen"
    event_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=20))
    activity = _activity("event-management")
    category = _category("event")


class EventHealthDataFactory(RecordFactory):
    class Meta:
        model = m.EventHealthData

    registration = factory.SubFactory(EventRegistrationFactory, subject=factory.SelfAttribute("..subject"))
    accessibility_needs = "Rollstuhl"
    dietary_needs = "vegetarisch"
    activity = _activity("event-health-data")
    category = _category("health")


class TrainingProgressFactory(RecordFactory):
    class Meta:
        model = m.TrainingProgress

    course = "Grundlagen"
    started_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    progress_percent = 40
    activity = _activity("learning-progress")
    category = _category("learning")


class SurveyAnswerFactory(RecordFactory):
    class Meta:
        model = m.SurveyAnswer

    survey = "Kundenzufriedenheit"
    submitted_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=5))
    answers = "Sehr zufrieden"
    activity = _activity("surveys")
    category = _category("survey")


class InteractionProfileFactory(RecordFactory):
    class Meta:
        model = m.InteractionProfile

    purchases = "Softwarelizenz"
    interests = "ERP"
    activity = _activity("product-news")
    category = _category("interaction-profile")


class AdConversionFactory(RecordFactory):
    class Meta:
        model = m.AdConversion

    click_id = factory.Sequence(lambda n: f"gclid-{n:08d}")
    campaign = "Herbst"
    clicked_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    activity = _activity("google-ads-conversion")
    category = _category("ad-conversion")


def subject_with_everything(**kwargs) -> m.DataSubject:
    """A data subject holding one record of every kind."""
    subject = DataSubjectFactory(**kwargs)
    for f in (
        EmailAddressFactory,
        PhoneNumberFactory,
        PostalAddressFactory,
        OrderFactory,
        PaymentMethodFactory,
        CommunicationFactory,
        EventHealthDataFactory,
        TrainingProgressFactory,
        SurveyAnswerFactory,
        InteractionProfileFactory,
        AdConversionFactory,
    ):
        f(subject=subject)
    return subject


# --- requests_app ---
from requests_app import models as rq  # noqa: E402


class DataSubjectRequestFactory(factory.django.DjangoModelFactory):
    """A request logged by phone a few days ago, deadline set as at intake."""

    class Meta:
        model = rq.DataSubjectRequest

    receipt_number = factory.LazyFunction(lambda: rq.ReceiptSequence.next_number(timezone.localdate().year))
    channel = rq.Channel.PHONE
    received_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    requester_name = factory.LazyAttribute(lambda o: str(o.subject) if o.subject else "Erika Mustermann")
    requester_email = "erika@example.org"
    subject = factory.SubFactory(DataSubjectFactory)
    identity_method = rq.IdentityMethod.KNOWN_CHANNEL
    identity_result = rq.IdentityResult.VERIFIED
    original_due_on = factory.LazyAttribute(lambda o: _due(o.received_at))
    due_on = factory.SelfAttribute("original_due_on")


def _due(received_at):
    from requests_app.deadlines import response_due

    return response_due(timezone.localdate(received_at))


class RequestItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = rq.RequestItem

    request = factory.SubFactory(DataSubjectRequestFactory)
    kind = rq.RequestType.ACCESS


def request_with(*kinds, state=rq.DataSubjectRequest.State.IN_PROGRESS, **kwargs) -> rq.DataSubjectRequest:
    """A request in `state` asking for `kinds` (RequestItem keyword dicts or plain kinds)."""
    request = DataSubjectRequestFactory(state=state, **kwargs)
    for kind in kinds:
        RequestItemFactory(request=request, **(kind if isinstance(kind, dict) else {"kind": kind}))
    return request


# --- retention ---


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


class DueAdConversionFactory(AdConversionFactory):
    """An ad conversion past its 30 days (the default rule deletes it)."""

    collected_on = factory.LazyFunction(lambda: _days_ago(60))


class LegalHoldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "retention.LegalHold"

    subject = factory.SubFactory(DataSubjectFactory)
    reason = "legal_claims"
    reference = factory.Sequence(lambda n: f"AZ {n}/2026")


def consent_on_paper(subject, purpose_code: str, **kwargs):
    """A consent given on a signed form (no double opt-in), through the service as staff record it."""
    from consents.services import consent_give

    values = {"text_version": 1, "channel": "paper", "origin": "Anmeldebogen", "evidence": "Scan 1", **kwargs}
    return consent_give(subject=subject, purpose_code=purpose_code, **values)
