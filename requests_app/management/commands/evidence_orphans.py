from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from requests_app.evidence import evidence_orphans, evidence_orphans_delete


class Command(BaseCommand):
    help = (
        "Counts the evidence files of data-subject requests that no timeline entry holds any more (a deletion the "
        "storage refused); --delete removes them. Prints counts only: file names can name people."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Delete the orphaned files.")

    def handle(self, *args, delete=False, **options):
        if delete:
            self.stdout.write(_("Orphaned evidence files deleted: %(n)s") % {"n": evidence_orphans_delete()})
        else:
            self.stdout.write(_("Orphaned evidence files: %(n)s") % {"n": len(evidence_orphans())})
