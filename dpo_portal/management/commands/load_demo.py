from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dpo_portal.demo import demo_load


class Command(BaseCommand):
    help = "Loads demo data subjects and the demo users dpo/support/auditor (embedded demo only, never with DEBUG off)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=300)

    def handle(self, *args, count, **options):
        if not settings.DEMO_MODE:
            raise CommandError(_("Demo data is only loaded into the embedded demo (DEBUG on, DEMO_MODE on)."))
        if count < 1:
            raise CommandError(_("The number of demo data subjects must be at least 1."))
        made = demo_load(count=count, log=self.stdout.write)
        message = ngettext("%(n)d demo data subject created.", "%(n)d demo data subjects created.", made)
        self.stdout.write(self.style.SUCCESS(message % {"n": made}))
