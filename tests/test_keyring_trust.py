"""What the keyring trusts, and for what: exchange packages by key id within the key's period of
use (the office's retired keys and the peers' keys trusted with `keys trust`), reports only by
the office's own keys, nothing by a file dropped into keys/; an old keys folder migrated keeps
everything it verified."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests.test_keyring import _issue
from xinyong import audit, keyring, reports, signing
from xinyong.audit import Actor, AuditAction
from xinyong.audit.titles import ACTION_TITLES
from xinyong.catalog import Catalog
from xinyong.errors import InvalidInput
from xinyong.exchange import intake, package
from xinyong.reports import Verdict

SYSTEM = Actor.system("测试")
ROTATED = datetime(2026, 11, 30, 4, 30, tzinfo=UTC)
BEFORE, AFTER = ROTATED - timedelta(days=1), ROTATED + timedelta(minutes=1)


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(path)
    return path


def _package(to: Path, key: signing.SigningKey, catalog: Catalog, signed_at: datetime) -> Path:
    package.write(package.Contents(), to, catalog=catalog, key=key, node={}, after=None,
                  until="0", changes=0, signed_at=signed_at)  # fmt: skip
    return to


def _verify(folder: Path, ring: keyring.Keyring, catalog: Catalog) -> None:
    intake.verify(folder, ring, catalog)


def test_a_retired_key_verifies_what_it_signed_while_in_use_and_nothing_after(
    session: Session, key_path: Path, catalog: Catalog, tmp_path: Path
) -> None:
    old = signing.load_signing_key(key_path.read_bytes())
    while_current = _package(tmp_path / "before", old, catalog, BEFORE)
    ring = keyring.load(key_path)
    _verify(while_current, ring, catalog)  # the current key: accepted
    keyring.rotate(session, key_path, actor=SYSTEM, now=ROTATED)
    ring = keyring.load(key_path)
    retired = ring.entry(old.public_key.key_id)
    assert retired is not None
    assert retired.until == ROTATED
    assert retired.purposes == {keyring.Purpose.REPORTS, keyring.Purpose.PACKAGES}
    _verify(while_current, ring, catalog)  # signed while it was current: still accepted
    # the old private key used after its retirement (a copy kept somewhere): refused, saying why
    late = _package(tmp_path / "after", old, catalog, AFTER)
    with pytest.raises(package.PackageRefused) as refused:
        _verify(late, ring, catalog)
    message = refused.value.message
    assert f"签名密钥 {old.public_key.key_id}" in message
    assert "已于 北京时间 2026-11-30 12:30:00 停用" in message
    assert "停用后的签名不予接受" in message
    assert message.endswith("整包拒收")
    # a package that does not say when it was signed cannot be placed before the retirement
    manifest = json.loads((while_current / package.MANIFEST).read_bytes())
    del manifest["signed_at"]
    body = json.dumps(manifest).encode()
    (while_current / package.MANIFEST).write_bytes(body)
    (while_current / package.SIGNATURE).write_bytes(old.sign(body))
    with pytest.raises(package.PackageRefused, match="签名未注明时间"):
        _verify(while_current, ring, catalog)
    # the new current key signs packages with no period to check
    new = signing.load_signing_key(key_path.read_bytes())
    _verify(_package(tmp_path / "new", new, catalog, AFTER), ring, catalog)


def test_a_peer_key_is_trusted_for_packages_only_after_keys_trust(
    session: Session, key_path: Path, catalog: Catalog, today: date, tmp_path: Path
) -> None:
    peer = signing.generate_key()
    pem = tmp_path / "province.pub.pem"
    pem.write_bytes(peer.public_key.public_pem())
    theirs = _package(tmp_path / "theirs", peer, catalog, BEFORE)
    with pytest.raises(package.PackageRefused, match="不在本平台密钥环中"):
        _verify(theirs, keyring.load(key_path), catalog)
    entry = keyring.trust(session, key_path, pem, purposes=frozenset({keyring.Purpose.PACKAGES}),
                          name="某省信用平台", actor=SYSTEM, now=ROTATED)  # fmt: skip
    assert entry.path == key_path.parent / "trusted" / f"{peer.public_key.key_id}.pub.pem"
    ring = keyring.load(key_path)
    _verify(theirs, ring, catalog)
    assert peer.public_key.key_id not in ring  # reports: the office's own keys only
    assert [e.name for e in ring.peers] == ["某省信用平台"]
    row = audit.list_audit(session, action=AuditAction.KEY_TRUSTED, limit=1)[0]
    assert row.target_id == peer.public_key.key_id
    assert row.after is not None
    assert row.after["for"] == ["packages"]
    assert ACTION_TITLES[AuditAction.KEY_TRUSTED] == "登记受信任的公钥"
    # a report signed with the peer's key is not ours
    data = _issue(session, key_path, catalog, today)
    opened = reports.seal.open_report(data)
    forged = reports.seal.seal(opened.signed, peer)
    assert reports.check_file(forged, ring, today=today).verdict == Verdict.ALTERED
    # no longer trusted: refused again, audited
    keyring.untrust(session, key_path, peer.public_key.key_id, actor=SYSTEM)
    with pytest.raises(package.PackageRefused, match="不在本平台密钥环中"):
        _verify(theirs, keyring.load(key_path), catalog)
    assert audit.list_audit(session, action=AuditAction.KEY_UNTRUSTED, limit=1)
    assert keyring.load(key_path).strays == [entry.path]  # its file stays, untrusted


def test_trust_refuses_what_it_cannot_use(session: Session, key_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    packages = frozenset({keyring.Purpose.PACKAGES})
    with pytest.raises(InvalidInput, match="不是 SM2 公钥"):
        keyring.trust(session, key_path, bad, purposes=packages, name="x", actor=SYSTEM,
                      now=ROTATED)  # fmt: skip
    own = signing.public_key_path(key_path)
    with pytest.raises(InvalidInput, match="当前的签名密钥"):
        keyring.trust(session, key_path, own, purposes=packages, name="x", actor=SYSTEM,
                      now=ROTATED)  # fmt: skip
    with pytest.raises(InvalidInput, match="--name"):
        keyring.trust(session, key_path, own, purposes=packages, name=" ", actor=SYSTEM,
                      now=ROTATED)  # fmt: skip
    with pytest.raises(InvalidInput, match="不在密钥环中"):
        keyring.untrust(session, key_path, "0123456789abcdef", actor=SYSTEM)


def test_a_file_dropped_into_keys_is_not_trusted_for_reports(
    session: Session, key_path: Path, catalog: Catalog, today: date, tmp_path: Path
) -> None:
    keyring.migrate(key_path, None)  # an installation with the keyring's list
    stranger = signing.generate_key()
    dropped = key_path.parent / "stranger.pub.pem"
    dropped.write_bytes(stranger.public_key.public_pem())
    forged = reports.seal.seal(
        reports.seal.open_report(_issue(session, key_path, catalog, today)).signed, stranger
    )
    ring = keyring.load(key_path)
    assert stranger.public_key.key_id not in ring
    assert ring.strays == [dropped]
    assert reports.check_file(forged, ring, today=today).verdict == Verdict.ALTERED
    # trusted on purpose, with a name, it verifies (an old office key kept elsewhere)
    keyring.trust(session, key_path, dropped, purposes=frozenset({keyring.Purpose.REPORTS}),
                  name="本办 2025 年密钥", actor=SYSTEM, now=ROTATED)  # fmt: skip
    ring = keyring.load(key_path)
    assert ring.strays == [dropped]  # the file itself stays a stray: the copy in trusted/ counts
    assert reports.check_file(forged, ring, today=today).verdict == Verdict.AUTHENTIC


def test_an_old_keys_folder_is_migrated_and_keeps_its_reports_verifiable(
    session: Session, catalog: Catalog, today: date, tmp_path: Path
) -> None:
    """The layout before the keyring's list: a key renamed by hand beside the current one, a
    rotation's retired/ file, a peer's key in trusted/ — and a report signed by the oldest."""
    keys = tmp_path / "keys"
    first = keys / "office-sm2.pem"
    signing.ensure_key(first)
    report = _issue(session, first, catalog, today)
    first_id = reports.seal.open_report(report).key_id
    # the guide's old renaming rotation: the new key beside the old, the setting moved to it
    current = keys / "office-sm2-2027.pem"
    signing.ensure_key(current)
    first.unlink()  # only the public key of the old one stays
    retired_key = signing.generate_key().public_key
    (keys / "retired").mkdir()
    (keys / "retired" / f"{retired_key.key_id}.pub.pem").write_bytes(
        b"retired-at: 2026-06-01T00:00:00+00:00\n" + retired_key.public_pem()
    )
    peer = signing.generate_key()
    (keys / "trusted").mkdir()
    (keys / "trusted" / "province.pem").write_bytes(peer.public_key.public_pem())

    before = keyring.load(current, tmp_path)
    assert before.legacy
    assert reports.check_file(report, before, today=today).verdict == Verdict.AUTHENTIC

    written = keyring.migrate(current, tmp_path)
    assert written == keys / keyring.INDEX
    assert keyring.migrate(current, tmp_path) is None  # once
    listed = {row["key_id"]: row for row in json.loads(written.read_text("utf-8"))["keys"]}
    assert set(listed) == {first_id, retired_key.key_id, peer.public_key.key_id}
    assert listed[first_id]["for"] == ["packages", "reports"]
    assert listed[peer.public_key.key_id]["for"] == ["packages"]
    assert listed[retired_key.key_id]["until"] == "2026-06-01T00:00:00+00:00"

    after = keyring.load(current, tmp_path)
    assert not after.legacy
    assert after.strays == []
    assert reports.check_file(report, after, today=today).verdict == Verdict.AUTHENTIC
    assert peer.public_key.key_id not in after
    _verify(_package(tmp_path / "p", peer, catalog, BEFORE), after, catalog)
    # after the migration, a newly dropped file is a stray and trusted for nothing
    late = signing.generate_key().public_key
    (keys / "trusted" / "late.pem").write_bytes(late.public_pem())
    ring = keyring.load(current, tmp_path)
    assert ring.strays == [keys / "trusted" / "late.pem"]
    assert ring.entry(late.key_id) is None


def test_a_report_dated_after_its_keys_retirement_is_not_ours(
    session: Session, key_path: Path, catalog: Catalog, today: date
) -> None:
    data = _issue(session, key_path, catalog, today)
    keyring.rotate(session, key_path, actor=SYSTEM, now=ROTATED)
    ring = keyring.load(key_path)
    assert reports.check_file(data, ring, today=today).verdict == Verdict.AUTHENTIC
    # the same key said to have retired the day before the report's issue day
    listed = json.loads((key_path.parent / keyring.INDEX).read_text("utf-8"))
    issued = reports.seal.open_report(data).issued
    assert issued is not None
    listed["keys"][0]["until"] = f"{issued - timedelta(days=1)}T00:00:00+00:00"
    (key_path.parent / keyring.INDEX).write_text(json.dumps(listed), "utf-8")
    late = keyring.load(key_path)
    assert reports.check_file(data, late, today=today).verdict == Verdict.ALTERED
