"""Loading the register again (every deploy) keeps the DPO's edits; only `--reset` restores the policy's texts."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dpo_portal import register_data as data
from dpo_portal.models import DataCategory, Organisation, ProcessingActivity, Recipient, SupervisoryAuthority, System
from dpo_portal.services import register_load

pytestmark = pytest.mark.usefixtures("register")


def _dpo_edits():
    """What a DPO does in the admin: switch the authority, retire, reword, add and remove relations."""
    uld = SupervisoryAuthority.objects.get(is_competent=True)
    nrw = SupervisoryAuthority.objects.exclude(pk=uld.pk).get()
    SupervisoryAuthority.objects.update(is_competent=False)
    nrw.is_competent = True
    nrw.save()
    Organisation.objects.filter(role="controller").update(dpo_contact="Dr. D. Schutz, dsb@cplus.example")
    Recipient.objects.filter(name="Google LLC").update(description="vom DSB präzisiert")
    activity = ProcessingActivity.objects.get(code="surveys")
    extra = Recipient.objects.create(name="Umfrage-Tool GmbH", kind="processor", country="DE")
    activity.recipients.add(extra)
    activity.data_categories.remove(DataCategory.objects.get(code="survey"))
    activity.status = ProcessingActivity.Status.RETIRED
    activity.purpose_de = "vom DSB präzisiert"
    activity.legal_basis = "6_1_a"
    activity.save()
    return nrw, extra


def test_loading_again_keeps_every_edit_of_the_dpo():
    nrw, extra = _dpo_edits()
    call_command("load_register")
    activity = ProcessingActivity.objects.get(code="surveys")
    assert activity.status == "retired"
    assert (activity.purpose_de, activity.legal_basis) == ("vom DSB präzisiert", "6_1_a")
    assert extra in activity.recipients.all()
    assert not activity.data_categories.filter(code="survey").exists()
    assert SupervisoryAuthority.objects.get(is_competent=True) == nrw
    assert Organisation.controller().dpo_contact == "Dr. D. Schutz, dsb@cplus.example"
    assert Recipient.objects.get(name="Google LLC").description == "vom DSB präzisiert"


def test_loading_again_writes_nothing_to_the_register(monkeypatch):
    # The apps' hooks are theirs (retention rewrites its Art. 30(1)(f) texts); this is about the register's part.
    monkeypatch.setattr("dpo_portal.services.call_app_hooks", lambda *args, **kwargs: [])
    with CaptureQueriesContext(connection) as queries:
        register_load()
    writes = [
        q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) and "dpo_portal_" in q["sql"]
    ]
    assert writes == []


def test_a_missing_default_is_created_with_its_relations_and_the_rest_is_left_alone():
    _dpo_edits()
    ProcessingActivity.objects.filter(code="anonymised-datasets").delete()
    register_load()
    created = ProcessingActivity.objects.get(code="anonymised-datasets")
    assert created.status == "active" and created.next_review
    assert set(created.data_categories.values_list("code", flat=True)) == {"order", "learning", "survey"}
    assert created.recipients.count() == created.joint_controllers.count() == 2
    assert list(created.systems.values_list("name", flat=True)) == ["DPO Portal"]
    assert ProcessingActivity.objects.get(code="surveys").status == "retired"


def test_reset_restores_the_policys_texts_but_keeps_status_relations_and_the_authority():
    nrw, extra = _dpo_edits()
    Recipient.objects.filter(name="Google LLC").update(transfer_note="Standardvertragsklauseln 2021/914")
    call_command("load_register", "--reset")
    # The safeguards are the DPO's record, not policy text: a reset keeps them.
    assert Recipient.objects.get(name="Google LLC").transfer_note == "Standardvertragsklauseln 2021/914"
    activity = ProcessingActivity.objects.get(code="surveys")
    spec = next(s for s in data.ACTIVITIES if s["code"] == "surveys")
    assert (activity.purpose_de, activity.legal_basis) == (spec["purpose_de"], spec["legal_basis"])
    assert activity.status == "retired"
    assert extra in activity.recipients.all()
    assert SupervisoryAuthority.objects.get(is_competent=True) == nrw
    assert Recipient.objects.get(name="Google LLC").description != "vom DSB präzisiert"
    assert Organisation.controller().dpo_contact == data.CONTROLLER["dpo_contact"]


def test_reset_keeps_the_article_9_basis_of_a_special_category_the_dpo_added():
    activity = ProcessingActivity.objects.get(code="surveys")
    activity.special_category_basis = "9_2_a"
    activity.save()
    activity.data_categories.add(DataCategory.objects.get(code="health"))
    register_load(reset=True)
    activity.refresh_from_db()
    assert activity.special_category_basis == "9_2_a"


def test_an_untouched_retired_default_text_follows_the_policy_and_an_edited_one_stays():
    old_de = data.TOMS_DE + data.TOMS_EEA_DE
    ProcessingActivity.objects.filter(code="google-ads-conversion").update(toms_de=old_de)
    ProcessingActivity.objects.filter(code="order-processing").update(toms_de="eigene TOM des DSB")
    register_load()
    google = ProcessingActivity.objects.get(code="google-ads-conversion")
    assert google.toms_de == data.TOMS_DE + data.TOMS_TRANSFER_DE
    assert ProcessingActivity.objects.get(code="order-processing").toms_de == "eigene TOM des DSB"


def test_a_default_that_cannot_be_loaded_is_refused_with_a_clear_error_and_nothing_changes():
    ProcessingActivity.objects.filter(code="anonymised-datasets").delete()
    DataCategory.objects.filter(code="survey").update(is_special=True)  # the DPO's call; the policy names no Art. 9
    Recipient.objects.filter(name="Zahlungsdienstleister").delete()
    with pytest.raises(CommandError, match="Art. 9 Abs. 2 DSGVO"):
        call_command("load_register")
    assert not ProcessingActivity.objects.filter(code="anonymised-datasets").exists()
    assert not Recipient.objects.filter(name="Zahlungsdienstleister").exists()  # created before the error, rolled back


def test_a_register_loaded_before_english_names_gets_them_and_a_dpo_s_name_stays():
    from retention.models import DeletionRule

    ProcessingActivity.objects.filter(code="order-processing").update(legal_basis_note_en="")
    ProcessingActivity.objects.filter(code="surveys").update(legal_basis_note_en="as the DPO put it")
    Recipient.objects.filter(name="Zahlungsdienstleister").update(name_en="")
    Recipient.objects.filter(name="Steuerberater und Finanzbehörden").update(name_en="Our tax adviser")
    rule = DeletionRule.objects.filter(code="contact-limitation")
    rule.update(legal_reference="§§ 195, 199 Abs. 1 BGB (regelmäßige Verjährung)", legal_reference_en="")
    DeletionRule.objects.filter(code="identity-limitation").update(legal_reference="§ 195 BGB, vom DSB")
    register_load()
    order = ProcessingActivity.objects.get(code="order-processing")
    assert order.legal_basis_note_en.startswith("Art. 6(1)(b) GDPR; retention")
    assert ProcessingActivity.objects.get(code="surveys").legal_basis_note_en == "as the DPO put it"
    assert Recipient.objects.get(name="Zahlungsdienstleister").name_en == "Payment service provider"
    assert Recipient.objects.get(name="Steuerberater und Finanzbehörden").name_en == "Our tax adviser"
    assert (rule.get().legal_reference, rule.get().legal_reference_en) == (
        "§§ 195, 199 Abs. 1 BGB",
        "§§ 195, 199(1) BGB",
    )
    assert DeletionRule.objects.get(code="identity-limitation").legal_reference == "§ 195 BGB, vom DSB"
    # The rule's history has the citation as now in force, as a version of its own.
    latest = rule.get().versions.first()
    assert (latest.legal_reference, latest.legal_reference_en) == ("§§ 195, 199 Abs. 1 BGB", "§§ 195, 199(1) BGB")


def test_systems_loaded_before_english_names_get_them_and_a_dpo_s_name_stays():
    System.objects.filter(name="Lernplattform").update(name_en="")
    System.objects.filter(name="Webshop und ERP").update(name_en="Our shop")
    register_load()
    assert System.objects.get(name="Lernplattform").name_en == "Learning platform"
    assert System.objects.get(name="Webshop und ERP").name_en == "Our shop"
