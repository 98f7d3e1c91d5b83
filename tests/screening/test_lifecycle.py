"""Block -> verify -> clear -> re-screen, and confirm, driven through the services a real run uses."""

import datetime

import pytest

from audit.models import AuditEntry
from screening.models import InvalidTransition, ScreeningCase, Trigger
from screening.services import (
    case_clear,
    case_confirm,
    case_letter,
    case_mark_contacted,
    subject_screen,
)
from subjects.services import subject_create, subject_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(register, eu_version, ofac_version):
    return eu_version, ofac_version


def _create(django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return subject_create(**data)


def test_a_person_named_like_an_entry_is_blocked_at_creation(lists, dpo_user, django_capture_on_commit_callbacks):
    subject = _create(
        django_capture_on_commit_callbacks,
        first_name="Dmitri",
        last_name="Choroschew",
        birth_date=datetime.date(1993, 4, 17),
        country="RU",
    )
    subject.refresh_from_db()
    assert subject.is_blocked
    case = ScreeningCase.objects.get(subject=subject)
    assert case.status == "open"
    assert case.trigger == Trigger.CREATED
    assert case.activity.code == "sanctions-screening" and case.category.code == "screening"
    assert str(case.pk) in subject.blocked_reason
    candidate = case.candidates.get()
    assert (candidate.source, candidate.external_id) == ("ofac", "48603")
    assert candidate.score > candidate.name_score  # the date of birth and country agree
    # Audited with ids and field names only: no name in any entry.
    entries = AuditEntry.objects.filter(subject_id=subject.pk)
    assert entries.filter(object_type="screening.screeningcase", action="create").exists()
    subject_entries = AuditEntry.objects.filter(object_type="subjects.datasubject", object_id=str(subject.pk))
    assert any("is_blocked" in e.fields for e in subject_entries)
    assert not any("Choroschew" in (e.detail + str(e.fields)) for e in AuditEntry.objects.all())


def test_an_unrelated_person_is_not_blocked(lists, django_capture_on_commit_callbacks):
    subject = _create(django_capture_on_commit_callbacks, first_name="Hannelore", last_name="Kleinschmidt")
    subject.refresh_from_db()
    assert not subject.is_blocked
    assert not ScreeningCase.objects.exists()


def test_block_verify_clear_and_rescreen(lists, dpo_user, django_capture_on_commit_callbacks):
    subject = _create(django_capture_on_commit_callbacks, first_name="Abid", last_name="Hammadou", country="DE")
    case = ScreeningCase.objects.get(subject=subject)

    html_de = case_letter(case=case, as_pdf=False, language="de")
    html_en = case_letter(case=case, as_pdf=False, language="en")
    assert "Identität" in html_de and "identity" in html_en
    assert case_letter(case=case, language="en").startswith(b"%PDF")

    case = case_mark_contacted(case=case, user=dpo_user)
    assert case.status == "contacted" and case.letter_sent_at
    with pytest.raises(InvalidTransition):
        case_mark_contacted(case=case, user=dpo_user)
    with pytest.raises(InvalidTransition):
        case_clear(case=case, user=dpo_user, reason="  ")

    case = case_clear(case=case, user=dpo_user, reason="Passport checked: born 1990 in Hamburg.")
    subject.refresh_from_db()
    assert case.status == "cleared" and case.decided_by == dpo_user
    assert not subject.is_blocked and subject.blocked_reason == ""
    with pytest.raises(InvalidTransition):
        case_confirm(case=case, user=dpo_user, reason="changed my mind")

    # Re-screening the unchanged person raises nothing again.
    assert subject_screen(subject=subject, trigger=Trigger.WEEKLY) is None
    subject.refresh_from_db()
    assert not subject.is_blocked

    # A change of their identity data is screened again, and the same entry is raised anew.
    with django_capture_on_commit_callbacks(execute=True):
        subject_update(subject=subject, birth_date=datetime.date(1965, 12, 12))
    subject.refresh_from_db()
    assert subject.is_blocked
    assert ScreeningCase.objects.filter(subject=subject).count() == 2
    assert ScreeningCase.objects.get(subject=subject, status="open").trigger == Trigger.IDENTITY_CHANGED


def test_a_confirmed_match_stays_blocked_and_is_not_reopened(lists, dpo_user, django_capture_on_commit_callbacks):
    subject = _create(django_capture_on_commit_callbacks, first_name="Leo", last_name="Manzi", country="RW")
    case = ScreeningCase.objects.get(subject=subject)
    case_confirm(case=case, user=dpo_user, reason="Identity documents match the listing.")
    subject.refresh_from_db()
    assert subject.is_blocked
    assert subject_screen(subject=subject, trigger=Trigger.WEEKLY) is None
    assert ScreeningCase.objects.filter(subject=subject).count() == 1


def test_screening_twice_opens_one_case(lists, django_capture_on_commit_callbacks):
    subject = _create(django_capture_on_commit_callbacks, first_name="Daniel", last_name="Moreno")
    first = ScreeningCase.objects.get(subject=subject)
    # Nothing new: no case is reported as opened or extended.
    assert subject_screen(subject=subject, trigger=Trigger.WEEKLY) is None
    assert ScreeningCase.objects.filter(subject=subject).count() == 1
    assert first.candidates.count() == 1


def test_a_weak_alias_alone_does_not_block(lists, django_capture_on_commit_callbacks):
    # "BURTON BURGESS" is only an a.k.a. in the remarks of an OFAC entry.
    subject = _create(django_capture_on_commit_callbacks, first_name="Burton", last_name="Burgess")
    subject.refresh_from_db()
    assert not subject.is_blocked


def test_a_weak_alias_with_the_listed_birth_date_blocks(lists, django_capture_on_commit_callbacks):
    subject = _create(
        django_capture_on_commit_callbacks,
        first_name="Burton",
        last_name="Burgess",
        birth_date=datetime.date(1963, 7, 28),
    )
    subject.refresh_from_db()
    assert subject.is_blocked


def test_a_company_like_a_listed_one_is_screened(lists, django_capture_on_commit_callbacks):
    subject = _create(
        django_capture_on_commit_callbacks, first_name="Erika", last_name="Mustermann", company="Bel-Kap-Steel GmbH"
    )
    subject.refresh_from_db()
    assert subject.is_blocked
    assert ScreeningCase.objects.get(subject=subject).candidates.get().external_id == "44525"


def test_a_decided_case_is_deleted_five_years_after_the_end_of_its_year(
    lists, dpo_user, django_capture_on_commit_callbacks
):
    """The sanctions-screening rule counts from the case's end (its decision); an open case never comes due."""
    import time_machine

    from retention.sweep import sweep_run

    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False):
        cleared = _create(django_capture_on_commit_callbacks, first_name="Leo", last_name="Manzi", country="RW")
        case = ScreeningCase.objects.get(subject=cleared)
        still_open = _create(django_capture_on_commit_callbacks, first_name="Leo", last_name="Manzi", country="RW")
        sweep_run()  # registers both cases while they are open: no start, never due
    assert ScreeningCase.objects.get(pk=case.pk).deletable_from is None
    # 23:30 UTC on 2 March is already 3 March in Berlin: the case ends on that local day.
    with time_machine.travel(datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC), tick=False):
        case_clear(case=case, user=dpo_user, reason="Different date of birth on the passport.")
    open_case = ScreeningCase.objects.get(subject=still_open)
    with time_machine.travel(datetime.datetime(2031, 12, 31, 10, tzinfo=datetime.UTC), tick=False):
        sweep_run()
        assert ScreeningCase.objects.filter(pk=case.pk).exists()  # kept until the end of 2031
        decided = ScreeningCase.objects.get(pk=case.pk)
        assert (decided.retention_start, decided.deletable_from) == (
            datetime.date(2026, 3, 3),
            datetime.date(2032, 1, 1),
        )
    with time_machine.travel(datetime.datetime(2032, 1, 1, 10, tzinfo=datetime.UTC), tick=False):
        sweep_run()
    assert not ScreeningCase.objects.filter(pk=case.pk).exists()
    assert ScreeningCase.objects.filter(pk=open_case.pk).exists()
