"""API clients of business systems, provider systems and banks: keys, scopes, rate limits.

Owns: the one API-key lookup (`API_KEY_STATEMENT` + `key_client`, run on a session here and
compiled for psycopg by the joint check's fast path) and the admission of each call
(`KeyClient.admit`: scope, rate limit, role — on both check paths), key creation (shown once,
only the SHA-256 stored), rotation and revocation, scopes and the scope each API path needs.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from xinyong import audit, clock
from xinyong.audit import Actor, AuditAction
from xinyong.auth.scope import require_role
from xinyong.auth.sessions import token_digest
from xinyong.db.tables import ApiClient
from xinyong.enums import Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, Unauthenticated

# The one API-key lookup: the sync path runs it on a session, the joint check's fast path
# compiles it once for psycopg (`measures.fast`); both turn the row into a `KeyClient` here and
# admit each call through `KeyClient.admit` (scope, rate limit, the actor of the call).
API_KEY_STATEMENT = select(
    ApiClient.id,
    ApiClient.name,
    ApiClient.role,
    ApiClient.provider_id,
    ApiClient.active,
    ApiClient.revoked_at,
    ApiClient.key_prefix,
    ApiClient.scopes,
    ApiClient.rate_limit,
    ApiClient.credit_office,
).where(ApiClient.key_hash == bindparam("key_hash"))
DEFAULT_RATE_LIMIT = "120/minute"
BAD_KEY = "接口密钥无效或已停用"  # the one 401 wording of a bad key, on every path
# last_used_at of one client; the fast path compiles it for psycopg and runs it in its log batch
LAST_USED_STATEMENT = (
    update(ApiClient).where(ApiClient.id == bindparam("client_id"))
    .values(last_used_at=bindparam("at"))
)  # fmt: skip


def bad_key() -> Unauthenticated:
    """The 401 of a missing, unknown, deactivated or revoked key (sync and fast check paths)."""
    return Unauthenticated(BAD_KEY, code="auth.bad_api_key")


def api_key_params(key: str) -> dict[str, str]:
    """The parameters of `API_KEY_STATEMENT` for a presented key (only its digest is stored)."""
    return {"key_hash": token_digest(key)}


@dataclass(frozen=True, slots=True)
class KeyClient:
    """What a valid key's client row says: who calls, with which scopes, how often."""

    id: int
    name: str
    role: Role
    provider_id: int | None
    key_prefix: str
    scopes: tuple[str, ...]
    rate_limit: str
    credit_office: bool = False  # an officer key the office stated is its own (ADR 0018)

    @property
    def actor(self) -> Actor:
        """The client as it acts without a path (no scope applied)."""
        return Actor("api_client", self.id, f"接口:{self.name}", self.role, self.provider_id,
                     scopes=self.scopes, credit_office=self.credit_office)  # fmt: skip

    def admit(self, scope: str | None, *, request_id: str | None = None) -> Actor:
        """One call on a path needing `scope` (None: none): refused with 403 when the key has
        scopes and not this one, counted against the client's rate limit (429 when used up); the
        actor of the call acts with the scope's role. Both check routes admit calls here."""
        from xinyong import ratelimit  # noqa: PLC0415

        scoped = scope is not None and bool(self.scopes)
        if scope is not None and scoped and scope not in self.scopes:
            raise Forbidden(
                f"接口密钥“{self.name}”未开通{CLIENT_SCOPES[scope][1]}（{scope}）权限",
                code="auth.scope_missing",
            )
        # keyed by the key's random prefix: row ids come back after a rollback, prefixes do not
        ratelimit.hit(f"client:{self.key_prefix}", self.rate_limit)
        role = CLIENT_SCOPES[scope][0] if scope is not None and scoped else self.role
        return Actor("api_client", self.id, f"接口:{self.name}", role, self.provider_id,
                     request_id=request_id, scopes=self.scopes,
                     credit_office=self.credit_office)  # fmt: skip


def key_client(row: Any) -> KeyClient | None:
    """The client of an `API_KEY_STATEMENT` row (or an `ApiClient`), None when there is none or
    it is deactivated or revoked."""
    if row is None or not row.active or row.revoked_at is not None:
        return None
    return KeyClient(row.id, row.name, Role(row.role), row.provider_id, row.key_prefix,
                     tuple(row.scopes or ()), row.rate_limit or DEFAULT_RATE_LIMIT,
                     bool(row.credit_office))  # fmt: skip


def actor_for_key_row(row: Any) -> Actor | None:
    """The actor of an `API_KEY_STATEMENT` row, None when there is no row or the client is
    deactivated or revoked."""
    client = key_client(row)
    return client.actor if client is not None else None


