"""The credit office's hand operations on /admin/exchange: build and download a signed package,
take in an uploaded one (a package from the provincial or another node, or a national list
file). The same modules as `xinyong exchange export|import` (`package`, `intake`, `national`),
in the request's transaction (`durable=False`: nothing is committed half-way; for very large
files the CLI commits chunk by chunk), each with one audit row naming the file's SM3 digest.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from xinyong import audit, signing
from xinyong.audit import Actor, AuditAction
from xinyong.auth.scope import require_role
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.enums import Role
from xinyong.exchange import intake, national, package

MAX_UPLOAD_BYTES = 64 * 1024 * 1024  # larger: `xinyong exchange import`


def export_zip(
    session: Session, *, after: str | None, catalog: Catalog, key: signing.SigningKey,
    actor: Actor, now: datetime,
) -> tuple[bytes, dict[str, Any]]:  # fmt: skip
    """The changes after `after` (all when None) as one signed zip (signed at `now`), and its
    manifest."""
    require_role(actor, Role.ADMIN)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "package"
        manifest = package.export_package(session, folder, after=after, catalog=catalog, key=key,
                                          node={"key_id": key.public_key.key_id},
                                          signed_at=now)  # fmt: skip
        data = package.archive_bytes(folder)
    audit.record(session, actor, AuditAction.EXCHANGE_EXPORTED, target_type="exchange_package",
                 after={"after": after, "until": manifest["until"],
                        "changes": manifest["changes"], "sm3": signing.sm3_hex(data)})  # fmt: skip
    return data, manifest


def is_national(file_name: str, national_list: str | None) -> bool:
    return national_list is not None or Path(file_name).suffix.lower() in national.SUFFIXES


def check_upload(data: bytes) -> None:
    """Refuse an empty upload or one above `MAX_UPLOAD_BYTES` (the CLI imports those)."""
    if not data:
        raise package.PackageRefused("上传的文件是空的")
    if len(data) > MAX_UPLOAD_BYTES:
        raise package.PackageRefused(
            f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，"
            "请用命令行 xinyong exchange import 导入"
        )


def import_upload(
    session: Session,
    data: bytes,
    file_name: str,
    *,
    national_list: str | None,
    provider: str | None,
    trusted: intake.Trusted,
    layouts: dict[str, national.Layout],
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
    durable: bool = False,
    progress: intake.Progress | None = None,
) -> dict[str, Any]:
    """Take in an uploaded package (verified whole first: a refused one stores nothing) or a
    national list file (rows refused with row, field and reason). Returns what was taken in.
    `durable`: commit chunk by chunk (a background run); else all in the caller's transaction."""
    require_role(actor, Role.ADMIN)
    check_upload(data)
    name = Path(file_name).name or "upload.zip"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        if is_national(name, national_list):
            result: dict[str, Any] = national.import_file(
                session, path, national_list=national_list, layouts=layouts, catalog=catalog,
                calendar=calendar, actor=actor, today=today, provider=provider, durable=durable,
            )  # fmt: skip
            result["kind"] = "national"
        else:
            counts = intake.import_package(session, path, trusted=trusted, catalog=catalog,
                                           calendar=calendar, actor=actor, today=today,
                                           durable=durable, progress=progress)  # fmt: skip
            result = {"kind": "package", **counts}
    summary = {k: v for k, v in result.items() if isinstance(v, int | str) and k != "message"}
    audit.record(session, actor, AuditAction.EXCHANGE_IMPORTED, target_type="exchange_package",
                 after={"file": name, "sm3": signing.sm3_hex(data), **summary})  # fmt: skip
    return result
