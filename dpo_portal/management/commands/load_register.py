from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dpo_portal.services import register_load


class Command(BaseCommand):
    help = (
        "Loads (again, idempotently) the default register derived from the privacy policy: creates what is "
        "missing and leaves the DPO's edits alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Also restore the privacy policy's texts of the default entries (keeps status, relations and "
            "the competent authority).",
        )

    def handle(self, *args, reset=False, **options):
        try:
            counts = register_load(reset=reset, log=self.stdout.write)
        except ValidationError as exc:  # e.g. a category the DPO made special: nothing was loaded
            raise CommandError(" ".join(exc.messages)) from None
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")
        self.stdout.write(self.style.SUCCESS("Register loaded."))
