"""Providers: the departments that submit records (报送部门) and decide (认定部门).

Owns: the `providers` rows, registration with a validated USCC. Does not: check submissions
(collection/) or user scope (auth/scope.py).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, identifiers
from xinyong.audit import Actor, AuditAction
from xinyong.auth import require_role
from xinyong.db.tables import Provider
from xinyong.enums import Role
from xinyong.errors import Conflict, InvalidInput, NotFound

KIND = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
REGION = re.compile(r"^[0-9]{6}$")
NAME_MAX = 200


class ProviderNotFound(NotFound):
    code = "providers.not_found"


def find_by_uscc(session: Session, uscc: str) -> Provider | None:
    code = identifiers.normalise(uscc)
    return session.execute(select(Provider).where(Provider.uscc == code)).scalar_one_or_none()


def get_by_uscc(session: Session, uscc: str) -> Provider:
    provider = find_by_uscc(session, uscc)
    if provider is None:
        raise ProviderNotFound(
            f"报送部门“{uscc}”尚未登记，请信用办管理员先在“报送单位”页面"
            "（或用 `xinyong providers add`）登记该部门"
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


CREDIT_OFFICE = "credit_office"  # providers.kind of the credit office (信用主管部门)
CREDIT_AUTHORITY = "信用主管部门"  # said when a region has registered no credit office department


def acting_department(
    session: Session, actor_provider_id: int | None, *fallbacks: int | None
) -> Provider | None:
    """The department an act is done in the name of: the actor's own, else the first of the
    `fallbacks` (e.g. the department a case is routed to), else the credit office. A system or
    command-line actor is never a 认定单位 / 决定机关 itself: its label is not shown as one."""
    for provider_id in (actor_provider_id, *fallbacks):
        if provider_id is not None:
            return get(session, provider_id)
    return find_by_kind(session, CREDIT_OFFICE)


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
    name, kind, region_code = _checked(name, kind, region_code)
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


def _checked(
    name: str, kind: str | None, region_code: str | None
) -> tuple[str, str | None, str | None]:
    name, kind, region_code = name.strip(), (kind or "").strip(), (region_code or "").strip()
    if not name:
        raise InvalidInput("请填写部门名称", code="providers.name_required")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"部门名称不能超过 {NAME_MAX} 个字", code="providers.name_too_long")
    if kind and not KIND.match(kind):
        raise InvalidInput(
            f"部门类别“{kind}”只能由小写英文字母、数字和下划线组成（如 market_regulation）",
            code="providers.bad_kind",
        )
    if region_code and not REGION.match(region_code):
        raise InvalidInput(f"行政区划代码“{region_code}”应为 6 位数字", code="providers.bad_region")
    return name, kind or None, region_code or None


def update(
    session: Session,
    provider: Provider,
    *,
    name: str,
    kind: str | None,
    region_code: str | None,
    active: bool,
    actor: Actor,
) -> Provider:
    """Change a department's name, kind, region or whether it is active (its USCC stays: it is
    the key its records were submitted under). Audited with what was before."""
    require_role(actor, Role.ADMIN)
    name, kind, region_code = _checked(name, kind, region_code)
    before = _shown(provider)
    provider.name, provider.kind, provider.active = name, kind, active
    provider.region_code = region_code
    session.flush()
    after = _shown(provider)
    if after != before:
        audit.record(session, actor, AuditAction.PROVIDER_UPDATED, target_type="provider",
                     target_id=provider.id, before=before, after=after)  # fmt: skip
    return provider


def _shown(p: Provider) -> dict[str, object]:
    return {"name": p.name, "kind": p.kind, "region_code": p.region_code, "active": p.active}
