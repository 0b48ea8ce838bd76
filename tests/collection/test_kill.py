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
from sqlalchemy import func, make_url, select, text

from tests.collection.conftest import penalty_rows, to_csv
from xinyong.db import migrate
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.db.tables import Batch, BatchRow, Record
from xinyong.demo import make_uscc

ROWS = 30_000


def _scratch_url(db_kind: str, database_url: str, tmp_path: Path) -> str:
    if db_kind == "sqlite":
        return f"sqlite:///{tmp_path / 'kill.db'}"
    url = make_url(database_url)
    name = f"{url.database}_kill"
    admin = make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _cli(url: str, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "XINYONG_DATABASE_URL": url, "XINYONG_TODAY": "2026-11-23"}
    exe = Path(sys.executable).parent / "xinyong"
    return subprocess.Popen(
        [str(exe), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.mark.slow
def test_kill_9_mid_import_then_rerun_gives_exact_counts(
    db_kind: str, database_url: str, tmp_path: Path
) -> None:
    url = _scratch_url(db_kind, database_url, tmp_path)
    migrate.upgrade(url)
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
            done = s.execute(select(func.count()).select_from(BatchRow)).scalar_one()
        if done >= 5_000 or proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    with factory() as s:
        partial = s.execute(select(func.count()).select_from(BatchRow)).scalar_one()
    assert 0 < partial < ROWS, "the kill must land mid-import"
    assert _cli(url, *args).wait(600) == 0
    with factory() as s:
        records = s.execute(select(func.count()).select_from(Record)).scalar_one()
        outcomes = s.execute(select(func.count()).select_from(BatchRow)).scalar_one()
        batch = s.execute(select(Batch)).scalar_one()
        current = s.execute(select(func.count()).where(Record.is_current.is_(True))).scalar_one()
    assert (records, current, outcomes) == (ROWS - 30, ROWS - 30, ROWS)
    assert (batch.status, batch.received, batch.new, batch.rejected) == (
        "done",
        ROWS,
        ROWS - 30,
        30,
    )
