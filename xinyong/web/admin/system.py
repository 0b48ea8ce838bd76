"""/admin/system (系统状态): the installation's checks (`doctor.run_all`, the same as
`xinyong doctor`) for the credit office, with the versions, this server process's uptime, the
report slots in use and the keyring (what `xinyong keys list` shows: which public keys are
trusted, for what)."""

from __future__ import annotations

import platform
import time
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

import xinyong
from xinyong import doctor, keyring, signing
from xinyong.audit import Actor
from xinyong.enums import Role
from xinyong.web.deps import DbSession, require
from xinyong.web.templating import templates

router = APIRouter(prefix="/admin/system", include_in_schema=False)
STARTED = time.monotonic()  # this server process's start (the module loads with the app)


def _office(actor: Annotated[Actor, Depends(require(Role.ADMIN, Role.OFFICER))]) -> Actor:
    doctor.require_office(actor)
    return actor


Office = Annotated[Actor, Depends(_office)]


def uptime(seconds: float) -> str:
    whole = timedelta(seconds=int(seconds))
    days, rest = whole.days, whole.seconds
    return f"{days} 天 {rest // 3600} 小时 {rest % 3600 // 60} 分" if days else (
        f"{rest // 3600} 小时 {rest % 3600 // 60} 分 {rest % 60} 秒")  # fmt: skip


@router.get("", response_class=HTMLResponse)
def system_page(request: Request, session: DbSession, actor: Office) -> HTMLResponse:
    checks = doctor.run_all(request.app.state.settings, session)
    by_key = {c.key: c for c in checks}
    database = by_key["database"].facts
    versions = {
        "平台 xinyong": xinyong.__version__,
        "Python": platform.python_version(),
        "数据库": f"{database.get('engine', '—')} {database.get('version', '')}".strip(),
        "数据库迁移": "、".join(by_key["migrations"].facts.get("current", [])) or "—",
        "目录版本": str(by_key["catalog"].facts.get("version", "—"))[:16],
    }
    try:
        ring: keyring.Keyring | None = keyring.office_keyring(request.app.state.settings)
    except (OSError, signing.SigningError):
        ring = None  # the doctor's signing-key check says why
    context = {"actor": actor, "checks": checks, "overall": doctor.worst(checks),
               "versions": versions, "uptime": uptime(time.monotonic() - STARTED),
               "slots": by_key["report_slots"].facts, "ring": ring,
               "purposes": keyring.purposes_text}  # fmt: skip
    return templates.TemplateResponse(request, "admin/system.html", context)
