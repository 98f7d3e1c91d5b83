"""The tamper-evident audit trail: append-only entries, each hashing its predecessor."""

import functools
import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from dpo_portal.kinds import kind_name

GENESIS_HASH = "0" * 64
# object_type of the entry written when a missing chain head was rebuilt over existing entries.
HEAD_RECOVERED = "audit.auditchainhead"


def kind_label(object_type: str) -> str:
    """The kind of object an entry is about ("subjects.paymentmethod"), named in the active language."""
    name = kind_name(object_type)
    return object_type if name == object_type else capfirst(name)  # a label no model answers to stays as it is


class AuditEntry(models.Model):
    """Who did what to which object, when, and to which fields, never with the values.

    The actor is kept as id and name, not as a foreign key: deleting a user must not
    rewrite history.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        VIEW = "view", _("viewed")
        EXPORT = "export", _("exported")
        LOGIN = "login", _("logged in")
        LOGOUT = "logout", _("logged out")
        LOGIN_FAILED = "login_failed", _("login failed")
        ANONYMISE = "anonymise", _("anonymised")
        RESTRICT = "restrict", _("restricted")
        DENIED = "denied", _("refused")

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    subject_id = models.BigIntegerField(_("data subject id"), null=True, blank=True, db_index=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_action_display()} {kind_label(self.object_type)} {self.object_id}".rstrip()

    @property
    def object_kind(self) -> str:
        return kind_label(self.object_type)

    def payload(self) -> bytes:
        return entry_payload(self)

    def compute_hash(self) -> str:
        return entry_hash(self)


def entry_payload(entry) -> bytes:
    """The canonical bytes of an entry (a model instance, also a migration's historical one)."""
    data = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "subject_id": entry.subject_id,
        "fields": list(entry.fields),
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@functools.lru_cache(maxsize=4)
def _chain_key(secret: str) -> bytes:
    return hashlib.sha256(f"audit-chain|{secret}".encode()).digest()


def entry_hash(entry, *, key: str | None = None) -> str:
    """HMAC-SHA256 of the entry under settings.AUDIT_KEY (or `key`): a plain hash, anyone able to edit the table
    could recompute for every later entry, and the forged chain would verify."""
    secret = settings.AUDIT_KEY if key is None else key
    return hmac.new(_chain_key(secret), entry_payload(entry), hashlib.sha256).hexdigest()


class AuditChainHead(models.Model):
    """One row: the last sequence number and hash. Writers update it first, which serialises them."""

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.last_hash[:12]}"
