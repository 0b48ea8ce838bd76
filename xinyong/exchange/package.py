"""Packages: the change feed written as signed files, and read back through collection.

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

A record appears once per package, in its latest version. Import verifies the signature against
trusted keys, every file's digest and row count, and parses every row before storing anything;
then stores through collection (same validation, same idempotency: a batch per department and
class, identified by its content), so importing twice changes nothing and a killed import
re-run resumes its batches.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, audit, auth, collection, providers, signing, subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog, InfoClass
from xinyong.clock import Calendar
from xinyong.collection import store as collection_store
from xinyong.db.tables import ListEntry, Provider, Record, Subject
from xinyong.enums import RecordStatus, Role, SubjectKind, SubjectStatus
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
) -> dict[str, Any]:
    """Write the files, the manifest (counts, SM3 of every file) and its SM2 signature."""
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


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Path]:
    """The package folder: `path` itself, or a .zip unpacked to a temporary folder."""
    if path.is_dir():
        yield path
        return
    if not zipfile.is_zipfile(path):
        raise PackageRefused(f"“{path.name}”既不是交换包目录，也不是 zip 文件")
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as archive_file:
        for member in archive_file.namelist():
            if member.startswith("/") or ".." in Path(member).parts:
                raise PackageRefused(f"压缩包中的路径不安全：{member}")
        archive_file.extractall(tmp)
        roots = list(Path(tmp).rglob(MANIFEST))
        if len(roots) != 1:
            raise PackageRefused("压缩包中应恰好有一个 manifest.json")
        yield roots[0].parent


def verify(folder: Path, trusted: Iterable[signing.VerifyKey], catalog: Catalog) -> Contents:
    """Every check before anything is stored; raises PackageRefused naming the first failure."""
    manifest_path, sig_path = folder / MANIFEST, folder / SIGNATURE
    if not manifest_path.exists() or not sig_path.exists():
        raise PackageRefused("交换包缺少 manifest.json 或 manifest.sig，整包拒收")
    body, signature = manifest_path.read_bytes(), sig_path.read_bytes()
    if not any(k.verify(body, signature) for k in trusted):
        raise PackageRefused("清单签名验证失败（签名无效或发送方公钥不受信任），整包拒收")
    manifest = json.loads(body)
    if manifest.get("format") != FORMAT:
        raise PackageRefused(f"不支持的交换包格式：{manifest.get('format')}")
    listed = {f["name"]: f for f in manifest["files"]}
    for name, item in listed.items():
        path = folder / name
        if not path.exists():
            raise PackageRefused(f"交换包缺少文件“{name}”，整包拒收")
        data = path.read_bytes()
        if signing.sm3_hex(data) != item["sm3"]:
            raise PackageRefused(f"文件“{name}”的 SM3 摘要与清单不符（内容被改动），整包拒收")
    contents = Contents()
    for info_class, name in DOUBLE_PUBLICITY.items():
        rows = list(csv.DictReader(io.StringIO((folder / name).read_text("utf-8"))))
        side = _jsonl(folder / f"{name}.providers.jsonl")
        _count(listed, name, len(rows))
        _count(listed, f"{name}.providers.jsonl", len(side))
        if len(side) != len(rows):
            raise PackageRefused(f"“{name}”的行数与其报送部门清单不符")
        contents.csv_rows[info_class] = [{k: v for k, v in r.items() if v} for r in rows]
        contents.csv_providers[info_class] = [str(s["provider"]) for s in side]
    for kind in JSONL:
        lines = _jsonl(folder / f"{kind}.jsonl")
        _count(listed, f"{kind}.jsonl", len(lines))
        contents.lines[kind] = lines
    for line in contents.lines["records"]:
        if line.get("info_class") not in catalog.info_classes:
            raise PackageRefused(f"本平台目录中没有信息类“{line.get('info_class')}”，整包拒收")
    return contents


def _jsonl(path: Path) -> list[dict[str, Any]]:
    out = []
    for number, text in enumerate(path.read_text("utf-8").splitlines(), start=1):
        try:
            out.append(json.loads(text))
        except json.JSONDecodeError:
            raise PackageRefused(f"“{path.name}”第 {number} 行不是有效的 JSON") from None
    return out


def _count(listed: dict[str, dict[str, Any]], name: str, rows: int) -> None:
    if name not in listed:
        raise PackageRefused(f"文件“{name}”不在清单中，整包拒收")
    if int(listed[name]["rows"]) != rows:
        raise PackageRefused(f"文件“{name}”有 {rows} 行，清单写 {listed[name]['rows']} 行")


Progress = Callable[[str], None]


def store(
    session: Session,
    contents: Contents,
    *,
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
    durable: bool = True,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Store a verified package: departments, subjects, then records through collection (one
    batch per class and deciding department), list entries as serious-list records, statuses."""
    counts = {"providers": 0, "subjects": 0, "accepted": 0, "rejected": 0, "new": 0, "statuses": 0,
              "repeated_batches": 0}  # fmt: skip
    for p in contents.lines["providers"]:
        if providers.find_by_uscc(session, p["uscc"]) is None:
            providers.add(session, p["uscc"], p["name"], kind=p.get("kind"),
                          region_code=p.get("region_code"), actor=actor)  # fmt: skip
            counts["providers"] += 1
    counts["subjects"] = _register_subjects(session, contents.lines["subjects"], actor, today)
    collection_store.end_chunk(session, durable=durable)  # subjects before their records
    for info_class, provider, rows in _batches(contents):
        if progress:
            progress(f"{catalog.info_class(info_class).title}（{provider}）{len(rows)} 行")
        sub = collection.Submission(info_class, provider, rows=rows, file_name="交换包")
        report = collection.collect(session, sub, catalog=catalog, calendar=calendar,
                                    actor=actor, today=today, durable=durable)  # fmt: skip
        for key in ("accepted", "rejected", "new"):
            counts[key] += getattr(report, key) if report.repeat_of is None or key != "new" else 0
        counts["repeated_batches"] += report.repeat_of is not None  # already taken in: nothing new
    for line in contents.lines["record_status"]:
        counts["statuses"] += _apply_status(session, line, actor=actor, today=today)
    collection_store.end_chunk(session, durable=durable)
    return counts


