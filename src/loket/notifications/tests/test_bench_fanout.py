"""`loket bench fanout` runs end to end on a small N and reports both sides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_bench_fanout_with_200_messages(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LOKET_", "DATABASE_URL", "EMAIL_", "REDIS_URL", "DJANGO_"))
    }
    env["LOKET_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "loket", "bench", "fanout", "--messages", "200", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    subject, baseline = outcome["subject"], outcome["baseline"]
    assert outcome["scenario"] == "fanout"
    assert subject["messages"] == 200
    # 9 in 10 by e-mail, 1 in 20 by text, 1 in 20 on paper: all of it accounted for.
    assert subject["emails_sent"] == 180
    assert subject["texts_sent"] == 10
    assert subject["letters_queued"] == 10
    assert subject["sinks_received"] == "180 mails, 10 texts"
    assert baseline["emails_sent"] == 180
    assert baseline["email_per_s"] > 0
    assert outcome["ratio"]["email_rate"] == float(
        f"{subject['email_per_s'] / baseline['email_per_s']:.3g}"
    )
