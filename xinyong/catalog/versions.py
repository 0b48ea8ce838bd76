"""Catalog versions in the database: which catalog the platform loaded, when, and by whose hand.

Every stored decision records `catalog.version` (or its first 16 characters); this table says what
that version contained — counts, files and the text of every file loaded (`content["texts"]`) —
so an auditor can trace a decision back to its rules, and a logged joint check can be rebuilt
under the catalog it used (`stored_catalog`), not the one loaded now. A version recorded before
the texts were kept gets them the next time the same version is loaded (`record_version`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.catalog.errors import CatalogError
from xinyong.catalog.loader import SHORT_VERSION, Catalog, load_catalog_texts
from xinyong.db import partitions
from xinyong.db.tables import CatalogVersion

CACHED = 4  # parsed old versions kept in memory (a version's content never changes)
_cache: OrderedDict[str, Catalog] = OrderedDict()
_cache_lock = threading.Lock()


def summary(catalog: Catalog) -> dict[str, object]:
    return {
        "info_classes": sorted(catalog.info_classes),
        "list_types": sorted(catalog.list_types),
        "measures": len(catalog.measures),
        "matters": len(catalog.matters),
        "code_tables": len(catalog.code_tables),
        "severity_tables": sorted(catalog.severity_tables),
    }


def content(catalog: Catalog) -> dict[str, object]:
    """What the row keeps of a version: where each file came from and its text."""
    return {"files": dict(catalog.files), "texts": dict(catalog.texts)}


def find_version(session: Session, version: str) -> CatalogVersion | None:
    """The recorded version by its full SM3 hex, or by the 16-character short form logs keep."""
    if len(version) < SHORT_VERSION:
        return None
    stmt = select(CatalogVersion).where(
        CatalogVersion.version == version
        if len(version) > SHORT_VERSION
        else CatalogVersion.version.startswith(version, autoescape=True)
    )
    return session.execute(stmt.order_by(CatalogVersion.id).limit(1)).scalar_one_or_none()


def record_version(session: Session, catalog: Catalog, *, actor: Actor) -> CatalogVersion:
    """Record a catalog version the first time it is loaded (idempotent), with an audit row; a
    version recorded without its files' texts gets them now (audited too)."""
    found = find_version(session, catalog.version)
    if found is not None:
        if not (found.content or {}).get("texts") and catalog.texts:
            found.content = content(catalog)
            session.flush()
            audit.record(session, actor, AuditAction.CATALOG_CONTENT_STORED,
                         target_type="catalog_version", target_id=catalog.short_version,
                         after={"files": len(catalog.texts)})  # fmt: skip
        return found
    row = CatalogVersion(
        version=catalog.version, summary=summary(catalog), content=content(catalog)
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


def stored_catalog(session: Session, version: str) -> Catalog | None:
    """The catalog a recorded version contained, rebuilt from its stored texts; None when the
    version was never recorded or its texts were not kept. Raises CatalogError when the texts
    no longer hash to the version (the row was altered)."""
    row = find_version(session, version)
    if row is None or not (row.content or {}).get("texts"):
        return None
    with _cache_lock:
        if row.version in _cache:
            _cache.move_to_end(row.version)
            return _cache[row.version]
    origin = f"catalog_versions/{row.version[:SHORT_VERSION]}"
    catalog = load_catalog_texts(row.content["texts"], origin)
    if catalog.version != row.version:
        reason = f"保存的目录文件内容的哈希为 {catalog.short_version}，与版本号不符（内容被改动）"
        raise CatalogError(origin, "content.texts", reason)
    with _cache_lock:
        _cache[row.version] = catalog
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return catalog
