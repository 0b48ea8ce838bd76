"""job_runs: a long officer procedure queued, run outside the request, followed (xinyong/runs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, IdMixin
from xinyong.enums import RunStatus


class JobRun(IdMixin, Base):
    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_status_id", "status", "id"),  # the runner's claim: oldest queued
        Index("ix_job_runs_job_id", "job", "id"),  # the list filtered by job, newest first
        # at most one queued run of a job with the same parameters (two clicks at one instant)
        Index(
            "uq_job_runs_queued_job_params",
            "job",
            "params_digest",
            unique=True,
            sqlite_where=text("status = 'queued'"),
            postgresql_where=text("status = 'queued'"),
        ),
    )

    job: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    params_digest: Mapped[str | None] = mapped_column(String(64))  # runs.store.params_digest
    reason: Mapped[str | None] = mapped_column(Text)  # why the officer started it
    started_by: Mapped[str] = mapped_column(String(200))  # the actor's label, as audit shows it
    actor: Mapped[dict[str, Any]] = mapped_column(default=dict)  # kind, id, role, provider_id
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.QUEUED.value)
    runner: Mapped[str | None] = mapped_column(String(100))  # host:pid of the runner holding it
    queued_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]  # older than runs.STALE_AFTER before now: 中断
    finished_at: Mapped[datetime | None]
    done: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    phase: Mapped[str | None] = mapped_column(String(200))  # Chinese label of the current step
    result: Mapped[dict[str, Any] | None] = mapped_column()  # counts
    summary: Mapped[str | None] = mapped_column(Text)  # one Chinese line of what it did
    message: Mapped[str | None] = mapped_column(Text)  # the Chinese reason of a failure
    # an import's stored upload deleted by the retention job after `upload_kept_days` days
    upload_deleted_on: Mapped[date | None] = mapped_column(Date)
    upload_kept_days: Mapped[int | None] = mapped_column(Integer)
