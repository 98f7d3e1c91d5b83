"""Checking the chain: any changed, deleted, inserted or reordered entry breaks it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import GENESIS_HASH, HEAD_RECOVERED, AuditChainHead, AuditEntry


@dataclass
class VerificationResult:
    ok: bool
    checked: int
    message: str


def audit_verify_chain(*, chunk_size: int = 5000) -> VerificationResult:
    """Walks the trail in sequence order, streaming; stops at the first broken entry. A head-recovery marker
    (entries at the end may have gone) is reported, and the walk goes on so that it hides nothing after it."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    recovered = ""

    def broken(message: str = "") -> VerificationResult:
        return VerificationResult(False, checked, " ".join(m for m in (recovered, message) if m))

    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return broken(
                _("Entry #%(seq)s: expected #%(expected)s; entries are missing or reordered.")
                % {"seq": entry.seq, "expected": expected_seq}
            )
        if entry.prev_hash != prev_hash:
            return broken(_("Entry #%(seq)s does not follow its predecessor (chain broken).") % {"seq": entry.seq})
        if entry.compute_hash() != entry.hash:
            return broken(_("Entry #%(seq)s was changed after it was written.") % {"seq": entry.seq})
        if entry.object_type == HEAD_RECOVERED and not recovered:
            # Written when the head had vanished: the entries after its last one may have gone with it.
            recovered = _(
                "Entry #%(seq)s: the chain head had been deleted and was rebuilt from entry #%(last)s; "
                "entries after #%(last)s may have been deleted."
            ) % {"seq": entry.seq, "last": entry.seq - 1}
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None and checked:
        # Without the head, a deleted tail cannot be seen: that is itself tampering.
        return broken(
            _(
                "The chain head is missing although the trail holds %(count)s entries: entries at the end may have been deleted."
            )
            % {"count": checked}
        )
    if head is not None and (head.seq != checked or head.last_hash != prev_hash):
        return broken(
            _("The trail ends at #%(last)s but #%(head)s was written: entries at the end were deleted.")
            % {"last": checked, "head": head.seq}
        )
    if recovered:
        return broken()
    return VerificationResult(True, checked, _("Audit trail intact: %(count)s entries verified.") % {"count": checked})
