"""双随机、一公开: inspectors (with recorded relations), plans (with the seed and the inputs of
their draw, so anyone can re-run it), and the drawn inspections with their results."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin


class Inspector(IdMixin, CreatedMixin, Base):
    __tablename__ = "inspectors"

    name: Mapped[str] = mapped_column(String(100))
    badge: Mapped[str] = mapped_column(String(64), unique=True)  # 执法证号
    provider_id: Mapped[int] = mapped_column(BigId, ForeignKey("providers.id"))
    related_subject_ids: Mapped[list[Any]] = mapped_column(default=list)  # recorded conflicts


class InspectionPlan(IdMixin, CreatedMixin, Base):
    __tablename__ = "inspection_plans"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    provider_id: Mapped[int] = mapped_column(BigId, ForeignKey("providers.id"))  # inspecting dept
    sector: Mapped[str] = mapped_column(String(64))  # catalogs/supervision.yaml sector id
    region_code: Mapped[str] = mapped_column(String(12))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    seed: Mapped[str] = mapped_column(String(64))
    previous_plan_id: Mapped[int | None] = mapped_column(BigId)
    drawn_on: Mapped[date] = mapped_column(Date)
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)  # everything the draw read
    catalog_version: Mapped[str] = mapped_column(String(64))


class Inspection(IdMixin, CreatedMixin, Base):
    __tablename__ = "inspections"

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspection_plans.id"))
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"))
    supervision_class: Mapped[str] = mapped_column(String(4))
    inspector_ids: Mapped[list[Any]] = mapped_column(default=list)
    result: Mapped[str | None] = mapped_column(String(32))  # 未发现问题 | 发现问题已责令整改 | …
    result_detail: Mapped[str | None] = mapped_column(Text)
    result_on: Mapped[date | None] = mapped_column(Date)
    publish_by: Mapped[date | None] = mapped_column(Date)  # result_on + the catalog's period
    published_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_inspections_plan", "plan_id"),)
