"""A malformed catalog file is refused with file, key and reason; the last good version stays."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import CATALOG_DIR
from xinyong import auth
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.enums import Role
from xinyong.web import deps
from xinyong.web.app import create_app


@pytest.fixture
def own_catalog_client(
    session: Session, settings: Settings, tmp_path: Path, operator: Actor
) -> Iterator[tuple[TestClient, Path]]:
    folder = tmp_path / "catalogs"
    shutil.copytree(CATALOG_DIR, folder)
    app = create_app(settings.model_copy(update={"catalog_dir": folder}))

    def _session() -> Iterator[Session]:
        yield session
        session.flush()

    app.dependency_overrides[deps._db] = _session
    auth.create_user(session, "chief", "correct horse", Role.ADMIN, actor=operator)
    with TestClient(app) as client:
        client.post("/admin/login", data={"username": "chief", "password": "correct horse"})
        yield client, folder
    app.state.engine.dispose()


def test_malformed_file_is_refused_and_last_good_version_stays(
    own_catalog_client: tuple[TestClient, Path],
) -> None:
    client, folder = own_catalog_client
    before = client.app.state.catalogs.current.version  # type: ignore[attr-defined]
    penalty = folder / "info_classes" / "penalty.yaml"
    penalty.write_text(penalty.read_text(encoding="utf-8") + "\nunexpected_key: 1\n", "utf-8")
    page = client.post("/admin/catalog/reload")
    assert page.status_code == 422
    assert "penalty.yaml" in page.text
    assert "unexpected_key" in page.text
    assert "不允许的键" in page.text
    assert client.app.state.catalogs.current.version == before  # type: ignore[attr-defined]


def test_good_change_is_loaded_and_recorded(own_catalog_client: tuple[TestClient, Path]) -> None:
    client, folder = own_catalog_client
    before = client.app.state.catalogs.current.version  # type: ignore[attr-defined]
    matters = folder / "matters.yaml"
    matters.write_text(
        matters.read_text(encoding="utf-8").replace("政府采购", "政府采购活动", 1), "utf-8"
    )
    page = client.post("/admin/catalog/reload")
    assert page.status_code == 200
    assert "目录已重新加载" in page.text
    assert client.app.state.catalogs.current.version != before  # type: ignore[attr-defined]