def require_scope(actor: Actor, scope: str) -> None:
    """Raise Forbidden unless the API key carries the scope (the system actor always passes)."""
    if actor.kind == "system" or scope in actor.scopes:
        return
    if actor.is_anonymous:
        raise Unauthenticated("此接口需要接口密钥", code="auth.api_key_required")
    raise Forbidden(f"此接口需要“{SCOPES[scope]}”权限的接口密钥", code="auth.scope_required")


def actor_for_api_key(session: Session, key: str) -> Actor | None:
    return actor_for_key_row(session.execute(API_KEY_STATEMENT, api_key_params(key)).first())


# ---- API clients: scopes, rate limits, rotation, revocation (issue 11) -----------------------

# scope → the role its calls act with (a client with several scopes acts per call)
CLIENT_SCOPES: dict[str, tuple[Role, str]] = {
    "check": (Role.SYSTEM, "联合奖惩核查"),
    "screen": (Role.SYSTEM, "名单比对"),
    "batches": (Role.PROVIDER_CLERK, "数据报送"),
    "exchange": (Role.SYSTEM, "信用信息交换（变更流）"),
}
SCOPES = {scope: title for scope, (_, title) in CLIENT_SCOPES.items()}
# API path prefix → the scope it needs
SCOPE_PATHS = (
    ("/api/v1/checks", "check"),
    ("/api/v1/screenings", "screen"),
    ("/api/v1/batches", "batches"),
    ("/api/v1/exchange", "exchange"),
)
LAST_USED_EVERY = timedelta(seconds=60)  # last_used_at is written at most once a minute


def last_used_due(last: datetime | None, now: datetime) -> bool:
    """The one rule of when a client's last_used_at is written: unset, or older than a minute."""
    return last is None or now - clock.as_utc(last) >= LAST_USED_EVERY


@dataclass
class UseMarks:
    """The fast path's memory of last_used_at (one per server process): `note` each admitted
    call; a client is due at most once a minute (`last_used_due`), and `take` hands the due
    writes to the batch the fast path already makes (no write of its own per request)."""

    written: dict[int, datetime] = field(default_factory=dict)
    pending: dict[int, datetime] = field(default_factory=dict)

    def note(self, client_id: int, now: datetime) -> None:
        if last_used_due(self.written.get(client_id), now):
            self.written[client_id] = self.pending[client_id] = now

    def take(self) -> list[dict[str, Any]]:
        due = [{"client_id": cid, "at": at} for cid, at in self.pending.items()]
        self.pending.clear()
        return due


class ClientNotFound(InvalidInput):
    code = "auth.client_not_found"
    status = 404


def scope_for_path(path: str) -> str | None:
    return next((scope for prefix, scope in SCOPE_PATHS if path.startswith(prefix)), None)


def parse_scopes(text: str | Iterable[str]) -> list[str]:
    items = text.split(",") if isinstance(text, str) else list(text)
    scopes = sorted({s.strip() for s in items if s.strip()})
    unknown = [s for s in scopes if s not in CLIENT_SCOPES]
    if not scopes or unknown:
        valid = "、".join(f"{k}（{v[1]}）" for k, v in CLIENT_SCOPES.items())
        raise InvalidInput(
            f"权限范围“{'、'.join(unknown) or '空'}”无效，可选：{valid}", code="auth.bad_scope"
        )
    return scopes


def client_key_actor(
    session: Session, key: str, path: str, *, now: datetime, request_id: str | None = None
) -> Actor | None:
    """The actor an API key acts as on `path`: None for an unknown or revoked key.

    The call is admitted by `KeyClient.admit` (scope, rate limit and role, as on the joint
    check's fast path) and last_used_at kept (at most one write a minute). Checks log the
    returned actor: every use names the client.
    """
    client = session.execute(
        select(ApiClient).where(ApiClient.key_hash == token_digest(key))
    ).scalar_one_or_none()
    found = key_client(client)
    if client is None or found is None:
        return None
    actor = found.admit(scope_for_path(path), request_id=request_id)
    if last_used_due(client.last_used_at, now):
        client.last_used_at = now
        session.flush()
    return actor


def list_clients(session: Session) -> list[ApiClient]:
    return list(session.execute(select(ApiClient).order_by(ApiClient.id)).scalars())


