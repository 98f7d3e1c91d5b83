import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.rekey import BrokenTrail, audit_rekey
from audit.verification import audit_verify_chain


class Command(BaseCommand):
    help = "Rehashes the audit trail's chain from the previous AUDIT_KEY (env AUDIT_KEY_OLD, default SECRET_KEY) to AUDIT_KEY."

    def handle(self, *args, **options):
        # The old key comes from the environment, never the command line (it would land in shell histories).
        old_key = os.environ.get("AUDIT_KEY_OLD") or settings.SECRET_KEY
        if old_key == settings.AUDIT_KEY:
            raise CommandError(_("AUDIT_KEY is the old key: set the new AUDIT_KEY first."))
        try:
            count = audit_rekey(old_key=old_key)
        except BrokenTrail as exc:
            if audit_verify_chain().ok:  # run a second time: not an error, there is nothing left to do
                self.stdout.write(_("The audit trail already verifies under AUDIT_KEY: nothing was changed."))
                return
            where = _("entry #%(seq)s") % {"seq": exc.seq} if exc.seq is not None else _("the chain head")
            raise CommandError(
                _("The audit trail does not verify under the old key (%(where)s); nothing was changed.")
                % {"where": where}
            ) from None
        self.stdout.write(_("Audit trail rehashed with the new key: %(count)s entries.") % {"count": count})
