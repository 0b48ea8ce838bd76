"""`xinyong doctor`: one line per check in Chinese, `--json` for monitoring, exit 1 on 错误."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xinyong.config import REPO_ROOT


def _doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xinyong", *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False, cwd=REPO_ROOT)  # fmt: skip


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("var")
    env = {**os.environ, "XINYONG_DATABASE_URL": f"sqlite:///{var / 'x.db'}",
           "XINYONG_DATA_DIR": str(var)}  # fmt: skip
    env.pop("XINYONG_TODAY", None)
    assert _doctor(env, "init").returncode == 0
    return env


def test_a_fresh_trial_installation_has_no_error(env: dict[str, str]) -> None:
    result = _doctor(env, "doctor")
    assert result.returncode == 0, result.stderr
    assert "正常  数据库：已连接 SQLite" in result.stderr
    assert "数据库迁移：已是最新" in result.stderr
    assert "公钥指纹（SM3）" in result.stderr
    assert "结论：" in result.stderr


def test_json_for_monitoring(env: dict[str, str]) -> None:
    result = _doctor(env, "doctor", "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["status"] in ("ok", "warn")
    keys = {c["key"]: c for c in found["checks"]}
    assert keys["migrations"]["status"] == "ok"
    assert keys["signing_key"]["facts"]["fingerprint_sm3"]
    assert keys["jobs"]["status"] == "warn"  # no job has run yet


def test_an_error_exits_non_zero(env: dict[str, str], tmp_path: Path) -> None:
    short = _doctor({**env, "XINYONG_QUERY_LOG_RETENTION_YEARS": "3"}, "doctor", "--json")
    assert short.returncode == 1
    assert json.loads(short.stdout)["status"] == "error"
    missing = {**env, "XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    result = _doctor(missing, "doctor")
    assert result.returncode == 1
    assert "错误  数据库：数据库文件" in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_copies_the_sqlite_database_while_it_is_open(
    env: dict[str, str], tmp_path: Path
) -> None:
    import sqlite3  # noqa: PLC0415

    target = tmp_path / "copy" / "xinyong.db"
    result = _doctor(env, "backup", str(target))
    assert result.returncode == 0, result.stderr
    assert "已备份到" in result.stderr
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("SELECT count(*) FROM users WHERE username = 'admin'").fetchone() == (
            1,
        )
        assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    finally:
        copy.close()
    again = _doctor(env, "backup", str(target))
    assert again.returncode == 1
    assert "已存在" in again.stderr
    restored = {**env, "XINYONG_DATABASE_URL": f"sqlite:///{target}"}
    checked = _doctor(restored, "doctor", "--json")
    assert json.loads(checked.stdout)["checks"][1]["status"] == "ok"  # migrations at head


def test_backup_refuses_postgresql(env: dict[str, str], tmp_path: Path) -> None:
    pg = {**env, "XINYONG_DATABASE_URL": "postgresql://u@127.0.0.1:1/x"}
    result = _doctor(pg, "backup", str(tmp_path / "x.dump"))
    assert result.returncode == 1
    assert "pg_dump" in result.stderr
