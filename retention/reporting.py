"""Plain-text summary of a run, as the commands print it (no personal data: counts only)."""

from django.utils.translation import gettext as _

from .models import SweepRun


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
    for c in counts:
        rule = c.rule.code if c.rule_id else "-"
        lines.append(f"  {rule:<28} {c.action:<10} {c.model_label:<28} {c.count:>8}")
    total = {"n": sum(c.count for c in counts)}
    lines.append("  " + (_("total (would): %(n)s") if run.dry_run else _("total (did): %(n)s")) % total)
    for error in run.errors:
        lines.append("  " + _("ERROR %(error)s") % {"error": error})
    return lines
