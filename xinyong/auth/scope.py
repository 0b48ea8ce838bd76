"""Role and department scope: who may act, and on which department's cases.

Owns: `require_role` (the system actor always passes), `require_enterprise_account` (self-service
only for an account bound to its subject), and the department scope of officers and provider
clerks (`require_department`, `department_scope`, `require_provider_scope`), and who is the
credit office (`is_credit_office`) — the one rule behind reading (`require_department_reader`)
and handling (`require_department_handler`) a department's case by its id.
"""

from __future__ import annotations

from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.errors import Forbidden


def require_role(actor: Actor, *roles: Role) -> None:
    """Raise Forbidden unless the actor has one of the roles (the system actor always passes)."""
    if actor.kind == "system" or actor.role in roles:
        return
    names = "、".join(r.label for r in roles)
    raise Forbidden(f"此操作需要以下角色之一：{names}", code="auth.role_required")


def require_enterprise_account(actor: Actor) -> int:
    """The subject an enterprise account acts for: a signed-in user of role enterprise bound to
    one subject (an API client of that role, or an unbound user, has no self-service)."""
    require_role(actor, Role.ENTERPRISE)
    if actor.kind != "user" or actor.subject_id is None:
        raise Forbidden(
            "企业自助服务只对绑定本企业的企业账户开放，请以企业账户登录",
            code="auth.subject_required",
        )
    return actor.subject_id


DEPARTMENT_ROLES = (Role.OFFICER, Role.PROVIDER_CLERK)


def require_department(actor: Actor, provider_id: int | None, *, what: str) -> None:
    """Each department sees its own: an officer or clerk reads and handles only the cases routed
    to its department (`provider_id`); the credit office (`is_credit_office`: the system, its
    administrators and its own officers) sees all. A case routed to no department belongs to the
    credit office. Every other role is refused."""
    if is_credit_office(actor):
        return
    require_role(actor, *DEPARTMENT_ROLES)
    if provider_id is None or actor.provider_id != provider_id:
        raise Forbidden(
            f"该{what}不属于本部门办理，无权查看",
            code="auth.department_scope",
            details={"provider_id": provider_id},
        )


def is_credit_office(actor: Actor) -> bool:
    """The credit office (信用办), which may read and handle every department's cases: the system,
    its administrators, and its own officers — a signed-in officer account without a department
    (`sessions.create_user` makes the office choose: a department or 信用办, never neither), or an
    officer-role API key whose row states `credit_office` (a key without a department is NOT the
    office by that alone: least privilege, ADR 0018 addendum)."""
    if actor.kind == "system" or actor.role == Role.ADMIN:
        return True
    if actor.role != Role.OFFICER or actor.provider_id is not None:
        return False
    return actor.credit_office if actor.kind == "api_client" else actor.kind == "user"


def _holds(actor: Actor, provider_id: int | None) -> bool:
    """The one rule of who holds a department's case: the credit office (every case, and the
    cases of no department), or an officer of that very department."""
    return is_credit_office(actor) or (
        actor.provider_id is not None and actor.provider_id == provider_id
    )


def require_department_reader(actor: Actor, provider_id: int | None, *, what: str) -> None:
    """Reading one department's case by its id (an inspection plan …): the officers of that
    department, the credit office (`is_credit_office`), auditors and the system. An officer of
    another department, or one of none that is not the office's, is refused."""
    if actor.kind == "system" or actor.role in (Role.ADMIN, Role.AUDITOR):
        return
    require_role(actor, Role.OFFICER)
    if not _holds(actor, provider_id):
        raise Forbidden(
            f"该{what}不属于本部门，无权查看",
            code="auth.department_scope",
            details={"provider_id": provider_id},
        )


def require_department_handler(actor: Actor, provider_id: int | None, *, what: str) -> None:
    """Taking a step on one department's case (a list entry's notice, decision, exit …): the
    officers of that department and the credit office (`is_credit_office`), checked by the
    domain action itself. Auditors read but never write; a case of no department is the credit
    office's alone; an officer of another department is refused."""
    if actor.kind != "system" and actor.role == Role.AUDITOR:
        raise Forbidden(f"审计人员只能查阅{what}，不能办理", code="auth.read_only")
    require_role(actor, Role.OFFICER, Role.ADMIN)
    if _holds(actor, provider_id):
        return
    if actor.provider_id is None:
        why = f"您的账户或接口密钥不属于任何部门，也不是信用办的，不能办理{what}"
    elif provider_id is None:
        why = f"该{what}不属于任何部门，只有信用办可以办理"
    else:
        why = f"该{what}由其他部门办理，本部门无权办理"
    raise Forbidden(why, code="auth.department_scope", details={"provider_id": provider_id})


def department_scope(actor: Actor) -> int | None:
    """The department whose cases a list query returns for the actor (None: every department).

    The credit office (`is_credit_office`) sees every department; other officers and clerks
    without a department get -1, which matches no case."""
    if is_credit_office(actor):
        return None
    require_role(actor, *DEPARTMENT_ROLES)
    return actor.provider_id if actor.provider_id is not None else -1


def require_provider_scope(actor: Actor, provider_id: int) -> None:
    """A provider clerk (or provider API client) may act only for its own department."""
    if actor.kind == "system" or actor.role == Role.ADMIN:
        return
    if actor.provider_id != provider_id:
        raise Forbidden(
            "您只能以本单位名义报送或处理数据",
            code="auth.provider_scope",
            details={"provider_id": provider_id},
        )
