"""The credit office's one-off corrections on pages: /admin/lists/validity (entries whose stored
end is one day short, then corrected, audited) and /admin/disclosure/reclassify (what classifying
the stored penalties again would change, per class, then run, one audit row)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.lists import listed
from tests.factories.runs import execute, run_id_of
from tests.factories.workflows import make_penalty, make_user
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.db.tables import AuditEntry, Record
from xinyong.disclosure import reclassify
from xinyong.enums import Role, RunStatus


def _sign_in(client: TestClient, session: Session, role: Role) -> None:
    _, name = make_user(session, role)
    client.post("/admin/login", data={"username": name, "password": "password123"})


def _audits(session: Session, action: AuditAction) -> int:
    stmt = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action.value)
    return int(session.execute(stmt).scalar_one())


def test_list_validity_preview_then_correct(
    client: TestClient, session: Session, catalog: Catalog, calendar: Calendar
) -> None:
    officer = Actor(kind="user", id=77, label="认定人员", role=Role.OFFICER)
    entry = listed(session, make_subject(session), "watch", catalog=catalog, calendar=calendar,
                   actor=officer, proposed_on=date(2026, 11, 23))  # fmt: skip
    assert entry.valid_until == date(2027, 12, 1)
    entry.valid_until = date(2027, 11, 30)  # stored the old way
    session.flush()
    _sign_in(client, session, Role.ADMIN)
    assert 'href="/admin/lists/validity"' in client.get("/admin/lists").text
    page = client.get("/admin/lists/validity")
    assert page.status_code == 200
    assert f'href="/admin/lists/{entry.id}"' in page.text
    assert "2027-11-30" in page.text
    assert entry.valid_until == date(2027, 11, 30)  # the preview changes nothing
    before = _audits(session, AuditAction.LIST_VALIDITY_CORRECTED)
    done = client.post("/admin/lists/validity")
    assert done.status_code == 200
    assert 'id="validity-done"' in done.text
    assert entry.valid_until == date(2027, 12, 1)
    assert _audits(session, AuditAction.LIST_VALIDITY_CORRECTED) == before + 1
    assert f'href="/admin/lists/{entry.id}"' not in done.text


def test_an_officer_may_not_open_the_validity_page(client: TestClient, session: Session) -> None:
    _sign_in(client, session, Role.OFFICER)
    assert client.get("/admin/lists/validity").status_code == 403
    assert 'href="/admin/lists/validity"' not in client.get("/admin/lists").text


def test_reclassify_preview_counts_per_class_then_runs(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    dept = make_provider(session, name="示范区重新分类局")
    subject = make_subject(session)
    records = [make_penalty(session, subject, dept) for _ in range(3)]
    ids = [r.id for r in records]
    session.execute(update(Record).where(Record.id.in_(ids[:2])).values(
        severity_class=None, severity_basis=None))  # fmt: skip
    session.execute(update(Record).where(Record.id == ids[2]).values(
        severity_class="serious", severity_basis="old-table@0"))  # fmt: skip
    session.flush()
    system = Actor.system()
    shifts = reclassify.preview(session.connection(), catalog, actor=system)
    mine = {(s.before, s.after) for s in shifts if s.info_class == "penalty"}
    assert (None, "general") in mine  # a fine without an amount: 一般
    assert ("serious", "general") in mine  # stored under a table the catalog no longer has
    _sign_in(client, session, Role.ADMIN)
    page = client.get("/admin/disclosure/reclassify")
    assert page.status_code == 200
    assert 'id="reclassify-preview"' in page.text
    assert "行政处罚" in page.text
    assert "未分类" in page.text
    before = _audits(session, AuditAction.SEVERITY_RECLASSIFIED)
    queued = client.post("/admin/disclosure/reclassify")
    assert queued.status_code == 200
    settings = client.app.state.settings  # type: ignore[attr-defined]
    run = execute(session, settings, run_id_of(queued))
    assert run.status == RunStatus.SUCCEEDED
    assert run.total is not None
    assert run.done == run.total  # the batches' progress hook
    shown = client.get(str(queued.url)).text
    assert 'id="run-done"' in shown
    assert "重新分类" in shown
    assert _audits(session, AuditAction.SEVERITY_RECLASSIFIED) == before + 1
    assert reclassify.due(session.connection(), catalog) == 0
    assert 'id="reclassify-none"' in client.get("/admin/disclosure/reclassify").text


def test_only_the_office_reclassifies(client: TestClient, session: Session) -> None:
    _sign_in(client, session, Role.AUDITOR)
    assert client.get("/admin/disclosure/reclassify").status_code == 403
    assert client.post("/admin/disclosure/reclassify").status_code == 403
