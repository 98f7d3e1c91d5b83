"""Records are named on their pages as a heading reads: capitalised, dates in the reader's notation."""

import datetime

import pytest
from django.utils import translation

from tests.factories import CommunicationFactory, EventHealthDataFactory

pytestmark = pytest.mark.usefixtures("register")


@pytest.mark.parametrize(
    ("language", "chat", "health"),
    [("de", "Chat 28.11.2026", "Gesundheitsangaben"), ("en", "Chat 28/11/2026", "Health data")],
)
def test_record_names_read_as_headings(language, chat, health):
    message = CommunicationFactory(occurred_at=datetime.datetime(2026, 11, 28, 9, tzinfo=datetime.UTC))
    with translation.override(language):
        assert str(message) == chat
        assert str(EventHealthDataFactory()).startswith(health)
