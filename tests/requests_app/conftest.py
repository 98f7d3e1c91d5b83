import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Evidence files go to a temporary MEDIA_ROOT, never into var/.
    settings.MEDIA_ROOT = tmp_path / "media"
    # So does the retention engine's replay journal (erasures write to it).
    settings.RETENTION_JOURNAL_DIR = str(tmp_path / "journal")


@pytest.fixture
def support_client(support_user):
    client = Client()
    client.force_login(support_user)
    return client


@pytest.fixture
def auditor_client(auditor_user):
    client = Client()
    client.force_login(auditor_user)
    return client
