"""An exchange import killed with SIGKILL in the middle of a batch — rows written inside the
chunk's open transaction, not committed — and re-run ends with exact counts and no duplicates.

The test-only hook `XINYONG_TEST_PAUSE_AFTER_ROWS` (collection/writer.py) makes the import
stop inside the transaction once that many rows are written and say so in a marker file; the
test then kills the process, as a power cut or the OOM killer would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.collection.test_exchange_package import KEY, exported  # noqa: F401 — the fixture
from xinyong.collection.writer import PAUSE_AFTER_ROWS, PAUSE_MARKER
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.db.tables import Batch, OutboxEntry, Record, Subject
from xinyong.exchange import package

RECORD_FILES = ("行政处罚.csv", "行政许可.csv", "records.jsonl", "list_entries.jsonl")


def _import(url: str, folder: Path, trust: Path, data_dir: Path,
            **env: str) -> subprocess.Popen[bytes]:  # fmt: skip
    environ = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_TODAY": "2026-11-23",
               "XINYONG_DATA_DIR": str(data_dir), **env}  # fmt: skip
    exe = Path(sys.executable).parent / "xinyong"
    return subprocess.Popen(
        [str(exe), "exchange", "import", str(folder), "--trust", str(trust), "--json"],
        env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _stderr(proc: subprocess.Popen[bytes]) -> str:
    return proc.stderr.read().decode() if proc.stderr else ""


def _state(url: str) -> dict[str, int]:
    with make_sessionmaker(make_engine(url))() as s:

        def count(table: Any) -> int:
            return int(s.execute(select(func.count()).select_from(table)).scalar_one())

        keys = s.execute(
            select(Record.info_class, Record.natural_key).where(Record.is_current.is_(True))
        ).all()  # fmt: skip
        outbox = s.execute(select(OutboxEntry.payload)).scalars().all()
        unfinished = s.execute(
            select(func.count()).select_from(Batch).where(Batch.status != "done")
        ).scalar_one()  # fmt: skip
        return {
            "subjects": count(Subject), "records": count(Record), "current": len(keys),
            "distinct": len(set(keys)), "batches": count(Batch), "unfinished": int(unfinished),
            "outbox_rows": sum(int(p.get("count", 0)) for p in outbox),
        }  # fmt: skip


@pytest.mark.slow
def test_an_import_killed_inside_a_batch_transaction_resumes_exact(
    exported: Path,  # noqa: F811
    scratch_url: str,
    tmp_path: Path,
) -> None:
    trust = tmp_path / "sender.pub.pem"
    trust.write_bytes(KEY.public_key.public_pem())
    manifest = json.loads((exported / package.MANIFEST).read_bytes())
    rows = sum(f["rows"] for f in manifest["files"] if f["name"] in RECORD_FILES)
    marker = tmp_path / "paused"
    data_dir = tmp_path / "data"
    proc = _import(scratch_url, exported, trust, data_dir,
                   **{PAUSE_AFTER_ROWS: str(rows // 2), PAUSE_MARKER: str(marker)})  # fmt: skip
    deadline = time.monotonic() + 180
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), _stderr(proc) if proc.poll() is not None else "no pause"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    killed = _state(scratch_url)
    assert 0 < killed["records"] < rows, "the kill lands half way"
    assert killed["unfinished"] == 1, "one batch was being written when the process died"
    # re-run: the interrupted batch resumes, the finished ones are repeats
    done = _import(scratch_url, exported, trust, data_dir)
    assert done.wait(600) == 0, _stderr(done)
    after = _state(scratch_url)
    assert after["records"] == after["current"] == after["distinct"] == rows  # exact, no twins
    assert after["outbox_rows"] == rows  # one outbox row per committed chunk, none twice
    assert after["unfinished"] == 0
    assert after["subjects"] == len(
        [line for line in (exported / "subjects.jsonl").read_text("utf-8").splitlines() if line]
    )
    again = _import(scratch_url, exported, trust, data_dir)
    assert again.wait(600) == 0
    assert _state(scratch_url) == after  # and once more: nothing changes
