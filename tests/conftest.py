import pytest
from django.contrib.auth.models import Group, User

from dpo_portal.roles import AUDITOR, DPO, SUPPORT
from dpo_portal.services import register_load


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    # Password hashing is deliberately slow; tests don't need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The default register is loaded once per test database; tests roll back around it."""
    with django_db_blocker.unblock():
        register_load()


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
