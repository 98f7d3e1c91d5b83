from django.core.management.base import BaseCommand, CommandError

from audit.verification import audit_verify_chain


class Command(BaseCommand):
    help = "Verifies the hash chain of the audit trail; exit 1 naming the first entry that is not intact."

    def handle(self, *args, **options):
        result = audit_verify_chain()
        if not result.ok:
            raise CommandError(result.message, returncode=1)
        self.stdout.write(self.style.SUCCESS(result.message))