def find_client(session: Session, name: str) -> ApiClient:
    client = (
        session.execute(
            select(ApiClient).where(ApiClient.name == name).order_by(ApiClient.id.desc())
        )
        .scalars()
        .first()
    )
    if client is None:
        raise ClientNotFound(f"没有名为“{name}”的接口客户端")
    return client


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"xy_{prefix}_{secrets.token_urlsafe(32)}"


def add_client(
    session: Session,
    name: str,
    scopes: str | Iterable[str],
    *,
    provider_id: int | None = None,
    rate_limit: str = "120/minute",
    actor: Actor,
) -> tuple[ApiClient, str]:
    """Register a business system with scopes and a rate limit; the key is returned once."""
    from xinyong import ratelimit  # noqa: PLC0415

    require_role(actor, Role.ADMIN)
    wanted = parse_scopes(scopes)
    ratelimit.parse_limit(rate_limit)
    if not name.strip():
        raise InvalidInput("请填写客户端名称", code="auth.client_name")
    if any(c.name == name and c.revoked_at is None for c in list_clients(session)):
        raise Conflict(f"接口客户端“{name}”已存在", code="auth.client_exists")
    if "batches" in wanted and provider_id is None:
        raise InvalidInput(
            "开通数据报送（batches）须指定所属报送部门（--provider）", code="auth.provider_required"
        )
    role = Role.SYSTEM if {"check", "screen", "exchange"} & set(wanted) else Role.PROVIDER_CLERK
    client, key = create_api_client(session, name, role, provider_id=provider_id, actor=actor)
    client.scopes, client.rate_limit = wanted, rate_limit
    session.flush()
    return client, key


def rotate_client_key(
    session: Session, name: str, *, now: datetime, actor: Actor
) -> tuple[ApiClient, str]:
    """A new key for the client; the old one stops working at once. Returned once."""
    require_role(actor, Role.ADMIN)
    client = find_client(session, name)
    if client.revoked_at is not None:
        raise Conflict(f"接口客户端“{name}”已停用，不能更换密钥", code="auth.client_revoked")
    prefix, key = _new_key()
    client.key_prefix, client.key_hash, client.rotated_at = prefix, token_digest(key), now
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.API_CLIENT_ROTATED,
        target_type="api_client",
        target_id=client.id,
        after={"prefix": prefix},
    )
    return client, key


def revoke_client(session: Session, name: str, *, now: datetime, actor: Actor) -> ApiClient:
    """Stop a client's key (kept for the record: the check log still names it)."""
    require_role(actor, Role.ADMIN)
    client = find_client(session, name)
    if client.revoked_at is None:
        client.active, client.revoked_at = False, now
        session.flush()
        audit.record(
            session,
            actor,
            AuditAction.API_CLIENT_REVOKED,
            target_type="api_client",
            target_id=client.id,
            after={"name": client.name},
        )
    return client


def create_api_client(
    session: Session,
    name: str,
    role: Role,
    *,
    provider_id: int | None = None,
    scopes: tuple[str, ...] = (),
    credit_office: bool = False,
    actor: Actor,
) -> tuple[ApiClient, str]:
    """Register a business system, provider system or bank; the key is shown once, never stored.

    An officer-role key, like an officer's account, belongs to a department or states that it is
    the credit office's own (`credit_office`) — never neither, never both (ADR 0018 addendum)."""
    require_role(actor, Role.ADMIN)
    if unknown := [s for s in scopes if s not in SCOPES]:
        raise InvalidInput(f"未知的接口权限：{'、'.join(unknown)}", code="auth.unknown_scope")
    if role == Role.PROVIDER_CLERK and provider_id is None:
        raise InvalidInput("报送接口必须属于一个报送部门", code="auth.provider_required")
    if role == Role.OFFICER and (provider_id is None) != credit_office:
        raise InvalidInput(
            "认定部门的接口密钥须指定所属部门，或声明为信用办的密钥（二者只能选一）",
            code="auth.officer_department",
        )
    if credit_office and role != Role.OFFICER:
        raise InvalidInput(
            "只有认定部门角色的接口密钥可以声明为信用办的", code="auth.officer_department"
        )
    prefix, key = _new_key()
    client = ApiClient(
        name=name,
        key_prefix=prefix,
        key_hash=token_digest(key),
        role=role.value,
        provider_id=provider_id,
        active=True,
        scopes=list(scopes),
        credit_office=credit_office,
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        actor,
        AuditAction.API_CLIENT_CREATED,
        target_type="api_client",
        target_id=client.id,
        after={
            "name": name,
            "role": role.value,
            "provider_id": provider_id,
            "prefix": prefix,
            "scopes": list(scopes),
            **({"credit_office": True} if credit_office else {}),
        },
    )
    return client, key
