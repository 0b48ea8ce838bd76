"""Catalog versions in the database: which catalog the platform loaded, when, and by whose hand.

Every stored decision records `catalog.version`; this table says what that version contained
(counts and files) so an auditor can trace a decision back to its rules.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.catalog.loader import Catalog
from xinyong.db import partitions
from xinyong.db.tables import CatalogVersion


def summary(catalog: Catalog) -> dict[str, object]:
    return {
        "info_classes": sorted(catalog.info_classes),
        "list_types": sorted(catalog.list_types),
        "measures": len(catalog.measures),
        "matters": len(catalog.matters),
        "code_tables": len(catalog.code_tables),
        "severity_tables": sorted(catalog.severity_tables),
    }


def find_version(session: Session, version: str) -> CatalogVersion | None:
    stmt = select(CatalogVersion).where(CatalogVersion.version == version)
    return session.execute(stmt).scalar_one_or_none()


def record_version(session: Session, catalog: Catalog, *, actor: Actor) -> CatalogVersion:
    """Record a catalog version the first time it is loaded (idempotent), with an audit row."""
    found = find_version(session, catalog.version)
    if found is not None:
        return found
    row = CatalogVersion(
        version=catalog.version, summary=summary(catalog), content={"files": dict(catalog.files)}
    )
    session.add(row)
    session.flush()
    partitions.ensure_record_partitions(session.connection(), catalog.info_classes)  # ADR 0012
    audit.record(
        session,
        actor,
        AuditAction.CATALOG_LOADED,
        target_type="catalog_version",
        target_id=catalog.short_version,
        after=row.summary,
    )
    return row