def _register_subjects(
    session: Session, lines: list[dict[str, Any]], actor: Actor, today: date
) -> int:
    known = subjects.existing_codes(session, (line["code"] for line in lines))
    new = [
        subjects.NewSubject(
            code=line["code"], name=line["name"], kind=SubjectKind(line["kind"]),
            former_names=tuple(line.get("former_names") or ()), legal_rep=line.get("legal_rep"),
            region_code=line.get("region_code"), industry_code=line.get("industry_code"),
            status=SubjectStatus(line.get("status") or "active"),
            registration_authority=line.get("registration_authority"),
            address=line.get("address"), established_on=_day(line.get("established_on")),
            registered_on=_day(line.get("registered_on")), verified=bool(line.get("verified")),
        )
        for line in lines if line["code"] not in known
    ]  # fmt: skip
    if not new:
        return 0
    return subjects.register_many(session, new, actor=actor, today=today, reason="交换包导入")


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _batches(contents: Contents) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """(class, department, rows) in a stable order: registration first (it verifies subjects)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for line in contents.lines["records"]:
        groups.setdefault((line["info_class"], line["provider"]), []).append(line["data"])
    for info_class, rows in contents.csv_rows.items():
        for row, provider in zip(rows, contents.csv_providers[info_class], strict=True):
            groups.setdefault((info_class, provider), []).append(row)
    for line in contents.lines["list_entries"]:
        groups.setdefault((SERIOUS_CLASS, line["provider"]), []).append(line["data"])
    order = sorted(groups, key=lambda k: (k[0] != "registration", k))
    for key in order:
        yield key[0], key[1], groups[key]


def _apply_status(session: Session, line: dict[str, Any], *, actor: Actor, today: date) -> int:
    """A repaired or withdrawn version: the same status here, with the sender's reason."""
    record = session.execute(
        select(Record).where(Record.info_class == line["info_class"],
                             Record.natural_key == line["natural_key"],
                             Record.is_current.is_(True))
    ).scalar_one_or_none()  # fmt: skip
    if record is None or record.status == line["status"]:
        return 0
    reason = f"交换包：{line.get('reason') or line['status']}"
    archive.new_version(session, record, reason=reason, status=RecordStatus(line["status"]),
                        actor=actor, today=today)  # fmt: skip
    return 1


# ---- the two operations the CLI and the jobs call ------------------------------------------------


def export_package(
    session: Session,
    to: Path,
    *,
    after: str | None,
    catalog: Catalog,
    key: signing.SigningKey,
    node: dict[str, Any],
) -> dict[str, Any]:
    """Write the changes after `after` (all, with every subject and department, without) to `to`;
    returns the manifest (its `until` is the next `after`)."""
    contents, until, changes = build(session, after=after, catalog=catalog)
    return write(contents, to, catalog=catalog, key=key, node=node, after=after, until=until,
                 changes=changes)  # fmt: skip


def archive_bytes(folder: Path) -> bytes:
    """A package folder as one zip file (what delivery to a URL sends)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.iterdir()):
            out.write(path, path.name)
    return buffer.getvalue()


MAX_ARCHIVE_BYTES = 512 * 1024 * 1024


def receive(
    session: Session,
    data: bytes,
    *,
    node: str | None,
    trusted: Iterable[signing.VerifyKey],
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
) -> dict[str, Any]:
    """A package sent over HTTP (`POST /api/v1/exchange/packages`), for API keys with the
    `exchange` scope: verified whole before anything is stored, then imported like
    `xinyong exchange import` (importing the same package twice changes nothing)."""
    auth.require_scope(actor, "exchange")
    if not data:
        raise PackageRefused("请求体为空：请以 application/zip 发送交换包")
    if len(data) > MAX_ARCHIVE_BYTES:
        raise PackageRefused(f"交换包超过 {MAX_ARCHIVE_BYTES // 1024 // 1024} MB，请分批发送")
    keys = list(trusted)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "package.zip"
        path.write_bytes(data)
        with opened(path) as folder:
            contents = verify(folder, keys, catalog)
            sent_by = json.loads((folder / MANIFEST).read_bytes()).get("key_id")
    if node and node != sent_by:
        raise PackageRefused(f"发送节点标识“{node}”与清单签名密钥“{sent_by}”不符，整包拒收")
    # a verified package from a trusted node registers the departments and subjects it names,
    # as `xinyong exchange import` does; audit rows still name the API client that sent it
    importer = dataclasses.replace(actor, role=Role.ADMIN, label=f"{actor.label}（交换包）")
    counts = store(session, contents, catalog=catalog, calendar=calendar, actor=importer,
                   today=today)  # fmt: skip
    return {"node": sent_by, "sm3": signing.sm3_hex(data), **counts}


def import_package(
    session: Session,
    path: Path,
    *,
    trusted: Iterable[signing.VerifyKey],
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
    durable: bool = True,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Verify the whole package, then store it; a refused package stores nothing."""
    keys = list(trusted)
    with opened(path) as folder:
        contents = verify(folder, keys, catalog)
    return store(session, contents, catalog=catalog, calendar=calendar, actor=actor, today=today,
                 durable=durable, progress=progress)  # fmt: skip
