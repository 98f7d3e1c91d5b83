import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import translation

from dpo_portal.roles import AUDITOR, DPO, SUPPORT
from dpo_portal.services import register_load


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    # Password hashing is deliberately slow; tests don't need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A request through LocaleMiddleware leaves its language active in the thread; each test starts in German.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The default register is loaded once per test database; tests roll back around it."""
    with django_db_blocker.unblock():
        register_load()


@pytest.fixture(autouse=True)
def _register_loaded(request):
    """Every database test sees the default register, also after a transactional test flushed it."""
    db_fixtures = {"db", "transactional_db", "django_db_reset_sequences", "live_server"}
    if request.node.get_closest_marker("django_db") or db_fixtures & set(request.fixturenames):
        request.getfixturevalue("register")


@pytest.fixture
def register(db):
    """The default register, as `load_register` leaves it (reloaded after a transactional test flushed it)."""
    from dpo_portal.models import ProcessingActivity

    if not ProcessingActivity.objects.exists():
        register_load()


def _user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "pw-for-tests-only", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def dpo_user(db):
    return _user("dpo", DPO)


@pytest.fixture
def support_user(db):
    return _user("support", SUPPORT)


@pytest.fixture
def auditor_user(db):
    return _user("auditor", AUDITOR)


@pytest.fixture
def dpo_client(client, dpo_user):
    client.force_login(dpo_user)
    return client


def _services_required() -> bool:
    import os

    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0")


@pytest.fixture
def require_postgres(db):
    """For tests that need PostgreSQL's concurrency: skipped on the laptop, a failure in CI."""
    from django.db import connection

    if connection.vendor != "postgresql":
        message = "needs PostgreSQL: set DATABASE_URL=postgres://…"
        if _services_required():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def require_redis():
    """For tests that need a real broker: skipped on the laptop, a failure in CI."""
    import redis
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    try:
        if not url.startswith("redis://"):
            raise redis.ConnectionError("CELERY_BROKER_URL is not a redis:// URL")
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if _services_required():
            pytest.fail(f"needs Redis: {exc}")
        pytest.skip(f"needs Redis: {exc}")
    return url


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process unless a test asks for a real worker (CI sets a broker for those tests only)."""
    from dpo_portal.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def celery_worker(require_redis, transactional_db, _eager_celery):
    """A real Celery worker (in a thread) consuming from Redis, against the test database."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the start-up check)
    from celery.contrib.testing.worker import start_worker

    from dpo_portal.celery import app

    saved = app.conf.broker_url, app.conf.result_backend
    app.conf.update(broker_url=require_redis, result_backend=require_redis, task_always_eager=False)
    vars(app._local).pop("backend", None)  # the backend is cached per thread; use the new one
    app.control.purge()  # nothing left over from an earlier run
    from celery.signals import task_postrun
    from django.db import connections

    def close_connections(**kwargs):
        # The worker thread's own connection (CONN_MAX_AGE keeps it open) would block dropping the test database.
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=20):
            yield app
    finally:
        task_postrun.disconnect(close_connections)
    app.conf.update(broker_url=saved[0], result_backend=saved[1])
    vars(app._local).pop("backend", None)
