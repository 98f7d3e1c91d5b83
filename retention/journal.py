"""The replay journal: the deletion protocol, also appended to files outside the database.

A backup restore brings back the database as it was, protocol included, so the protocol of
what was deleted since the backup must live elsewhere too. Each committed batch appends one
JSON line (kind, action, rule code, time, and the salted id hash of each record; no personal
data) to `RETENTION_JOURNAL_DIR/<yyyy-mm>.jsonl`; `retention_replay` reads it back. Keep that
directory out of the database backups (and in a backup of its own).
"""

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from .models.protocol import split_digests


def journal_dir() -> Path:
    return Path(settings.RETENTION_JOURNAL_DIR)


def journal_line(*, at: datetime.datetime, run: int, model: str, action: str, rule: str, digests: bytes) -> str:
    """The JSON line of one batch; `digests` are the records' concatenated SHA-256 digests."""
    batch = {"at": at.isoformat(), "run": run, "model": model, "action": action, "rule": rule}
    # The digests in hex, one after the other (64 digits each): one string, not 10,000 to encode.
    return json.dumps({**batch, "id_hashes": bytes(digests).hex()}) + "\n"


def journal_append(line: str, *, at: datetime.datetime) -> None:
    """Appends a batch's line to the file of its month (called on commit of the batch that made it)."""
    directory = journal_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{at:%Y-%m}.jsonl").open("a", encoding="utf-8") as out:
        out.write(line)


def journal_read(*, since: datetime.date, directory: Path | None = None) -> Iterator[dict]:
    """Every journal entry (one per record) from `since` on, oldest first."""
    directory = directory or journal_dir()
    if not directory.is_dir():
        return
    first = f"{since:%Y-%m}"
    for path in sorted(directory.glob("*.jsonl")):
        if path.stem < first:
            continue
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                batch = json.loads(line)
                if batch["at"][:10] < since.isoformat():
                    continue
                # Journals written before batches were one line per record carry a single "id_hash".
                hashes = batch.pop("id_hashes", None)
                for id_hash in split_digests(bytes.fromhex(hashes)) if hashes is not None else [batch.pop("id_hash")]:
                    yield {**batch, "id_hash": id_hash}
