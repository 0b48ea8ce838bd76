"""The office's keyring: a key rotation keeps reports and retention checkpoints verifiable."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.factories import make_subject
from xinyong import audit, keyring, reports, signing
from xinyong.audit import Actor, AuditAction
from xinyong.audit.titles import ACTION_TITLES, TARGET_TITLES
from xinyong.catalog import Catalog
from xinyong.config import REPO_ROOT
from xinyong.db.tables import LogCheckpoint
from xinyong.errors import ConfigurationError
from xinyong.reports import ReportKind, Request, Verdict, seal

SYSTEM = Actor.system("测试")
NOW = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(path)
    return path


def _issuer(key_path: Path) -> reports.Issuer:
    return reports.Issuer(
        key=signing.load_signing_key(key_path.read_bytes()),
        name="示范区社会信用体系建设领导小组办公室",
        base_url="http://127.0.0.1:8000",
        config=reports.load_domains(REPO_ROOT / "catalogs"),
    )


def _issue(session: Session, key_path: Path, catalog: Catalog, today: date) -> bytes:
    issued = reports.issue(session, make_subject(session), Request(ReportKind.PUBLIC),
                           actor=SYSTEM, issuer=_issuer(key_path), catalog=catalog,
                           today=today)  # fmt: skip
    return issued.data


def test_a_report_signed_before_a_rotation_still_verifies(
    session: Session, catalog: Catalog, today: date, key_path: Path
) -> None:
    data = _issue(session, key_path, catalog, today)
    old_id = seal.open_report(data).key_id
    done = keyring.rotate(session, key_path, actor=SYSTEM, now=NOW)
    assert done.old_key_id == old_id != done.new_key_id
    ring = keyring.load(key_path)
    assert set(ring) == {old_id, done.new_key_id}
    assert ring.current is not None
    assert ring.current.key_id == done.new_key_id
    assert [e.key_id for e in ring.retired] == [old_id]
    assert ring.retired[0].until == NOW
    assert reports.verify_file(session, data, ring, today=today).verdict == Verdict.AUTHENTIC
    assert reports.check_file(data, ring, today=today).verdict == Verdict.AUTHENTIC
    # only the current key (the old behaviour, or --public-key with the new key): not ours
    new_public = signing.load_verify_key(signing.public_key_path(key_path).read_bytes())
    assert new_public.key_id == done.new_key_id
    assert reports.check_file(data, new_public, today=today).verdict == Verdict.ALTERED
    # a report altered after the rotation still fails
    altered = data.replace(b"/Producer", b"/Producex", 1)
    assert altered != data
    assert reports.verify_file(session, altered, ring, today=today).verdict == Verdict.ALTERED
    # the new key signs new reports, which verify too
    fresh = _issue(session, key_path, catalog, today)
    assert seal.open_report(fresh).key_id == done.new_key_id
    assert reports.verify_file(session, fresh, ring, today=today).verdict == Verdict.AUTHENTIC


def test_an_unknown_key_id_is_not_ours(
    session: Session, catalog: Catalog, today: date, key_path: Path
) -> None:
    data = _issue(session, key_path, catalog, today)
    ring = keyring.load(key_path)
    unknown = re.sub(rb"% key-id: [0-9a-f]{16}", b"% key-id: 0123456789abcdef", data)
    missing = re.sub(rb"% key-id: [0-9a-f]{16}\n", b"", data)
    for changed in (unknown, missing):
        assert changed != data
        result = reports.verify_file(session, changed, ring, today=today)
        assert result.verdict == Verdict.ALTERED
        assert result.signature_ok is False
        assert "已被改动或不是本平台签发" in result.message
    # another office's key with its own id in the trailer: not in our keyring
    stranger = signing.generate_key()
    theirs = seal.seal(seal.open_report(data).signed, stranger)
    assert reports.check_file(theirs, ring, today=today).verdict == Verdict.ALTERED
    assert reports.check_file(theirs, stranger.public_key, today=today).verdict == (
        Verdict.AUTHENTIC  # --public-key: that key only, as another province checks its own
    )


def test_rotation_keeps_no_private_key_and_is_audited(session: Session, key_path: Path) -> None:
    old_private = key_path.read_bytes()
    done = keyring.rotate(session, key_path, actor=SYSTEM, now=NOW)
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert key_path.read_bytes() != old_private
    assert signing.load_signing_key(key_path.read_bytes()).public_key.key_id == done.new_key_id
    retired = key_path.parent / "retired" / f"{done.old_key_id}.pub.pem"
    assert done.retired_path == retired
    assert signing.load_verify_key(retired.read_bytes()).key_id == done.old_key_id
    for path in key_path.parent.rglob("*"):
        if path.is_file():
            assert path.read_bytes() != old_private
            assert b"PRIVATE KEY" not in path.read_bytes() or path == key_path
    row = audit.list_audit(session, action=AuditAction.KEY_ROTATED, limit=1)[0]
    assert row.target_id == done.new_key_id
    assert row.before == {"key_id": done.old_key_id, "path": str(key_path)}
    assert ACTION_TITLES[AuditAction.KEY_ROTATED] == "轮换信用办签名密钥"
    assert TARGET_TITLES["signing_key"] == "信用办签名密钥"


def test_rotation_refuses_a_path_it_cannot_write(
    session: Session, tmp_path: Path, key_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(ConfigurationError, match=r"不能轮换签名密钥：签名密钥目录 .*不是目录"):
        keyring.rotate(session, not_a_folder / "office-sm2.pem", actor=SYSTEM, now=NOW)
    before = key_path.read_bytes()

    def read_only(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")  # a read-only mount; root ignores chmod

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(ConfigurationError, match=r"签名密钥目录 .* 不可写（Permission denied）"):
        keyring.rotate(session, key_path, actor=SYSTEM, now=NOW)
    monkeypatch.undo()
    assert key_path.read_bytes() == before
    assert not (key_path.parent / "retired").exists()
    with pytest.raises(ConfigurationError, match="找不到当前私钥"):
        keyring.rotate(session, tmp_path / "none.pem", actor=SYSTEM, now=NOW)
    assert audit.list_audit(session, action=AuditAction.KEY_ROTATED, limit=1) == []


def test_a_renamed_key_path_still_finds_the_old_key_by_id(tmp_path: Path) -> None:
    """The guide's older way: a new file beside the old one and XINYONG_SIGNING_KEY moved to it;
    or a key outside the data folder whose predecessor stayed in `<data_dir>/keys`."""
    old = signing.ensure_key(tmp_path / "keys" / "office-sm2.pem").public_key
    new = signing.ensure_key(tmp_path / "keys" / "office-sm2-2027.pem").public_key
    ring = keyring.load(tmp_path / "keys" / "office-sm2-2027.pem", tmp_path)
    assert ring.current is not None
    assert ring.current.key_id == new.key_id
    assert ring[old.key_id] == old
    elsewhere = signing.ensure_key(tmp_path / "etc" / "office.pem").public_key
    ring = keyring.load(tmp_path / "etc" / "office.pem", tmp_path)
    assert set(ring) == {elsewhere.key_id, old.key_id, new.key_id}
    (tmp_path / "keys" / "trusted").mkdir()
    other = signing.generate_key().public_key
    (tmp_path / "keys" / "trusted" / "other.pub.pem").write_bytes(other.public_pem())
    assert other.key_id not in keyring.load(tmp_path / "etc" / "office.pem", tmp_path)


def test_files_dropped_into_retired_are_named_not_trusted(session: Session, key_path: Path) -> None:
    done = keyring.rotate(session, key_path, actor=SYSTEM, now=NOW)
    folder = key_path.parent / "retired"
    (folder / "broken.pub.pem").write_text("not a key")
    stranger = signing.generate_key().public_key
    (folder / "0000000000000000.pub.pem").write_bytes(stranger.public_pem())
    ring = keyring.load(key_path)
    assert set(ring) == {done.old_key_id, done.new_key_id}
    assert ring.problems == []
    assert sorted(p.name for p in ring.strays) == ["0000000000000000.pub.pem",
                                                   "broken.pub.pem"]  # fmt: skip


def test_a_checkpoint_signed_before_a_rotation_still_verifies(
    session: Session, key_path: Path
) -> None:
    audit.record(session, SYSTEM, AuditAction.DEMO_LOADED, target_type="demo")
    old = signing.load_signing_key(key_path.read_bytes())
    future = datetime.now(UTC) + timedelta(days=1)
    checkpoint = audit.purge_before(session, future, actor=SYSTEM, key=old, retention_years=5)
    assert checkpoint.key_id == old.public_key.key_id
    keyring.rotate(session, key_path, actor=SYSTEM, now=NOW)
    ring = keyring.load(key_path)
    report = audit.verify_chain(session, ring)
    assert report.ok, report.problem
    assert report.checked == 2  # the purge's own row and the rotation's
    current = signing.load_signing_key(key_path.read_bytes()).public_key
    assert not audit.verify_chain(session, current).ok  # the current key alone cannot
    session.execute(  # a checkpoint naming a key we never had
        update(LogCheckpoint).where(LogCheckpoint.id == checkpoint.id)
        .values(key_id="0123456789abcdef")
    )  # fmt: skip
    unknown = audit.verify_chain(session, ring)
    assert not unknown.ok
    assert "签名无效" in str(unknown.problem)
