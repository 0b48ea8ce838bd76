"""The CLI end to end as an operator runs it: `python -m xinyong …` in a subprocess, on a fresh
SQLite file with the demo region (tests/test_cli.py, tests/test_reports_cli.py); and the CLI
in-process on a test's own session (`on_session`)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from xinyong.cli import context as cli_context
from xinyong.config import REPO_ROOT


def run_cli(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`xinyong *args` with `env`; `check`: a non-zero exit fails the test with its stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "xinyong", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO_ROOT,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed: {result.stderr}")
    return result


def on_session(
    monkeypatch: pytest.MonkeyPatch, session: Session, today: date | None = None
) -> None:
    """The CLI run in-process (`typer.testing.CliRunner`) works in the test's session — flushed,
    never committed — with `today` fixed when given."""

    class _Db:
        def __enter__(self) -> Session:
            return session

        def __exit__(self, *exc: object) -> None:
            session.flush()

    monkeypatch.setattr(cli_context, "db", _Db)
    if today is not None:
        monkeypatch.setattr(cli_context, "today", lambda: today)


def demo_env(var: Path, count: int) -> dict[str, str]:
    """The environment of a platform in `var` (SQLite, today 2026-11-23), initialised and holding
    `count` demo subjects."""
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": f"sqlite:///{var / 'x.db'}",
        "XINYONG_DATA_DIR": str(var),
        "XINYONG_TODAY": "2026-11-23",
    }
    run_cli(env, "init")
    run_cli(env, "demo", "--count", str(count))
    return env
