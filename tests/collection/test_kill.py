"""Kill test: `kill -9` in the middle of a large import, rerun, exact final counts."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.collection.conftest import penalty_rows, to_csv
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.db.tables import Batch, BatchChunk, BatchRow, OutboxEntry, Record
from xinyong.demo import make_uscc

ROWS = 30_000


def _cli(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_TODAY": "2026-11-23"}
    exe = Path(sys.executable).parent / "xinyong"
    return subprocess.Popen(
        [str(exe), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.mark.slow
def test_kill_9_mid_import_then_rerun_gives_exact_counts(scratch_url: str, tmp_path: Path) -> None:
    url = scratch_url
    provider = make_uscc(random.Random(99), "1", "1")
    assert _cli(url, "providers", "add", provider, "测试局").wait(60) == 0
    rows = penalty_rows(ROWS, seed=5)
    for i in range(0, ROWS, 1000):
        rows[i][13] = "无效日期"  # 30 rejected rows
    path = tmp_path / "big.csv"
    path.write_bytes(to_csv(rows))
    args = ("collect", str(path), "--class", "penalty", "--provider", provider, "--json")
    factory = make_sessionmaker(make_engine(url))
    proc = _cli(url, *args)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with factory() as s:
            done = s.execute(select(func.count()).select_from(Record)).scalar_one()
        if done >= 5_000 or proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    with factory() as s:
        partial = s.execute(select(func.count()).select_from(Record)).scalar_one()
    assert 0 < partial < ROWS - 30, "the kill must land mid-import"
    assert _cli(url, *args).wait(600) == 0
    with factory() as s:
        records = s.execute(select(func.count()).select_from(Record)).scalar_one()
        chunks = s.execute(select(func.count()).select_from(BatchChunk)).scalar_one()
        rejected_rows = s.execute(select(func.count()).select_from(BatchRow)).scalar_one()
        batch = s.execute(select(Batch)).scalar_one()
        current = s.execute(select(func.count()).where(Record.is_current.is_(True))).scalar_one()
        outbox = list(s.execute(select(OutboxEntry.payload)).scalars())
    assert (records, current, rejected_rows) == (ROWS - 30, ROWS - 30, 30)
    # one outbox row per committed chunk, in the chunk's transaction: none missed, none twice
    assert (len(outbox), sum(p["count"] for p in outbox)) == (ROWS // 10_000, ROWS - 30)
    assert chunks == ROWS // 10_000  # one row per committed chunk, none written twice
    assert (batch.status, batch.received, batch.new, batch.rejected) == (
        "done",
        ROWS,
        ROWS - 30,
        30,
    )
