"""A deleted chain head is tampering for verification, and no outage for writing."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from audit.models import AuditChainHead, AuditEntry
from audit.services import Action, audit_record
from audit.verification import audit_verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _fill(count: int = 6) -> None:
    for n in range(count):
        audit_record(None, Action.VIEW, detail=f"e{n}")


def test_deleting_the_tail_and_the_head_is_reported():
    _fill()
    last = AuditEntry.objects.order_by("-seq").first().seq
    AuditEntry.objects.filter(seq__gt=last - 2).delete()
    AuditChainHead.objects.all().delete()
    result = audit_verify_chain()
    assert not result.ok
    assert "chain head is missing" in result.message
    with pytest.raises(CommandError, match="chain head is missing") as exc:
        call_command("audit_verify")
    assert exc.value.returncode == 1


def test_writing_goes_on_after_the_head_was_deleted_and_verification_still_reports_it():
    _fill()
    last = AuditEntry.objects.order_by("-seq").first()
    AuditChainHead.objects.all().delete()

    entry = audit_record(None, Action.VIEW, detail="after")

    marker = AuditEntry.objects.get(seq=last.seq + 1)
    assert marker.prev_hash == last.hash and marker.detail == f"after #{last.seq}"
    assert entry.seq == last.seq + 2 and entry.prev_hash == marker.hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.last_hash) == (entry.seq, entry.hash)
    result = audit_verify_chain()
    assert not result.ok
    assert f"Entry #{marker.seq}: the chain head had been deleted and was rebuilt from entry #{last.seq}" in (
        result.message
    )


def test_an_entry_changed_after_a_head_recovery_is_still_named():
    _fill()
    AuditChainHead.objects.all().delete()
    audit_record(None, Action.VIEW, detail="after")
    later = audit_record(None, Action.VIEW, detail="later")
    audit_record(None, Action.VIEW, detail="last")
    AuditEntry.objects.filter(seq=later.seq).update(detail="forged")
    result = audit_verify_chain()
    assert not result.ok
    assert "chain head had been deleted" in result.message
    assert f"Entry #{later.seq} was changed after it was written." in result.message


def test_an_empty_trail_without_a_head_starts_cleanly():
    # A flushed database: no entries, no head. Nothing can have been lost.
    AuditEntry.objects.all().delete()
    AuditChainHead.objects.all().delete()
    assert audit_record(None, Action.VIEW).seq == 1
    result = audit_verify_chain()
    assert result.ok, result.message


def test_the_trail_names_a_recovered_head_as_the_german_report_does():
    """The kind of a recovery entry and the verification report use one German word for the chain head."""
    from audit.models import HEAD_RECOVERED, kind_label

    _fill(2)
    AuditChainHead.objects.all().delete()
    audit_record(None, Action.VIEW, detail="after")
    with translation.override("de"):
        assert kind_label(HEAD_RECOVERED) == "Kettenkopf des Audit-Trails"
        assert "Kettenkopf" in audit_verify_chain().message
