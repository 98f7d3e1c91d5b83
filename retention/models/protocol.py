"""The deletion protocol: what each sweep did, provable without keeping anything it deleted."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dpo_portal.kinds import kind_name

from .rules import Action, DeletionRule


def record_hash(model_label: str, pk) -> str:
    """Salted SHA-256 of a record's identity: proves which record was processed, leads nowhere without the salt."""
    return record_digest(model_label, pk).hex()


class NamesKindOfRecord:
    """For the protocol's models: their `model_label` read as the deletion certificate reads it."""

    @property
    def kind(self):
        """The kind of record by its verbose name, in the active language (the label when the kind is gone)."""

        return kind_name(self.model_label)


class SweepRun(models.Model):
    class Kind(models.TextChoices):
        SWEEP = "sweep", _("sweep")
        ERASURE = "erasure", _("erasure request (Art. 17 GDPR)")
        REPLAY = "replay", _("replay after restore")

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("finished with errors")
        INTERRUPTED = "interrupted", _("interrupted")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SWEEP)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.RUNNING)
    # No help text: the admin prints a field's help text whatever its value ("only counted" on a real run);
    # SweepRunAdmin.dry_run_label says it for a dry run only.
    dry_run = models.BooleanField(_("dry run"), default=False)
    today = models.DateField(_("sweep date"))
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    registered = models.PositiveIntegerField(
        _("records registered"), default=0, help_text=_("Records whose first deletable day was (re)computed.")
    )
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("sweep run")
        verbose_name_plural = _("sweep runs")
        ordering = ["-started_at", "-pk"]
        permissions = [("export_certificate", _("Can download deletion certificates"))]

    def __str__(self) -> str:
        return f"{capfirst(self.get_kind_display())} {date_format(self.today, 'SHORT_DATE_FORMAT')} ({self.get_status_display()})"

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts.all())

    def finish(self) -> "SweepRun":
        """Ends the run: finished, or failed when it recorded errors."""
        self.status = self.Status.FAILED if self.errors else self.Status.FINISHED
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "finished_at", "errors"])
        return self


class SweepRunCount(NamesKindOfRecord, models.Model):
    """How many records of one kind a run processed (or would process) under one rule with one action."""

    run = models.ForeignKey(SweepRun, verbose_name=_("sweep run"), on_delete=models.CASCADE, related_name="counts")
    rule = models.ForeignKey(
        DeletionRule, verbose_name=_("deletion rule"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    model_label = models.CharField(_("kind of record"), max_length=100)
    action = models.CharField(pgettext_lazy("retention", "action"), max_length=10, choices=Action.choices)
    count = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        verbose_name = _("count")
        verbose_name_plural = _("counts per rule and action")
        ordering = ["rule__code", "model_label", "action"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "rule", "model_label", "action"], name="one_count_per_run_rule_action"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule.code if self.rule_id else '—'} {self.kind} {self.get_action_display()}: {self.count}"


DIGEST_SIZE = hashlib.sha256().digest_size


def record_digest(model_label: str, pk) -> bytes:
    """The binary form of record_hash, as the protocol stores it."""
    return hashlib.sha256(f"{settings.HASH_SALT}|{model_label.lower()}|{pk}".encode()).digest()


def split_digests(blob: bytes) -> list[str]:
    """The hex hashes in a batch's concatenated digests."""
    blob = bytes(blob)
    return [blob[i : i + DIGEST_SIZE].hex() for i in range(0, len(blob), DIGEST_SIZE)]


class ProtocolBatch(NamesKindOfRecord, models.Model):
    """One processed batch: kind of record, rule, action, time, and per record the salted hash of its id
    (an entry of the deletion protocol is a batch's fields plus one of its hashes); no personal data.

    One row per batch, not per record: a sweep frees 100,000 records a night, and a row per record
    cost three times the deletion itself (docs/benchmarks.md). The hashes are the records' 32-byte
    SHA-256 digests, concatenated; `hashes()` gives them in hex, the form record_hash() returns.
    The table has no foreign key constraints (checks at commit, per row, for nothing): the sweep
    writes each batch in the transaction that holds its run, the run's count row (SweepRunCount,
    constrained) protects the same rule from deletion, and Django enforces PROTECT on deletes.
    """

    run = models.ForeignKey(
        SweepRun,
        verbose_name=_("sweep run"),
        on_delete=models.PROTECT,
        related_name="batches",
        db_constraint=False,
    )
    at = models.DateTimeField(_("time"), db_index=True)
    model_label = models.CharField(_("kind of record"), max_length=100)
    rule = models.ForeignKey(
        DeletionRule,
        verbose_name=_("deletion rule"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    legal_reference = models.CharField(_("legal reference"), max_length=300)
    action = models.CharField(pgettext_lazy("retention", "action"), max_length=10, choices=Action.choices)
    count = models.PositiveIntegerField(_("records"))
    id_hashes = models.BinaryField(_("hashed record ids"))

    class Meta:
        verbose_name = _("protocol batch")
        verbose_name_plural = _("deletion protocol batches")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        moment = date_format(timezone.localtime(self.at), "SHORT_DATETIME_FORMAT")
        return f"{moment} {self.kind} {self.get_action_display()} ({self.count})"

    def hashes(self) -> list[str]:
        return split_digests(self.id_hashes)
