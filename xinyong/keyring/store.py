"""Where the keyring lives on disk, and reading it.

The list: ``<key folder>/keyring.json`` (the folder of the office's private key): every public
key trusted besides the current one, each with what it is trusted for, its file, its name, when
it was in use and how it was added. Files: ``retired/<key-id>.pub.pem`` (the office's earlier
keys, written by a rotation), ``trusted/<key-id>.pub.pem`` (copied there by `xinyong keys trust`).
A public-key file the list does not name is a stray: never trusted, reported by `xinyong doctor`.

Before the list exists (an installation from before it) the old layout is read as `migrate` will
record it: the ``*.pub.pem`` beside the key and in ``<data_dir>/keys`` and ``retired/`` are the
office's (reports, checkpoints and packages), ``<data_dir>/keys/trusted/*.pem`` peers' (packages).
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xinyong import clock, signing
from xinyong.keyring.model import ALL, KeyEntry, Keyring, Purpose

INDEX = "keyring.json"
FORMAT = "xinyong-keyring/1"
RETIRED, TRUSTED = "retired", "trusted"
MIGRATED = "迁移（旧目录布局）"
_SINCE, _UNTIL = "in-use-since", "retired-at"


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _header(pem: bytes) -> dict[str, str]:
    """The explanatory lines before ``-----BEGIN`` (RFC 7468 allows them; openssl skips them)."""
    text = pem.decode("utf-8", "replace").split("-----BEGIN", 1)[0]
    pairs = (line.partition(":") for line in text.splitlines())
    return {k.strip(): v.strip() for k, _, v in pairs if v}


def _when(text: object) -> datetime | None:
    try:
        return clock.as_utc(datetime.fromisoformat(str(text))) if text else None
    except ValueError:
        return None


def folders(key_path: Path, data_dir: Path | None) -> list[Path]:
    """The key's folder and ``<data_dir>/keys`` when the key lives elsewhere."""
    found = [key_path.parent]
    if data_dir is not None and (data_dir / "keys").resolve() != key_path.parent.resolve():
        found.append(data_dir / "keys")
    return found


def _current(key_path: Path) -> KeyEntry | None:
    public = signing.public_key_path(key_path)
    if public.is_file():
        key, path = signing.load_verify_key(public.read_bytes()), public
    elif key_path.is_file():
        key, path = signing.load_signing_key(key_path.read_bytes()).public_key, key_path
    else:
        return None
    since = _mtime(key_path) if key_path.is_file() else None
    return KeyEntry(key, path, True, since, None, ALL, "当前签名密钥")


def _read_key(path: Path) -> tuple[signing.VerifyKey, bytes]:
    pem = path.read_bytes()
    return signing.load_verify_key(pem), pem


def _legacy(key_path: Path, data_dir: Path | None) -> tuple[list[KeyEntry], list[tuple[Path, str]]]:
    """The old layout's trust, as entries (see the module)."""
    entries: list[KeyEntry] = []
    problems: list[tuple[Path, str]] = []
    peers_folder = (data_dir / "keys" if data_dir is not None else key_path.parent) / TRUSTED
    candidates: list[tuple[Path, frozenset[Purpose]]] = []
    for folder in folders(key_path, data_dir):
        own = sorted((folder / RETIRED).glob("*.pub.pem")) + sorted(folder.glob("*.pub.pem"))
        candidates += [(p, ALL) for p in own]
    candidates += [(p, frozenset({Purpose.PACKAGES})) for p in sorted(peers_folder.glob("*.pem"))]
    for path, purposes in candidates:
        if path == signing.public_key_path(key_path):
            continue
        try:
            key, pem = _read_key(path)
        except (OSError, signing.SigningError) as exc:
            problems.append((path, str(exc)))
            continue
        in_retired = path.parent.name == RETIRED
        if in_retired and path.name != f"{key.key_id}.pub.pem":
            problems.append((path, f"文件名与公钥的 key-id {key.key_id} 不符"))
            continue
        head = _header(pem)
        until = _when(head.get(_UNTIL)) or (_mtime(path) if in_retired else None)
        name = "本办旧密钥" if purposes == ALL else f"对方平台（{path.name}）"
        entries.append(
            KeyEntry(key, path, False, _when(head.get(_SINCE)), until, purposes, name, MIGRATED)
        )
    return entries, problems


