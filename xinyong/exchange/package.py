"""Packages: the change feed written as signed files (read back by `exchange/intake.py`).

A package is a folder (or a .zip of one):

- `行政处罚.csv`, `行政许可.csv`: the national 双公示 layout, the catalog's field codes (CF_*, XK_*)
  as header, UTF-8; beside each, `<name>.providers.jsonl` names the department of every row;
- `records.jsonl`: every other record, `{"info_class", "provider", "data": {field code: value}}`;
- `record_status.jsonl`: versions not active (repaired, withdrawn) with the sender's reason;
- `list_entries.jsonl`: list entries decided on the sending platform, as `serious_list` rows;
- `events.jsonl`: the other changes (repair outcomes, commitments), for information;
- `providers.jsonl`, `subjects.jsonl`: the departments and subjects the package names (all of
  them without a cursor, so a new node can be seeded from one package);
- `manifest.json`: format, node, cursor range, every file with its row count and SM3 digest;
- `manifest.sig`: the SM2 signature (DER) of the bytes of `manifest.json` with the office key.

A record appears once per package, in its latest version. Receiving verifies everything before
it stores anything (`intake`).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, audit, clock, signing, subjects
from xinyong.catalog import Catalog, InfoClass
from xinyong.db.tables import ListEntry, Provider, Record, Subject
from xinyong.enums import RecordStatus, SubjectKind
from xinyong.errors import InvalidInput
from xinyong.exchange import feed

FORMAT = "xinyong-exchange/1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
DOUBLE_PUBLICITY = {"penalty": "行政处罚.csv", "licence": "行政许可.csv"}
JSONL = ("records", "record_status", "list_entries", "events", "providers", "subjects")
SERIOUS_CLASS = "serious_list"
SUBJECT_FIELDS = (
    "code", "name", "kind", "former_names", "legal_rep", "region_code", "industry_code", "status",
    "registration_authority", "address", "established_on", "registered_on", "cancelled_on",
    "verified",
)  # fmt: skip


class PackageRefused(InvalidInput):
    """The package fails a check: nothing of it is stored."""

    code = "exchange.package_refused"


@dataclass
class Contents:
    """What a package holds, parsed (export builds it; import reads it back)."""

    csv_rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # class → rows
    csv_providers: dict[str, list[str]] = field(default_factory=dict)  # class → provider per row
    lines: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {k: [] for k in JSONL})


# ---- export -----------------------------------------------------------------------------------


def build(session: Session, *, after: str | None, catalog: Catalog) -> tuple[Contents, str, int]:
    """The package contents from the feed after `after`: (contents, until cursor, changes)."""
    out = Contents()
    latest: dict[tuple[str, str], Record] = {}
    entries: dict[int, ListEntry] = {}
    until, count = str(feed.Cursor.parse(after)), 0
    for position, row, record in feed.walk(session, feed.Cursor.parse(after)):
        until, count = str(position), count + 1
        if record is not None:
            latest[(record.info_class, record.natural_key)] = record
        elif row.target_type == "list_entry" and row.target_id is not None:
            entry = session.get(ListEntry, row.target_id)
            if entry is not None:
                entries[entry.id] = entry
        else:
            out.lines["events"].append(audit.jsonable({
                "event": row.event, "occurred_on": row.occurred_on, "target_type": row.target_type,
                "target_id": row.target_id, "detail": row.payload}))  # fmt: skip
    subject_ids: set[int] = set()
    provider_ids: set[int | None] = set()
    for record in sorted(latest.values(), key=lambda r: r.id):
        _add_record(session, out, record, catalog)
        subject_ids.add(record.subject_id)
        provider_ids.add(record.provider_id)
    for entry in sorted(entries.values(), key=lambda e: e.id):
        department = _department(session, entry)
        if entry.decided_on is not None and department is not None:
            out.lines["list_entries"].append(_entry_line(session, entry, department, catalog))
            subject_ids.add(entry.subject_id)
            provider_ids.add(department.id)
    everything = after is None or feed.Cursor.parse(after) == feed.Cursor()
    out.lines["subjects"] = _subjects(session, None if everything else subject_ids)
    out.lines["providers"] = _providers(session, None if everything else provider_ids)
    return out, until, count


def coded(info: InfoClass, data: dict[str, Any]) -> dict[str, Any]:
    """A record's data keyed by the catalog's field codes (the exchange layout), lists joined."""
    out: dict[str, Any] = {}
    for fld in info.fields:
        value = data.get(fld.id)
        if value in (None, "", []):
            continue
        out[fld.code] = ";".join(map(str, value)) if isinstance(value, list) else value
    return out


def _provider_uscc(session: Session, provider_id: int | None) -> str | None:
    provider = session.get(Provider, provider_id) if provider_id is not None else None
    return provider.uscc if provider else None


def _add_record(session: Session, out: Contents, record: Record, catalog: Catalog) -> None:
    if record.info_class not in catalog.info_classes:
        return
    info = catalog.info_class(record.info_class)
    provider = _provider_uscc(session, record.provider_id)
    if provider is None:  # written by a workflow here (a breach): the office is its source
        out.lines["events"].append({"event": "record.without_provider", "info_class": info.id,
                                    "natural_key": record.natural_key})  # fmt: skip
        return
    row = coded(info, archive.source_row(record))
    if record.info_class in DOUBLE_PUBLICITY:
        out.csv_rows.setdefault(info.id, []).append(row)
        out.csv_providers.setdefault(info.id, []).append(provider)
    else:
        out.lines["records"].append({"info_class": info.id, "provider": provider, "data": row})
    if record.status != RecordStatus.ACTIVE:
        status = {"info_class": info.id, "natural_key": record.natural_key,
                  "status": record.status, "reason": record.reason}  # fmt: skip
        out.lines["record_status"].append(status)


def _department(session: Session, entry: ListEntry) -> Provider | None:
    """The department that decided an entry: its provider, else the one of that name, else the
    credit office (entries decided by the platform operator)."""
    if entry.provider_id is not None:
        return session.get(Provider, entry.provider_id)
    for where in (Provider.name == entry.deciding_authority, Provider.kind == "credit_office"):
        found = session.execute(select(Provider).where(where).order_by(Provider.id)).scalars()
        if (first := found.first()) is not None:
            return first
    return None


def _entry_line(
    session: Session, entry: ListEntry, department: Provider, catalog: Catalog
) -> dict[str, Any]:
    """A list entry decided here, as the serious_list row another platform imports."""
    subject = subjects.get(session, entry.subject_id)
    person = subject.kind == SubjectKind.PERSON
    lt = catalog.list_type(entry.list_type)
    data = {
        "list_type": lt.title,
        "subject_name": subject.name,
        "subject_category": "自然人" if person else "法人及非法人组织",
        "subject_uscc": None if person else subject.code,
        "subject_id_kind": "身份证" if person else None,
        "subject_id_number": subject.code if person else None,
        "reason": entry.facts,
        "basis": "；".join(b.cite() for b in lt.legal_basis),
        "decision_number": entry.decision_number,
        "decision_date": entry.decided_on,
        "valid_until": entry.valid_until,
        "authority_name": entry.deciding_authority,
        "authority_uscc": department.uscc,
        "removed_on": entry.exited_on,
        "removal_reason": entry.exit_reason,
        "source_name": department.name,
        "source_uscc": department.uscc,
    }
    info = catalog.info_class(SERIOUS_CLASS)
    return {"provider": department.uscc, "data": audit.jsonable(coded(info, data))}


def _subjects(session: Session, ids: set[int] | None) -> list[dict[str, Any]]:
    stmt = select(Subject).order_by(Subject.id)
    rows = session.execute(stmt).scalars() if ids is None else subjects.by_ids(session, ids)
    return [audit.jsonable({k: getattr(s, k) for k in SUBJECT_FIELDS}) for s in rows]


def _providers(session: Session, ids: set[int | None] | None) -> list[dict[str, Any]]:
    stmt = select(Provider).order_by(Provider.id)
    if ids is not None:
        stmt = stmt.where(Provider.id.in_([i for i in ids if i is not None]))
    return [{"uscc": p.uscc, "name": p.name, "kind": p.kind, "region_code": p.region_code}
            for p in session.execute(stmt).scalars()]  # fmt: skip


def write(
    contents: Contents,
    to: Path,
    *,
    catalog: Catalog,
    key: signing.SigningKey,
    node: dict[str, Any],
    after: str | None,
    until: str,
    changes: int,
    signed_at: datetime,
) -> dict[str, Any]:
    """Write the files, the manifest (counts, SM3 of every file, when it was signed: a receiver
    refuses a retired key's signature made after its retirement) and its SM2 signature."""
    to.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, Any]] = []
    for info_class, name in DOUBLE_PUBLICITY.items():
        rows = contents.csv_rows.get(info_class, [])
        headers = [f.code for f in catalog.info_class(info_class).fields]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=headers, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        data = buffer.getvalue().encode("utf-8")
        files.append(_put(to, name, data, len(rows)))
        providers_of = contents.csv_providers.get(info_class, [])
        side = "".join(json.dumps({"row": i + 2, "provider": p}) + "\n"
                       for i, p in enumerate(providers_of)).encode()  # fmt: skip
        files.append(_put(to, f"{name}.providers.jsonl", side, len(providers_of)))
    for kind in JSONL:
        lines = contents.lines[kind]
        data = "".join(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n"
                       for line in lines).encode("utf-8")  # fmt: skip
        files.append(_put(to, f"{kind}.jsonl", data, len(lines)))
    manifest = {
        "format": FORMAT,
        "node": node,
        "after": after or "0",
        "until": until,
        "changes": changes,
        "catalog_version": catalog.version,
        "key_id": key.public_key.key_id,
        "signed_at": signed_at.isoformat(),
        "files": files,
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    (to / MANIFEST).write_bytes(body)
    (to / SIGNATURE).write_bytes(key.sign(body))
    return manifest


def _put(folder: Path, name: str, data: bytes, rows: int) -> dict[str, Any]:
    (folder / name).write_bytes(data)
    return {"name": name, "rows": rows, "bytes": len(data), "sm3": signing.sm3_hex(data)}


# ---- import: verify everything, then store ------------------------------------------------------


def export_package(
    session: Session,
    to: Path,
    *,
    after: str | None,
    catalog: Catalog,
    key: signing.SigningKey,
    node: dict[str, Any],
    signed_at: datetime | None = None,
) -> dict[str, Any]:
    """Write the changes after `after` (all, with every subject and department, without) to `to`;
    returns the manifest (its `until` is the next `after`). `signed_at`: now when not given."""
    contents, until, changes = build(session, after=after, catalog=catalog)
    return write(contents, to, catalog=catalog, key=key, node=node, after=after, until=until,
                 changes=changes, signed_at=signed_at or clock.now())  # fmt: skip


def archive_bytes(folder: Path) -> bytes:
    """A package folder as one zip file (what delivery to a URL sends)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.iterdir()):
            out.write(path, path.name)
    return buffer.getvalue()
