"""Production settings come only from the environment, and `check --deploy` has nothing to say about them."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-real-secret-key-with-enough-entropy-7f3a9c1e5b2d8f4a6c0e9b7d5f3a1c8e",
    "ALLOWED_HOSTS": "dpo.example.org",
    "FIELD_ENCRYPTION_KEYS": "q6Ww4xn0Zb5vQdF3vH8m7rV2yKp1sT9uLc0aE6gJ4iM=",
    "HASH_SALT": "another-secret-salt",
    "AUDIT_KEY": "the-audit-trail-key-never-changed",
    "BACKUP_RETENTION_DAYS": "35",
    "DATABASE_URL": "sqlite:////tmp/dpo-deploy-check.sqlite3",
}


def _manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "DEMO_MODE")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_demo_data():
    result = _manage("load_demo", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "nur in die eingebettete Demo geladen" in result.stderr
