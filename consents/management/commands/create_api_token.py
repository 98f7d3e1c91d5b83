from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from consents.services import api_token_create


class Command(BaseCommand):
    help = "Creates a token for the consents API and prints it once (only its digest is stored)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="which system uses it, e.g. website")
        parser.add_argument("--record", action="store_true", help="may record consents, confirmations, withdrawals")
        parser.add_argument("--query", action="store_true", help="may ask may_contact")

    def handle(self, *args, name, record, query, **options):
        if not (record or query):
            raise CommandError(_("Give --record, --query or both: what the token may do."))
        try:
            _token, raw = api_token_create(name=name, may_record=record, may_query=query)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(raw)
