"""Plain-text summary of a run, as the commands print it (no personal data: counts only)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import SweepRun
from .sweep import JOURNAL_NOT_WRITABLE


def run_report_lines(run: SweepRun) -> list[str]:
    """The run's header, its counts per rule, kind of record and action (codes, for scripts), a total and
    its errors, in the active language."""
    values = {"kind": run.get_kind_display(), "date": f"{run.today:%Y-%m-%d}", "run": run.pk}
    values["status"] = run.get_status_display()
    if run.dry_run:
        header = _("%(kind)s %(date)s (dry run: nothing changed): run %(run)s, %(status)s") % values
    else:
        header = _("%(kind)s %(date)s: run %(run)s, %(status)s") % values
    lines = [header]
    if run.registered:
        lines.append("  " + _("registered (first deletable day computed): %(n)s") % {"n": run.registered})
    counts = list(run.counts.select_related("rule").order_by("rule__code", "model_label", "action"))
    rows = [(c.rule.code if c.rule_id else "-", c.action, c.model_label, c.count) for c in counts]
    # Columns as wide as their longest entry (a kind of record from another app can be long).
    width = [max([n, *(len(r[i]) for r in rows)]) for i, n in enumerate((28, 10, 28))]
    for rule, action, label, count in rows:
        lines.append(f"  {rule:<{width[0]}} {action:<{width[1]}} {label:<{width[2]}} {count:>8}")
    total = {"n": sum(c.count for c in counts)}
    lines.append("  " + (_("total (would): %(n)s") if run.dry_run else _("total (did): %(n)s")) % total)
    for error in run.errors:
        lines.append("  " + _("ERROR %(error)s") % {"error": error})
    return lines


def run_failure_message(run: SweepRun) -> str:
    """What went wrong in a run with errors, and what to do about it, in the active language."""
    values = {"run": run.pk}
    if any(e.get("error") == JOURNAL_NOT_WRITABLE for e in run.errors):
        return (
            _(
                "The replay journal directory (RETENTION_JOURNAL_DIR) cannot be written: nothing was swept "
                "(sweep run %(run)s). Make it writable and run the sweep again."
            )
            % values
        )
    if any(e.get("journal") for e in run.errors):
        return (
            _(
                "A batch was processed and is in the protocol of sweep run %(run)s, but its line in the replay "
                "journal could not be written, so the sweep stopped. Make the journal directory writable, then "
                "run retention_journal --run %(run)s and the sweep again."
            )
            % values
        )
    return ngettext(
        "%(n)d batch failed and was rolled back; see sweep run %(run)s.",
        "%(n)d batches failed and were rolled back; see sweep run %(run)s.",
        len(run.errors),
    ) % {"n": len(run.errors), **values}
