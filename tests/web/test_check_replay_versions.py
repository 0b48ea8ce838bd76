"""A logged joint check is rebuilt under the catalog version it names (kept in catalog_versions),
not the one loaded now: the digest matches after the catalog changed, and the page says which
version it used."""

from __future__ import annotations

import shutil
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import CATALOG_DIR
from tests.factories import make_subject
from tests.factories.lists import listed
from tests.factories.workflows import make_user
from xinyong import audit, measures
from xinyong import catalog as catalogs
from xinyong.audit import Actor
from xinyong.catalog import Catalog, CatalogError
from xinyong.db.tables import AuditEntry, CatalogVersion
from xinyong.enums import Role

MONDAY = date(2026, 11, 23)
DECIDED = date(2026, 12, 1)
SYSTEM = Actor(kind="api_client", id=9, label="接口:政府采购系统", role=Role.SYSTEM)
AUDITOR = Actor(kind="user", id=5, label="审计员", role=Role.AUDITOR)
OLD_ARTICLE = "第二十二条"
NEW_ARTICLE = "第二十二条第一款"


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """V2: the shipped catalog with procurement_exclusion's legal basis changed."""
    root = tmp_path_factory.mktemp("catalog_v2") / "catalogs"
    shutil.copytree(CATALOG_DIR, root)
    measures_file = root / "measures" / "national_basic.yaml"
    text = measures_file.read_text(encoding="utf-8")
    old = f"{{law: 中华人民共和国政府采购法, article: {OLD_ARTICLE},"
    assert old in text
    measures_file.write_text(
        text.replace(old, f"{{law: 中华人民共和国政府采购法, article: {NEW_ARTICLE},"),
        encoding="utf-8",
    )
    return catalogs.load_catalog(root)


@pytest.fixture
def logged(session: Session, catalog: Catalog, calendar, changed: Catalog) -> measures.CheckAnswer:
    """A check logged under V1 (recorded with its texts), then V2 recorded as the catalog now."""
    catalogs.record_version(session, catalog, actor=Actor.system())
    officer = Actor(kind="user", id=77, label="认定人员", role=Role.OFFICER)
    subject = make_subject(session)
    listed(session, subject, "wage_arrears", catalog=catalog, calendar=calendar, actor=officer,
           proposed_on=MONDAY)  # fmt: skip
    ans = measures.check(session, subject.code, "procurement", catalog=catalog, actor=SYSTEM,
                         today=DECIDED)  # fmt: skip
    catalogs.record_version(session, changed, actor=Actor.system())
    return ans


def _basis(answer: dict[str, Any], measure_id: str) -> list[str]:
    return [b for h in answer["hits"] for m in h["measures"] if m["measure_id"] == measure_id
            for b in m["legal_basis"]]  # fmt: skip


def test_the_two_versions_differ_where_the_log_would_notice(catalog, changed) -> None:
    assert catalog.version != changed.version
    assert catalog.texts.keys() == changed.texts.keys()
    assert catalogs.load_catalog_texts(dict(catalog.texts), "x").version == catalog.version


def test_replay_under_the_logged_version_matches_after_the_catalog_changed(
    session: Session, catalog: Catalog, changed: Catalog, logged
) -> None:
    done = measures.replay_check(session, logged.check_id, catalog=changed, actor=AUDITOR)
    assert done.matches, done.notes
    assert done.catalog_version == catalog.short_version != changed.short_version
    assert done.logged_catalog
    assert any(f"按日志记录的目录版本 {catalog.short_version}" in n for n in done.notes)
    assert any(OLD_ARTICLE in b and NEW_ARTICLE not in b
               for b in _basis(done.answer, "procurement_exclusion"))  # fmt: skip
    # the same log under the current catalog (what replay did before) would differ
    rebuilt = measures.replay.rebuild(session, done.inputs, changed)
    assert measures.replay.answer_digest(audit.jsonable(rebuilt.as_dict())) != done.inputs.digest


def test_a_version_without_its_texts_is_flagged_and_rebuilt_under_the_current_one(
    session: Session, catalog: Catalog, changed: Catalog, logged
) -> None:
    row = catalog_row(session, catalog)
    row.content = {"files": row.content["files"]}  # recorded before the texts were kept
    session.flush()
    done = measures.replay_check(session, logged.check_id, catalog=changed, actor=AUDITOR)
    assert not done.matches
    assert not done.logged_catalog
    assert done.catalog_version == changed.short_version
    assert any("内容未保存" in n for n in done.notes)
    # loading V1 again stores its texts (audited), and the replay matches
    catalogs.record_version(session, catalog, actor=Actor.system())
    assert catalog_row(session, catalog).content["texts"] == dict(catalog.texts)
    stored = session.query(AuditEntry).filter_by(action="catalog.version.content_stored").all()
    assert stored
    assert stored[-1].target_id == catalog.short_version
    assert measures.replay_check(session, logged.check_id, catalog=changed, actor=AUDITOR).matches


def test_altered_stored_texts_are_refused_not_used(
    session: Session, catalog: Catalog, changed: Catalog, logged
) -> None:
    row = catalog_row(session, catalog)
    texts = dict(row.content["texts"])
    texts["measures/national_basic.yaml"] = changed.texts["measures/national_basic.yaml"]
    row.content = {**row.content, "texts": texts}
    session.flush()
    catalogs.versions._cache.clear()
    with pytest.raises(CatalogError, match="与版本号不符"):
        catalogs.stored_catalog(session, catalog.short_version)
    done = measures.replay_check(session, logged.check_id, catalog=changed, actor=AUDITOR)
    assert not done.matches
    assert any("无法使用" in n for n in done.notes)


def test_the_replay_page_says_which_version_it_used(
    client: TestClient, session: Session, catalog: Catalog, changed: Catalog, logged
) -> None:
    holder = client.app.state.catalogs  # type: ignore[attr-defined]
    holder._current = changed  # the platform now runs V2
    _, auditor = make_user(session, Role.AUDITOR)
    client.post("/admin/login", data={"username": auditor, "password": "password123"})
    page = client.get("/admin/audit/check-replay", params={"log_id": logged.check_id})
    assert page.status_code == 200
    assert "digest matches" in page.text
    assert f"{catalog.short_version}（即日志记录的版本）" in page.text
    assert f"当前加载的版本为 {changed.short_version}" in page.text


def catalog_row(session: Session, cat: Catalog) -> CatalogVersion:
    found = catalogs.versions.find_version(session, cat.version)
    assert found is not None
    catalogs.versions._cache.clear()
    return found


def test_find_version_takes_the_short_form_logs_keep(session: Session, catalog: Catalog) -> None:
    catalogs.record_version(session, catalog, actor=Actor.system())
    found = catalogs.versions.find_version(session, catalog.short_version)
    assert found is not None
    assert found.version == catalog.version
    assert catalogs.versions.find_version(session, "abc") is None
