"""/admin/exchange by hand: the credit office builds and downloads a signed package, uploads a
package (verified whole: an untrusted one is refused with its reason, nothing stored) or a
national list file (rows refused with row, field and reason) and sees what was taken in."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.collection.conftest import HEADERS, penalty_rows, to_csv
from tests.collection.test_national_lists import court_csv
from tests.factories import make_provider
from tests.factories.runs import execute, run_id_of
from tests.factories.workflows import make_user
from xinyong import collection, keyring, providers, signing
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import Submission
from xinyong.config import Settings
from xinyong.db.tables import AuditEntry, JobRun, Record
from xinyong.demo import make_uscc
from xinyong.enums import Role, RunStatus
from xinyong.exchange import intake, package


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"data_dir": tmp_path})  # the office key lives here


def _admin(client: TestClient, session: Session) -> None:
    _, name = make_user(session, Role.ADMIN)
    client.post("/admin/login", data={"username": name, "password": "password123"})


def _audits(session: Session, action: AuditAction) -> int:
    stmt = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action.value)
    return int(session.execute(stmt).scalar_one())


def _count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Record)).scalar_one())


def test_export_downloads_a_signed_package_and_import_takes_it_in_once(
    client: TestClient, session: Session, catalog: Catalog,
    calendar: Calendar, today: date, operator: Actor, settings: Settings,
) -> None:  # fmt: skip
    provider = make_provider(session)
    collection.collect(session, Submission("penalty", provider.uscc,
                                           data=to_csv(penalty_rows(3, seed=7), HEADERS)),
                       catalog=catalog, calendar=calendar, today=today, actor=operator,
                       durable=False)  # fmt: skip
    _admin(client, session)
    page = client.get("/admin/exchange").text
    assert 'id="export-run"' in page
    assert 'id="import-run"' in page
    exported = client.post("/admin/exchange/export", data={"after": ""})
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/zip"
    assert "attachment" in exported.headers["content-disposition"]
    assert _audits(session, AuditAction.EXCHANGE_EXPORTED) >= 1
    zipped = tmp = settings.data_dir / "got.zip"
    tmp.write_bytes(exported.content)
    assert zipfile.is_zipfile(io.BytesIO(exported.content))
    trusted = keyring.office_keyring(settings)
    with intake.opened(zipped) as folder:
        contents = intake.verify(folder, trusted, catalog)  # signed by the office's key
    assert len(contents.lines["subjects"]) >= 3
    before = _count(session)
    upload = {"file": ("省平台.zip", exported.content, "application/zip")}
    queued = client.post("/admin/exchange/import", files=upload)
    assert queued.status_code == 200, queued.text
    run_id = run_id_of(queued)  # stored first, then imported by a background run
    assert "排队中" in queued.text
    stored = session.get(JobRun, run_id)
    assert stored is not None
    assert Path(stored.params["path"]).read_bytes() == exported.content
    assert execute(session, settings, run_id).status == RunStatus.SUCCEEDED
    imported = client.get(f"/admin/runs/{run_id}").text
    assert 'id="run-done"' in imported
    assert "此前已导入" in imported or "记录接收" in imported
    assert _count(session) == before  # the same records: nothing new
    assert _audits(session, AuditAction.EXCHANGE_IMPORTED) == 1


def test_an_untrusted_package_is_refused_with_its_reason(
    client: TestClient, session: Session, catalog: Catalog,
    calendar: Calendar, today: date, operator: Actor, settings: Settings,
) -> None:  # fmt: skip
    provider = make_provider(session)
    collection.collect(session, Submission("penalty", provider.uscc,
                                           data=to_csv(penalty_rows(2, seed=9), HEADERS)),
                       catalog=catalog, calendar=calendar, today=today, actor=operator,
                       durable=False)  # fmt: skip
    stranger = signing.generate_key()
    folder = settings.data_dir / "pkg"
    package.export_package(session, folder, after=None, catalog=catalog, key=stranger,
                           node={"key_id": stranger.public_key.key_id})  # fmt: skip
    data = package.archive_bytes(folder)
    _admin(client, session)
    before = _count(session)
    queued = client.post("/admin/exchange/import",
                         files={"file": ("陌生节点.zip", data, "application/zip")})  # fmt: skip
    refused = execute(session, settings, run_id_of(queued))
    assert refused.status == RunStatus.FAILED
    page = client.get(f"/admin/runs/{refused.id}").text
    assert 'id="run-failed"' in page
    assert _count(session) == before
    junk = client.post("/admin/exchange/import", files={"file": ("x.zip", b"not a zip", "a/b")})
    execute(session, settings, run_id_of(junk))
    assert "既不是交换包目录，也不是 zip 文件" in client.get(str(junk.url)).text
    empty = client.post("/admin/exchange/import", files={"file": ("x.zip", b"", "a/b")})
    assert empty.status_code == 422  # refused before anything is stored
    assert 'id="import-error"' in empty.text
    assert "未导入" in empty.text


def test_a_national_list_file_shows_rows_taken_in_and_refused(
    client: TestClient, session: Session, settings: Settings
) -> None:
    providers.add(session, make_uscc(random.Random(5), "1", "1"), "最高人民法院",
                  kind="court", actor=Actor.system("测试"))  # fmt: skip
    _admin(client, session)
    queued = client.post("/admin/exchange/import", data={"national_list": "court_defaulter"},
                         files={"file": ("失信被执行人.csv", court_csv(), "text/csv")})  # fmt: skip
    assert queued.status_code == 200, queued.text
    execute(session, settings, run_id_of(queued))
    done = client.get(str(queued.url)).text
    assert 'id="run-done"' in done
    assert "接收 3 条" in done
    assert "退回 2 条" in done
    assert 'id="run-refused"' in done  # each refused row with its field and reason
    assert "发布时间" in done


def test_only_the_office_exports_or_imports(client: TestClient, session: Session) -> None:
    _, name = make_user(session, Role.AUDITOR)
    client.post("/admin/login", data={"username": name, "password": "password123"})
    assert 'id="export-run"' not in client.get("/admin/exchange").text
    assert client.post("/admin/exchange/export").status_code == 403
