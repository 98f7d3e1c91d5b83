import pytest
from django.core import mail
from django.db import connection

from audit.models import AuditEntry
from audit.services import Action, audit_record
from audit.tasks import verify_audit_trail


@pytest.mark.django_db
def test_it_reports_an_intact_trail_without_mail(settings):
    audit_record(None, Action.EXPORT, detail="register csv de")
    assert verify_audit_trail.delay().get() == {"ok": True, "checked": AuditEntry.objects.count()}
    assert not mail.outbox


@pytest.mark.django_db
def test_it_mails_the_dpo_when_the_trail_is_broken(settings):
    settings.DPO_EMAIL = "dsb@example.org"
    audit_record(None, Action.EXPORT, detail="register csv de")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET detail = 'x' WHERE detail = 'register csv de'")
    assert verify_audit_trail.delay().get()["ok"] is False
    assert mail.outbox[0].to == ["dsb@example.org"]
    assert f"#{AuditEntry.objects.order_by('seq').last().seq}" in mail.outbox[0].body


def test_a_real_worker_runs_it_through_redis(celery_worker):
    audit_record(None, Action.EXPORT, detail="register csv de")
    result = verify_audit_trail.delay()
    assert result.get(timeout=30) == {"ok": True, "checked": AuditEntry.objects.count()}
