import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEntry
from audit.services import Action, audit_record
from tests.factories import DataSubjectFactory


@pytest.fixture
def trail(db):
    subject = DataSubjectFactory()
    for action in (Action.VIEW, Action.CHANGE, Action.EXPORT, Action.VIEW):
        audit_record(subject, action, fields=["last_name"])
    return list(AuditEntry.objects.order_by("seq"))


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_it_passes_on_an_intact_trail(trail, capsys):
    call_command("audit_verify")
    assert f"{len(trail)} " in capsys.readouterr().out


def test_it_names_a_changed_entry(trail):
    seq = trail[-3].seq
    _sql("UPDATE audit_auditentry SET actor_name = %s WHERE seq = %s", ["mallory", seq])
    with pytest.raises(CommandError, match=f"#{seq}\\b") as exc:
        call_command("audit_verify")
    assert exc.value.returncode == 1


def test_it_notices_a_changed_field_list(trail):
    seq = trail[-2].seq
    _sql("UPDATE audit_auditentry SET fields = %s WHERE seq = %s", ['["first_name"]', seq])
    with pytest.raises(CommandError, match=f"#{seq}\\b"):
        call_command("audit_verify")


def test_it_names_the_entry_after_a_deleted_one(trail):
    seq = trail[-3].seq
    _sql("DELETE FROM audit_auditentry WHERE seq = %s", [seq])
    with pytest.raises(CommandError, match=f"#{seq + 1}\\b"):
        call_command("audit_verify")


def test_it_notices_deleted_entries_at_the_end(trail):
    seq = trail[-1].seq
    _sql("DELETE FROM audit_auditentry WHERE seq = %s", [seq])
    with pytest.raises(CommandError, match=f"#{seq}\\b"):
        call_command("audit_verify")


def test_it_notices_reordered_entries(trail):
    # Swap the sequence numbers of two entries (via a free number, the column is unique).
    a, b = trail[-3].seq, trail[-2].seq
    _sql("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [-1, a])
    _sql("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [a, b])
    _sql("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [b, -1])
    with pytest.raises(CommandError, match=f"#{a}\\b"):
        call_command("audit_verify")


def test_a_rewritten_hash_does_not_hide_a_change(trail):
    entry = trail[-3]
    entry.detail = "forged"
    forged_hash = entry.compute_hash()
    _sql("UPDATE audit_auditentry SET detail = %s, hash = %s WHERE seq = %s", ["forged", forged_hash, entry.seq])
    with pytest.raises(CommandError, match=f"#{entry.seq + 1}\\b"):
        call_command("audit_verify")


def test_entries_hold_field_names_never_values(db):
    subject = DataSubjectFactory(last_name="Geheimname")
    entry = audit_record(subject, Action.CHANGE, fields=["last_name"])
    assert entry.fields == ["last_name"]
    assert "Geheimname" not in entry.payload().decode()


def test_a_chain_rebuilt_without_the_key_is_noticed(trail, settings):
    """Whoever can edit the table but lacks AUDIT_KEY cannot rewrite an entry and recompute the chain after it."""
    from audit.models import AuditChainHead, entry_hash

    forged, real_key = trail[-3], settings.AUDIT_KEY
    settings.AUDIT_KEY = "a guess"
    prev = AuditEntry.objects.get(seq=forged.seq - 1).hash if forged.seq > 1 else "0" * 64
    for entry in AuditEntry.objects.filter(seq__gte=forged.seq).order_by("seq"):
        if entry.seq == forged.seq:
            entry.detail = "forged"
        entry.prev_hash = prev
        entry.hash = prev = entry_hash(entry)
        entry.save(update_fields=["detail", "prev_hash", "hash"])
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    settings.AUDIT_KEY = real_key
    with pytest.raises(CommandError, match=f"#{forged.seq}\\b"):
        call_command("audit_verify")


def test_a_new_audit_key_is_taken_over_by_audit_rekey(trail, settings, monkeypatch, capsys):
    """Setting AUDIT_KEY later (it defaulted to SECRET_KEY) breaks verification until audit_rekey rehashes."""
    monkeypatch.setenv("AUDIT_KEY_OLD", settings.AUDIT_KEY)
    settings.AUDIT_KEY = "the new key, kept out of the database"
    with pytest.raises(CommandError, match=r"#1\b"):
        call_command("audit_verify")
    call_command("audit_rekey")
    call_command("audit_verify")
    assert f"{len(trail)} " in capsys.readouterr().out
    # Run again by mistake: said so, nothing changed, no error.
    after = list(AuditEntry.objects.order_by("seq").values_list("hash", flat=True))
    call_command("audit_rekey")
    assert "bereits" in capsys.readouterr().out
    assert list(AuditEntry.objects.order_by("seq").values_list("hash", flat=True)) == after
    # Under a wrong old key nothing is rewritten.
    monkeypatch.setenv("AUDIT_KEY_OLD", "not the key")
    settings.AUDIT_KEY = "a third key"
    before = list(AuditEntry.objects.order_by("seq").values_list("hash", flat=True))
    with pytest.raises(CommandError):
        call_command("audit_rekey")
    assert list(AuditEntry.objects.order_by("seq").values_list("hash", flat=True)) == before
