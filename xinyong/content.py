"""Editorial content: the portal's 政策法规, 信用动态, 诚信文化 and 信用知识 sections.

Owns: items written in Markdown and stored with the sanitised HTML made from them (markdown-it-py,
then nh3 with an allowlist: no script, no event attributes, no javascript: links), the workflow
draft → review → published (→ withdrawn → draft), attachments (PDF / PNG / JPEG, checked by their
bytes as repair materials are), and an audit row for every change.
Who: the credit office (admin) and department officers write and submit; only the office
publishes, returns or withdraws.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import nh3
from markdown_it import MarkdownIt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong import audit, auth, clock
from xinyong.audit import Actor, AuditAction
from xinyong.db.tables import ContentAttachment, ContentItem
from xinyong.enums import ContentStatus, Role
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.repair import materials

SECTIONS = {
    "policy": "政策法规",
    "news": "信用动态",
    "culture": "诚信文化",
    "knowledge": "信用知识",
}
STATUS_LABELS = {s.value: s.label for s in ContentStatus}
WRITERS = (Role.ADMIN, Role.OFFICER)
PUBLISHER = Role.ADMIN  # 信用办
ATTACHMENT_TYPES = ("pdf", "png", "jpeg")
MAX_ATTACHMENT = 20 * 1024 * 1024
MAX_TITLE = 200

_TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del",
         "blockquote", "ul", "ol", "li", "a", "code", "pre", "table", "thead", "tbody", "tr", "th",
         "td", "img"}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
               "td": {"align"}, "ol": {"start"}}  # fmt: skip
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")


class BadContent(InvalidInput):
    code = "content.invalid"


class ItemNotFound(NotFound):
    code = "content.not_found"


class WrongStatus(Conflict):
    code = "content.wrong_status"


def render(body_md: str) -> str:
    """Markdown → HTML → sanitised HTML (the only way body_html is made)."""
    html = _markdown.render(body_md)
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Draft:
    section: str
    title: str
    summary: str | None
    body_md: str

    def checked(self) -> Draft:
        if self.section not in SECTIONS:
            raise BadContent(f"未知的栏目“{self.section}”")
        title = self.title.strip()
        if not title or len(title) > MAX_TITLE:
            raise BadContent(f"标题不能为空，且不超过 {MAX_TITLE} 字")
        if not self.body_md.strip():
            raise BadContent("正文不能为空")
        summary = (self.summary or "").strip()[:500] or None
        return Draft(self.section, title, summary, self.body_md)


def _snapshot(item: ContentItem) -> dict[str, object]:
    return {"section": item.section, "title": item.title, "status": item.status}


def get(session: Session, item_id: int) -> ContentItem:
    item = session.get(ContentItem, item_id)
    if item is None:
        raise ItemNotFound(f"文章 {item_id} 不存在")
    return item


def create(session: Session, draft: Draft, *, actor: Actor) -> ContentItem:
    auth.require_role(actor, *WRITERS)
    d = draft.checked()
    item = ContentItem(section=d.section, title=d.title, summary=d.summary, body_md=d.body_md,
                       body_html=render(d.body_md), status=ContentStatus.DRAFT, author=actor.label,
                       updated_at=clock.now())  # fmt: skip
    session.add(item)
    session.flush()
    audit.record(session, actor, AuditAction.CONTENT_CREATED, target_type="content_item",
                 target_id=item.id, after=_snapshot(item))  # fmt: skip
    session.flush()
    return item


def update(session: Session, item: ContentItem, draft: Draft, *, actor: Actor) -> ContentItem:
    """Edit a draft, an item waiting for review, or a withdrawn one (which becomes a draft)."""
    auth.require_role(actor, *WRITERS)
    if item.status == ContentStatus.PUBLISHED:
        raise WrongStatus("已发布的文章不能直接修改，请先撤下")
    d = draft.checked()
    before = {**_snapshot(item), "body_md": item.body_md}
    item.section, item.title, item.summary, item.body_md = d.section, d.title, d.summary, d.body_md
    item.body_html = render(d.body_md)
    item.status = ContentStatus.DRAFT if item.status == ContentStatus.WITHDRAWN else item.status
    item.updated_at = clock.now()
    session.flush()
    audit.record(session, actor, AuditAction.CONTENT_EDITED, target_type="content_item",
                 target_id=item.id, before=before,
                 after={**_snapshot(item), "body_md": item.body_md})  # fmt: skip
    session.flush()
    return item


# status changes: action → (allowed from, to, who, audit action)
_S = ContentStatus
_Move = tuple[tuple[ContentStatus, ...], ContentStatus, tuple[Role, ...], AuditAction]
_MOVES: dict[str, _Move] = {
    "submit": ((_S.DRAFT,), _S.REVIEW, WRITERS, AuditAction.CONTENT_SUBMITTED),
    "publish": ((_S.REVIEW,), _S.PUBLISHED, (PUBLISHER,), AuditAction.CONTENT_PUBLISHED),
    "return": ((_S.REVIEW,), _S.DRAFT, (PUBLISHER,), AuditAction.CONTENT_RETURNED),
    "withdraw": ((_S.PUBLISHED,), _S.WITHDRAWN, (PUBLISHER,), AuditAction.CONTENT_WITHDRAWN),
}
MOVE_LABELS = {"submit": "提交审核", "publish": "审核通过并发布", "return": "退回修改",
               "withdraw": "撤下"}  # fmt: skip


def moves_open(item: ContentItem, actor: Actor) -> list[str]:
    """The workflow steps `actor` may take on `item` now: the edit page's buttons."""
    return [action for action, (allowed, _, roles, _) in _MOVES.items()
            if item.status in allowed and actor.role in roles]  # fmt: skip


