"""`XINYONG_ENVIRONMENT`: what only a demo may do asks it (not the region code)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli import run_cli


def test_the_demo_data_is_refused_in_production(tmp_path: Path) -> None:
    env = {**os.environ, "XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "XINYONG_DATA_DIR": str(tmp_path), "XINYONG_TODAY": "2026-11-23",
           "XINYONG_ENVIRONMENT": "production"}  # fmt: skip
    assert "正式环境请核对后公布其公钥" in run_cli(env, "init").stderr  # no "demo key" wording
    refused = run_cli(env, "demo", "--count", "5", check=False)
    assert refused.returncode != 0
    assert "正式环境（XINYONG_ENVIRONMENT=production）不能加载示范区演示数据" in refused.stderr
    wrong = run_cli({**env, "XINYONG_ENVIRONMENT": "staging"}, "catalog", "check", check=False)
    assert wrong.returncode != 0
