import datetime

import pytest
import time_machine


@pytest.fixture(autouse=True)
def _journal(settings, tmp_path):
    # The replay journal of each test goes to its own directory.
    settings.RETENTION_JOURNAL_DIR = str(tmp_path / "journal")


@pytest.fixture
def today():
    """Tests run on a fixed day: 25 November 2026."""
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield datetime.date(2026, 11, 25)
