from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from requests_app.evidence import evidence_files_rename


class Command(BaseCommand):
    help = (
        "Once after upgrading past requests_app 0007: gives evidence files still stored under the uploader's file "
        "name (often the person's name) a random one. Prints a count only."
    )

    def handle(self, *args, **options):
        self.stdout.write(_("Evidence files renamed: %(n)s") % {"n": evidence_files_rename()})
