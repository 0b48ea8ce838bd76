"""Issue 13 acceptance with consent given to the bank as such (stop 20): the subject authorises
the institution in /me; any of its officers then gets the special report (logged with that
consent and shown in /me/queries), an officer of another bank does not; after revocation, 403."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.accounts import sign_in
from tests.factories.workflows import make_user
from xinyong import audit, demo, signing
from xinyong.audit import Actor
from xinyong.config import Settings
from xinyong.db.tables import Consent, Institution, User
from xinyong.enums import Role
from xinyong.financing import institutions

TODAY = date(2026, 11, 23)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(key)
    return settings.model_copy(update={"signing_key": key, "today": TODAY})


def _bank(session: Session, name: str, officers: int) -> tuple[Institution, list[str]]:
    code = demo.make_uscc(random.Random(name), "9", "1")
    inst = institutions.register(session, name, code, "bank", joined_whitelist=False,
                                 actor=Actor.system())  # fmt: skip
    names = []
    for _ in range(officers):
        actor, username = make_user(session, Role.BANK)
        user = session.get(User, actor.id)
        assert user is not None
        institutions.add_user(session, inst, user, actor=Actor.system())
        names.append(username)
    return inst, names


def test_consent_to_the_institution_covers_its_officers_only_until_revoked(
    client: TestClient, session: Session
) -> None:
    subject = make_subject(session, name="示范区机构授权有限公司")
    _, enterprise = make_user(session, Role.ENTERPRISE, subject=subject)
    bank, (first, second) = _bank(session, "示范机构授权银行", 2)
    _, (stranger,) = _bank(session, "另一家示范银行", 1)
    body = {"code": subject.code, "kind": "special", "domains": ["tax"], "years": 3,
            "purpose": "流动资金贷款审批"}  # fmt: skip

    sign_in(client, first)
    refused = client.post("/api/v1/reports", json=body)
    assert refused.status_code == 403
    assert refused.json()["error"] == "consent.no_basis"

    sign_in(client, enterprise)
    assert f'value="institution:{bank.id}"' in client.get("/me/consents").text
    done = client.post("/me/consents", data={
        "grantee": f"institution:{bank.id}", "purpose": "流动资金贷款审批",
        "scopes": ["special_report"], "valid_until": str(TODAY + timedelta(days=30)),
    }, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    granted = session.query(Consent).filter_by(subject_id=subject.id).one()
    assert (granted.grantee_kind, granted.grantee_id) == ("institution", bank.id)

    sign_in(client, second)  # an officer the subject never named: the bank is covered
    got = client.post("/api/v1/reports", json=body)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    logged = audit.list_queries(session, subject.id)[0]
    assert (logged.basis, logged.consent_id) == ("consent", granted.id)
    assert second in logged.actor_label

    sign_in(client, stranger)
    assert client.post("/api/v1/reports", json=body).status_code == 403

    sign_in(client, enterprise)
    queries = client.get("/me/queries").text
    assert second in queries
    assert "主体授权" in queries
    client.post(f"/me/consents/{granted.id}/revoke", follow_redirects=False)
    assert "已撤回" in client.get("/me/consents").text

    sign_in(client, first)
    assert client.post("/api/v1/reports", json=body).status_code == 403
