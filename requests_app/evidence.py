"""Evidence files (uploaded e-mails, identity documents) that no timeline entry holds any more.

A deleted entry's file goes with it on commit (requests_app.receivers); when the storage refused, the
file stays behind, named only in the log by the entry's id. These are found by comparing what the
storage holds under the evidence folder with what the entries name.
"""

import datetime
from collections.abc import Iterator

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from .models import TimelineEntry
from .models.items import EVIDENCE_DIR


def _files(storage: Storage, directory: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}"
    for sub in directories:
        yield from _files(storage, f"{directory}/{sub}")


# A file younger than this may belong to an upload whose entry is not committed yet: it is left alone.
SETTLED = datetime.timedelta(days=1)


def evidence_orphans(storage: Storage = default_storage) -> list[str]:
    """The settled evidence files no timeline entry names (one query, whatever their number)."""
    held = set(TimelineEntry.objects.exclude(attachment="").values_list("attachment", flat=True))
    settled_before = timezone.now() - SETTLED
    return sorted(
        name
        for name in _files(storage, EVIDENCE_DIR)
        if name not in held and storage.get_modified_time(name) < settled_before
    )


def evidence_orphans_delete(storage: Storage = default_storage) -> int:
    """Deletes the orphaned evidence files; returns how many. Running it again deletes nothing."""
    deleted = 0
    for name in evidence_orphans(storage):
        if not TimelineEntry.objects.filter(attachment=name).exists():  # held since the list was made?
            storage.delete(name)
            deleted += 1
    return deleted
