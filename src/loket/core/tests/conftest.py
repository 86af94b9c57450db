"""Fixtures of the kernel's tests: Loket sites on disk, and Redis."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from loket.core.tests.processes import REDIS_TEST_URL, LoketSite


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A freshly migrated SQLite file, made once per test session."""
    data_dir = tmp_path_factory.mktemp("loket-migrated")
    site = LoketSite(data_dir)
    done = site.loket("migrate", "--no-input", "-v", "0", timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return site.db_path


@pytest.fixture
def make_site(migrated_database: Path, tmp_path: Path) -> Iterator[Callable[..., LoketSite]]:
    """Make a Loket site on disk with its own copy of the migrated database."""
    sites: list[LoketSite] = []

    def make(**env: str) -> LoketSite:
        data_dir = tmp_path / f"site{len(sites)}"
        data_dir.mkdir()
        shutil.copyfile(migrated_database, data_dir / "loket.sqlite3")
        site = LoketSite(data_dir, **env)
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.stop_all()


@pytest.fixture
def site(make_site: Callable[..., LoketSite]) -> LoketSite:
    return make_site()


def _redis_answers(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of its own (number 15), emptied before and after the test.

    Skips when no Redis answers, unless LOKET_REQUIRE_SERVICES=1 (then it fails).
    Test runs on one machine take turns with this database (a file lock)."""
    import redis

    if not _redis_answers(REDIS_TEST_URL):
        if os.environ.get("LOKET_REQUIRE_SERVICES") == "1":
            pytest.fail(f"LOKET_REQUIRE_SERVICES=1 but no Redis answers at {REDIS_TEST_URL}")
        pytest.skip(f"no Redis answers at {REDIS_TEST_URL}")
    # Test runs on one machine share this Redis database: take turns.
    with _machine_lock("loket-tests-redis-15"):
        client = redis.Redis.from_url(REDIS_TEST_URL)
        client.flushdb()
        try:
            yield REDIS_TEST_URL
        finally:
            client.flushdb()
            client.close()


@contextlib.contextmanager
def _machine_lock(name: str, timeout: float = 600) -> Iterator[None]:
    """An exclusive lock shared by every process on this machine (a locked file)."""
    path = Path(tempfile.gettempdir()) / f"{name}.lock"
    with path.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail(f"another test run held {path} for {timeout:.0f}s")
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
