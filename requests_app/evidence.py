"""Evidence files (uploaded e-mails, identity documents) that no timeline entry holds any more.

A deleted entry's file goes with it on commit (requests_app.receivers); when the storage refused, the
file stays behind, named only in the log by the entry's id. These are found by comparing what the
storage holds under the evidence folder with what the entries name.
"""

import datetime
import re
from collections.abc import Iterator

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from .models import TimelineEntry
from .models.items import EVIDENCE_DIR, evidence_file_name


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


# The name evidence_file_name gives: nothing of the uploader's file name in it.
RANDOM_NAME = re.compile(rf"^{re.escape(EVIDENCE_DIR)}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.eml$")


def evidence_files_rename(storage: Storage = default_storage) -> int:
    """Gives every evidence file stored under its uploader's file name (before uploads got random names, migration
    requests_app 0007; such names often name the person) a random one; returns how many. Each file is copied, the
    entry pointed at the copy, then the old file deleted: a run stopped half-way leaves at worst a file no entry
    holds, which evidence_orphans finds; running it again renames nothing twice."""
    renamed = 0
    entries = TimelineEntry.objects.exclude(attachment="").only("pk", "attachment").order_by("pk")
    for entry in entries.iterator(chunk_size=500):
        old = entry.attachment.name
        if RANDOM_NAME.match(old) or not storage.exists(old):
            continue
        with storage.open(old, "rb") as content:
            new = storage.save(evidence_file_name(entry, old), content)
        # Timeline entries are append-only for people; this moves the file, not what the entry says.
        TimelineEntry.objects.filter(pk=entry.pk, attachment=old).update(attachment=new)
        storage.delete(old)
        renamed += 1
    return renamed
