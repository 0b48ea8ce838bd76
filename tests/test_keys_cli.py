"""`xinyong keys rotate` / `keys list` end to end: earlier reports and checkpoints still verify."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli import run_cli as _run
from tests.test_reports_cli import _code
from xinyong import signing


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("var")
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": f"sqlite:///{var / 'x.db'}",
        "XINYONG_DATA_DIR": str(var),
        "XINYONG_TODAY": "2026-11-23",
    }
    _run(env, "init")
    _run(env, "demo", "--count", "20")
    return env


def test_rotate_keeps_earlier_reports_and_checkpoints_verifiable(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    keys = Path(cli_env["XINYONG_DATA_DIR"]) / "keys"
    out = tmp_path / "r.pdf"
    _run(cli_env, "report", _code(cli_env), "--kind", "public", "--out", str(out))
    assert json.loads(_run(cli_env, "jobs", "run", "retention", "--json").stdout)["signed"]
    before = json.loads(_run(cli_env, "keys", "list", "--json").stdout)["keys"]
    assert [k["current"] for k in before] == [True]
    old_id = before[0]["key_id"]

    rotated = _run(cli_env, "keys", "rotate")
    new_id = rotated.stdout.strip()
    assert new_id != old_id
    assert "已轮换签名密钥" in rotated.stderr
    assert (keys / "office-sm2.pem").stat().st_mode & 0o777 == 0o600
    listed = json.loads(_run(cli_env, "keys", "list", "--json").stdout)
    assert [(k["key_id"], k["current"]) for k in listed["keys"]] == [(new_id, True),
                                                                     (old_id, False)]  # fmt: skip
    assert listed["problems"] == []
    shown = _run(cli_env, "keys", "list").stderr
    assert f"{old_id}  已停用" in shown

    ok = _run(cli_env, "report", "verify", str(out), "--json")
    assert json.loads(ok.stdout)["verdict"] == "authentic"
    retired = keys / "retired" / f"{old_id}.pub.pem"
    assert _run(cli_env, "report", "verify", str(out), "--public-key", str(retired)).returncode == 0
    new_only = _run(cli_env, "report", "verify", str(out), "--public-key",
                    str(keys / "office-sm2.pub.pem"), check=False)  # fmt: skip
    assert new_only.returncode == 1  # --public-key: that key only
    openssl = subprocess.run(["openssl", "pkey", "-pubin", "-in", str(retired), "-noout"],
                             capture_output=True, check=False)  # fmt: skip
    assert openssl.returncode == 0  # the retired file is a PEM openssl reads as it is

    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    bad = _run(cli_env, "report", "verify", str(out), check=False)
    assert (bad.returncode, bad.stdout.strip()) == (1, "altered")

    assert "审计链完整" in _run(cli_env, "audit", "verify").stderr
    db = cli_env["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT target_id, actor_label FROM audit_log WHERE action = 'keyring.key.rotated'"
        ).fetchone()
    assert row[0] == new_id
    assert row[1].startswith("命令行:")


def test_rotate_refuses_a_key_path_it_cannot_write(cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    env = {**cli_env, "XINYONG_SIGNING_KEY": str(tmp_path / "file" / "office-sm2.pem")}
    refused = _run(env, "keys", "rotate", check=False)
    assert refused.returncode == 1
    assert "不能轮换签名密钥" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_trust_a_peer_key_and_report_a_stray(cli_env: dict[str, str], tmp_path: Path) -> None:
    keys = Path(cli_env["XINYONG_DATA_DIR"]) / "keys"
    assert (keys / "keyring.json").is_file()  # `xinyong init` wrote the keyring's list
    peer = signing.generate_key()
    pem = tmp_path / "province.pub.pem"
    pem.write_bytes(peer.public_key.public_pem())
    trusted = _run(
        cli_env, "keys", "trust", str(pem), "--for", "packages", "--name", "某省信用平台"
    )
    assert trusted.stdout.strip() == peer.public_key.key_id
    assert "用于 交换包" in trusted.stderr
    wrong = _run(cli_env, "keys", "trust", str(pem), "--for", "all", "--name", "x", check=False)
    assert wrong.returncode == 1
    assert "--for 只能是 reports 或 packages" in wrong.stderr
    stray = keys / "dropped.pub.pem"
    stray.write_bytes(signing.generate_key().public_key.public_pem())
    try:
        listed = json.loads(_run(cli_env, "keys", "list", "--json").stdout)
        peers = [k for k in listed["keys"] if k["key_id"] == peer.public_key.key_id]
        assert [(k["name"], k["for"]) for k in peers] == [("某省信用平台", ["packages"])]
        assert listed["strays"] == [str(stray)]
        assert "未登记，不受信任" in _run(cli_env, "keys", "list").stderr
        doctor = json.loads(_run(cli_env, "doctor", "--json", check=False).stdout)
        check = {c["key"]: c for c in doctor["checks"]}["keyring"]
        assert check["status"] == "warn"
        assert "dropped.pub.pem" in check["detail"]
    finally:
        stray.unlink()
    # a package the peer signed is imported; after `keys untrust` it is refused
    package_dir = tmp_path / "pkg"
    from xinyong.catalog import load_catalog  # noqa: PLC0415
    from xinyong.config import REPO_ROOT  # noqa: PLC0415
    from xinyong.exchange import package  # noqa: PLC0415

    package.write(package.Contents(), package_dir, catalog=load_catalog(REPO_ROOT / "catalogs"),
                  key=peer, node={}, after=None, until="0", changes=0,
                  signed_at=datetime.now(UTC))  # fmt: skip
    assert _run(cli_env, "exchange", "import", str(package_dir)).returncode == 0
    _run(cli_env, "keys", "untrust", peer.public_key.key_id)
    refused = _run(cli_env, "exchange", "import", str(package_dir), check=False)
    assert refused.returncode == 1
    assert "不在本平台密钥环中" in refused.stderr
    db = cli_env["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT action FROM audit_log WHERE target_id = ? ORDER BY id",
                            (peer.public_key.key_id,))  # fmt: skip
        actions = [r[0] for r in rows]
    assert actions == ["keyring.key.trusted", "keyring.key.untrusted"]
