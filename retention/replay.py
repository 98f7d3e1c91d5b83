"""Replaying the deletion protocol after a backup restore.

A restored backup brings back what was deleted or anonymised after it was taken. The journal
(retention.journal, outside the database) and whatever protocol batches the restored database
still has name those records only by kind and salted id hash, so the replay hashes the ids of
each kind's rows, in bounded chunks, and re-applies the recorded action to the rows that match.
Holds are not consulted: the recorded deletions already happened. Idempotent: a row that is
gone or already anonymised is not found again.

A restore also resets the id sequences, so rows created after it can take the ids of rows deleted
after the backup: a row whose hash matches but that was created after its batch ran is another
record, and is skipped (and reported).
"""

import datetime
import logging
import os
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .actions import IDENTITY_BLANK, anonymise_subjects, apply_action
from .journal import journal_dir, journal_read
from .models import Action, DeletionRule, ProtocolBatch, SweepRun
from .models.protocol import record_hash, split_digests
from .protocol import protocol_write

logger = logging.getLogger(__name__)

SCAN_CHUNK = 10_000

# (action, rule code, time of the batch that recorded it)
Wanted = tuple[str, str, datetime.datetime]


def _wanted(
    since: datetime.date, directory: Path | None, *, skipped: Callable[[str, int], None]
) -> dict[str, dict[str, Wanted]]:
    """model label -> id hash -> (action, rule code, batch time), from the journal and the database's protocol.
    `skipped(file name, line number)`: a journal line that cannot be read."""
    wanted: dict[str, dict[str, Wanted]] = defaultdict(dict)
    at_text, at = None, None
    for entry in journal_read(since=since, directory=directory, skipped=skipped):
        if entry["at"] != at_text:  # parsed once per batch, not per record
            at_text, at = entry["at"], datetime.datetime.fromisoformat(entry["at"])
        wanted[entry["model"]][entry["id_hash"]] = (entry["action"], entry.get("rule", ""), at)
    in_db = ProtocolBatch.objects.filter(at__date__gte=since).exclude(run__kind=SweepRun.Kind.REPLAY)
    batches = in_db.values_list("model_label", "id_hashes", "action", "rule__code", "at")
    for label, digests, action, code, at in batches.iterator(chunk_size=100):
        for id_hash in split_digests(digests):
            wanted[label].setdefault(id_hash, (action, code or "", at))
    return wanted


def _matches(model, hashes: dict[str, Wanted]):
    """Yields (pk, created_at, wanted) of the rows of `model` whose id hash is wanted, scanning by keyset."""
    label = model._meta.label
    last = None
    while True:
        qs = model._default_manager.order_by("pk").values_list("pk", "created_at")
        if last is not None:
            qs = qs.filter(pk__gt=last)
        chunk = list(qs[:SCAN_CHUNK])
        if not chunk:
            return
        last = chunk[-1][0]
        for pk, created_at in chunk:
            found = hashes.get(record_hash(label, pk))
            if found:
                yield pk, created_at, found


def replay_check(*, since: datetime.date, directory: Path) -> None:
    """Refuses a replay that could only find nothing by mistake (ValidationError naming every problem): a
    missing, unreadable or wrong journal, or a day after today, would report "0 done" while the restore
    keeps what was deleted. An existing but empty journal directory is a valid "nothing to replay"."""
    problems = []
    today = timezone.localdate()
    if since > today:
        problems.append(
            _("The replay date %(since)s is after today (%(today)s): no backup was taken then.")
            % {"since": since.isoformat(), "today": today.isoformat()}
        )
    if not directory.exists():
        problems.append(
            _(
                "The replay journal directory %(path)s does not exist: restore it from its own backup first "
                "(or create it empty if no sweep or erasure has ever run)."
            )
            % {"path": directory}
        )
    elif not directory.is_dir():
        problems.append(
            _("%(path)s is not a directory: give the replay journal directory, which holds the monthly .jsonl files.")
            % {"path": directory}
        )
    elif not os.access(directory, os.R_OK | os.X_OK):
        problems.append(_("The replay journal directory %(path)s cannot be read.") % {"path": directory})
    if problems:
        raise ValidationError(problems)


