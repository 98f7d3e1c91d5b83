"""Imported sanctions lists: one version per import, its entries with every name and detail.

List data is public (published by the EU and the US Treasury); it is not personal data the
controller collected, so it lives outside the retention engine. Versions are kept so that a
case can always show the entry it was raised on.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from screening.normalise import AIRPLANE, COMPANY, LEGAL_ENTITY, ORGANIZATION, PERSON, VESSEL


class Source(models.TextChoices):
    EU = "eu", _("EU consolidated financial sanctions list")
    OFAC = "ofac", _("US OFAC SDN list")


class Schema(models.TextChoices):
    PERSON_ = PERSON, _("person")
    COMPANY_ = COMPANY, _("company")
    ORGANIZATION_ = ORGANIZATION, _("organisation")
    LEGAL_ENTITY_ = LEGAL_ENTITY, _("legal entity")
    VESSEL_ = VESSEL, _("vessel")
    AIRPLANE_ = AIRPLANE, _("aircraft")


class ListVersionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ListVersion(models.Model):
    """One imported file (or set of files) of one list; exactly one version per source is active."""

    source = models.CharField(_("list"), max_length=10, choices=Source.choices)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    published_on = models.DateField(_("list date"), null=True, blank=True)
    sha256 = models.CharField(_("content hash (SHA-256)"), max_length=64)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    name_count = models.PositiveIntegerField(_("names"), default=0)
    is_active = models.BooleanField(_("active"), default=False)
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The version that was active before this one."),
    )
    # Re-screening on a list update covers only what changed since the last version whose own
    # re-screening finished: a version replaced before its job ran must not hide its new entries.
    rescreen_batches = models.PositiveIntegerField(_("re-screening batches"), null=True, blank=True, editable=False)
    rescreened_at = models.DateTimeField(
        _("re-screened"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When every person had been screened against this version's new or changed entries."),
    )

    objects = ListVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("sanctions list version")
        verbose_name_plural = _("sanctions list versions")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=Q(is_active=True), name="screening_one_active_version_per_source"
            )
        ]

    def __str__(self) -> str:
        date = self.published_on or self.imported_at.date()
        return f"{self.get_source_display()} {date_format(date, 'SHORT_DATE_FORMAT')} ({self.entry_count})"


class ListEntry(models.Model):
    """A sanctioned person, company, organisation, vessel or aircraft as one list version states it."""

    version = models.ForeignKey(ListVersion, verbose_name=_("list version"), on_delete=models.CASCADE)
    external_id = models.CharField(_("id in the list"), max_length=64)
    schema = models.CharField(_("kind"), max_length=20, choices=Schema.choices)
    primary_name = models.CharField(_("name"), max_length=500)
    programmes = models.CharField(_("programmes"), max_length=500, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=1, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    fingerprint = models.CharField(
        _("content fingerprint"),
        max_length=64,
        help_text=_("Hash of everything the list says about the entry; it changes when the entry changes."),
    )

    class Meta:
        verbose_name = _("sanctions list entry")
        verbose_name_plural = _("sanctions list entries")
        ordering = ["version", "primary_name"]
        constraints = [
            models.UniqueConstraint(fields=["version", "external_id"], name="screening_entry_unique_per_version")
        ]
        # Used by selectors.changed_entries: which entries of a new version the old one lacked.
        indexes = [models.Index(fields=["version", "fingerprint"], name="screening_entry_fp_idx")]

    def __str__(self) -> str:
        return self.primary_name

    @property
    def key(self) -> str:
        """Stable across versions: the list and the entry's id in it."""
        return f"{self.version.source}:{self.external_id}"


class EntryName(models.Model):
    """One name of an entry: the primary one and every alias, weak (low-quality) aliases marked."""

    entry = models.ForeignKey(ListEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=500)
    is_primary = models.BooleanField(_("primary name"), default=False)
    is_weak = models.BooleanField(
        _("weak alias"), default=False, help_text=_("A low-quality alias; a hit on it alone never blocks anyone.")
    )

    class Meta:
        verbose_name = _("name or alias")
        verbose_name_plural = _("names and aliases")
        ordering = ["-is_primary", "is_weak", "name"]

    def __str__(self) -> str:
        return self.name


class NameKey(models.Model):
    """The blocking index: candidate names are found by shared keys, never by comparing all pairs."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="+")
    name = models.ForeignKey(EntryName, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=80)

    class Meta:
        verbose_name = _("blocking key")
        verbose_name_plural = _("blocking keys")
        # Used by selectors.candidate_names: WHERE version_id IN (active) AND key IN (...).
        indexes = [models.Index(fields=["key", "version"], name="screening_namekey_lookup_idx")]

    def __str__(self) -> str:
        return self.key


class EntryBirthDate(models.Model):
    """A date of birth, possibly partial (year only, year and month) or approximate (circa)."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="birth_dates")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)
    circa = models.BooleanField(_("circa"), default=False)

    class Meta:
        verbose_name = _("date of birth")
        verbose_name_plural = _("dates of birth")

    def __str__(self) -> str:
        text = "-".join(str(p).zfill(2) for p in (self.year, self.month, self.day) if p)
        return f"ca. {text}" if self.circa else text


class EntryCountry(models.Model):
    class Kind(models.TextChoices):
        CITIZENSHIP = "citizenship", _("citizenship")
        BIRTH = "birth", _("country of birth")
        ADDRESS = "address", _("address")
        FLAG = "flag", _("flag")

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="countries")
    country = models.CharField(_("country"), max_length=2)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return f"{self.country} ({self.get_kind_display()})"


class EntryIdentifier(models.Model):
    """Passport, national id, tax or registration number, IMO number."""

    entry = models.ForeignKey(ListEntry, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=100)
    number = models.CharField(_("number"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("identification number")
        verbose_name_plural = _("identification numbers")

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"
