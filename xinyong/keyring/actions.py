"""Changing the keyring: rotating the office key, trusting or no longer trusting a public key,
and recording the old layout as the keyring's list (`migrate`). Rotation and trust decisions are
audited in the caller's transaction (the caller commits; a file error rolls the audit row back).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from xinyong import audit, signing
from xinyong.audit import Actor, AuditAction
from xinyong.errors import ConfigurationError, InvalidInput
from xinyong.keyring import store
from xinyong.keyring.model import ALL, PURPOSE_TITLES, KeyEntry, Keyring, Purpose

NAME_MAX = 100


def writable_problem(key_path: Path) -> str | None:
    """Why the keyring cannot be written at `key_path`'s folder (Chinese), or None."""
    folder = key_path.parent
    if not folder.is_dir():
        return f"签名密钥目录 {folder} 不存在或不是目录"
    for where in (folder, folder / store.RETIRED, folder / store.TRUSTED):
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


def _listed(ring: Keyring) -> list[KeyEntry]:
    return [e for e in ring.entries if not e.current]


def migrate(key_path: Path, data_dir: Path | None) -> Path | None:
    """Record the old layout's trust as the keyring's list (see `store`); None when the list
    exists already or there is no key folder yet. Trusts nothing new, so it is not audited —
    what it recorded is in the list (`added_by` 迁移) and `xinyong keys list`."""
    if (key_path.parent / store.INDEX).is_file() or not key_path.parent.is_dir():
        return None
    ring = store.load(key_path, data_dir)
    return store.save(key_path, _listed(ring))


@dataclass(frozen=True, slots=True)
class Rotated:
    old_key_id: str
    new_key_id: str
    retired_path: Path


def rotate(
    session: Session, key_path: Path, *, actor: Actor, now: datetime, data_dir: Path | None = None
) -> Rotated:
    """A new key pair at `key_path` (0600, public beside it); the old public key retired under its
    key id (trusted for everything it signed before `now`); the old private key overwritten."""
    problem = writable_problem(key_path)
    if problem is not None:
        raise ConfigurationError(f"不能轮换签名密钥：{problem}", code="keys.not_writable")
    if not key_path.is_file():
        raise ConfigurationError(
            f"不能轮换签名密钥：找不到当前私钥 {key_path}（先运行 `xinyong init` 或设置 "
            "XINYONG_SIGNING_KEY）",
            code="keys.missing",
        )
    migrate(key_path, data_dir)
    ring = store.load(key_path, data_dir)
    old = signing.load_signing_key(key_path.read_bytes()).public_key
    new = signing.generate_key()
    retired_path = key_path.parent / store.RETIRED / f"{old.key_id}.pub.pem"
    audit.record(
        session,
        actor,
        AuditAction.KEY_ROTATED,
        target_type="signing_key",
        target_id=new.public_key.key_id,
        before={"key_id": old.key_id, "path": str(key_path)},
        after={"key_id": new.public_key.key_id, "retired": str(retired_path)},
    )
    session.flush()
    since = store.mtime(key_path)
    store.key_file(key_path.parent, store.RETIRED, old, store.retired_head(since, now))
    entry = KeyEntry(
        old,
        retired_path,
        False,
        since,
        now,
        ALL,
        "本办旧密钥",
        "xinyong keys rotate",
        now,
    )
    store.save(key_path, [e for e in _listed(ring) if e.key_id != old.key_id] + [entry])
    store.write_atomic(key_path, new.private_pem(), 0o600)
    store.write_atomic(signing.public_key_path(key_path), new.public_key.public_pem(), 0o644)
    return Rotated(old.key_id, new.public_key.key_id, retired_path)


def _writable(key_path: Path) -> None:
    problem = writable_problem(key_path)
    if problem is not None:
        raise ConfigurationError(f"不能修改密钥环：{problem}", code="keys.not_writable")


def trust(
    session: Session,
    key_path: Path,
    pem_file: Path,
    *,
    purposes: frozenset[Purpose],
    name: str,
    actor: Actor,
    now: datetime,
    data_dir: Path | None = None,
) -> KeyEntry:
    """Trust the SM2 public key in `pem_file` for `purposes` under `name`: copied to
    ``trusted/<key-id>.pub.pem`` and listed; a key listed already gets the new purposes and name.
    Audited."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(
            f"请用 --name 写明这是谁的公钥（1 至 {NAME_MAX} 个字）", code="keys.name"
        )
    if not purposes:
        raise InvalidInput("请用 --for 写明信任它核验什么：reports 或 packages", code="keys.for")
    try:
        key = signing.load_verify_key(pem_file.read_bytes())
    except OSError as exc:
        raise InvalidInput(
            f"无法读取公钥文件 {pem_file}：{exc.strerror or exc}", code="keys.unreadable"
        ) from exc
    except signing.SigningError as exc:
        raise InvalidInput(f"{pem_file} 不是 SM2 公钥：{exc}", code="keys.not_sm2") from exc
    _writable(key_path)
    migrate(key_path, data_dir)
    ring = store.load(key_path, data_dir)
    if ring.current is not None and ring.current.key_id == key.key_id:
        raise InvalidInput(
            f"{key.key_id} 是本平台当前的签名密钥，本来就受信任", code="keys.current"
        )
    before = ring.entry(key.key_id)
    if before is not None and before.path.parent.name == store.RETIRED:
        path = before.path  # the office's own retired key keeps its file and its period
    else:
        path = store.key_file(key_path.parent, store.TRUSTED, key, {"name": name})
    entry = KeyEntry(
        key,
        path,
        False,
        before.since if before else None,
        before.until if before else None,
        purposes,
        name,
        "xinyong keys trust",
        now,
    )
    audit.record(
        session,
        actor,
        AuditAction.KEY_TRUSTED,
        target_type="signing_key",
        target_id=key.key_id,
        before={"for": sorted(before.purposes), "name": before.name} if before else None,
        after={"for": sorted(purposes), "name": name, "file": str(path)},
    )
    session.flush()
    store.save(key_path, [e for e in _listed(ring) if e.key_id != key.key_id] + [entry])
    return entry


def untrust(
    session: Session, key_path: Path, key_id: str, *, actor: Actor, data_dir: Path | None = None
) -> KeyEntry:
    """Stop trusting a listed key (its file stays where it is, a stray). Audited."""
    _writable(key_path)
    migrate(key_path, data_dir)
    ring = store.load(key_path, data_dir)
    entry = ring.entry(key_id)
    if entry is None or entry.current:
        why = "是当前签名密钥，不能停止信任（先轮换）" if entry else "不在密钥环中"
        raise InvalidInput(f"{key_id} {why}", code="keys.untrust")
    audit.record(
        session,
        actor,
        AuditAction.KEY_UNTRUSTED,
        target_type="signing_key",
        target_id=key_id,
        before={"for": sorted(entry.purposes), "name": entry.name, "file": str(entry.path)},
    )
    session.flush()
    store.save(key_path, [e for e in _listed(ring) if e.key_id != key_id])
    return replace(entry, purposes=frozenset())


def purposes_text(purposes: frozenset[Purpose]) -> str:
    return "、".join(PURPOSE_TITLES[p] for p in Purpose if p in purposes) or "—"