def replay_since(
    *, since: datetime.date, directory: Path | None = None, log: Callable[[str], None] = lambda msg: None
) -> SweepRun:
    """Re-applies every deletion and anonymisation recorded since the local day `since`; returns the replay
    run, with `run.skipped` (model label -> rows whose id matched but that were created later).

    Raises ValidationError, with nothing written, for a day after today or a journal directory that is missing,
    unreadable or not a directory (see replay_check). A journal line that cannot be read is skipped and is an error
    of the run, and so is whatever stops the replay: the run ends as failed, never left "running"."""
    directory = directory or journal_dir()
    replay_check(since=since, directory=directory)
    run = SweepRun.objects.create(kind=SweepRun.Kind.REPLAY, today=timezone.localdate())
    run.skipped = {}  # model label -> rows skipped as newer than their protocol entry (not stored)
    try:
        _replay(run, since=since, directory=directory, log=log)
    except BaseException as exc:
        # Whatever stopped it, the run says it failed: left "running", it would read as still at work. Only the
        # kind of error is kept (messages can quote values); the log has the traceback.
        run.errors.append({"error": type(exc).__name__})
        run.finish()
        if not isinstance(exc, Exception):
            raise  # Ctrl-C, a worker's shutdown: stop as asked
        logger.exception("retention replay %s failed", run.pk)
        return run
    return run.finish()


def _replay(run: SweepRun, *, since: datetime.date, directory: Path, log: Callable[[str], None]) -> None:
    damaged: dict[str, list[int]] = defaultdict(list)  # journal file -> numbers of the lines skipped
    wanted = _wanted(since, directory, skipped=lambda name, number: damaged[name].append(number))
    for name, numbers in damaged.items():
        # By file and line number only: a damaged line may hold anything.
        run.errors.append({"journal": name, "lines": numbers[:20], "count": len(numbers), "error": "damaged lines"})
        shown = ", ".join(map(str, numbers[:20])) + (", …" if len(numbers) > 20 else "")
        log(
            ngettext(
                "%(file)s: %(n)s journal line cannot be read and was skipped (line %(lines)s).",
                "%(file)s: %(n)s journal lines cannot be read and were skipped (lines %(lines)s).",
                len(numbers),
            )
            % {"file": name, "n": len(numbers), "lines": shown}
        )
    rules = {r.code: r for r in DeletionRule.objects.all()}
    for label, hashes in wanted.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            run.errors.append({"model": label, "error": "unknown model"})
            continue
        groups: dict[tuple[str, str], list] = defaultdict(list)
        skipped = 0
        for pk, created_at, (action, code, at) in _matches(model, hashes):
            if created_at > at:  # not the recorded row: a newer one that took its id after the restore
                skipped += 1
                continue
            groups[(action, code)].append(pk)
        if skipped:
            run.skipped[label] = skipped
            message = ngettext(
                "%(model)s: %(n)s record created after its protocol entry (a reused id), skipped",
                "%(model)s: %(n)s records created after their protocol entry (a reused id), skipped",
                skipped,
            ) % {"model": label, "n": skipped}
            logger.warning(
                "retention replay %s: %s: %s rows newer than their protocol entry skipped", run.pk, label, skipped
            )
            log(message)
        for (action, code), pks in groups.items():
            for start in range(0, len(pks), 1000):
                _replay_batch(run, model, pks[start : start + 1000], action=action, rule=rules.get(code))
            log(f"{label} {action}: {len(pks)}")


@transaction.atomic
def _replay_batch(run: SweepRun, model, pks: list, *, action: str, rule: DeletionRule | None) -> None:
    now = timezone.now()
    if model._meta.label == "subjects.DataSubject":
        # Identities already blank are left alone: a second replay does nothing and protocols nothing.
        waiting = model.objects.filter(pk__in=pks).exclude(IDENTITY_BLANK)
        done = list(waiting.values_list("pk", flat=True))
        if done:
            anonymise_subjects(model.objects.filter(pk__in=done))
            protocol_write(run, model_label=model._meta.label, pks=done, rule=None, action=Action.ANONYMISE, at=now)
        return
    token = uuid.uuid4()
    model.objects.filter(pk__in=pks, anonymised_at=None).update(retention_claim=token)
    claimed = model.objects.filter(retention_claim=token)
    done = list(claimed.values_list("pk", flat=True))
    performed = apply_action(action, claimed, now=now)
    protocol_write(run, model_label=model._meta.label, pks=done, rule=rule, action=performed, at=now)
