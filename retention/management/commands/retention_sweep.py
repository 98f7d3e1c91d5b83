import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from retention.reporting import run_failure_message, run_report_lines
from retention.sweep import sweep_run


class Command(BaseCommand):
    help = "One retention sweep: deletes, anonymises or restricts what the deletion rules make due."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what a real run would do.")
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="Sweep date (YYYY-MM-DD).")
        parser.add_argument("--batch-size", type=int, help="Records per batch (default RETENTION_BATCH_SIZE).")

    def handle(self, *args, dry_run=False, today=None, batch_size=None, **options):
        try:
            run = sweep_run(today=today, dry_run=dry_run, batch_size=batch_size, log=self.stdout.write)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for line in run_report_lines(run):
            self.stdout.write(line)
        if run.errors:
            raise CommandError(run_failure_message(run))
