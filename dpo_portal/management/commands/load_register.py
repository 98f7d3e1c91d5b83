from django.core.management.base import BaseCommand

from dpo_portal.services import register_load


class Command(BaseCommand):
    help = "Loads (again, idempotently) the default register derived from the privacy policy."

    def handle(self, *args, **options):
        counts = register_load(log=self.stdout.write)
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count}")
        self.stdout.write(self.style.SUCCESS("Register loaded."))
