"""Settings of a healthy trial installation in a temporary data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinyong import signing
from xinyong.config import Environment, Settings


@pytest.fixture
def healthy(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(key)
    return settings.model_copy(update={"data_dir": tmp_path, "signing_key": key, "today": None})


@pytest.fixture
def production(healthy: Settings) -> Settings:
    """A real region's installation (XINYONG_ENVIRONMENT=production) with its own secret."""
    return healthy.model_copy(update={"region_code": "440300", "region_name": "深圳市",
                                      "secret_key": "x" * 40,
                                      "environment": Environment.PRODUCTION})  # fmt: skip
