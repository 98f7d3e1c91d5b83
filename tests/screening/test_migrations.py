"""Cases decided before decisions set the case's end get the date of their decision."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from screening.models import ScreeningCase
from screening.services import case_clear
from subjects.services import subject_create

BEFORE = [("screening", "0003_rescreen_progress")]
AFTER = [("screening", "0004_decided_cases_end")]


@pytest.mark.django_db(transaction=True)
def test_a_case_decided_before_gets_the_local_date_of_its_decision(register, eu_version, ofac_version, dpo_user):
    # 23:30 UTC on 2 March is already 3 March in Berlin.
    with time_machine.travel(datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC), tick=False):
        decided = ScreeningCase.objects.get(subject=subject_create(first_name="Leo", last_name="Manzi", country="RW"))
        case_clear(case=decided, user=dpo_user, reason="Different date of birth on the passport.")
        still_open = ScreeningCase.objects.get(
            subject=subject_create(first_name="Leo", last_name="Manzi", country="RW")
        )
    # As decisions left it before, both registered with the retention engine.
    ScreeningCase.objects.update(
        contract_end=None, retention_computed_at=datetime.datetime(2026, 3, 4, tzinfo=datetime.UTC)
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    decided.refresh_from_db()
    still_open.refresh_from_db()
    assert (decided.contract_end, decided.retention_computed_at) == (datetime.date(2026, 3, 3), None)
    assert still_open.contract_end is None and still_open.retention_computed_at is not None
