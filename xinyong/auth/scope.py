"""Role and department scope: who may act, and on which department's cases.

Owns: `require_role` (the system actor always passes), `require_enterprise_account` (self-service
only for an account bound to its subject), and the department scope of officers and provider
clerks (`require_department`, `department_scope`, `require_provider_scope`).
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
    to its department (`provider_id`); the credit office (admin) and the system see all. A case
    routed to no department belongs to the credit office. Every other role is refused."""
    if actor.kind == "system" or actor.role == Role.ADMIN:
        return
    require_role(actor, *DEPARTMENT_ROLES)
    if provider_id is None or actor.provider_id != provider_id:
        raise Forbidden(
            f"该{what}不属于本部门办理，无权查看",
            code="auth.department_scope",
            details={"provider_id": provider_id},
        )


def require_department_reader(actor: Actor, provider_id: int | None, *, what: str) -> None:
    """Reading one department's case by its id (an inspection plan …): the officers of that
    department, the credit office (its administrators, and its own officers, who have no
    department), auditors and the system. An officer of another department is refused."""
    if actor.kind == "system" or actor.role in (Role.ADMIN, Role.AUDITOR):
        return
    require_role(actor, Role.OFFICER)
    if actor.provider_id is not None and actor.provider_id != provider_id:
        raise Forbidden(
            f"该{what}不属于本部门，无权查看",
            code="auth.department_scope",
            details={"provider_id": provider_id},
        )


def department_scope(actor: Actor) -> int | None:
    """The department whose cases a list query returns for the actor (None: every department).

    Officers and clerks without a department get -1, which matches no case."""
    if actor.kind == "system" or actor.role == Role.ADMIN:
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
