"""Link: identifiers → subjects. By USCC or ID number only, never by name.

An identifier nobody has registered creates a subject marked unverified; a name that differs
from the registry is reported as a warning (the row still links by its code). Set-based: one
query for the chunk's codes not yet seen in this batch, one bulk registration of the unknown
ones. A batch remembers what it has linked (subjects are never deleted or re-coded), so a file
that names the same firms again and again asks the database about each code once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import subjects
from xinyong.audit import Actor
from xinyong.collection.store import ANY_TEXT, matching, select_pg, texts
from xinyong.db.session import is_postgres
from xinyong.db.tables import Subject

_KNOWN = {"subject_code": pl.String, "subject_id": pl.Int64, "registered_name": pl.String}


class Linker:
    """Links the accepted rows of one batch, chunk after chunk."""

    def __init__(self, session: Session, *, batch_id: int, actor: Actor, today: date) -> None:
        self.session, self.batch_id, self.actor, self.today = session, batch_id, actor, today
        self.known = pl.DataFrame(schema=_KNOWN)
        self.former: dict[str, list[str]] = {}

    def link(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
        """Subject id per code (registering unknown codes as unverified) and name warnings.

        `rows` are accepted rows in source order (subject_code, subject_name, subject_kind,
        row_no). Returns (subject_code, subject_id) for every code of the chunk.
        """
        firsts = rows.unique("subject_code", keep="first", maintain_order=True)
        unseen = firsts.join(self.known, on="subject_code", how="anti")
        if unseen.height:
            found = self._lookup(unseen["subject_code"].to_list())
            unknown = unseen.join(found, on="subject_code", how="anti")
            if unknown.height:
                self._register(unknown)
                found = pl.concat([found, self._lookup(unknown["subject_code"].to_list())])
            self.known = pl.concat([self.known, found])
        known = firsts.select("subject_code").join(self.known, on="subject_code", how="inner")
        return known.select("subject_code", "subject_id"), self._name_warnings(rows, known)

    def _lookup(self, codes: Sequence[str]) -> pl.DataFrame:
        """Subject id and registered name per code; former names remembered where there are any."""
        found: list[tuple[Any, ...]] = []
        if is_postgres(self.session):
            # former names as text, and only where there are any: no JSON parsed for the many
            # subjects that never changed their name
            names = "CASE WHEN former_names <> '[]'::jsonb THEN former_names::text END"
            sql = f"SELECT code, id, name, {names} FROM subjects WHERE code = {ANY_TEXT}"  # noqa: S608
            found = [
                (code, subject_id, name, json.loads(former) if former else None)
                for code, subject_id, name, former in select_pg(self.session, sql, (texts(codes),))
            ]
        else:
            for clause in matching(self.session, Subject.code, codes):
                stmt = select(Subject.code, Subject.id, Subject.name, Subject.former_names)
                found.extend(self.session.execute(stmt.where(clause)))
        rows = []
        for code, subject_id, name, names in found:
            rows.append((code, subject_id, name))
            if names:
                self.former[code] = list(names)
        return pl.DataFrame(rows, schema=_KNOWN, orient="row")

    def _register(self, unknown: pl.DataFrame) -> None:
        """The unknown codes as unverified subjects in one statement (register_unverified)."""
        reason = f"归集批次 {self.batch_id} 中出现的新主体（未核验）"
        subjects.register_unverified(
            self.session,
            unknown["subject_code"].to_list(),
            unknown["subject_name"].to_list(),
            unknown["subject_kind"].to_list(),
            actor=self.actor,
            today=self.today,
            reason=reason,
        )

    def _name_warnings(self, rows: pl.DataFrame, known: pl.DataFrame) -> list[str]:
        differing = (
            rows.select("row_no", "subject_code", "subject_name")
            .join(known, on="subject_code", how="inner")
            .filter(
                (pl.col("subject_name") != "")
                & (pl.col("subject_name") != pl.col("registered_name"))
            )
            .sort("row_no")
        )
        return [
            f"第{row_no}行：名称“{name}”与主体库登记名称“{registered}”不一致（已按代码关联，请核实）"
            for row_no, code, name, _id, registered in differing.iter_rows()
            if name not in self.former.get(code, ())
        ]
