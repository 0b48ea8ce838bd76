"""The office's keyring: its current SM2 key and the public keys of the keys it retired.

Owns: where retired public keys are kept (``<key folder>/retired/<key-id>.pub.pem``, only public
keys), finding the public key a report trailer's or a retention checkpoint's key id names, and
rotating the office key (`rotate`: a new pair at the configured path, file mode 0600; the old
public key retired under its key id; nothing of the old private key kept; audited).
Does not: sign or verify (``signing``), or decide what is signed (reports, audit retention).

A keyring is a read-only mapping key id → `signing.VerifyKey`; `signing.key_for` picks from it.
It is read from the key's folder and from ``<data_dir>/keys`` (when the key lives elsewhere):
``retired/*.pub.pem`` there, and the ``*.pub.pem`` files beside the key — the operator guide's
older renaming rotation (``office-sm2-2027.pem`` beside ``office-sm2.pem``) leaves the old public
key there. ``keys/trusted/`` (other platforms' exchange keys) is never part of it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from xinyong import audit, signing
from xinyong.audit import Actor, AuditAction
from xinyong.config import Settings
from xinyong.errors import ConfigurationError

RETIRED = "retired"
_SINCE, _UNTIL = "in-use-since", "retired-at"


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One public key of the keyring: current or retired, with when it was in use."""

    key: signing.VerifyKey
    path: Path
    current: bool
    since: datetime | None
    until: datetime | None

    @property
    def key_id(self) -> str:
        return self.key.key_id

    def as_dict(self) -> dict[str, object]:
        return {"key_id": self.key_id, "current": self.current, "path": str(self.path),
                "since": self.since, "until": self.until}  # fmt: skip


