"""System checks: production settings that would put personal data at risk."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_encryption_keys(app_configs, **kwargs):
    errors = []
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: payment and health data would be encrypted with a key derived from SECRET_KEY.",
                hint="Generate one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`.",
                id="dpo_portal.E001",
            )
        )
    # Without their own values both fall back to SECRET_KEY: rotating that key would change every suppression-list
    # hash and make `audit_verify` reject the whole audit trail.
    for name, warning_id, error_id, consequence, hint in (
        (
            "HASH_SALT",
            "dpo_portal.W001",
            "dpo_portal.E004",
            "the suppression list hashes change when SECRET_KEY is rotated",
            "Set HASH_SALT to its own secret value in production, and never change it.",
        ),
        (
            "AUDIT_KEY",
            "dpo_portal.W002",
            "dpo_portal.E003",
            "audit_verify rejects the whole audit trail once SECRET_KEY is rotated",
            "Set AUDIT_KEY to its own secret value in production; change it later only with audit_rekey.",
        ),
    ):
        value = getattr(settings, name)
        if value and value != settings.SECRET_KEY:
            continue
        level, check_id = (Warning, warning_id) if settings.DEBUG else (Error, error_id)
        errors.append(
            level(
                f"{name} is not set (or equals SECRET_KEY): {consequence}.",
                hint=hint,
                id=check_id,
            )
        )
    return errors


@register(Tags.security)
def check_encryption_key_format(app_configs, **kwargs):
    """Run by every manage.py command (runserver, migrate, rotate_field_keys …), not only `check --deploy`: otherwise
    a bad key fails only at the first read or write of encrypted data, with a traceback. The key is never shown.
    (Gunicorn and Celery workers run no system checks: the deployment runs `check --deploy` and `migrate` first.)"""
    errors = []
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key)
        except (TypeError, ValueError):
            errors.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS: key number {position} is not a valid Fernet key (32 url-safe base64-encoded bytes).",
                    id="dpo_portal.E002",
                )
            )
    return errors
