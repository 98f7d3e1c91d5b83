import random

import pytest

from retention.demo import load_demo
from retention.models import LegalHold
from retention.selectors import forecast
from retention.sweep import sweep_run
from tests import factories as f


@pytest.mark.usefixtures("register")
def test_the_demo_shows_due_data_holds_and_what_comes_next():
    subjects = [f.subject_with_everything() for _ in range(12)]
    load_demo(subjects=subjects, rng=random.Random(3), log=lambda msg: None)
    assert LegalHold.objects.count() == 2
    assert any(row["next_365"] > row["due"] for row in forecast())
    dry = sweep_run(dry_run=True)
    real = sweep_run()
    assert dry.total == real.total > 0
    assert {(c.rule_id, c.model_label, c.action, c.count) for c in dry.counts.all()} == {
        (c.rule_id, c.model_label, c.action, c.count) for c in real.counts.all()
    }


@pytest.mark.django_db
def test_after_the_whole_demo_the_forecast_counts_what_a_dry_run_would_do(register, settings):
    from django.core.management import call_command

    from retention.models import Action

    settings.DEMO_MODE = True
    call_command("load_demo", "--count", "60")
    due = {row["rule"].pk: row["due"] for row in forecast()}  # before any sweep registered anything
    dry = sweep_run(dry_run=True)
    done = {}
    for count in dry.counts.exclude(action=Action.RESTRICT).exclude(rule=None):
        done[count.rule_id] = done.get(count.rule_id, 0) + count.count
    assert done and all(due[rule] == n for rule, n in done.items()), (due, done)