class Keyring(Mapping[str, signing.VerifyKey]):
    """Key id → public key, plus the files it came from and those it could not read."""

    def __init__(self, entries: list[KeyEntry], problems: list[tuple[Path, str]]) -> None:
        self.entries = entries
        self.problems = problems
        self._by_id = {e.key_id: e.key for e in entries}

    def __getitem__(self, key_id: str) -> signing.VerifyKey:
        return self._by_id[key_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def current(self) -> KeyEntry | None:
        return next((e for e in self.entries if e.current), None)

    @property
    def retired(self) -> list[KeyEntry]:
        return [e for e in self.entries if not e.current]


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _header(pem: bytes) -> dict[str, str]:
    """The explanatory lines before ``-----BEGIN`` (RFC 7468 allows them; openssl skips them)."""
    text = pem.decode("utf-8", "replace").split("-----BEGIN", 1)[0]
    pairs = (line.partition(":") for line in text.splitlines())
    return {k.strip(): v.strip() for k, _, v in pairs if v}


def _when(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _folders(key_path: Path, data_dir: Path | None) -> list[Path]:
    folders = [key_path.parent]
    if data_dir is not None and (data_dir / "keys").resolve() != key_path.parent.resolve():
        folders.append(data_dir / "keys")
    return folders


def _current(key_path: Path) -> tuple[signing.VerifyKey, Path] | None:
    public = signing.public_key_path(key_path)
    if public.is_file():
        return signing.load_verify_key(public.read_bytes()), public
    if key_path.is_file():
        return signing.load_signing_key(key_path.read_bytes()).public_key, key_path
    return None


def load(key_path: Path, data_dir: Path | None = None) -> Keyring:
    """The keyring of the key at `key_path` (see the module); unreadable retired files are listed
    in `problems` and left out. An unreadable current key raises (`SigningError`, `OSError`)."""
    entries: list[KeyEntry] = []
    problems: list[tuple[Path, str]] = []
    current = _current(key_path)
    if current is not None:
        since = _mtime(key_path) if key_path.is_file() else None
        entries.append(KeyEntry(current[0], current[1], True, since, None))
    seen = {e.key_id for e in entries}
    for folder in _folders(key_path, data_dir):
        for path in sorted((folder / RETIRED).glob("*.pub.pem")) + sorted(folder.glob("*.pub.pem")):
            try:
                pem = path.read_bytes()
                key = signing.load_verify_key(pem)
            except (OSError, signing.SigningError) as exc:
                problems.append((path, str(exc)))
                continue
            in_retired = path.parent.name == RETIRED
            if in_retired and path.name != f"{key.key_id}.pub.pem":
                problems.append((path, f"文件名与公钥的 key-id {key.key_id} 不符"))
                continue
            if key.key_id in seen:
                continue
            seen.add(key.key_id)
            head = _header(pem)
            until = _when(head.get(_UNTIL)) or (_mtime(path) if in_retired else None)
            entries.append(KeyEntry(key, path, False, _when(head.get(_SINCE)), until))
    return Keyring(entries, problems)


def office_keyring(settings: Settings) -> Keyring:
    """The credit office's keyring from settings (`signing_key`, `data_dir`)."""
    return load(settings.signing_key_path, settings.data_dir)


# ---- rotation ---------------------------------------------------------------------------------


def writable_problem(key_path: Path) -> str | None:
    """Why a rotation cannot write at `key_path` (Chinese), or None."""
    folder = key_path.parent
    if not folder.is_dir():
        return f"签名密钥目录 {folder} 不存在或不是目录"
    for where in (folder, folder / RETIRED):
        if not where.is_dir():
            continue
        try:
            fd, probe = tempfile.mkstemp(dir=where, prefix=".xinyong-probe-")
        except OSError as exc:
            return f"签名密钥目录 {where} 不可写（{exc.strerror or exc}）"
        os.close(fd)
        os.unlink(probe)
    if key_path.exists() and not os.access(key_path, os.R_OK):
        return f"签名私钥 {key_path} 不可读"
    return None


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to a new file beside `path`, then rename it over `path` (never half a key)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def retire(key: signing.VerifyKey, folder: Path, since: datetime | None, until: datetime) -> Path:
    """Keep `key` (public only) as ``<folder>/retired/<key-id>.pub.pem`` with when it was used."""
    (folder / RETIRED).mkdir(mode=0o755, exist_ok=True)
    path = folder / RETIRED / f"{key.key_id}.pub.pem"
    head = f"key-id: {key.key_id}\n"
    if since is not None:
        head += f"{_SINCE}: {since.isoformat()}\n"
    head += f"{_UNTIL}: {until.isoformat()}\n"
    _write(path, head.encode("ascii") + key.public_pem(), 0o644)
    return path


@dataclass(frozen=True, slots=True)
class Rotated:
    old_key_id: str
    new_key_id: str
    retired_path: Path


def rotate(session: Session, key_path: Path, *, actor: Actor, now: datetime) -> Rotated:
    """A new key pair at `key_path` (0600, public beside it); the old public key retired under its
    key id; the old private key is overwritten, not kept. Audited in the caller's transaction
    (the caller commits; a file error rolls the audit row back)."""
    problem = writable_problem(key_path)
    if problem is not None:
        raise ConfigurationError(f"不能轮换签名密钥：{problem}", code="keys.not_writable")
    if not key_path.is_file():
        raise ConfigurationError(
            f"不能轮换签名密钥：找不到当前私钥 {key_path}（先运行 `xinyong init` 或设置 "
            "XINYONG_SIGNING_KEY）",
            code="keys.missing",
        )
    old = signing.load_signing_key(key_path.read_bytes()).public_key
    new = signing.generate_key()
    retired_path = key_path.parent / RETIRED / f"{old.key_id}.pub.pem"
    audit.record(session, actor, AuditAction.KEY_ROTATED, target_type="signing_key",
                 target_id=new.public_key.key_id,
                 before={"key_id": old.key_id, "path": str(key_path)},
                 after={"key_id": new.public_key.key_id, "retired": str(retired_path)})  # fmt: skip
    session.flush()
    retire(old, key_path.parent, _mtime(key_path), now)
    _write(key_path, new.private_pem(), 0o600)
    _write(signing.public_key_path(key_path), new.public_key.public_pem(), 0o644)
    return Rotated(old.key_id, new.public_key.key_id, retired_path)
