"""`xinyong export parquet DIR`: the plan's fact table as a Parquet snapshot, for the Spark engine.

Written: `facts.parquet` (one row per subject and fact, `fact_table.FACT_SCHEMA`),
`subjects.parquet` (id and kind of every graded subject: subjects without facts are graded
too) and `manifest.json` (as-of date, catalog version, model versions). No names, codes or ID
numbers leave the database: the snapshot holds only what the evaluation reads.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog import Catalog
from xinyong.db.tables import Subject
from xinyong.evaluation.engine import GRADED_STATUSES, fact_chunks
from xinyong.evaluation.fact_table import FACT_SCHEMA
from xinyong.evaluation.service import models_for

SUBJECT_SCHEMA: dict[str, Any] = {"subject_id": pl.Int64, "kind": pl.Utf8}


def export(session: Session, directory: Path, *, catalog: Catalog, as_of: date) -> dict[str, Any]:
    models = models_for(catalog)
    kinds = list(models.by_kind)
    rows = session.execute(
        select(Subject.id, Subject.kind)
        .where(Subject.kind.in_(kinds), Subject.status.in_(GRADED_STATUSES))
        .order_by(Subject.id)
    ).all()
    subjects = pl.DataFrame(
        [{"subject_id": r[0], "kind": r[1]} for r in rows], schema=SUBJECT_SCHEMA
    )
    frames = [
        f for _ids, f in fact_chunks(session, [r[0] for r in rows], catalog=catalog, today=as_of)
    ]
    facts = pl.concat(frames) if frames else pl.DataFrame(schema=FACT_SCHEMA)
    directory.mkdir(parents=True, exist_ok=True)
    subjects.write_parquet(directory / "subjects.parquet")
    facts.write_parquet(directory / "facts.parquet")
    manifest = {
        "as_of": as_of.isoformat(),
        "catalog_version": catalog.version,
        "models": {m.id: m.version for m in models.models.values()},
        "subjects": subjects.height,
        "facts": facts.height,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest
