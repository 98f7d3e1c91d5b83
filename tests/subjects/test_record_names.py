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


def test_runs_holds_and_letter_headings_start_with_a_capital():
    from retention.models import HoldReason
    from retention.services import hold_place
    from retention.sweep import sweep_run

    with translation.override("en"):
        assert str(sweep_run(dry_run=True)).startswith("Sweep ")
        assert str(hold_place(reason=HoldReason.TAX_AUDIT, record=EventHealthDataFactory())).startswith("Tax audit")