def _resolve(folder: Path, file: str) -> Path:
    path = Path(file)
    return path if path.is_absolute() else folder / path


def _listed(folder: Path) -> tuple[list[KeyEntry], list[tuple[Path, str]]]:
    index = folder / INDEX
    try:
        data = json.loads(index.read_text("utf-8"))
        rows = data["keys"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [], [(index, f"密钥环清单无法读取：{exc}")]
    entries: list[KeyEntry] = []
    problems: list[tuple[Path, str]] = []
    for row in rows:
        path = _resolve(folder, str(row.get("file", "")))
        try:
            key, _ = _read_key(path)
            purposes = frozenset(Purpose(p) for p in row["for"])
        except (OSError, signing.SigningError, ValueError, KeyError) as exc:
            problems.append((path, str(exc)))
            continue
        if key.key_id != row.get("key_id"):
            problems.append(
                (path, f"公钥的 key-id {key.key_id} 与清单所记 {row.get('key_id')} 不符")
            )
            continue
        entries.append(
            KeyEntry(
                key,
                path,
                False,
                _when(row.get("since")),
                _when(row.get("until")),
                purposes,
                str(row.get("name", "")),
                str(row.get("added_by", "")),
                _when(row.get("added_at")),
            )
        )
    return entries, problems


def _candidates(key_path: Path, data_dir: Path | None) -> list[Path]:
    found: list[Path] = []
    for folder in folders(key_path, data_dir):
        found += sorted(folder.glob("*.pub.pem")) + sorted((folder / RETIRED).glob("*.pem"))
        found += sorted((folder / TRUSTED).glob("*.pem"))
    return found


def load(key_path: Path, data_dir: Path | None = None) -> Keyring:
    """The keyring of the key at `key_path` (see the module). Unreadable listed files are in
    `problems` and left out; an unreadable current key raises (`SigningError`, `OSError`)."""
    current = _current(key_path)
    index = key_path.parent / INDEX
    legacy = not index.is_file()
    listed, problems = _legacy(key_path, data_dir) if legacy else _listed(key_path.parent)
    entries = [current] if current is not None else []
    for entry in listed:
        if all(e.key_id != entry.key_id for e in entries):
            entries.append(entry)
    known = {e.path.resolve() for e in entries} | {p.resolve() for p, _ in problems}
    known.add(signing.public_key_path(key_path).resolve())
    strays = (
        [] if legacy else [p for p in _candidates(key_path, data_dir) if p.resolve() not in known]
    )
    return Keyring(entries, problems, strays, legacy)


# ---- writing ----------------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to a new file beside `path`, then rename it over `path` (never half a file)."""
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


def _row(folder: Path, entry: KeyEntry) -> dict[str, Any]:
    try:
        file = str(entry.path.resolve().relative_to(folder.resolve()))
    except ValueError:
        file = str(entry.path.resolve())
    when = {
        k: v.isoformat() if v else None
        for k, v in (("since", entry.since), ("until", entry.until), ("added_at", entry.added_at))
    }
    return {
        "key_id": entry.key_id,
        "file": file,
        "for": sorted(entry.purposes),
        "name": entry.name,
        "added_by": entry.added_by,
        **when,
    }


def save(key_path: Path, entries: list[KeyEntry]) -> Path:
    """Record `entries` (the current key is never listed) as the keyring's list."""
    folder = key_path.parent
    rows = [_row(folder, e) for e in entries if not e.current]
    body = {"format": FORMAT, "keys": rows}
    path = folder / INDEX
    write_atomic(
        path, json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8") + b"\n", 0o644
    )
    return path


def key_file(folder: Path, where: str, key: signing.VerifyKey, head: dict[str, str]) -> Path:
    """Keep `key` as ``<folder>/<where>/<key-id>.pub.pem`` with explanatory header lines."""
    (folder / where).mkdir(mode=0o755, exist_ok=True)
    path = folder / where / f"{key.key_id}.pub.pem"
    text = f"key-id: {key.key_id}\n" + "".join(f"{k}: {v}\n" for k, v in head.items() if v)
    write_atomic(path, text.encode("utf-8") + key.public_pem(), 0o644)
    return path


def retired_head(since: datetime | None, until: datetime) -> dict[str, str]:
    return {_SINCE: since.isoformat() if since else "", _UNTIL: until.isoformat()}


def mtime(path: Path) -> datetime:
    return _mtime(path)
