"""Repair materials: uploads checked by size and by their bytes, stored by content hash.

A file's type is sniffed from its magic bytes, never taken from its name or the browser's
Content-Type; the name's extension must agree with what the bytes are. An executable renamed to
.pdf is therefore refused. Files are stored under `data_dir/materials/<sha256[:2]>/<sha256>.<ext>`
and served back only with the sniffed, non-executable type (see web/admin/workflows.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Protocol

from xinyong import uploads
from xinyong.catalog import RepairRules
from xinyong.db.tables import RepairMaterial
from xinyong.errors import InvalidInput, NotFound
from xinyong.uploads import EXECUTABLES, SIGNATURES, sniff

MAX_NAME = 200


class BadMaterial(InvalidInput):
    code = "repair.bad_material"


class MaterialNotFound(NotFound):
    code = "repair.material_not_found"


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file as the surface received it."""

    kind: str  # catalog material id
    filename: str
    content: bytes


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    kind: str
    filename: str
    file_type: str
    content_type: str
    sha256: str
    content: bytes

    @property
    def stored_as(self) -> str:
        return f"materials/{self.sha256[:2]}/{self.sha256}.{self.file_type}"


# ---- pure rules -------------------------------------------------------------------------------


def check_upload(upload: Upload, rules: RepairRules) -> CheckedUpload:
    """Refuse unknown kinds, empty or oversized files, and files that are not what they claim."""
    if rules.material(upload.kind) is None:
        raise BadMaterial(f"未知的材料类别“{upload.kind}”")
    return check_file(upload.kind, upload.filename, upload.content,
                      types=rules.upload_types, max_bytes=rules.max_upload_bytes)  # fmt: skip


def check_file(
    kind: str, filename: str, content: bytes, *, types: Sequence[str], max_bytes: int
) -> CheckedUpload:
    """Refuse empty or oversized files and files whose bytes are not an allowed type or do not
    match their name's extension (also used for editorial attachments)."""
    name = PurePath(filename.replace("\\", "/")).name[-MAX_NAME:] or "未命名"
    size = len(content)
    if size == 0:
        raise BadMaterial(f"文件“{name}”是空文件")
    if size > max_bytes:
        limit = max_bytes // (1024 * 1024)
        raise BadMaterial(f"文件“{name}”超过大小上限（{limit} MB）", details={"size": size})
    file_type = sniff(content)
    allowed = "、".join(t.upper() for t in types)
    if file_type is None or file_type not in types:
        found = "可执行文件或压缩包" if content.startswith(EXECUTABLES) else "无法识别的内容"
        raise BadMaterial(
            f"文件“{name}”的内容不是允许的类型（{allowed}），检测到{found}，已拒收",
            details={"filename": name},
        )
    _, content_type, extensions = SIGNATURES[file_type]
    if not name.lower().endswith(extensions):
        raise BadMaterial(
            f"文件“{name}”的扩展名与内容不符（内容为 {file_type.upper()}），已拒收",
            details={"filename": name},
        )
    digest = uploads.digest(content)
    return CheckedUpload(kind, name, file_type, content_type, digest, content)


# ---- storage ----------------------------------------------------------------------------------


def store(checked: CheckedUpload, data_dir: Path) -> str:
    """Write the file once under its content hash; return its path relative to data_dir."""
    return uploads.store(checked.content, checked.stored_as, data_dir)


class Stored(Protocol):
    """A stored file's row: a repair material or an editorial attachment."""

    id: int
    stored_as: str
    sha256: str


def read(material: Stored | RepairMaterial, data_dir: Path) -> bytes:
    """The stored bytes, checked against the recorded hash."""
    content = uploads.read_checked(data_dir, material.stored_as, material.sha256)
    if content is None:
        raise MaterialNotFound(f"材料文件 {material.id} 不存在或内容与登记的哈希不符")
    return content
