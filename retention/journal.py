"""The replay journal: the deletion protocol, also appended to files outside the database.

A backup restore brings back the database as it was, protocol included, so the protocol of
what was deleted since the backup must live elsewhere too. Each committed sweep batch appends
one JSON line per record (kind, salted id hash, action, rule code, time; no personal data) to
`RETENTION_JOURNAL_DIR/<yyyy-mm>.jsonl`; `retention_replay` reads it back. Keep that directory
out of the database backups (and in a backup of its own).
"""

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings


def journal_dir() -> Path:
    return Path(settings.RETENTION_JOURNAL_DIR)


def journal_lines(*, at: datetime.datetime, run: int, model: str, action: str, rule: str, hashes) -> list[str]:
    """The JSON lines of one batch; everything but the hash is shared, so it is encoded once."""
    head = json.dumps({"at": at.isoformat(), "run": run, "model": model, "action": action, "rule": rule})[:-1]
    # Hashes are hex digits: nothing to escape.
    return [f'{head}, "id_hash": "{h}"}}\n' for h in hashes]


def journal_append(lines: list[str]) -> None:
    """Appends a batch's lines (called on commit of the batch that made them)."""
    if not lines:
        return
    directory = journal_dir()
    directory.mkdir(parents=True, exist_ok=True)
    month = json.loads(lines[0])["at"][:7]
    with (directory / f"{month}.jsonl").open("a", encoding="utf-8") as out:
        out.write("".join(lines))


def journal_read(*, since: datetime.date, directory: Path | None = None) -> Iterator[dict]:
    """Every journal entry from `since` on, oldest first."""
    directory = directory or journal_dir()
    if not directory.is_dir():
        return
    first = f"{since:%Y-%m}"
    for path in sorted(directory.glob("*.jsonl")):
        if path.stem < first:
            continue
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    entry = json.loads(line)
                    if entry["at"][:10] >= since.isoformat():
                        yield entry
