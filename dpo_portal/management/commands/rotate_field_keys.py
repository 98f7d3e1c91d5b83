from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dpo_portal.fields import rotate_field_keys


class Command(BaseCommand):
    help = (
        "Re-encrypts every encrypted field with the newest key of FIELD_ENCRYPTION_KEYS, so that older keys "
        "can be removed; idempotent, resumable; exit 1 when some values cannot be decrypted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what a real run would do.")
        parser.add_argument("--batch-size", type=int, default=200, help="Rows per batch and transaction.")

    def handle(self, *args, dry_run=False, batch_size=200, **options):
        if batch_size < 1:
            raise CommandError(_("The batch size must be at least 1."))
        counts = rotate_field_keys(dry_run=dry_run, batch_size=batch_size)
        line = (
            _("%(model)s: to re-encrypt: %(rotated)d, not decryptable (left unchanged): %(unreadable)d")
            if dry_run
            else _("%(model)s: re-encrypted: %(rotated)d, not decryptable (left unchanged): %(unreadable)d")
        )
        for count in counts:
            self.stdout.write(line % {"model": count.model, "rotated": count.rotated, "unreadable": count.unreadable})
        unreadable = sum(c.unreadable for c in counts)
        if unreadable:
            raise CommandError(
                _(
                    "%(n)d values could not be decrypted with any configured key and were left unchanged. "
                    "Add the missing key to FIELD_ENCRYPTION_KEYS again and repeat the command before removing a key."
                )
                % {"n": unreadable}
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Every encrypted value is under the newest key: older keys can be removed from FIELD_ENCRYPTION_KEYS."
                    )
                )
            )
