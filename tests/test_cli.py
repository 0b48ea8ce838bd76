"""The CLI end to end on a fresh SQLite file: init, demo, subjects list --json, audit verify."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import demo_env, run_cli


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return demo_env(tmp_path_factory.mktemp("var"), 300)


def test_init_prints_admin_login_and_is_repeatable(cli_env: dict[str, str]) -> None:
    again = run_cli(cli_env, "init")
    assert "admin /" in again.stderr
    assert (Path(cli_env["XINYONG_DATA_DIR"]) / "admin-password.txt").exists()


def test_subjects_list_json_is_one_document_on_stdout(cli_env: dict[str, str]) -> None:
    result = run_cli(cli_env, "subjects", "list", "--limit", "300", "--json")
    rows = json.loads(result.stdout)
    assert len(rows) == 300
    kinds = {r["kind"] for r in rows}
    assert "person" in kinds
    for row in rows:
        if row["kind"] == "person":
            assert "********" in row["code"]


def test_demo_is_idempotent_and_prints_the_other_logins(cli_env: dict[str, str]) -> None:
    printed = run_cli(cli_env, "demo", "--count", "300").stderr
    assert "已存在" in printed
    assert "Demo@2026" in printed
    for username in ("clerk", "officer", "auditor", "bank", "enterprise"):
        assert username in printed
    assert "/me/login" in printed


def test_audit_verify_fails_naming_the_edited_row(cli_env: dict[str, str]) -> None:
    assert run_cli(cli_env, "audit", "verify").returncode == 0
    db = cli_env["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        row_id = conn.execute("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 2").fetchone()[0]
        conn.execute("UPDATE audit_log SET actor_label = '篡改' WHERE id = ?", (row_id,))
    broken = run_cli(cli_env, "audit", "verify", check=False)
    assert broken.returncode == 1
    assert f"row {row_id}" in broken.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_log SET actor_label = actor_label WHERE 0")


def test_help_is_bilingual() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "xinyong", "--help"], capture_output=True, text=True, check=True
    )
    assert "命令行" in result.stdout
    assert "CLI" in result.stdout


def test_catalog_check_passes_on_shipped_catalog() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "xinyong", "catalog", "check", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout)["version"]


def test_providers_add_validates_uscc(cli_env: dict[str, str]) -> None:
    bad = run_cli(cli_env, "providers", "add", "11230500001755309E", "双鸭山市公安局", check=False)
    assert bad.returncode == 1
    assert "校验" in bad.stderr
    run_cli(cli_env, "providers", "add", "11230500001755309F", "双鸭山市公安局")


def test_disclosure_reclassify_classifies_stale_penalties_and_audits(
    cli_env: dict[str, str],
) -> None:
    """Penalties under an older severity table (or none) are classified again; the run audits."""
    path = cli_env["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        before = conn.execute("SELECT id, severity_class, severity_basis FROM records"
                              " WHERE info_class = 'penalty' ORDER BY id").fetchall()  # fmt: skip
        conn.execute("UPDATE records SET severity_class = NULL, severity_basis = NULL"
                     " WHERE info_class = 'penalty' AND id % 2 = 0")  # fmt: skip
        conn.execute("UPDATE records SET severity_basis = 'default@2025.1+0/otherwise_general'"
                     " WHERE info_class = 'penalty' AND id % 2 = 1")  # fmt: skip
    result = run_cli(cli_env, "disclosure", "reclassify", "--json")
    assert json.loads(result.stdout)["examined"] == len(before) > 0
    with sqlite3.connect(path) as conn:
        after = conn.execute("SELECT id, severity_class, severity_basis FROM records"
                             " WHERE info_class = 'penalty' ORDER BY id").fetchall()  # fmt: skip
        action = "disclosure.severity.reclassified"
        audited = conn.execute("SELECT count(*) FROM audit_log WHERE action = ?",
                               (action,)).fetchone()  # fmt: skip
    assert after == before
    assert audited == (1,)
    again = run_cli(cli_env, "disclosure", "reclassify", "--json")
    assert json.loads(again.stdout)["examined"] == 0


def test_jobs_worker_runs_a_queued_run_and_jobs_runs_lists_it(cli_env: dict[str, str]) -> None:
    """A run queued (as /admin/jobs does) is executed by `xinyong jobs worker --once` in its own
    process and listed by `xinyong jobs runs`; `jobs run NAME` still runs synchronously."""
    from xinyong import clock, runs  # noqa: PLC0415
    from xinyong.audit import Actor  # noqa: PLC0415
    from xinyong.db.session import make_engine, make_sessionmaker, transaction  # noqa: PLC0415

    engine = make_engine(cli_env["XINYONG_DATABASE_URL"])
    with transaction(make_sessionmaker(engine)) as session:
        run, _new = runs.start(session, "deadlines", actor=Actor.system("测试"), now=clock.now())
        run_id = run.id
    engine.dispose()
    worker = run_cli(cli_env, "jobs", "worker", "--once")
    assert "运行了 1 个任务" in worker.stderr
    listed = json.loads(run_cli(cli_env, "jobs", "runs", "--json").stdout)
    mine = next(r for r in listed if r["id"] == run_id)
    assert mine["status"] == "succeeded"
    assert mine["summary"].startswith("待办 ")
    text = run_cli(cli_env, "jobs", "runs", "--status", "succeeded").stderr
    assert f"#{run_id} 待办期限日报" in text
    assert "待办 " in run_cli(cli_env, "jobs", "run", "deadlines").stderr
