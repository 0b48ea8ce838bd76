"""Receiving a package (the layout: `exchange/package.py`): verify the signature against trusted
keys, every file's SM3 digest and row count, and parse every row before storing anything; then
store through collection (same validation, same idempotency: a batch per department and class,
identified by its content), so importing twice changes nothing and a killed import re-run
resumes its batches. `import_package` (CLI, inbox job) and `receive` (the HTTP endpoint) are the
two ways in.
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
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import archive, auth, clock, collection, keyring, providers, signing, subjects
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.collection import store as collection_store
from xinyong.db.tables import Record
from xinyong.enums import RecordStatus, Role, SubjectKind, SubjectStatus
from xinyong.exchange.package import (
    DOUBLE_PUBLICITY,
    FORMAT,
    JSONL,
    MANIFEST,
    SERIOUS_CLASS,
    SIGNATURE,
    Contents,
    PackageRefused,
)


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


Trusted = keyring.Keyring | Iterable[signing.VerifyKey]


def ring_of(trusted: Trusted) -> keyring.Keyring:
    """The keys packages are checked against: the office's keyring (`keyring.office_keyring`,
    which says whose keys are trusted for packages and when), or bare keys (tests)."""
    if isinstance(trusted, keyring.Keyring):
        return trusted
    return keyring.of_keys(trusted, keyring.Purpose.PACKAGES)


def _manifest(body: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(body)
    except ValueError:
        raise PackageRefused("manifest.json 不是有效的 JSON，整包拒收") from None
    if not isinstance(manifest, dict):
        raise PackageRefused("manifest.json 不是清单对象，整包拒收")
    return manifest


def _signed_at(manifest: dict[str, Any]) -> datetime | None:
    text = manifest.get("signed_at")
    try:
        return clock.as_utc(datetime.fromisoformat(str(text))) if text else None
    except ValueError:
        raise PackageRefused(f"清单的签名时间“{text}”不是有效的时间，整包拒收") from None


def verify(folder: Path, trusted: Trusted, catalog: Catalog) -> Contents:
    """Every check before anything is stored; raises PackageRefused naming the first failure.
    The signature: by a key the keyring trusts for packages, made while that key was in use
    (`keyring.Keyring.signer`)."""
    manifest_path, sig_path = folder / MANIFEST, folder / SIGNATURE
    if not manifest_path.exists() or not sig_path.exists():
        raise PackageRefused("交换包缺少 manifest.json 或 manifest.sig，整包拒收")
    body, signature = manifest_path.read_bytes(), sig_path.read_bytes()
    manifest = _manifest(body)
    key_id = manifest.get("key_id")
    try:  # the claims are read before the check, and believed only once it passes
        ring_of(trusted).signer(keyring.Purpose.PACKAGES, body, signature,
                              key_id=str(key_id) if key_id else None,
                              signed_at=_signed_at(manifest))  # fmt: skip
    except keyring.KeyRefused as exc:
        raise PackageRefused(f"清单{exc.message}，整包拒收") from None
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
            status=SubjectStatus(line.get("status") or SubjectStatus.ACTIVE),
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


MAX_ARCHIVE_BYTES = 512 * 1024 * 1024


def receive(
    session: Session,
    data: bytes,
    *,
    node: str | None,
    trusted: Trusted,
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
    keys = ring_of(trusted)
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
    trusted: Trusted,
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
    durable: bool = True,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Verify the whole package, then store it; a refused package stores nothing."""
    keys = ring_of(trusted)
    with opened(path) as folder:
        contents = verify(folder, keys, catalog)
    return store(session, contents, catalog=catalog, calendar=calendar, actor=actor, today=today,
                 durable=durable, progress=progress)  # fmt: skip
