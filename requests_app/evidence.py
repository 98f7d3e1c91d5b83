"""Evidence files (uploaded e-mails, identity documents) that no timeline entry holds any more.

A deleted entry's file goes with it on commit (requests_app.receivers); when the storage refused, the
file stays behind, named only in the log by the entry's id. These are found by comparing what the
storage holds under the evidence folder with what the entries name.
"""

from collections.abc import Iterator

from django.core.files.storage import Storage, default_storage

from .models import TimelineEntry

EVIDENCE_DIR = "requests/evidence"


def _files(storage: Storage, directory: str) -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}"
    for sub in directories:
        yield from _files(storage, f"{directory}/{sub}")


def evidence_orphans(storage: Storage = default_storage) -> list[str]:
    """The stored evidence files no timeline entry names (one query, whatever their number)."""
    held = set(TimelineEntry.objects.exclude(attachment="").values_list("attachment", flat=True))
    return sorted(name for name in _files(storage, EVIDENCE_DIR) if name not in held)


def evidence_orphans_delete(storage: Storage = default_storage) -> int:
    """Deletes the orphaned evidence files; returns how many. Running it again deletes nothing."""
    orphans = evidence_orphans(storage)
    for name in orphans:
        storage.delete(name)
    return len(orphans)
