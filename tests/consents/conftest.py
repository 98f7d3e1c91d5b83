import pytest

from consents.services import consent_give
from tests.factories import (
    DataSubjectFactory,
    EmailAddressFactory,
    OrderFactory,
)


@pytest.fixture
def person(register):
    """A customer with one e-mail address and one order."""
    subject = DataSubjectFactory()
    EmailAddressFactory(subject=subject, email="anna@example.org")
    OrderFactory(subject=subject)
    return subject


@pytest.fixture
def give(register):
    """consent_give with sensible defaults for a web-form sign-up."""

    def _give(**kwargs):
        kwargs.setdefault("purpose_code", "product-news")
        kwargs.setdefault("text_version", 1)
        kwargs.setdefault("channel", "web_form")
        kwargs.setdefault("origin", "newsletter form")
        return consent_give(**kwargs)

    return _give
