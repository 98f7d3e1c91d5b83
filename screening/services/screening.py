"""Screening people against the active lists: one person, or a batch against a shared index."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from screening.index import NameIndex, SubjectIdentity, screen_identity
from screening.models import ListVersion, ScreeningCase, ScreeningRun
from screening.selectors import active_index, active_versions, index_for_identity
from subjects.models import DataSubject

# Only what screening reads is loaded from a data subject.
IDENTITY_FIELDS = ("first_name", "last_name", "birth_date", "country", "gender", "company", "erased_at")


def identity_of(subject: DataSubject) -> SubjectIdentity:
    return SubjectIdentity(
        name=" ".join(p for p in (subject.first_name, subject.last_name) if p),
        company=subject.company or "",
        born=subject.birth_date,
        country=str(subject.country or ""),
        gender=subject.gender or "",
    )


def subject_screen(*, subject: DataSubject, trigger: str, index: NameIndex | None = None) -> ScreeningCase | None:
    """Screens one person against the active lists; a possible match opens a case and blocks them.

    Without `index` the candidates come from the database's blocking index (a few queries).
    Returns the open case when a new possible match was found, else None.
    """
    from .cases import case_record_hits

    if subject.erased_at is not None:
        return None
    hits = screen_identity(
        identity_of(subject), index if index is not None else index_for_identity(identity_of(subject))
    )
    if index is None and ListVersion.objects.active().exists():
        # Screened on its own (a batch records its people at once): the person's page shows when.
        DataSubject.objects.filter(pk=subject.pk).update(screened_at=timezone.now())
    return case_record_hits(subject=subject, hits=hits, trigger=trigger) if hits else None


def subjects_screen(
    *, subject_ids: Sequence[int], trigger: str, changed_in: ListVersion | None = None, batch: int | None = None
) -> ScreeningRun:
    """Screens a batch of people against every active list name, or only the names new or changed
    in `changed_in` (a list update; `batch` is its number there). Records the run; idempotent
    (cases are not duplicated)."""
    run = ScreeningRun.objects.create(
        trigger=trigger,
        versions=",".join(str(v.pk) for v in active_versions()),
        version=changed_in,
        batch=batch if changed_in else None,
    )
    index = active_index(only_changed_in=changed_in)
    screened = opened = 0
    if index.size:
        subjects = DataSubject.objects.filter(pk__in=list(subject_ids), erased_at__isnull=True).only(*IDENTITY_FIELDS)
        for subject in subjects.iterator(chunk_size=2000):
            screened += 1
            if subject_screen(subject=subject, trigger=trigger, index=index) is not None:
                opened += 1
        DataSubject.objects.filter(pk__in=list(subject_ids), erased_at__isnull=True).update(screened_at=timezone.now())
    else:
        screened = len(subject_ids)
    with transaction.atomic():
        ScreeningRun.objects.filter(pk=run.pk).update(
            subjects_screened=screened, cases_opened=opened, finished_at=timezone.now()
        )
        if changed_in and batch is not None:
            _rescreen_check_finished(changed_in)
    run.refresh_from_db()
    return run


def rescreen_planned(*, version: ListVersion, batches: int) -> None:
    """The list-update re-screening of `version` was split into `batches` batches (none: nobody to screen)."""
    ListVersion.objects.filter(pk=version.pk, rescreened_at__isnull=True).update(
        rescreen_batches=batches, rescreened_at=timezone.now() if batches == 0 else None
    )


def _rescreen_check_finished(version: ListVersion) -> None:
    """Marks the version re-screened once each of its batches has finished at least once."""
    # The row lock serialises the last batches: each sees the others' finished runs.
    locked = ListVersion.objects.select_for_update().filter(pk=version.pk).first()
    if locked is None or locked.rescreened_at is not None or locked.rescreen_batches is None:
        return
    done = (
        ScreeningRun.objects.filter(version=locked, batch__isnull=False, finished_at__isnull=False)
        .values("batch")
        .distinct()
        .count()
    )
    if done >= locked.rescreen_batches:
        ListVersion.objects.filter(pk=locked.pk).update(rescreened_at=timezone.now())
