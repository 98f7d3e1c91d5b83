"""Celery tasks: take ids, re-fetch, call one service. Enqueued on commit; safe to run twice."""

import logging
import tempfile
import urllib.request
from pathlib import Path

from celery import shared_task
from django.conf import settings

from subjects.models import DataSubject

from .models import ListVersion, Trigger
from .services import list_import, list_parse, rescreen_planned, subject_screen, subjects_screen

log = logging.getLogger(__name__)


def _batches(ids, size):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _enqueue_everyone(trigger: str, version: ListVersion | None = None) -> int:
    # A person whose processing is restricted (Art. 18) is screened too: the sanctions regulations bind the
    # company whatever the person asked (processing for an important public interest of the Union, Art. 18(2)
    # GDPR; the basis is Art. 6(1)(c)). Only erased identities are left out: there is nobody left to screen.
    ids = list(DataSubject.objects.filter(erased_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    size = settings.SCREENING_BATCH_SIZE
    if version is not None:
        rescreen_planned(version=version, batches=-(-len(ids) // size))
    batches = 0
    for batch in _batches(ids, size):
        if version is None:
            screen_subjects.delay(batch, trigger)
        else:
            screen_subjects.delay(batch, trigger, version.pk, batches)
        batches += 1
    log.info("screening: %s persons in %s batches (%s)", len(ids), batches, trigger)
    return batches


@shared_task
def screen_subject(subject_id: int, trigger: str = Trigger.IDENTITY_CHANGED) -> int | None:
    """Screens one person (after creation or a change of their identity data); returns the case id."""
    subject = DataSubject.objects.filter(pk=subject_id).first()
    if subject is None:
        return None
    case = subject_screen(subject=subject, trigger=trigger)
    return case.pk if case else None


@shared_task
def screen_subjects(
    subject_ids: list[int], trigger: str, version_id: int | None = None, batch: int | None = None
) -> int:
    """Screens one batch; with `version_id`, only against what changed in that version since the
    last finished list-update re-screening (batch `batch` of that version's job)."""
    version = ListVersion.objects.filter(pk=version_id).first() if version_id else None
    if version_id and (version is None or not version.is_active):
        # A newer version replaced it; this one stays unfinished, so the newer one's job covers its changes too.
        return 0
    return subjects_screen(subject_ids=subject_ids, trigger=trigger, changed_in=version, batch=batch).pk


@shared_task
def screen_list_update(version_id: int) -> int:
    """A new list version arrived: every person against the entries that are new or changed in it."""
    version = ListVersion.objects.filter(pk=version_id, is_active=True).first()
    if version is None:
        return 0  # replaced already; the newer version's job covers this one's changes
    return _enqueue_everyone(Trigger.LIST_UPDATED, version)


@shared_task
def rescreen_all() -> int:
    """The weekly full re-screening (beat: screening-weekly-rescreen), in batches."""
    return _enqueue_everyone(Trigger.WEEKLY)


FORMAT_FILES = {"eu-xml": ("eu.xml",), "ofac-csv": ("sdn.csv", "alt.csv", "add.csv")}


def fetch(url: str, target: Path) -> None:
    """Downloads `url` to `target` (http(s) or file://); replaced in tests."""
    if not url.startswith(("https://", "http://", "file://")):
        raise ValueError("unsupported URL scheme")
    with urllib.request.urlopen(url, timeout=120) as response, target.open("wb") as out:  # noqa: S310 (scheme checked)
        while chunk := response.read(1 << 20):
            out.write(chunk)


@shared_task
def download_lists() -> list[int]:
    """Scheduled download and import of each list whose URL is configured (SCREENING_LIST_URLS).

    For ofac-csv the URL is a folder URL ending in "/" holding sdn.csv, alt.csv and add.csv.
    A download that does not parse is refused like a file: the active version stays active.
    """
    imported = []
    for fmt, url in settings.SCREENING_LIST_URLS.items():
        if not url:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for name in FORMAT_FILES[fmt]:
                fetch(url if fmt == "eu-xml" else url.rstrip("/") + "/" + name, folder / name)
            path = folder / "eu.xml" if fmt == "eu-xml" else folder
            version, created = list_import(parsed=list_parse(path=path, fmt=fmt))
            log.info("screening: %s list %s (version %s)", fmt, "imported" if created else "unchanged", version.pk)
            imported.append(version.pk)
    return imported
