"""Uploaded files: the type their bytes show, and storage by content hash.

A file's type is sniffed from its magic bytes, never taken from its name or the browser's
Content-Type. Used by repair materials and list-entry evidence.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# type → (magic prefix, served content type, accepted filename extensions)
SIGNATURES: dict[str, tuple[bytes, str, tuple[str, ...]]] = {
    "pdf": (b"%PDF-", "application/pdf", (".pdf",)),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
}
EXECUTABLES = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"PK\x03\x04")


def sniff(content: bytes) -> str | None:
    """The file type the bytes show (pdf, png, jpeg), or None."""
    for file_type, (magic, _, _) in SIGNATURES.items():
        if content.startswith(magic):
            return file_type
    return None


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def store(content: bytes, relative: str, data_dir: Path) -> str:
    """Write the bytes once at `data_dir/relative` (a content-hash path); return `relative`."""
    target = data_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(target)
    return relative


def read_checked(data_dir: Path, relative: str, sha256: str) -> bytes | None:
    """The stored bytes when the path stays inside data_dir and the hash matches, else None."""
    root = data_dir.resolve()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file():
        return None
    content = path.read_bytes()
    return content if digest(content) == sha256 else None
