"""Consent API: `POST/GET/DELETE /api/v1/consents` — a subject authorises a named party."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from xinyong import consent, subjects
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.errors import Forbidden, Unauthenticated
from xinyong.web.deps import CurrentActor, DbSession, Today
from xinyong.web.inputs import RowId

router = APIRouter(tags=["consents"])


def _signed_in(actor: Actor) -> Actor:
    if actor.is_anonymous:
        raise Unauthenticated("请先登录或提供 API 密钥", code="auth.login_required")
    return actor


class ConsentRequest(BaseModel):
    grantee: str = Field(
        max_length=100, description="被授权方：`user:ID`、`api_client:ID` 或用户名"
    )
    purpose: str = Field(max_length=200, description="用途，如“贷款审批”")
    scopes: list[str] = Field(
        min_length=1, description="授权范围：special_report | archive | evaluation | financing"
    )
    valid_from: date | None = Field(default=None, description="起始日，默认今天")
    valid_until: date = Field(description="截止日（含）")


@router.post("/consents", summary="授权他人查询本主体信用信息", status_code=201)
def create_consent(
    body: ConsentRequest, session: DbSession, actor: CurrentActor, today: Today
) -> dict[str, Any]:
    subject_id = _signed_in(actor).subject_id
    if subject_id is None:
        raise Forbidden("只有信用主体本人（企业账户）可以授权", code="consent.not_subject")
    subject = subjects.get(session, subject_id)
    grantee = consent.parse_grantee(session, body.grantee)
    row = consent.grant(
        session,
        subject,
        grantee,
        purpose=body.purpose,
        scopes=body.scopes,
        valid_from=body.valid_from or today,
        valid_until=body.valid_until,
        actor=actor,
        today=today,
    )
    return consent.as_json(row, today)


@router.get("/consents", summary="本主体的授权，或授予本机构的授权")
def list_consents(session: DbSession, actor: CurrentActor, today: Today) -> dict[str, Any]:
    _signed_in(actor)
    if actor.role == Role.ENTERPRISE and actor.subject_id is not None:
        rows = consent.list_for_subject(session, actor.subject_id)
        return {"as": "subject", "consents": [consent.as_json(r, today) for r in rows]}
    parties = consent.parties_of(session, actor)
    if not parties:
        raise Forbidden("请先登录或提供 API 密钥", code="consent.login_required")
    rows = [r for party in parties for r in consent.list_for_grantee(session, party)]
    return {"as": "grantee", "consents": [consent.as_json(r, today) for r in rows]}


@router.delete("/consents/{consent_id}", summary="撤回授权（下一次查询起生效）")
def revoke_consent(
    consent_id: RowId,
    session: DbSession,
    actor: CurrentActor,
    today: Today,
    reason: str | None = None,
) -> dict[str, Any]:
    row = consent.revoke(session, consent_id, actor=_signed_in(actor), reason=reason)
    return consent.as_json(row, today)
