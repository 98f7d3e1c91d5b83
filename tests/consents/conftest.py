import pytest

from consents.services import consent_confirm, consent_give
from tests.factories import DataSubjectFactory, EmailAddressFactory, OrderFactory


@pytest.fixture
def person(register):
    """A customer with one e-mail address and one order."""
    subject = DataSubjectFactory()
    EmailAddressFactory(subject=subject, email="anna@example.org")
    OrderFactory(subject=subject)
    return subject


@pytest.fixture
def give(register):
    """consent_give with the defaults of a web-form sign-up."""

    def _give(**kwargs):
        kwargs.setdefault("purpose_code", "product-news")
        kwargs.setdefault("text_version", 1)
        kwargs.setdefault("channel", "web_form")
        kwargs.setdefault("origin", "newsletter form")
        return consent_give(**kwargs)

    return _give


@pytest.fixture
def subscribed(person, give):
    """`person` with a confirmed product-news consent for anna@example.org."""
    consent, token = give(subject=person, email="anna@example.org")
    consent_confirm(token=token)
    return person


@pytest.fixture
def purpose_end_calls(monkeypatch):
    """Records the calls to the retention engine's purpose_end (its effect is tested in tests/retention)."""
    calls = []

    def purpose_end(*, subject, activity_codes, ended_on=None):
        calls.append((subject.pk, list(activity_codes), ended_on))
        return 1

    monkeypatch.setattr("retention.services.purpose_end", purpose_end)
    return calls
