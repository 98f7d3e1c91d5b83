"""Encryption at rest for payment and health data (Art. 32 GDPR)."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.utils.functional import cached_property


def _fernet_keys() -> list[bytes]:
    if settings.FIELD_ENCRYPTION_KEYS:
        return [k.encode() for k in settings.FIELD_ENCRYPTION_KEYS]
    # Demo only: a key derived from SECRET_KEY, so a fresh checkout works without set-up.
    return [base64.urlsafe_b64encode(hashlib.sha256(b"field-encryption:" + settings.SECRET_KEY.encode()).digest())]


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the newest key encrypts, every listed key decrypts (rotation).

    Encrypted values cannot be searched or ordered by the database: that is the point.
    """

    @cached_property
    def _fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(k) for k in _fernet_keys()])

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return self._fernet.encrypt(value.encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            # A wrong or rotated-out key must not crash a page; the value stays unreadable.
            return "\u2588" * 8
