"""No log line carries the values PostgreSQL quotes in its error messages."""

import logging
import sys
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from dpo_portal.celery import use_django_logging
from dpo_portal.log_redaction import RedactingFormatter, redact
from tests.factories import DataSubjectFactory

UNIQUE = (
    'duplicate key value violates unique constraint "t_e_key"\nDETAIL:  Key (email)=(max@example.org) already exists.'
)
NOT_NULL = (
    'null value in column "x" of relation "t" violates not-null constraint\n'
    "DETAIL:  Failing row contains (7, Max, Mustermann, 1970-01-01)."
)


def _formatted(exc: BaseException, message: str = "Internal Server Error: /admin/") -> str:
    try:
        raise exc
    except type(exc):
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, message, (), sys.exc_info())
    return RedactingFormatter("%(levelname)s %(name)s %(message)s").format(record)


def test_the_values_go_and_the_constraint_stays():
    for text in (UNIQUE, NOT_NULL):
        out = _formatted(IntegrityError(text))
        assert "max@example.org" not in out and "Mustermann" not in out
        assert "DETAIL: [values withheld]" in out
        assert text.splitlines()[0] in out  # which constraint: needed to find the bug


def test_an_exception_logged_by_its_repr_loses_its_values_too():
    # Celery: "Task … raised unexpected: IntegrityError('…\nDETAIL:  …')", the newline escaped.
    out = redact(f"Task retention.tasks.x[1] raised unexpected: {IntegrityError(UNIQUE)!r}")
    assert "max@example.org" not in out and out.startswith("Task retention.tasks.x[1] raised unexpected")


def test_other_text_is_left_alone():
    text = "retention sweep 3: {'rule': 'x', 'error': 'IntegrityError'}\nDETAILS of nothing; a DETAIL: inside"
    assert redact(text) == text


def test_the_portal_and_the_celery_workers_log_through_the_redacting_formatter():
    use_django_logging()  # what a worker or beat does at start-up (the setup_logging signal)
    formatters = [h.formatter for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert formatters and all(isinstance(f, RedactingFormatter) for f in formatters)
    # Django's errors ("django.request") have no handler of their own that would print them unredacted.
    for name in ("django", "django.request"):
        logger = logging.getLogger(name)
        assert logger.handlers == [] and logger.propagate


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL quotes values in its errors")
def test_a_real_unique_violation_is_logged_without_the_value():
    number = f"K-{uuid.uuid4().hex[:10]}"  # not in the source, which the traceback quotes
    DataSubjectFactory(customer_number=number)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        DataSubjectFactory(customer_number=number)
    assert number in str(caught.value)  # PostgreSQL quotes it …
    assert number not in _formatted(caught.value)  # … the log does not
