"""Evidence files of a proposal and the delivery of the prior notice: recorded, never lost.

Both are steps in the entry's history (`list_entry_steps`), audited in the same transaction; they
do not move the entry's stage. Evidence files are checked by their bytes (PDF, PNG, JPEG) and
stored by content hash under `data_dir/list_evidence/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath

from sqlalchemy.orm import Session

from xinyong import uploads
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.db.tables import ListEntry, ListEntryStep
from xinyong.enums import ListStep
from xinyong.errors import InvalidInput, NotFound
from xinyong.lists import allowed, history
from xinyong.lists.steps import Stage

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
DELIVERY_METHODS = {
    "direct": "直接送达",
    "mail": "邮寄送达",
    "electronic": "电子送达",
    "left": "留置送达",
    "announcement": "公告送达",
}


class BadEvidence(InvalidInput):
    code = "lists.bad_evidence"


class EvidenceNotFound(NotFound):
    code = "lists.evidence_not_found"


@dataclass(frozen=True, slots=True)
class Evidence:
    step_id: int
    filename: str
    sha256: str
    stored_as: str
    content_type: str
    size: int


def _step(
    session: Session,
    entry: ListEntry,
    step: ListStep,
    action: AuditAction,
    detail: dict[str, object],
    *,
    actor: Actor,
    today: date,
) -> ListEntryStep:
    return history.record_step(
        session, entry, step, action, detail, actor=actor, today=today, before=entry.stage
    )


def attach_evidence(
    session: Session,
    entry: ListEntry,
    filename: str,
    content: bytes,
    *,
    data_dir: Path,
    actor: Actor,
    today: date,
) -> Evidence:
    """证据材料: a file supporting the proposal's facts, before the decision is made."""
    allowed.require_handler(actor, entry)
    refused = allowed.stage_refusal(
        entry, (Stage.PROPOSED, Stage.NOTICED, Stage.STATED, Stage.APPROVED), "补充证据材料"
    )
    if refused is not None:
        raise refused
    name = PurePath(filename.replace("\\", "/")).name[-200:] or "未命名"
    if not content:
        raise BadEvidence(f"文件“{name}”是空文件")
    if len(content) > MAX_EVIDENCE_BYTES:
        raise BadEvidence(f"文件“{name}”超过大小上限（10 MB）")
    file_type = uploads.sniff(content)
    if file_type is None or not name.lower().endswith(uploads.SIGNATURES[file_type][2]):
        raise BadEvidence(f"文件“{name}”不是 PDF、PNG 或 JPEG（按文件内容检测），已拒收")
    sha = uploads.digest(content)
    stored = uploads.store(content, f"list_evidence/{sha[:2]}/{sha}.{file_type}", data_dir)
    content_type = uploads.SIGNATURES[file_type][1]
    detail = {
        "filename": name,
        "sha256": sha,
        "stored_as": stored,
        "size": len(content),
        "content_type": content_type,
    }
    row = _step(
        session,
        entry,
        ListStep.EVIDENCE,
        AuditAction.LIST_EVIDENCE_ADDED,
        detail,
        actor=actor,
        today=today,
    )
    return Evidence(row.id, name, sha, stored, content_type, len(content))


def evidence_of(session: Session, entry_id: int) -> list[Evidence]:
    from xinyong.lists.queries import entry_history  # noqa: PLC0415

    return [
        Evidence(
            s.id,
            s.detail["filename"],
            s.detail["sha256"],
            s.detail["stored_as"],
            s.detail["content_type"],
            s.detail["size"],
        )
        for s in entry_history(session, entry_id)
        if s.step == ListStep.EVIDENCE
    ]


def find_evidence(session: Session, entry_id: int, step_id: int, *, actor: Actor) -> Evidence:
    """One evidence file, for whom may read the entry (`queries.read_entry`)."""
    from xinyong.lists.queries import read_entry  # noqa: PLC0415

    read_entry(session, entry_id, actor=actor)
    for item in evidence_of(session, entry_id):
        if item.step_id == step_id:
            return item
    raise EvidenceNotFound(f"名单认定 {entry_id} 没有编号为 {step_id} 的证据材料")


def evidence_bytes(item: Evidence, data_dir: Path) -> bytes:
    content = uploads.read_checked(data_dir, item.stored_as, item.sha256)
    if content is None:
        raise EvidenceNotFound(f"证据材料“{item.filename}”的文件不存在或内容与登记的哈希不符")
    return content


def record_delivery(
    session: Session,
    entry: ListEntry,
    method: str,
    delivered_on: date,
    note: str = "",
    *,
    catalog: Catalog,
    actor: Actor,
    today: date,
) -> ListEntryStep:
    """送达: how and when the prior notice reached the subject."""
    allowed.require_handler(actor, entry)
    allowed.require(ListStep.DELIVERY, entry, catalog.list_type(entry.list_type), today)
    if method not in DELIVERY_METHODS:
        valid = "、".join(f"{k}（{v}）" for k, v in DELIVERY_METHODS.items())
        raise InvalidInput(f"送达方式“{method}”无效，可选：{valid}", code="lists.bad_delivery")
    assert entry.notice_sent_on is not None
    if not entry.notice_sent_on <= delivered_on <= today:
        raise InvalidInput(
            f"送达日期须在告知书发出之日（{entry.notice_sent_on}）至今天（{today}）之间",
            code="lists.bad_delivery",
        )
    detail = {
        "method": method,
        "method_title": DELIVERY_METHODS[method],
        "delivered_on": delivered_on,
        "note": note.strip(),
    }
    return _step(
        session,
        entry,
        ListStep.DELIVERY,
        AuditAction.LIST_NOTICE_DELIVERED,
        detail,
        actor=actor,
        today=today,
    )
