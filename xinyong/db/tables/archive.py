"""records: append-only versions of every credit record, with provenance.

A record is identified by (info_class, natural_key); each change is a new version. Exactly one
version per record has is_current = true (maintained in the same transaction as the write).

Shaped for bulk collection (docs/decisions/0009-collection-storage.md): `data` is `json` on
PostgreSQL (kept as text, not decomposed like jsonb: nothing queries inside it), `natural_key`
and `authority_name` compare byte-wise (COLLATE "C"), and subject_id / provider_id are checked
set-based (`xinyong_records_check_refs`: by a statement-level trigger per insert or update, and
by the bulk writer per chunk) instead of a per-row foreign key.

On PostgreSQL the table is partitioned by information class (docs/decisions/0012-records-
partitions.md): its primary key there is (id, info_class), and the references to records.id from
other tables are row triggers; the ORM still identifies a record by `id` alone (ids come from one
sequence, so they are unique across partitions).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Dialect,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import BYTEA
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

from xinyong.db import lean_record
from xinyong.db.base import Base, BigId, CreatedMixin, IdMixin
from xinyong.enums import RecordStatus

NaturalKey = String(500).with_variant(String(500, collation="C"), "postgresql")
# byte-wise on PostgreSQL too: ~300 deciding authorities a region, compared at every level of
# ix_records_authority on every insert (strcoll otherwise); code point order for the names
AuthorityName = String(200).with_variant(String(200, collation="C"), "postgresql")


class HexDigest(TypeDecorator[str]):
    """A SHA-256 digest: its 64-character hex text in Python (what every reader sees and
    compares), stored on PostgreSQL as its 32 bytes (`bytea`: half the heap bytes, issue 17,
    docs/decisions/0013 addendum 2). SQLite keeps the hex text. A COPY writes the bytes' text
    form, `\\x` and the hex (`archive.write_versions_pg`)."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(BYTEA())
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: str | None, dialect: Dialect) -> Any:
        if value is None or dialect.name != "postgresql":
            return value
        return bytes.fromhex(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or dialect.name != "postgresql":
            return value  # type: ignore[no-any-return]
        return bytes(value).hex()


def _data_overrides(context: Any) -> bool:
    """The column's value for an inserted row: from its class and lean `data` (an insert that
    names the column, the bulk writers', gives its own)."""
    params = context.get_current_parameters()
    return lean_record.overrides(params["info_class"], params.get("data"))


class Record(IdMixin, CreatedMixin, Base):
    __tablename__ = "records"

    subject_id: Mapped[int] = mapped_column(BigId)  # → subjects.id (trigger-checked)
    info_class: Mapped[str] = mapped_column(String(40))
    natural_key: Mapped[str] = mapped_column(NaturalKey)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default=RecordStatus.ACTIVE.value)
    decision_number: Mapped[str | None] = mapped_column(String(200))
    decision_date: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    severity: Mapped[str | None] = mapped_column(String(16))  # enums.Severity, penalties only
    # issue 17: the severity as classified when written, and what gave it (disclosure/stored.py)
    severity_class: Mapped[str | None] = mapped_column(String(16))
    severity_basis: Mapped[str | None] = mapped_column(String(120))
    authority_name: Mapped[str | None] = mapped_column(AuthorityName)
    authority_uscc: Mapped[str | None] = mapped_column(String(18))
    # issue 17: the deciding authority's id in `record_authorities` (the listing's filter key);
    # filled from `authority_name` by every writer (xinyong/db/authorities.py)
    authority_id: Mapped[int | None] = mapped_column(Integer)
    provider_id: Mapped[int | None] = mapped_column(BigId)  # → providers.id (trigger-checked)
    batch_id: Mapped[int | None] = mapped_column(BigInteger)
    source_row: Mapped[int | None] = mapped_column(Integer)
    catalog_version: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(HexDigest)  # bytea on PostgreSQL
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # issue reads: `data` names a field a column could give (lean_record.overrides): only such a
    # row has its column fields read from `data` (archive.source_field); filled on every insert.
    # Deferred: readers ask it in SQL, no Python reader loads it with the record
    data_overrides: Mapped[bool] = mapped_column(
        Boolean, default=_data_overrides, server_default=false(), deferred=True
    )
    reason: Mapped[str | None] = mapped_column(
        Text
    )  # why this version exists (correction, repair …)

    __table_args__ = (
        # natural key first: the class (the partition key, which a unique index of a partitioned
        # table must hold) compared last, once the key has matched (issue 17: ~0.4 µs a row)
        Index("uq_records_key_version", "natural_key", "version", "info_class", unique=True),
        # a subject's current records, read backwards in the pages' order (decision_date DESC,
        # id DESC): a section of the subject page reads its page, not the subject's all
        # (docs/decisions/0012 addendum 4)
        Index("ix_records_subject_date", "subject_id", "is_current", "decision_date", "id"),
        # the 双公示 listing's order (the keyset whole: a page reads its own rows, not every row
        # of its newest day) and its filter by authority; no leading info_class: on PostgreSQL
        # each partition holds one class (issue 17, bench/store_parts.py). The authority by its
        # integer id, not its name (docs/decisions/0012 addendum 3)
        Index("ix_records_decision_date_id", "decision_date", "id"),
        Index("ix_records_authority_id", "authority_id"),
        # PostgreSQL: one partition per information class (docs/decisions/0012; the partitions
        # and the primary key (id, info_class) come from the migration and xinyong.db.partitions)
        {"postgresql_partition_by": "LIST (info_class)"},
    )


class RecordAuthority(Base):
    """The deciding authorities named by the records of each class: the 双公示 listing's
    department choices, and the small id `records.authority_id` carries (issue 17). A row is
    added when a record first names the authority in its class (xinyong/db/authorities.py), and
    never removed: the choices are every name the class's records hold, as a walk of the records
    gave before."""

    __tablename__ = "record_authorities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    info_class: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(AuthorityName)

    __table_args__ = (UniqueConstraint("info_class", "name"),)