def move(
    session: Session, item: ContentItem, action: str, *, actor: Actor, today: date,
    reason: str | None = None,
) -> ContentItem:  # fmt: skip
    """Take one workflow step; only the credit office publishes, returns and withdraws."""
    if action not in _MOVES:
        raise BadContent(f"未知的操作“{action}”")
    allowed, target, roles, audit_action = _MOVES[action]
    auth.require_role(actor, *roles)
    if item.status not in allowed:
        now = ContentStatus(item.status).label
        raise WrongStatus(f"文章当前为“{now}”，不能{MOVE_LABELS[action]}")
    before = _snapshot(item)
    item.status = target
    if action == "publish":
        item.published_on, item.reviewed_by = today, actor.label
    item.updated_at = clock.now()
    session.flush()
    audit.record(session, actor, audit_action, target_type="content_item", target_id=item.id,
                 before=before, after=_snapshot(item), reason=reason)  # fmt: skip
    session.flush()
    return item


def attach(
    session: Session, item: ContentItem, filename: str, data: bytes, *, actor: Actor,
    data_dir: Path,
) -> ContentAttachment:  # fmt: skip
    auth.require_role(actor, *WRITERS)
    if item.status == ContentStatus.PUBLISHED:
        raise WrongStatus("已发布的文章不能增加附件，请先撤下")
    checked = materials.check_file("attachment", filename, data, types=ATTACHMENT_TYPES,
                                   max_bytes=MAX_ATTACHMENT)  # fmt: skip
    stored = materials.store(checked, data_dir)
    row = ContentAttachment(item_id=item.id, filename=checked.filename,
                            content_type=checked.content_type, size=len(data),
                            sha256=checked.sha256, stored_as=stored)  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(session, actor, AuditAction.CONTENT_ATTACHED, target_type="content_item",
                 target_id=item.id, after={"attachment": row.id, "filename": row.filename,
                                           "sha256": row.sha256})  # fmt: skip
    session.flush()
    return row


def attachments(session: Session, item_id: int) -> list[ContentAttachment]:
    stmt = select(ContentAttachment).where(ContentAttachment.item_id == item_id)
    return list(session.execute(stmt.order_by(ContentAttachment.id)).scalars())


def attachment_bytes(
    session: Session, attachment_id: int, *, data_dir: Path, public: bool
) -> tuple[ContentAttachment, bytes]:
    """An attachment's bytes; the public sees only those of published items."""
    row = session.get(ContentAttachment, attachment_id)
    if row is None or (public and get(session, row.item_id).status != ContentStatus.PUBLISHED):
        raise ItemNotFound(f"附件 {attachment_id} 不存在")
    return row, materials.read(row, data_dir)


# ---- reading ----------------------------------------------------------------------------------


def published(
    session: Session, section: str | None = None, *, limit: int = 20, offset: int = 0
) -> list[ContentItem]:
    stmt = select(ContentItem).where(ContentItem.status == ContentStatus.PUBLISHED)
    if section is not None:
        if section not in SECTIONS:
            raise ItemNotFound(f"栏目“{section}”不存在")
        stmt = stmt.where(ContentItem.section == section)
    stmt = stmt.order_by(ContentItem.published_on.desc(), ContentItem.id.desc())
    return list(session.execute(stmt.limit(limit).offset(offset)).scalars())


def newest(session: Session, limit: int = 6) -> list[ContentItem]:
    """The newest published items of all sections (the front page block)."""
    return published(session, limit=limit)


def public_item(session: Session, item_id: int) -> ContentItem:
    item = get(session, item_id)
    if item.status != ContentStatus.PUBLISHED:
        raise ItemNotFound(f"文章 {item_id} 不存在")
    return item


def all_items(session: Session, *, actor: Actor) -> list[ContentItem]:
    auth.require_role(actor, *WRITERS)
    stmt = select(ContentItem).order_by(ContentItem.updated_at.desc(), ContentItem.id.desc())
    return list(session.execute(stmt).scalars())


def count_published(session: Session, section: str) -> int:
    stmt = select(func.count()).where(ContentItem.status == ContentStatus.PUBLISHED,
                                      ContentItem.section == section)  # fmt: skip
    return int(session.execute(stmt).scalar_one())
