"""evaluation_pending: subjects whose stored grade may no longer match their archive.

A row says: this subject's archive changed at `since` and its grade was not recomputed then —
the re-evaluation after the change failed, or a batch was too large to re-grade at once
(`evaluation.watch.BATCH_REGRADE_LIMIT`). A grade computed after `since` (a single re-evaluation,
or a run started after it) supersedes the row; a successful re-evaluation deletes it. Pages read
it (`evaluation.shown`) before they show a stored grade (docs/decisions/0010, addendum).
One row per subject at most: a later change moves `since` forward.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base, BigId


class EvaluationPending(Base):
    __tablename__ = "evaluation_pending"

    subject_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    since: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    reason: Mapped[str] = mapped_column(String(32))  # failed | batch_too_large
