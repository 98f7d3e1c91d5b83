"""Encryption at rest for payment and health data (Art. 32 GDPR)."""

import base64
import functools
import hashlib
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast

# What a value shows when no configured key decrypts it.
PLACEHOLDER = "\u2588" * 8


def _fernet_keys() -> tuple[bytes, ...]:
    if settings.FIELD_ENCRYPTION_KEYS:
        return tuple(k.encode() for k in settings.FIELD_ENCRYPTION_KEYS)
    # Demo only: a key derived from SECRET_KEY, so a fresh checkout works without set-up.
    return (base64.urlsafe_b64encode(hashlib.sha256(b"field-encryption:" + settings.SECRET_KEY.encode()).digest()),)


@dataclass(frozen=True)
class _Keyring:
    all: MultiFernet  # newest key encrypts, every key decrypts
    newest: Fernet


@functools.lru_cache(maxsize=4)
def _build_keyring(keys: tuple[bytes, ...]) -> _Keyring:
    fernets = [Fernet(k) for k in keys]
    return _Keyring(all=MultiFernet(fernets), newest=fernets[0])


def _keyring() -> _Keyring:
    # Keyed by the configured keys, so a changed setting (tests, override_settings) is never served a stale key.
    return _build_keyring(_fernet_keys())


class UnreadableValue(str):
    """A value no configured key decrypts: it shows the placeholder and keeps the ciphertext it was read from.

    Saving the record writes that ciphertext back unchanged, so the value can be read again once the
    missing key is configured again, instead of being replaced by the encrypted placeholder.
    """

    ciphertext: str

    def __new__(cls, ciphertext: str):
        value = super().__new__(cls, PLACEHOLDER)
        value.ciphertext = ciphertext
        return value

    def __reduce__(self):
        # Copies and pickles (cache, deepcopy) keep the ciphertext, not just the placeholder.
        return (UnreadableValue, (self.ciphertext,))


class Ciphertext(str):
    """A Fernet token written to the database as it is (key rotation), never encrypted again."""


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the newest key encrypts, every listed key decrypts (rotation).

    Encrypted values cannot be searched or ordered by the database: that is the point.
    """

    @property
    def _fernet(self) -> MultiFernet:
        return _keyring().all

    def get_prep_value(self, value):
        if isinstance(value, UnreadableValue):
            return value.ciphertext
        if isinstance(value, Ciphertext):
            return str(value)
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        if value == PLACEHOLDER:
            # Only a lost UnreadableValue (e.g. a serialised copy) looks like this: encrypting it would
            # store the placeholder in place of the real value.
            raise ValueError(
                f"{self.model.__name__}.{self.name}: refusing to store the placeholder of an unreadable value."
            )
        return self._fernet.encrypt(value.encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            # A wrong or rotated-out key must not crash a page; the value stays unreadable, but intact.
            return UnreadableValue(value)

    def save_form_data(self, instance, data):
        # A form shows an unreadable value as the placeholder; posting it back means "unchanged".
        if data == PLACEHOLDER:
            return
        super().save_form_data(instance, data)


def encrypted_fields() -> dict[type[models.Model], list[EncryptedTextField]]:
    """Every model with encrypted columns of its own (a child table's parent is listed separately)."""
    found = {}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found[model] = fields
    return found


@dataclass
class RotationCount:
    model: str
    rotated: int = 0
    unreadable: int = 0


def _rotated_token(token: str | None, keyring: _Keyring) -> str | None:
    """The token under the newest key; None when it already is (nothing to do). Raises InvalidToken."""
    if not token:
        return None
    raw = token.encode()
    try:
        keyring.newest.decrypt(raw)
        return None
    except InvalidToken:
        pass
    # rotate() keeps the token's timestamp; the plaintext never leaves the cryptography library.
    return keyring.all.rotate(raw).decode()


def rotate_model(
    model: type[models.Model], fields: list[EncryptedTextField], *, dry_run: bool = False, batch_size: int = 200
) -> RotationCount:
    """Re-encrypts the model's encrypted values with the newest key, batch by batch.

    Each batch is one transaction: after a crash the committed batches are under the newest key and
    are skipped by the next run, which therefore only does what is left. Unreadable values are
    counted and keep their ciphertext byte for byte.
    """
    keyring = _keyring()
    count = RotationCount(model=model._meta.label)
    # The raw tokens, read past from_db_value: the rotation never handles plaintext or placeholders.
    raw = {f"_raw_{f.attname}": Cast(f.attname, models.TextField()) for f in fields}
    qs = model._base_manager.order_by("pk").annotate(**raw).values_list("pk", *raw)
    last_pk = None
    while True:
        with transaction.atomic():
            batch = qs if last_pk is None else qs.filter(pk__gt=last_pk)
            if not dry_run:
                # A concurrent edit of a locked row waits: it is neither lost nor overwritten by an old value.
                batch = batch.select_for_update()
            rows = list(batch[:batch_size])
            changed = []
            for pk, *tokens in rows:
                new_values = {}
                for field, token in zip(fields, tokens, strict=True):
                    try:
                        new = _rotated_token(token, keyring)
                    except InvalidToken:
                        count.unreadable += 1
                        continue
                    if new is not None:
                        new_values[field.attname] = Ciphertext(new)
                        count.rotated += 1
                if new_values:
                    obj = model(pk=pk)
                    # Unchanged columns of the row are written back as they were read (the row is locked).
                    for field, token in zip(fields, tokens, strict=True):
                        setattr(obj, field.attname, new_values.get(field.attname, token and Ciphertext(token)))
                    changed.append(obj)
            if changed and not dry_run:
                model._base_manager.bulk_update(changed, [f.name for f in fields], batch_size=batch_size)
        if len(rows) < batch_size:
            return count
        last_pk = rows[-1][0]


def rotate_field_keys(*, dry_run: bool = False, batch_size: int = 200) -> list[RotationCount]:
    """Re-encrypts every encrypted field of every model with the newest key of FIELD_ENCRYPTION_KEYS."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1.")
    return [
        rotate_model(model, fields, dry_run=dry_run, batch_size=batch_size)
        for model, fields in encrypted_fields().items()
    ]
