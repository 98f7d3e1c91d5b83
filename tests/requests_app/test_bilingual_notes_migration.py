"""Notes the portal wrote before it kept them in English get their English version on upgrade; people's stay as written."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consents.services import objection_record
from dpo_portal.services import register_load
from tests.factories import request_with, subject_with_everything

BEFORE = [("requests_app", "0008_timeline_in_both_languages"), ("consents", "0008_apitoken_may_query_label")]
AFTER = [("requests_app", "0009_outcome_note_en"), ("consents", "0009_objection_reasons_en")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_portals_own_notes_get_their_english_version():
    register_load()
    subject = subject_with_everything()
    marketing_objection = objection_record(
        subject=subject, activity_code="existing-customer-marketing", channel="email"
    )
    request_pk = request_with(subject=subject).pk
    old = _migrate(BEFORE)
    Objection = old.get_model("consents", "Objection")
    assert (
        Objection.objects.get(pk=marketing_objection.pk).reasons
        == "Widerspruch gegen Direktwerbung (Art. 21 Abs. 3 DSGVO)."
    )
    Item = old.get_model("requests_app", "RequestItem")
    # (kind, note as stored) -> (German, English) after the migration.
    marketing = (
        "Direktwerbung: Widerspruch sofort wirksam (Art. 21 Abs. 3 DSGVO).",
        "Direct marketing: objection effective at once (Art. 21(3) GDPR).",
    )
    notes = {
        ("objection", marketing[0]): marketing,
        ("objection", marketing[1]): marketing,  # stored by a desk switched to English
        ("copy", "Kopie für die betroffene Person"): ("Kopie für die betroffene Person", "Copy for the data subject"),
        ("copy", "Copy for the data subject"): ("Kopie für die betroffene Person", "Copy for the data subject"),
        ("copy", "Kopie für Neue GmbH"): ("Kopie für Neue GmbH", "Copy for Neue GmbH"),
        ("copy", "Copy for Neue GmbH"): ("Kopie für Neue GmbH", "Copy for Neue GmbH"),
        ("complaint", "Kopie für die betroffene Person"): ("Kopie für die betroffene Person", ""),  # the DPO's words
        ("objection", "Keine zwingenden Gründe."): ("Keine zwingenden Gründe.", ""),
    }
    items = {key: Item.objects.create(request_id=request_pk, kind=key[0], outcome_note=key[1]) for key in notes}
    english_reasons = Objection.objects.create(
        **{
            f.attname: getattr(Objection.objects.get(pk=marketing_objection.pk), f.attname)
            for f in Objection._meta.concrete_fields
            if f.attname != "id"
        }
    )
    Objection.objects.filter(pk=english_reasons.pk).update(reasons="Objection to direct marketing (Art. 21(3) GDPR).")

    new = _migrate(AFTER)
    Item = new.get_model("requests_app", "RequestItem")
    assert {
        key: tuple(Item.objects.values_list("outcome_note", "outcome_note_en").get(pk=item.pk))
        for key, item in items.items()
    } == notes
    for pk in (marketing_objection.pk, english_reasons.pk):
        reasons = new.get_model("consents", "Objection").objects.values_list("reasons", "reasons_en").get(pk=pk)
        assert reasons == (
            "Widerspruch gegen Direktwerbung (Art. 21 Abs. 3 DSGVO).",
            "Objection to direct marketing (Art. 21(3) GDPR).",
        )
    # Forward to the newest state again: the tests that run after this one on the same database need it.
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
