"""Plain-text summary of a run, as the commands print it (no personal data: counts only)."""

from .models import SweepRun


def run_report_lines(run: SweepRun) -> list[str]:
    mode = " (dry run: nothing changed)" if run.dry_run else ""
    verb = "would" if run.dry_run else "did"
    lines = [f"{run.get_kind_display()} {run.today:%Y-%m-%d}{mode}: run {run.pk}, {run.get_status_display()}"]
    if run.registered:
        lines.append(f"  registered (first deletable day computed): {run.registered}")
    counts = list(run.counts.select_related("rule").order_by("rule__code", "model_label", "action"))
    for c in counts:
        rule = c.rule.code if c.rule_id else "-"
        lines.append(f"  {rule:<28} {c.action:<10} {c.model_label:<28} {c.count:>8}")
    lines.append(f"  total ({verb}): {sum(c.count for c in counts)}")
    for error in run.errors:
        lines.append(f"  ERROR {error}")
    return lines
