"""One screening (名单比对) as an act of the platform: who screened, for what stated purpose, under
which id — and every subject it matched written to the query log (ADR 0018 §2).

Principle 4: every query of a subject is logged (who, whom, why). A screening reads the list
entries of the subjects it matches and shows them to the screener, so each matched subject gets
one query-log row (surface `screening`, basis `duty`, the stated purpose, the screening id, the
matter and whether the match was by code or only by name), written by one multi-row INSERT in
the transaction of the read (`audit.log_queries`) — a subject on many input rows gets one row.
Codes that match nothing are not logged: the platform read no record of theirs, and logging
them would itself keep a list of whom a business system looked for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import polars as pl
from sqlalchemy.orm import Session

from xinyong import audit, auth
from xinyong.audit import Actor
from xinyong.audit.queries import CHECK_BASIS, SCREENING_SURFACE
from xinyong.catalog import Catalog
from xinyong.enums import Role, ScreeningOutcome
from xinyong.measures.screening import build_index, screen_frame

SURFACE = SCREENING_SURFACE  # query_log.surface (audit.titles.SURFACE_TITLES: 名单比对)
PURPOSE_MAX = audit.queries.PURPOSE_MAX
LOGGED = (ScreeningOutcome.HIT.value, ScreeningOutcome.POSSIBLE_HIT.value)


@dataclass(frozen=True, slots=True)
class Screening:
    """A screening's answer: its id (32 hex), purpose, matter, the result rows and how many
    matched subjects were written to the query log."""

    id: str
    purpose: str
    matter: str
    results: pl.DataFrame
    logged: int


def stated_purpose(purpose: str | None) -> str:
    """The screening's purpose as the screener states it: the query log's rule (required, at most
    `PURPOSE_MAX` characters) in the screening's words."""
    return audit.queries.stated_purpose(
        purpose,
        missing="请填写比对用途（如：2026年度政府采购供应商资格审查），用途将记入被查询主体的查询记录",
        code="measures.screening_purpose",
        too_long="比对用途不超过 {limit} 字",
    )


def screen(
    session: Session, frame: pl.DataFrame, matter: str, *, purpose: str, actor: Actor,
    catalog: Catalog, today: date,
) -> Screening:  # fmt: skip
    """A business system's officer (or the system) screens rows against the lists in force; the
    subjects matched are logged as queried, in this transaction."""
    auth.require_role(actor, Role.ADMIN, Role.OFFICER, Role.SYSTEM)
    stated = stated_purpose(purpose)
    index = build_index(session, catalog=catalog, today=today)
    found = screen_frame(frame, matter, index, catalog=catalog, today=today)
    screening_id = uuid.uuid4().hex
    logged = log_matches(
        session, found, screening_id=screening_id, purpose=stated, matter=matter, actor=actor
    )
    return Screening(screening_id, stated, matter, found, logged)


def log_matches(
    session: Session, found: pl.DataFrame, *, screening_id: str, purpose: str, matter: str,
    actor: Actor,
) -> int:  # fmt: skip
    """One query-log row per subject matched (by code, or only by name), one INSERT for all."""
    matched = (
        found.lazy()
        .filter(pl.col("outcome").is_in(LOGGED) & pl.col("subject_id").is_not_null())
        .group_by("subject_id")
        .agg(
            (pl.col("outcome") == ScreeningOutcome.HIT.value).any().alias("by_code"),
            pl.len().alias("rows"),
        )
        .sort("subject_id")
        .collect()
    )
    reads = (
        (subject_id, {"screening_id": screening_id, "matter": matter, "rows": rows,
                      "outcome": LOGGED[0] if by_code else LOGGED[1]})
        for subject_id, by_code, rows in matched.iter_rows()
    )  # fmt: skip
    return audit.log_queries(
        session, actor, reads, purpose=purpose, surface=SURFACE, basis=CHECK_BASIS
    )
