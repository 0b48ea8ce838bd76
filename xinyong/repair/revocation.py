"""Revoking an approved repair because the applicant provided false materials (提供虚假材料).

The repair was granted on the materials the subject filed; when they prove false, the deciding
department (or the credit office) revokes it with a recorded reason. `procedure.revoke` does the
rest, the same way a broken 信用修复型 commitment does (commitments.breach): the application
becomes 已撤销 (its history and audit rows stay), the record gets a new version that is counted
and disclosed again — for the maximum period (承诺 template, domain rules §1.6) — the outcome is
queued for the upstream platforms, and the new version re-grades the subject at commit
(evaluation.watch; a failed re-grade leaves its `evaluation_pending` mark).

Who may: an officer of the department the case is routed to (谁认定、谁修复), or the credit office.
An early exit from a platform list is not revoked here (re-listing is a new listing decision).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from xinyong.audit import Actor
from xinyong.auth import require_department, require_role
from xinyong.catalog import Catalog
from xinyong.db.tables import RepairApplication
from xinyong.enums import Role
from xinyong.errors import InvalidInput
from xinyong.repair import procedure

FALSE_MATERIALS = "提供虚假材料"


def revoke_for_false_materials(
    session: Session,
    application: RepairApplication,
    reason: str,
    *,
    actor: Actor,
    today: date,
    catalog: Catalog,
) -> RepairApplication:
    """撤销信用修复（提供虚假材料）: the reason says what was found false (required)."""
    require_role(actor, Role.OFFICER, Role.ADMIN)
    require_department(actor, application.provider_id, what="信用修复申请")
    if not reason.strip():
        raise InvalidInput("请写明认定申请材料虚假的事实和依据", code="repair.reason_required")
    return procedure.revoke(
        session, application, f"{FALSE_MATERIALS}：{reason.strip()}", actor=actor, today=today,
        catalog=catalog,
    )  # fmt: skip
