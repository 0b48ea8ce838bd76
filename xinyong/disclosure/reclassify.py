"""Classify again the records whose stored severity the loaded catalog no longer gives.

A record is due when it belongs to a class disclosed by severity and its `severity_basis` is NULL
(written before issue 17, or a corrected version: `archive.new_version` leaves it unclassified)
or names a severity table version the catalog no longer has (stored.py). `due` counts them;
`reclassify` rewrites their two columns in batches by id with the one rule (`severity_of`, asked
once per distinct input), commits each batch, and writes one audit row for the run; `preview`
counts what it would write, per class and change, writing nothing (the admin page shows it
first). The 17s migration runs it to backfill; `xinyong disclosure reclassify` and
/admin/disclosure/reclassify run it after a catalog change.

Plain SQL on purpose (the migration uses it too): it reads only the columns it needs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.orm import Session

from xinyong import audit
from xinyong.audit import Actor, AuditAction
from xinyong.auth.scope import require_role
from xinyong.catalog import Catalog
from xinyong.db.lean_record import rebuild
from xinyong.disclosure.stored import bases, by_severity, classify, inputs_of
from xinyong.enums import Role

BATCH = 5_000
_COLUMNS = ("decision_number", "decision_date", "valid_from", "valid_until", "authority_name",
            "authority_uscc")  # fmt: skip
_DUE = "info_class IN :classes AND (severity_basis IS NULL OR severity_basis NOT IN :bases)"
_SELECT = (  # constants only
    "SELECT id, info_class, natural_key, data, severity, severity_class, provider_id, "  # noqa: S608
    + ", ".join(_COLUMNS)
    + " FROM records WHERE "
    + _DUE
    + " AND id > :after ORDER BY id LIMIT :n"
)
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Outcome:
    examined: int
    changed: int  # the class itself changed (not only the basis's version)


def severity_classes(catalog: Catalog) -> list[str]:
    return sorted(c for c in catalog.info_classes if by_severity(catalog, c))


def _params(catalog: Catalog) -> dict[str, Any]:
    return {"classes": severity_classes(catalog), "bases": sorted(bases(catalog))}


def _bind(sql: str) -> Any:
    return text(sql).bindparams(
        bindparam("classes", expanding=True), bindparam("bases", expanding=True)
    )


def due(connection: Connection, catalog: Catalog) -> int:
    """How many record versions need classifying under the loaded catalog."""
    if not severity_classes(catalog):
        return 0
    sql = "SELECT count(*) FROM records WHERE " + _DUE  # noqa: S608
    return int(connection.execute(_bind(sql), _params(catalog)).scalar_one())


Found = tuple[str | None, str | None]  # (severity_class, severity_basis) the rule gives


def _batches(
    connect: Callable[[], Connection], catalog: Catalog
) -> Iterator[tuple[Connection, list[tuple[Any, Found]]]]:
    """The due versions in batches by id, each with what the one rule gives it; `connect` is
    asked again for every batch (the caller may commit between batches)."""
    connection = connect()
    if due(connection, catalog) == 0:
        return
    kinds: dict[int, str | None] = dict(
        connection.execute(text("SELECT id, kind FROM providers")).all()
    )
    select = _bind(_SELECT)
    seen: dict[tuple[Any, ...], Found] = {}
    after = 0
    while True:
        connection = connect()
        rows = (
            connection.execute(select, {**_params(catalog), "after": after, "n": BATCH})
            .mappings()
            .all()
        )
        if not rows:
            return
        batch = []
        for row in rows:
            data = row["data"]
            data = json.loads(data) if isinstance(data, str) else dict(data or {})
            full = rebuild(row["info_class"], row["natural_key"], {c: row[c] for c in _COLUMNS},
                           data)  # fmt: skip
            kind = kinds.get(row["provider_id"])
            key = (row["info_class"], row["severity"], kind,
                   *inputs_of(catalog, row["info_class"], full))  # fmt: skip
            if key not in seen:
                seen[key] = classify(catalog, row["info_class"], full, explicit=row["severity"],
                                     provider_kind=kind)  # fmt: skip
            batch.append((row, seen[key]))
        after = rows[-1]["id"]
        yield connection, batch


def reclassify(
    connect: Callable[[], Connection],
    catalog: Catalog,
    *,
    progress: Progress | None = None,
    commit: Callable[[], None] | None = None,
) -> Outcome:
    """Classify every due version again (all versions: history keeps its class too).
    `connect` gives the connection to use (again after each `commit`)."""
    total = due(connect(), catalog)
    update = text(
        "UPDATE records SET severity_class = :c, severity_basis = :b"
        " WHERE id = :id AND info_class = :ic"  # the partition (ADR 0012)
    )
    examined, changed = 0, 0
    for connection, batch in _batches(connect, catalog):
        params = []
        for row, (found, basis) in batch:
            changed += row["severity_class"] is not None and row["severity_class"] != found
            params.append({"c": found, "b": basis, "id": row["id"], "ic": row["info_class"]})
        connection.execute(update, params)
        examined += len(batch)
        if commit is not None:
            commit()
        if progress is not None:
            progress(examined, total)
    return Outcome(examined, changed)


@dataclass(frozen=True, slots=True)
class Shift:
    """How many due versions of one class go from one stored severity class to another."""

    info_class: str
    before: str | None  # None: never classified
    after: str | None
    count: int


def preview(connection: Connection, catalog: Catalog, *, actor: Actor) -> list[Shift]:
    """What `reclassify` would write, without writing: due versions per class and change."""
    require_role(actor, Role.ADMIN)
    counts: Counter[tuple[str, str | None, str | None]] = Counter()
    for _connection, batch in _batches(lambda: connection, catalog):
        for row, (found, _basis) in batch:
            counts[(row["info_class"], row["severity_class"], found)] += 1
    return [Shift(c, b, a, n) for (c, b, a), n in sorted(counts.items(), key=_order)]


def _order(item: tuple[tuple[str, str | None, str | None], int]) -> tuple[str, str, str]:
    (info_class, before, after), _n = item
    return info_class, before or "", after or ""


def run(
    session: Session,
    catalog: Catalog,
    *,
    actor: Actor,
    progress: Progress | None = None,
    commit_batches: bool = True,
) -> Outcome:
    """`xinyong disclosure reclassify`: classify every due version, committing each batch (a
    restart continues), then one audit row naming the catalog, how many were examined and how many
    changed class (the caller commits it). The admin page passes `commit_batches=False`: one
    transaction with its audit row. For the credit office (the CLI is the system actor)."""
    require_role(actor, Role.ADMIN)
    commit = session.commit if commit_batches else None
    outcome = reclassify(session.connection, catalog, progress=progress, commit=commit)
    audit.record(
        session,
        actor,
        AuditAction.SEVERITY_RECLASSIFIED,
        target_type="records",
        after={
            "catalog_version": catalog.short_version,
            "examined": outcome.examined,
            "changed": outcome.changed,
        },
        reason="按当前目录的行政处罚严重程度分类标准重新分类",
    )
    return outcome
