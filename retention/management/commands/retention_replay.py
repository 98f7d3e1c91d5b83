import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from retention.replay import replay_since
from retention.reporting import run_report_lines


class Command(BaseCommand):
    help = "After a backup restore: applies again every deletion and anonymisation recorded since DATE."

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--journal", type=Path, help="Journal directory (default RETENTION_JOURNAL_DIR).")

    def handle(self, *args, since, journal=None, **options):
        try:
            run = replay_since(since=since, directory=journal, log=self.stdout.write)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for line in run_report_lines(run):
            self.stdout.write(line)
        if run.errors:
            raise CommandError(_("Replay finished with errors; see run %(run)s.") % {"run": run.pk})
