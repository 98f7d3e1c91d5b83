"""The embedded demo (SQLite) serves people at the same time: a request that reads and then writes (every view
writes an audit entry) waits for another's write instead of failing with "database is locked"."""

import subprocess
import sys

from django.conf import settings

SCRIPT = """
import threading, time
from django.db import connection, connections, transaction

with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS t (n integer)")
errors = []

def request():  # as under ATOMIC_REQUESTS: one transaction, a read, then a write
    try:
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SELECT count(*) FROM t")
            time.sleep(0.3)
            c.execute("INSERT INTO t VALUES (1)")
    except Exception as exc:
        errors.append(type(exc).__name__)
    finally:
        connections.close_all()

threads = [threading.Thread(target=request) for _ in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM t")
    print(c.fetchone()[0], errors)
"""


def test_concurrent_requests_wait_their_turn_on_the_embedded_sqlite(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3 []"
