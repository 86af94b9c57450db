"""`loket serve` starts gunicorn with the worker model asked for."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command


def _argv(monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    started: dict[str, Any] = {}

    def execv(path: str, argv: list[str]) -> None:
        started["argv"] = argv

    monkeypatch.setattr("os.execv", execv)
    call_command("serve", *args)
    return list(started["argv"])


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_default_is_threaded_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = _argv(monkeypatch, "--port", "8123", "--workers", "3")
    assert _option(argv, "--worker-class") == "gthread"
    assert _option(argv, "--threads") == "4"
    assert _option(argv, "--workers") == "3"
    assert _option(argv, "--bind") == "127.0.0.1:8123"


def test_one_thread_means_sync_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    argv = _argv(monkeypatch, "--port", "8123", "--threads", "1")
    assert _option(argv, "--worker-class") == "sync"
    assert _option(argv, "--threads") == "1"
