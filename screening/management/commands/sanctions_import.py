"""sanctions_import PATH --format {eu-xml,ofac-csv}: imports a new version of a sanctions list."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from screening.parsers import ListFormatError
from screening.services import list_import, list_parse
from screening.services.imports import FORMATS


class Command(BaseCommand):
    help = "Imports a new version of a sanctions list; a file that does not parse is refused."

    def add_arguments(self, parser):
        parser.add_argument("path", help="EU: the FSF XML file. OFAC: the folder holding sdn.csv, alt.csv, add.csv.")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="fmt")
        parser.add_argument(
            "--allow-shrink",
            action="store_true",
            help="accept a list with far fewer entries, names or addresses than the active one",
        )

    def handle(self, *args, path, fmt, allow_shrink, **options):
        try:
            version, created = list_import(parsed=list_parse(path=path, fmt=fmt), allow_shrink=allow_shrink)
        except ListFormatError as exc:
            raise CommandError(_("Refused, the active list stays active: %(reason)s") % {"reason": exc})
        if created:
            self.stdout.write(
                _("Imported %(list)s: %(entries)s entries, %(names)s names (version %(id)s, now active).")
                % {
                    "list": version.get_source_display(),
                    "entries": version.entry_count,
                    "names": version.name_count,
                    "id": version.pk,
                }
            )
        else:
            self.stdout.write(
                _("Unchanged: %(list)s version %(id)s already holds this file.")
                % {"list": version.get_source_display(), "id": version.pk}
            )
