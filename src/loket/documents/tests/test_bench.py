"""`loket bench documents` runs end to end on a small N and reports both sides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_bench_documents_small(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LOKET_", "DATABASE_URL", "EMAIL_", "REDIS_URL", "DJANGO_"))
    }
    env["LOKET_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "loket", "bench", "documents", "--requests", "5",
         "--messages", "10", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    subject, baseline = outcome["subject"], outcome["baseline"]
    assert outcome["scenario"] == "documents"
    assert subject["pages"] == 2
    assert subject["print batch letters"] == 10
    assert subject["p95 ms"] > 0
    assert " | " in baseline["p95 ms"]  # render only | seal only
    assert set(outcome["ratio"]) >= {"issue p95 / (render p95 + seal p95)", "p95 vs goal 1 s"}
