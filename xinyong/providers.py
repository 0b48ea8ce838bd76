"""Providers: the departments that submit records (报送部门) and decide (认定部门).

Owns: the `providers` rows, registration with a validated USCC. Does not: check submissions
(collection/) or user scope (auth/scope.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, identifiers
from xinyong.audit import Actor, AuditAction
from xinyong.auth import require_role
from xinyong.db.tables import Provider
from xinyong.enums import Role
from xinyong.errors import Conflict, NotFound


class ProviderNotFound(NotFound):
    code = "providers.not_found"


def find_by_uscc(session: Session, uscc: str) -> Provider | None:
    code = identifiers.normalise(uscc)
    return session.execute(select(Provider).where(Provider.uscc == code)).scalar_one_or_none()


def get_by_uscc(session: Session, uscc: str) -> Provider:
    provider = find_by_uscc(session, uscc)
    if provider is None:
        raise ProviderNotFound(
            f"报送部门“{uscc}”尚未登记，请先运行 `xinyong providers add` 登记该部门"
        )
    return provider


def get(session: Session, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise ProviderNotFound(f"未找到编号为 {provider_id} 的报送部门")
    return provider


def find_by_kind(session: Session, kind: str) -> Provider | None:
    """The active department of a kind (`providers.kind`, e.g. market_regulation), first by id."""
    stmt = select(Provider).where(Provider.kind == kind, Provider.active.is_(True))
    return session.execute(stmt.order_by(Provider.id).limit(1)).scalar_one_or_none()


def list_providers(session: Session) -> list[Provider]:
    return list(session.execute(select(Provider).order_by(Provider.name)).scalars())


def add(
    session: Session,
    uscc: str,
    name: str,
    *,
    kind: str | None = None,
    region_code: str | None = None,
    actor: Actor,
) -> Provider:
    """Register a department; its USCC must be valid (identifier errors say what is wrong)."""
    require_role(actor, Role.ADMIN)
    info = identifiers.validate_uscc(uscc)
    if find_by_uscc(session, info.code) is not None:
        raise Conflict(f"报送部门“{info.code}”已登记", code="providers.exists")
    provider = Provider(
        uscc=info.code,
        name=name.strip(),
        kind=kind,
        region_code=region_code or info.region_code,
        active=True,
    )
    session.add(provider)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.PROVIDER_ADDED,
        target_type="provider",
        target_id=provider.id,
        after={"uscc": provider.uscc, "name": provider.name, "kind": kind},
    )
    return provider
