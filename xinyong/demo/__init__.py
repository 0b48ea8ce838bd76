"""The demo region (示范区) for `make run` and the tests: deterministic, made by real actions.

Each domain adds its demo data in its own module here (`region.py` for subjects, departments and
accounts; records through collection; list entries through the due-process actions) and one line
in `load()`. Nothing is inserted as finished state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from xinyong import audit, subjects
from xinyong.audit import Actor, AuditAction
from xinyong.catalog import Catalog
from xinyong.demo.conduct import load_conduct
from xinyong.demo.financing import load_financing
from xinyong.demo.lists import load_lists
from xinyong.demo.records import load_demo_records
from xinyong.demo.region import (
    DEFAULT_SEED,
    DEFAULT_SUBJECTS,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    REGION,
    generate_subjects,
    make_id_number,
    make_uscc,
)
from xinyong.demo.region import load_region as _load_region

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_SUBJECTS",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "REGION",
    "DemoResult",
    "generate_subjects",
    "load",
    "make_id_number",
    "make_uscc",
]


def _shipped() -> Catalog:
    from xinyong import catalog  # noqa: PLC0415
    from xinyong.config import get_settings  # noqa: PLC0415

    settings = get_settings()
    return catalog.load_catalog(settings.catalog_dir, settings.catalog_override_dir)


@dataclass(frozen=True, slots=True)
class DemoResult:
    created: bool
    subjects: int


def load(
    session: Session,
    *,
    count: int = DEFAULT_SUBJECTS,
    seed: int = DEFAULT_SEED,
    actor: Actor,
    today: date,
) -> DemoResult:
    """Load the demo region once; a second call changes nothing."""
    generated = _load_region(session, count=count, seed=seed, actor=actor, today=today)
    if generated is None:
        return DemoResult(created=False, subjects=subjects.count_subjects(session))
    load_demo_records(session, generated, seed=seed, actor=actor, today=today)
    load_lists(session, actor=actor, today=today)
    load_conduct(session, catalog=_shipped(), seed=seed, actor=actor, today=today)
    load_financing(session, seed=seed, actor=actor, today=today)
    audit.record(
        session,
        actor,
        AuditAction.DEMO_LOADED,
        target_type="region",
        target_id=REGION,
        after={"subjects": len(generated), "seed": seed},
    )
    return DemoResult(created=True, subjects=subjects.count_subjects(session))
