"""`xinyong report …` and `xinyong jobs run retention` end to end on a fresh SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli import demo_env, run_cli


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return demo_env(tmp_path_factory.mktemp("var"), 200)


def _code(env: dict[str, str]) -> str:
    db = env["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        (code,) = conn.execute(
            "SELECT code FROM subjects WHERE code_kind = 'uscc' ORDER BY id LIMIT 1"
        ).fetchone()
    return str(code)


def test_init_creates_the_demo_key(cli_env: dict[str, str]) -> None:
    keys = Path(cli_env["XINYONG_DATA_DIR"]) / "keys"
    assert (keys / "office-sm2.pem").stat().st_mode & 0o777 == 0o600
    assert (keys / "office-sm2.pub.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")


def test_report_issue_verify_offline_and_revoke(cli_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    issued = run_cli(
        cli_env,
        "report",
        _code(cli_env),
        "--kind",
        "special",
        "--domain",
        "tax",
        "--domain",
        "market_regulation",
        "--years",
        "2",
        "--out",
        str(out),
    )
    number = issued.stdout.strip()
    assert len(number) == 22
    assert out.read_bytes().startswith(b"%PDF")
    public = Path(cli_env["XINYONG_DATA_DIR"]) / "keys" / "office-sm2.pub.pem"
    ok = run_cli(cli_env, "report", "verify", str(out), "--public-key", str(public), "--json")
    assert json.loads(ok.stdout)["verdict"] == "authentic"
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    bad = run_cli(cli_env, "report", "verify", str(out), check=False)
    assert bad.returncode == 1
    assert bad.stdout.strip() == "altered"
    run_cli(cli_env, "report", "revoke", number, "--reason", "领域选择有误")
    again = run_cli(cli_env, "report", "revoke", number, "--reason", "再次", check=False)
    assert again.returncode == 1
    assert "已撤销" in again.stderr or "已于" in again.stderr


def test_retention_purges_old_rows_and_the_chain_still_verifies(cli_env: dict[str, str]) -> None:
    db = cli_env["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    old = datetime(2019, 1, 1, tzinfo=UTC).isoformat(sep=" ")
    with sqlite3.connect(db) as conn:  # make the oldest audit rows and one query row 7 years old
        conn.execute("UPDATE audit_log SET at = ? WHERE id <= 3", (old,))
        (subject_id,) = conn.execute("SELECT id FROM subjects LIMIT 1").fetchone()
        conn.execute(
            "INSERT INTO query_log (at, actor_kind, actor_label, subject_id, purpose, surface)"
            " VALUES (?, 'user', '旧查询', ?, '旧', 'api')",
            (old, subject_id),
        )
    # An upload stored for a background run long ago, no run naming it: deleted too.
    stored = Path(cli_env["XINYONG_DATA_DIR"]) / "runs" / "uploads" / "0123-old.zip"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"PK")
    long_ago = datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    os.utime(stored, (long_ago, long_ago))
    # Those rows no longer match their hashes; the purge removes them behind a checkpoint.
    result = run_cli(cli_env, "jobs", "run", "retention", "--json")
    summary = json.loads(result.stdout)
    assert summary["audit_purged"] == 3
    assert summary["query_purged"] == 1
    assert summary["signed"] is True
    assert (summary["uploads_deleted"], summary["upload_retention_days"]) == (1, 90)
    assert not stored.exists()
    verified = run_cli(cli_env, "audit", "verify")
    assert "审计链完整" in verified.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM audit_log WHERE id <= 3").fetchone() == (0,)
        actions = conn.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 3").fetchall()
    assert actions == [("jobs.job.run",), ("runs.upload.deleted",),
                       ("audit.logs.purged",)]  # the run is recorded after it  # fmt: skip
