"""17a lean record: `records.data` keeps only what no column or natural-key part holds

Each stored row becomes `lean_record.lean` of its full source row (the fields the decision-number,
date and authority columns and the natural key already hold are left out; `archive.source_row`
puts them back). The content hash is unchanged: it was and stays the hash of the full row.
Downgrade stores the full row again (`lean_record.rebuild`). Both run in batches by id.

Revision ID: 17a1ea4e0c0d
Revises: fa5d9d5d511b
Create Date: 2026-11-29 13:10:00+00:00
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from xinyong.db import lean_record

revision: str = "17a1ea4e0c0d"
down_revision: str | None = "fa5d9d5d511b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000
_COLUMNS = ("decision_number", "decision_date", "valid_from", "valid_until", "authority_name",
            "authority_uscc")  # fmt: skip
_SELECT = sa.text(
    "SELECT id, info_class, natural_key, data, decision_number, decision_date, valid_from,"
    " valid_until, authority_name, authority_uscc FROM records"
    " WHERE id > :after ORDER BY id LIMIT :n"
)


Change = Callable[[str, str | None, Any, dict[str, Any]], dict[str, Any]]


def _full_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)  # as the engine's JSON serializer writes it


def _convert(change: Change, dumps: Callable[[dict[str, Any]], str]) -> None:
    bind = op.get_bind()
    cast = "CAST(:data AS json)" if bind.dialect.name == "postgresql" else ":data"
    update = sa.text(f"UPDATE records SET data = {cast} WHERE id = :id")  # noqa: S608
    after = 0
    while True:
        rows = bind.execute(_SELECT, {"after": after, "n": BATCH}).mappings().all()
        if not rows:
            return
        params = []
        for row in rows:
            data = row["data"]
            data = json.loads(data) if isinstance(data, str) else dict(data or {})
            columns = {c: row[c] for c in _COLUMNS}
            new = change(row["info_class"], row["natural_key"], columns, data)
            if new != data:
                params.append({"id": row["id"], "data": dumps(new)})
        if params:
            bind.execute(update, params)
        after = rows[-1]["id"]


def upgrade() -> None:
    _convert(lean_record.lean, lean_record.dumps)


def downgrade() -> None:
    _convert(lean_record.rebuild, _full_text)
