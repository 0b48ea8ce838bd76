"""content_items and content_attachments: the portal's editorial pages
(政策法规, 信用动态, 诚信文化, 信用知识), written in Markdown, stored with the sanitised
HTML made from it.

draft → review → published (and published → withdrawn); every change is audited by the actions in
xinyong/content.py. `body_html` is produced only by the sanitiser, never taken from a form.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin
from xinyong.enums import ContentStatus


class ContentItem(IdMixin, CreatedMixin, Base):
    __tablename__ = "content_items"

    section: Mapped[str] = mapped_column(String(16))  # policy | news | culture | knowledge
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(String(500))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)  # sanitised
    status: Mapped[str] = mapped_column(String(16), default=ContentStatus.DRAFT.value)
    author: Mapped[str] = mapped_column(String(200))
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    published_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_content_items_section_status", "section", "status"),)


class ContentAttachment(IdMixin, CreatedMixin, Base):
    __tablename__ = "content_attachments"

    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("content_items.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded, for display only
    content_type: Mapped[str] = mapped_column(String(60))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    stored_as: Mapped[str] = mapped_column(String(200))  # path under settings.data_dir
