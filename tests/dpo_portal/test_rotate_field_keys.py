"""`rotate_field_keys` moves every encrypted value to the newest key, so that old keys can be removed."""

import re
from io import StringIO
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from dpo_portal.fields import PLACEHOLDER, encrypted_fields, rotate_field_keys, rotate_model
from subjects.models import EventHealthData, PaymentMethod
from tests.factories import EventHealthDataFactory, PaymentMethodFactory

KEY_A, KEY_B, KEY_LOST = (Fernet.generate_key().decode() for _ in range(3))

pytestmark = pytest.mark.django_db


def _raw_ibans() -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, iban FROM {PaymentMethod._meta.db_table}")  # noqa: S608 (name from the model)
        return dict(cursor.fetchall())


def _counts(output: str) -> dict[str, tuple[int, int]]:
    """model label -> (rotated, unreadable), whatever language the lines are in."""
    return {m[1]: (int(m[2]), int(m[3])) for m in re.finditer(r"^([\w.]+): \D*(\d+)\D*(\d+)$", output, re.M)}


def _run(*args) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("rotate_field_keys", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_every_encrypted_field_is_found():
    found = {m._meta.label: [f.name for f in fs] for m, fs in encrypted_fields().items()}
    assert found["subjects.PaymentMethod"] == ["account_holder", "iban"]
    assert found["subjects.EventHealthData"] == ["accessibility_needs", "dietary_needs"]
    assert found["consents.Objection"] == ["note"]


def test_after_rotation_the_old_key_can_be_removed(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    payments = PaymentMethodFactory.create_batch(3, iban="DE89370400440532013000", account_holder="Erika Muster")
    health = EventHealthDataFactory(dietary_needs="vegan", accessibility_needs="")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    output, error = _run()

    assert error is None, output
    counts = _counts(output)
    assert counts["subjects.PaymentMethod"] == (6, 0)
    assert counts["subjects.EventHealthData"] == (1, 0)  # the empty value stays empty
    assert all(Fernet(KEY_B.encode()).decrypt(t.encode()) for t in _raw_ibans().values())
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # old key removed
    for pm in PaymentMethod.objects.filter(pk__in=[p.pk for p in payments]):
        assert (pm.iban, pm.account_holder) == ("DE89370400440532013000", "Erika Muster")
    health = EventHealthData.objects.get(pk=health.pk)
    assert (health.dietary_needs, health.accessibility_needs) == ("vegan", "")


def test_a_second_run_changes_nothing(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    PaymentMethodFactory.create_batch(2)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("rotate_field_keys", stdout=mock.Mock())
    before = _raw_ibans()

    output, error = _run()

    assert error is None
    assert set(_counts(output).values()) == {(0, 0)}
    assert _raw_ibans() == before  # not even re-encrypted with a fresh IV


def test_unreadable_values_are_reported_and_left_untouched(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_LOST]
    lost = PaymentMethodFactory(account_holder="")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    readable = PaymentMethodFactory(account_holder="")
    token = _raw_ibans()[lost.pk]
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    output, error = _run()

    assert error is not None and error.returncode == 1
    assert "1" in str(error)
    assert _counts(output)["subjects.PaymentMethod"] == (1, 1)
    assert _raw_ibans()[lost.pk] == token  # byte for byte
    assert PaymentMethod.objects.get(pk=lost.pk).iban == PLACEHOLDER
    assert PaymentMethod.objects.get(pk=readable.pk).iban == "DE89370400440532013000"
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_LOST]
    assert PaymentMethod.objects.get(pk=lost.pk).iban == "DE89370400440532013000"


def test_a_dry_run_counts_and_changes_nothing(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    PaymentMethodFactory.create_batch(2, account_holder="")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    before = _raw_ibans()

    output, error = _run("--dry-run")

    assert error is None
    assert _counts(output)["subjects.PaymentMethod"] == (2, 0)
    assert _raw_ibans() == before


def test_a_run_that_dies_half_way_is_resumed_without_repeating_anything(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    PaymentMethodFactory.create_batch(5, account_holder="")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    real_bulk_update = QuerySet.bulk_update
    calls = []

    def dies_in_the_second_batch(self, objs, fields, batch_size=None):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real_bulk_update(self, objs, fields, batch_size=batch_size)

    with mock.patch.object(QuerySet, "bulk_update", dies_in_the_second_batch), pytest.raises(RuntimeError):
        rotate_field_keys(batch_size=2)
    first_batch = sorted(_raw_ibans().items())[:2]
    assert all(Fernet(KEY_B.encode()).decrypt(t.encode()) for _, t in first_batch)  # committed

    [count] = [c for c in rotate_field_keys(batch_size=2) if c.model == "subjects.PaymentMethod"]

    assert (count.rotated, count.unreadable) == (3, 0)
    assert sorted(_raw_ibans().items())[:2] == first_batch


@pytest.mark.parametrize("rows", [3, 30])
def test_one_batch_costs_the_same_queries_whatever_its_size(settings, rows):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    PaymentMethodFactory.create_batch(rows)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    fields = encrypted_fields()[PaymentMethod]

    with CaptureQueriesContext(connection) as queries:
        count = rotate_model(PaymentMethod, fields, batch_size=50)

    assert count.rotated == 2 * rows
    # select (locking the batch) and one bulk update, in a savepoint: nothing per row.
    assert len(queries) == 4, [q["sql"][:80] for q in queries]
