from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retention.journal import journal_write_run
from retention.models import SweepRun


class Command(BaseCommand):
    help = "Writes the replay journal lines of a run's protocol that the journal lacks (after a failed write)."

    def add_arguments(self, parser):
        parser.add_argument("--run", required=True, type=int, help="The sweep run's number.")

    def handle(self, *args, run, **options):
        try:
            sweep_run = SweepRun.objects.get(pk=run)
        except SweepRun.DoesNotExist:
            raise CommandError(_("There is no sweep run %(run)s.") % {"run": run}) from None
        try:
            written = journal_write_run(sweep_run)
        except OSError as exc:
            raise CommandError(
                _("The replay journal directory cannot be written: %(error)s") % {"error": exc.strerror or exc}
            ) from None
        self.stdout.write(
            ngettext(
                "%(n)d journal line written for sweep run %(run)s.",
                "%(n)d journal lines written for sweep run %(run)s.",
                written,
            )
            % {"n": written, "run": run}
        )
