"""A rule keeps its versions: after the DPO changed a period, the deletion certificate still names the period each
record was processed under, and the rule's page shows which period applied when."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from audit.context import Actor
from retention.certificate import certificate_context
from retention.models import DeletionRuleVersion
from retention.selectors import rule_for_category
from retention.services import rule_save
from retention.sweep import sweep_run
from tests import factories as f

D = datetime.date


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 2, 30, tzinfo=datetime.UTC), tick=False)


@pytest.mark.usefixtures("register")
def test_a_change_of_what_the_rule_says_starts_a_version():
    rule = rule_for_category(f.AdConversionFactory.build().category)
    assert [(v.days, v.changed_by) for v in rule.versions.all()] == [(30, "system")]  # load_register
    rule.note = "Klick-IDs aus Google Ads"
    rule_save(rule=rule)
    assert rule.versions.count() == 1  # the note says nothing about the data's period
    rule.days = 60
    rule_save(rule=rule, actor=Actor(7, "dsb"))
    assert [(v.days, v.changed_by) for v in rule.versions.all()] == [(60, "dsb"), (30, "system")]


@pytest.mark.usefixtures("register")
@pytest.mark.parametrize(
    ("language", "then", "now"),
    [
        ("de", "30 Tage ab der Erhebung", "60 Tage ab der Erhebung"),
        ("en", "30 days from the collection", "60 days from the collection"),
    ],
)
def test_the_certificate_names_the_period_each_record_was_processed_under(language, then, now):
    from django.utils import translation

    rule = rule_for_category(f.AdConversionFactory.build().category)
    rule.versions.update(valid_from=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))  # the rule since January
    with _at(D(2026, 9, 1)):
        f.AdConversionFactory.create_batch(2, collected_on=D(2026, 6, 1))
        f.AdConversionFactory(collected_on=D(2026, 8, 20))
        assert sweep_run().total == 2  # under 30 days
    with _at(D(2026, 9, 2)):
        rule.days = 60
        rule_save(rule=rule)
    with _at(D(2026, 11, 25)):
        assert sweep_run().total == 1  # under 60 days
        with translation.override(language):
            rows = certificate_context(start=D(2026, 9, 1), end=D(2026, 11, 25))["rows"]
    assert [(r["rule__code"], r["period"], r["count"]) for r in rows] == [
        ("ad-conversion-30-days", then, 2),
        ("ad-conversion-30-days", now, 1),
    ]


@pytest.mark.usefixtures("register")
def test_the_rule_page_shows_which_period_applied_when(dpo_client):
    rule = rule_for_category(f.AdConversionFactory.build().category)
    rule.days = 45
    rule_save(rule=rule, actor=Actor(7, "dsb"))
    page = dpo_client.get(
        reverse("admin:retention_deletionrule_change", args=[rule.pk]), headers={"accept-language": "de"}
    ).content.decode()
    assert "Welche Frist wann galt" in page
    assert "45 Tage ab der Erhebung" in page and "30 Tage ab der Erhebung" in page and "dsb" in page


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_existing_rule_its_current_version():
    before, after = [("retention", "0007_english_legal_reference")], [("retention", "0008_rule_versions")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    category = old.get_model("dpo_portal", "DataCategory").objects.create(
        code="books", name_de="Bücher", name_en="Books"
    )
    rule = old.get_model("retention", "DeletionRule").objects.create(
        code="books-10",
        category=category,
        start_event="collection",
        years=10,
        from_year_end=True,
        action="delete",
        retention_duty=True,
        legal_reference="§ 257 Abs. 1 Nr. 1, Abs. 4 HGB",
        description_de="Bücher",
        description_en="Books",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    [version] = DeletionRuleVersion.objects.filter(rule_id=rule.pk)
    assert (version.years, version.from_year_end, version.valid_from) == (10, True, rule.updated_at)
    # Forward to the newest state again: the tests that run after this one on the same database need it.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.usefixtures("register")
def test_the_run_and_its_protocol_show_the_rule_as_it_stood_then(dpo_client):
    from retention.models import ProtocolBatch

    rule = rule_for_category(f.AdConversionFactory.build().category)
    rule.versions.update(valid_from=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    with _at(D(2026, 9, 1)):
        f.AdConversionFactory(collected_on=D(2026, 6, 1))
        f.OrderFactory(collected_on=D(2016, 6, 1), ordered_on=D(2016, 6, 1))
        run = sweep_run()
    with _at(D(2026, 9, 2)):
        rule.days = 60
        rule_save(rule=rule)
    batch = ProtocolBatch.objects.get(rule=rule)
    for url in (
        reverse("admin:retention_sweeprun_change", args=[run.pk]),
        reverse("admin:retention_protocolbatch_change", args=[batch.pk]),
    ):
        page = dpo_client.get(url, headers={"accept-language": "de"}).content.decode()
        assert "30 Tage ab der Erhebung" in page and "60 Tage" not in page, url
