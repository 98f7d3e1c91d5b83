import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import mail_admins, send_mail

from .verification import audit_verify_chain

logger = logging.getLogger(__name__)


@shared_task
def verify_audit_trail() -> dict:
    """Daily: verifies the hash chain and alerts the DPO when it is broken (the message names only entry numbers)."""
    result = audit_verify_chain()
    if result.ok:
        logger.info("audit trail intact: %s entries", result.checked)
    else:
        logger.error("audit trail broken: %s", result.message)
        send_mail("Audit trail broken / Audit-Trail verletzt", result.message, None, [settings.DPO_EMAIL])
        mail_admins("Audit trail broken", result.message)
    return {"ok": result.ok, "checked": result.checked}
