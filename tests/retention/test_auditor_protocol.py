"""The sweep runs and their protocol as an inspector reads them: what each run did, the batches it wrote, and each
batch's legal reference in the page's language."""

import datetime

import pytest
from django.urls import reverse

from retention.models import ProtocolBatch, SweepRun
from retention.sweep import sweep_run
from tests import factories as f

pytestmark = pytest.mark.usefixtures("register")
D = datetime.date


@pytest.fixture
def auditor_client(client, auditor_user):
    client.force_login(auditor_user)
    return client


@pytest.fixture
def swept(today):
    f.AdConversionFactory.create_batch(3, collected_on=D(2026, 9, 1))
    f.SurveyAnswerFactory(collected_on=D(2025, 1, 10))
    return sweep_run()


def test_the_list_of_runs_says_how_many_records_each_run_processed(auditor_client, swept):
    response = auditor_client.get(reverse("admin:retention_sweeprun_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    run = next(r for r in response.context["cl"].result_list if r.pk == swept.pk)
    assert run.processed_total == swept.total >= 3
    assert "Records processed" in response.content.decode()


def test_a_run_leads_to_its_protocol(auditor_client, swept):
    page = auditor_client.get(reverse("admin:retention_sweeprun_change", args=[swept.pk]), HTTP_ACCEPT_LANGUAGE="en")
    url = f"{reverse('admin:retention_protocolbatch_changelist')}?run__id__exact={swept.pk}"
    assert url in page.content.decode()
    listed = auditor_client.get(url).context["cl"].result_list
    assert {b.pk for b in listed} == set(ProtocolBatch.objects.filter(run=swept).values_list("pk", flat=True))


def test_a_dry_run_says_it_wrote_no_protocol(auditor_client, today):
    f.AdConversionFactory(collected_on=D(2026, 9, 1))
    run = sweep_run(dry_run=True)
    page = auditor_client.get(reverse("admin:retention_sweeprun_change", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "none: a dry run only counts" in page.content.decode()
    assert SweepRun.objects.get(pk=run.pk).dry_run


def test_a_batch_cites_its_legal_reference_in_the_page_s_language(auditor_client, swept):
    batch = ProtocolBatch.objects.filter(run=swept, rule__code="ad-conversion-30-days").get()
    url = reverse("admin:retention_protocolbatch_change", args=[batch.pk])
    english = auditor_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    german = auditor_client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert batch.legal_reference.startswith("§ 25 Abs. 1 TDDDG")
    assert "§ 25(1) TDDDG" in english and "Abs." not in english
    assert "§ 25 Abs. 1 TDDDG" in german


def test_a_hold_s_page_says_what_is_held_and_why_before_its_history(auditor_client, today):
    hold = f.LegalHoldFactory()
    response = auditor_client.get(reverse("admin:retention_legalhold_change", args=[hold.pk]))
    fields = [field for fieldset in response.context["adminform"] for line in fieldset for field in line]
    names = [field.field["name"] if isinstance(field.field, dict) else field.field.name for field in fields]
    assert names.index("subject") < names.index("reason") < names.index("reference") < names.index("created_at")
