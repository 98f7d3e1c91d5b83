"""No log line carries the values PostgreSQL quotes in its error messages."""

import logging
import sys
import uuid

import pytest
from django.db import DataError, IntegrityError, connection, transaction

from dpo_portal.celery import use_django_logging
from dpo_portal.log_redaction import RedactingFilter, RedactingFormatter, redact
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


def test_a_value_over_several_lines_goes_whole():
    # The failing row holds an address: its lines after the first must not survive either.
    text = 'null value in column "x" violates not-null constraint\nDETAIL:  Failing row contains (7, Erika\nHeidestr. 17\n51147 Köln, de).'
    chained = _formatted(IntegrityError(text))
    assert "Heidestr" not in chained and "51147" not in chained and "Erika" not in chained
    assert "violates not-null constraint" in chained


def test_a_bad_cast_and_the_statement_lose_their_values():
    text = "invalid input syntax for type integer: \"max@example.org\"\nLINE 1: ...WHERE id = 'max@example.org'\n                        ^"
    out = _formatted(DataError(text))
    assert "max@example.org" not in out and "invalid input syntax for type integer: [values withheld]" in out


def test_the_record_itself_is_rewritten_for_every_handler_after_the_filter():
    try:
        raise IntegrityError(UNIQUE)
    except IntegrityError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed: %s", (UNIQUE,), sys.exc_info())
    assert RedactingFilter().filter(record)
    plain = logging.Formatter("%(message)s").format(record)  # another handler, without our formatter
    assert "max@example.org" not in plain and "DETAIL: [values withheld]" in plain


def test_an_exception_logged_by_its_repr_loses_its_values_too():
    # Celery: "Task … raised unexpected: IntegrityError('…\nDETAIL:  …')", the newline escaped.
    out = redact(f"Task retention.tasks.x[1] raised unexpected: {IntegrityError(UNIQUE)!r}")
    assert "max@example.org" not in out and out.startswith("Task retention.tasks.x[1] raised unexpected")


def test_other_text_is_left_alone():
    text = "retention sweep 3: {'rule': 'x', 'error': 'IntegrityError'}\nDETAILS of nothing; a DETAIL: inside"
    assert redact(text) == text


def test_the_portal_and_the_celery_workers_log_through_the_redacting_formatter():
    use_django_logging()  # what a worker or beat does at start-up (the setup_logging signal)
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert handlers and all(isinstance(h.formatter, RedactingFormatter) for h in handlers)
    assert all(any(isinstance(f, RedactingFilter) for f in h.filters) for h in handlers)
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
    address = "\n".join([number, "Heidestr. 17", "51147 Köln"])  # (the traceback quotes the failing line only)
    with pytest.raises(IntegrityError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE t (e text NOT NULL, address text)")
        cursor.execute("INSERT INTO t VALUES (NULL, %s)", [address])
    assert "Heidestr. 17" in str(caught.value)
    assert "Heidestr" not in _formatted(caught.value) and number not in _formatted(caught.value)


def test_values_in_the_first_line_go_whatever_they_hold():
    for text, value in [
        ('invalid input syntax for type integer: "max\nmuster@example.org"\nLINE 1: …', "muster@example.org"),
        ('invalid input syntax for type integer: "x"@example.org"', "@example.org"),
        ('value "12345678901234567890" is out of range for type integer', "12345678901234567890"),
        ('date/time field value out of range: "31.02.1980 10:00"', "1980"),
    ]:
        assert value not in redact(text), text


def test_a_message_whose_arguments_do_not_fit_does_not_raise_into_the_caller():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "two %s %s", (1,), None)
    assert RedactingFilter().filter(record)
    assert "two %s %s" in record.getMessage() and record.args is None


def test_a_worker_s_level_is_log_level_when_set_and_else_its_own(monkeypatch):
    root = logging.getLogger()
    try:
        monkeypatch.setenv("LOG_LEVEL", "INFO")
        use_django_logging(loglevel="WARNING")  # Celery's default when -l is left out
        assert root.level == logging.INFO
        monkeypatch.delenv("LOG_LEVEL")
        use_django_logging(loglevel="ERROR")
        assert root.level == logging.ERROR
    finally:
        use_django_logging()
