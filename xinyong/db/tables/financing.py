"""信易贷: institutions and their users, loan products, needs, outcomes, alerts, 白名单."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin
from xinyong.enums import NeedStatus, WhitelistState

Money = Numeric(14, 2)  # 万元


class Institution(IdMixin, CreatedMixin, Base):
    """A bank or 非银/类金融 institution registered on the platform."""

    __tablename__ = "institutions"

    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(18), unique=True)  # USCC
    kind: Mapped[str] = mapped_column(String(16))  # bank | nonbank
    joined_whitelist: Mapped[bool] = mapped_column(Boolean, default=False)  # receives 白名单
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class InstitutionUser(IdMixin, CreatedMixin, Base):
    __tablename__ = "institution_users"

    institution_id: Mapped[int] = mapped_column(BigId, ForeignKey("institutions.id"), index=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id"), unique=True)


class LoanProduct(IdMixin, CreatedMixin, Base):
    __tablename__ = "loan_products"

    institution_id: Mapped[int] = mapped_column(BigId, ForeignKey("institutions.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    amount_min: Mapped[Decimal] = mapped_column(Money)
    amount_max: Mapped[Decimal] = mapped_column(Money)
    term_min_months: Mapped[int] = mapped_column(Integer)
    term_max_months: Mapped[int] = mapped_column(Integer)
    rate_type: Mapped[str] = mapped_column(String(16))  # fixed | floating
    credit_loan: Mapped[bool] = mapped_column(Boolean)  # 信用贷款（无抵押担保）
    eligibility: Mapped[dict[str, Any]] = mapped_column()  # evaluation.eligibility.Rule
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FinancingNeed(IdMixin, CreatedMixin, Base):
    __tablename__ = "financing_needs"

    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(200))
    size: Mapped[str | None] = mapped_column(String(16))  # declared: micro | small | medium
    status: Mapped[str] = mapped_column(String(16), default=NeedStatus.OPEN.value)
    published_on: Mapped[date] = mapped_column(Date)  # raised
    settled_on: Mapped[date | None] = mapped_column(Date)  # last left 对接中 (withdrawn/answered)


class LoanOutcome(IdMixin, CreatedMixin, Base):
    """A bank's decision on a subject's need: granted (with the loan's terms) or refused."""

    __tablename__ = "loan_outcomes"

    institution_id: Mapped[int] = mapped_column(BigId, ForeignKey("institutions.id"), index=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("financing_needs.id"))
    product_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("loan_products.id"))
    result: Mapped[str] = mapped_column(String(16))  # granted | refused
    amount: Mapped[Decimal | None] = mapped_column(Money)
    granted_on: Mapped[date | None] = mapped_column(Date)
    matures_on: Mapped[date | None] = mapped_column(Date)
    rate_type: Mapped[str | None] = mapped_column(String(16))
    credit_loan: Mapped[bool | None] = mapped_column(Boolean)
    first_loan: Mapped[bool | None] = mapped_column(Boolean)  # 首贷
    refusal_code: Mapped[str | None] = mapped_column(String(32))
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_loan_outcomes_active", "subject_id", "result", "matures_on"),)


class FinancingAlert(IdMixin, CreatedMixin, Base):
    """贷中预警: a new serious record or list entry of a borrower, for its active lender."""

    __tablename__ = "financing_alerts"

    institution_id: Mapped[int] = mapped_column(BigId, ForeignKey("institutions.id"), index=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), index=True)
    outcome_id: Mapped[int] = mapped_column(BigId, ForeignKey("loan_outcomes.id"))
    trigger_kind: Mapped[str] = mapped_column(String(16))  # record | list_entry
    trigger_id: Mapped[int] = mapped_column(BigId)
    title: Mapped[str] = mapped_column(String(300))
    consent_id: Mapped[int] = mapped_column(BigId, ForeignKey("consents.id"))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("institution_id", "trigger_kind", "trigger_id", "outcome_id"),
    )


class Whitelist(IdMixin, CreatedMixin, Base):
    """白名单推荐: one month's recommended SMEs for one institution."""

    __tablename__ = "whitelists"

    institution_id: Mapped[int] = mapped_column(BigId, ForeignKey("institutions.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    rule_id: Mapped[str] = mapped_column(String(64))
    rule_version: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=WhitelistState.GENERATED.value)
    generated_on: Mapped[date] = mapped_column(Date)
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    pushed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("institution_id", "month", "rule_id"),)


class WhitelistEntry(IdMixin, Base):
    __tablename__ = "whitelist_entries"

    whitelist_id: Mapped[int] = mapped_column(BigId, ForeignKey("whitelists.id"), index=True)
    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"))
    explanation: Mapped[list[str]] = mapped_column()


class WhitelistOptOut(IdMixin, CreatedMixin, Base):
    __tablename__ = "whitelist_opt_outs"

    subject_id: Mapped[int] = mapped_column(BigId, ForeignKey("subjects.id"), unique=True)
    opted_out_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
