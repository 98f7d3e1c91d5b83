"""System checks: production settings that would put personal data at risk."""

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
    if settings.HASH_SALT == settings.SECRET_KEY:
        errors.append(
            Warning(
                "HASH_SALT is not set: the suppression list hashes change when SECRET_KEY is rotated.",
                id="dpo_portal.W001",
            )
        )
    return errors
