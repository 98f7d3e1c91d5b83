"""The replay journal: the deletion protocol, also appended to files outside the database.

A backup restore brings back the database as it was, protocol included, so the protocol of
what was deleted since the backup must live elsewhere too. Each committed batch appends one
JSON line (kind, action, rule code, time, and the salted id hash of each record; no personal
data) to `RETENTION_JOURNAL_DIR/<yyyy-mm>.jsonl` (the local month of the batch; files written before
were named by the UTC month); `retention_replay` reads it back. Keep that directory out of the
database backups (and in a backup of its own).
"""

import datetime
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models.protocol import DIGEST_SIZE, split_digests
from .models.rules import Action

logger = logging.getLogger(__name__)


def journal_dir() -> Path:
    return Path(settings.RETENTION_JOURNAL_DIR)


def journal_writable() -> bool:
    """Whether batches' lines can be appended (checked before a sweep touches anything)."""
    directory = journal_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK | os.X_OK)


def journal_line(*, at: datetime.datetime, run: int, model: str, action: str, rule: str, digests: bytes) -> str:
    """The JSON line of one batch; `digests` are the records' concatenated SHA-256 digests."""
    batch = {"at": at.isoformat(), "run": run, "model": model, "action": action, "rule": rule}
    # The digests in hex, one after the other (64 digits each): one string, not 10,000 to encode.
    return json.dumps({**batch, "id_hashes": bytes(digests).hex()}) + "\n"


def journal_append(line: str, *, at: datetime.datetime) -> None:
    """Appends a batch's line to the file of its local month (called on commit of the batch that made it)."""
    directory = journal_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{timezone.localtime(at):%Y-%m}.jsonl"
    with path.open("a+b") as out:
        # A write cut short (disk full) leaves a line without its end: start on a line of our own.
        out.seek(0, os.SEEK_END)
        if out.tell():
            out.seek(-1, os.SEEK_END)
            if out.read(1) != b"\n":
                out.write(b"\n")
        out.write(line.encode("utf-8"))


def _batches(directory: Path, *, first_month: str) -> Iterator[tuple[str, int, dict | None, str]]:
    """(file name, line number, batch, line) of the journal's lines (one per batch, or per record in old journals)
    from the file of `first_month` on; the batch is None for a line that is no JSON object (cut short by a failed
    write). Raises NotADirectoryError for a path that is no directory: read as empty, a typo would replay nothing."""
    if not directory.is_dir():
        raise NotADirectoryError(f"retention journal {directory} is not a directory")
    for path in sorted(directory.glob("*.jsonl")):
        if path.stem < first_month:
            continue
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    batch = json.loads(line)
                except json.JSONDecodeError:
                    batch = None
                yield path.name, number, batch if isinstance(batch, dict) else None, line.rstrip("\n")


def _month_before(day: datetime.date) -> str:
    # Files named by UTC month hold the first hours of each local month.
    return f"{day.replace(day=1) - datetime.timedelta(days=1):%Y-%m}"


def _batch_day(batch: dict) -> datetime.date:
    return timezone.localdate(datetime.datetime.fromisoformat(batch["at"]))


def _batch_hashes(batch: dict) -> list[str]:
    """The batch's id hashes, after checking every field the replay uses; KeyError, TypeError or ValueError when
    the line is damaged (a hash cut short would match nothing, an unknown action would be taken for another)."""
    if not (isinstance(batch["model"], str) and batch["action"] in Action.values):
        raise ValueError("model or action")
    if not isinstance(batch.get("rule", ""), str):
        raise TypeError("rule")
    if "id_hashes" in batch:
        digests = bytes.fromhex(batch["id_hashes"])
        if len(digests) % DIGEST_SIZE:
            raise ValueError("id_hashes")
        return split_digests(digests)
    # Journals written before batches were one line per record carry a single "id_hash".
    digest = bytes.fromhex(batch["id_hash"])
    if len(digest) != DIGEST_SIZE:
        raise ValueError("id_hash")
    return [digest.hex()]


def journal_read(
    *,
    since: datetime.date,
    directory: Path | None = None,
    skipped: Callable[[str, int], None] = lambda name, number: None,
) -> Iterator[dict]:
    """Every journal entry (one per record) from the local day `since` on, oldest first.

    A line that cannot be read (cut short by a failed write, or damaged) is skipped, logged and passed to
    `skipped(file name, line number)`, never its content; the other lines still count."""
    directory = directory or journal_dir()
    first_month = _month_before(since)
    cut: dict[tuple[str, int], str] = {}  # lines cut short that name their batch: reported at the end
    for name, number, batch, line in _batches(directory, first_month=first_month):
        try:
            if batch is None:
                raise ValueError("not a JSON object")
            if _batch_day(batch) < since:
                continue
            hashes = _batch_hashes(batch)
        except (KeyError, TypeError, ValueError):
            if batch is None and _CUT_BATCH.match(line):
                cut[name, number] = line
                continue
            _skipped(name, number, skipped)
            continue
        fields = {k: v for k, v in batch.items() if k not in ("id_hashes", "id_hash")}
        for id_hash in hashes:
            yield {**fields, "id_hash": id_hash}
    if cut:
        rewritten = _written_again(directory, first_month=first_month, cut=cut)
        for name, number in sorted(cut.keys() - rewritten):
            _skipped(name, number, skipped)


# A line cut short after its batch's header and at least one whole hash: enough to know the batch written again.
_CUT_BATCH = re.compile(r'\{"at": "[^"]+", "run": \d+, .*"id_hashes": "[0-9a-f]{64}')


def _skipped(name: str, number: int, skipped: Callable[[str, int], None]) -> None:
    # A damaged line's batch may be lost with a restore: the caller reports it (by place only, never the content).
    logger.warning("retention journal %s: line %s cannot be read, skipped", name, number)
    skipped(name, number)


def _written_again(directory: Path, *, first_month: str, cut: dict[tuple[str, int], str]) -> set[tuple[str, int]]:
    """The cut lines whose batch retention_journal --run wrote again whole: a whole line begins with the cut one
    (the same batch gives the same line). They are no loss, and not reported."""
    found = set()
    for _name, _number, batch, line in _batches(directory, first_month=first_month):
        if batch is not None:
            found.update(key for key, start in cut.items() if line.startswith(start))
    return found


def journal_write_run(run) -> int:
    """Appends the lines of `run`'s protocol batches that the journal lacks (a write failed after the batch
    committed); returns how many. Running it again writes nothing."""
    directory = journal_dir()
    first_month = _month_before(timezone.localdate(run.started_at))
    # No directory yet: no line is present, and journal_append creates it.
    lines = _batches(directory, first_month=first_month) if directory.is_dir() else ()
    present = {
        (b.get("model"), b.get("action"), b.get("id_hashes"))
        for _, _, b, _line in lines
        if b and b.get("run") == run.pk
    }
    written = 0
    for batch in run.batches.select_related("rule").order_by("pk").iterator(chunk_size=100):
        digests = bytes(batch.id_hashes)
        if (batch.model_label, batch.action, digests.hex()) in present:
            continue
        code = batch.rule.code if batch.rule_id else ""
        line = journal_line(
            at=batch.at, run=run.pk, model=batch.model_label, action=batch.action, rule=code, digests=digests
        )
        journal_append(line, at=batch.at)
        written += 1
    return written
