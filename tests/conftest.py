from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Variables that change what the settings module does; removed for subprocess runs so
# that each test states exactly the environment it means.
_SETTINGS_VARIABLES = (
    "LOKET_",
    "DATABASE_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "REDIS_URL",
    "EMAIL_",
    "SECURE_",
    "AWS_",
    "CSRF_",
    "DJANGO_",
    "PORT",
    "WEB_CONCURRENCY",
    "LOG_LEVEL",
    "DEFAULT_FROM_EMAIL",
)


def clean_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SETTINGS_VARIABLES)}
    env["LOKET_DATA_DIR"] = str(tmp_path)
    env.update(overrides)
    return env


def run_loket(
    tmp_path: Path, *args: str, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "loket", *args],
        env=clean_environment(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        check=False,
    )


@pytest.fixture
def loket_cli(tmp_path: Path):
    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return run_loket(tmp_path, *args, **env)

    return run
