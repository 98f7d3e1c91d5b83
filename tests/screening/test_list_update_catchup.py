"""List-update re-screening covers everything since the last version whose re-screening finished."""

import pytest

from screening.models import ListVersion, ScreeningCase, ScreeningRun, Trigger
from screening.selectors import changed_entries, rescreen_baseline
from screening.services import list_import, list_parse, rescreen_planned
from screening.tasks import screen_list_update, screen_subjects
from subjects.services import subject_create

pytestmark = pytest.mark.django_db

BASE = [(str(i), f"Person Number{i} Filler{i}") for i in range(1, 5)]


def _eu_xml(entities) -> bytes:
    body = "".join(
        f'<sanctionEntity logicalId="{lid}" euReferenceNumber="EU.{lid}"><subjectType code="person"/>'
        f'<nameAlias wholeName="{name}" strong="true"/></sanctionEntity>'
        for lid, name in entities
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><export xmlns="http://eu.europa.ec/fpi/fsd/export" '
        f'generationDate="2024-01-01T00:00:00">{body}</export>'
    ).encode()


def _import(tmp_path, name, entities) -> ListVersion:
    path = tmp_path / name
    path.write_bytes(_eu_xml(entities))
    return list_import(parsed=list_parse(path=path, fmt="eu-xml"))[0]


def test_entries_of_a_version_replaced_before_its_job_ran_are_still_screened(tmp_path):
    first = _import(tmp_path, "a.xml", BASE)
    screen_list_update(first.pk)  # its job ran (Celery is eager in tests)
    subject = subject_create(first_name="Zoltan", last_name="Brankovicz")
    second = _import(tmp_path, "b.xml", [*BASE, ("99", "Zoltan Brankovicz")])
    third = _import(tmp_path, "c.xml", [*BASE, ("99", "Zoltan Brankovicz"), ("100", "Other Personname")])

    # Both jobs are queued before either runs: the second version is no longer active.
    assert screen_list_update(second.pk) == 0
    assert screen_subjects([subject.pk], Trigger.LIST_UPDATED, second.pk, 0) == 0
    screen_list_update(third.pk)

    subject.refresh_from_db()
    assert subject.is_blocked
    case = ScreeningCase.objects.get(subject=subject)
    assert case.trigger == Trigger.LIST_UPDATED
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.rescreened_at is None and third.rescreened_at is not None


def test_a_finished_rescreen_is_the_next_baseline(tmp_path):
    first = _import(tmp_path, "a.xml", BASE)
    assert rescreen_baseline(first) is None  # nothing screened yet: the whole version counts as new
    screen_list_update(first.pk)
    second = _import(tmp_path, "b.xml", [*BASE, ("99", "Zoltan Brankovicz")])
    assert rescreen_baseline(second) == first
    screen_list_update(second.pk)
    third = _import(tmp_path, "c.xml", [*BASE, ("99", "Zoltan Brankovicz"), ("100", "Other Personname")])
    assert rescreen_baseline(third) == second
    assert list(changed_entries(third, since=second).values_list("external_id", flat=True)) == ["100"]


def test_a_version_counts_as_rescreened_once_every_batch_finished(tmp_path):
    version = _import(tmp_path, "a.xml", BASE)
    people = [subject_create(first_name="Anna", last_name=name).pk for name in ("Eins", "Zwei")]
    rescreen_planned(version=version, batches=2)
    # A batch delivered twice (Celery acks late) counts once.
    screen_subjects(people[:1], Trigger.LIST_UPDATED, version.pk, 0)
    screen_subjects(people[:1], Trigger.LIST_UPDATED, version.pk, 0)
    version.refresh_from_db()
    assert version.rescreened_at is None
    screen_subjects(people[1:], Trigger.LIST_UPDATED, version.pk, 1)
    version.refresh_from_db()
    assert version.rescreened_at is not None


def test_a_rescreen_that_finds_nothing_new_opens_no_case(tmp_path):
    _import(tmp_path, "a.xml", [*BASE, ("99", "Zoltan Brankovicz")])
    subject = subject_create(first_name="Zoltan", last_name="Brankovicz")
    first = ScreeningRun.objects.get(pk=screen_subjects([subject.pk], Trigger.WEEKLY))
    again = ScreeningRun.objects.get(pk=screen_subjects([subject.pk], Trigger.WEEKLY))
    assert (first.cases_opened, again.cases_opened) == (1, 0)
    assert ScreeningCase.objects.filter(subject=subject).count() == 1
