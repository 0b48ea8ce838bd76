"""/admin/users: the credit office lists accounts and creates one (staff, a department's clerk,
an enterprise account) through `auth.create_user` — audited, the same action as
`xinyong users create`. The first password is generated and shown once, never stored in clear.
Each account's page (stop, restart, reset the password) is in `accounts`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from xinyong import auth, providers, subjects
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.errors import InvalidInput, XinyongError
from xinyong.web.deps import DbSession, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/users", include_in_schema=False)
Admin = Annotated[Actor, Depends(require(Role.ADMIN))]
Text = Annotated[str, Form(max_length=100)]
# Accounts made here; a bank's users come with its institution (/admin/financing), a partner's
# with its scenario (/admin/scenarios), business systems get API keys (/admin/clients).
CREDIT_OFFICE = "credit_office"  # the department choice of the credit office's own officers
ROLES = (Role.OFFICER, Role.PROVIDER_CLERK, Role.AUDITOR, Role.ENTERPRISE, Role.ADMIN)


def _page(
    request: Request, session: DbSession, actor: Actor, *, status: int = 200, **extra: object
) -> HTMLResponse:
    departments = providers.list_providers(session)
    context = {"actor": actor, "users": auth.list_users(session), "roles": ROLES,
               "departments": departments, "department_names": {d.id: d.name for d in departments},
               "error": None, "form": {}, "created": None, **extra}  # fmt: skip
    return templates.TemplateResponse(request, "admin/users.html", context, status)


@router.get("", response_class=HTMLResponse)
def users_page(request: Request, session: DbSession, actor: Admin) -> HTMLResponse:
    return _page(request, session, actor)


def _role(value: str) -> Role:
    if value not in {r.value for r in ROLES}:
        raise InvalidInput(f"不能在此创建该角色的账户：{value}", code="auth.role")
    return Role(value)


@router.post("", response_class=HTMLResponse)
def create_user(
    request: Request, session: DbSession, actor: Admin, username: Text, role: Text,
    display_name: Text = "", department: Text = "", subject: Text = "",
) -> HTMLResponse:  # fmt: skip
    """新建用户: a department for an officer or a clerk, a subject for an enterprise account."""
    form = {"username": username, "role": role, "display_name": display_name,
            "department": department, "subject": subject}  # fmt: skip
    password = auth.new_password()
    try:
        with session.begin_nested():
            office = department == CREDIT_OFFICE
            dept = providers.get_by_uscc(session, department) if department and not office else None
            owner = subjects.get_by_code(session, subject.strip()) if subject.strip() else None
            user = auth.create_user(
                session, username.strip(), password, _role(role),
                display_name=display_name.strip() or None,
                provider_id=dept.id if dept else None, subject_id=owner.id if owner else None,
                credit_office=office, actor=actor,
            )  # fmt: skip
    except XinyongError as exc:
        return _page(request, session, actor, status=exc.status, error=exc.message, form=form)
    created = {"username": user.username, "role": Role(user.role), "password": password}
    return _page(request, session, actor, created=created)
