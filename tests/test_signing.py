"""国密 signing: SM3 vectors, SM2 round trips, PEM with OpenSSL, OpenSSL verifies our DER."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from xinyong import signing

OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="openssl command not installed")


def _openssl(*args: str) -> subprocess.CompletedProcess[bytes]:
    assert OPENSSL
    return subprocess.run([OPENSSL, *args], capture_output=True, check=False)


def test_sm3_standard_vector():
    # GB/T 32905-2016 appendix A.1: "abc"
    assert signing.sm3_hex(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_sign_verify_round_trip_and_tamper():
    key = signing.generate_key()
    data = "信用报告 report bytes".encode()
    sig = key.sign(data)
    assert sig[0] == 0x30
    assert key.public_key.verify(data, sig)
    assert not key.public_key.verify(data + b"x", sig)
    assert not key.public_key.verify(data, sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not key.public_key.verify(data, b"not der")
    other = signing.generate_key()
    assert not other.public_key.verify(data, sig)


def test_pem_round_trip(tmp_path: Path):
    path = tmp_path / "keys" / "office-sm2.pem"
    key = signing.ensure_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    pub_path = signing.public_key_path(path)
    assert pub_path.name == "office-sm2.pub.pem"
    again = signing.ensure_key(path)
    assert again == key
    pub = signing.load_verify_key(pub_path.read_bytes())
    assert pub == key.public_key
    assert pub.verify(b"x", key.sign(b"x"))
    with pytest.raises(signing.SigningError):
        signing.load_verify_key(path.read_bytes())


@needs_openssl
def test_openssl_reads_our_keys_and_we_read_its(tmp_path: Path):
    key = signing.generate_key()
    (tmp_path / "k.pem").write_bytes(key.private_pem())
    out = _openssl("pkey", "-in", str(tmp_path / "k.pem"), "-pubout")
    assert out.returncode == 0, out.stderr
    assert signing.load_verify_key(out.stdout) == key.public_key
    gen = _openssl("genpkey", "-algorithm", "SM2", "-out", str(tmp_path / "o.pem"))
    assert gen.returncode == 0, gen.stderr
    theirs = signing.load_signing_key((tmp_path / "o.pem").read_bytes())
    pub = _openssl("pkey", "-in", str(tmp_path / "o.pem"), "-pubout").stdout
    assert signing.load_verify_key(pub) == theirs.public_key


@needs_openssl
def test_openssl_verifies_our_signature_and_we_verify_its(tmp_path: Path):
    key = signing.generate_key()
    data = ("一份报告替代一摞证明。" * 500).encode()
    (tmp_path / "data.bin").write_bytes(data)
    (tmp_path / "data.sig").write_bytes(key.sign(data))
    (tmp_path / "pub.pem").write_bytes(key.public_key.public_pem())
    (tmp_path / "k.pem").write_bytes(key.private_pem())
    common = ["-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678"]

    def verify() -> subprocess.CompletedProcess[bytes]:
        return _openssl("pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"),
                        *common, "-in", str(tmp_path / "data.bin"),
                        "-sigfile", str(tmp_path / "data.sig"))  # fmt: skip

    ok = verify()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert b"Signature Verified Successfully" in ok.stdout
    (tmp_path / "data.bin").write_bytes(data[:-1] + b"!")
    bad = verify()
    assert bad.returncode != 0
    (tmp_path / "data.bin").write_bytes(data)
    signed = _openssl(
        "pkeyutl",
        "-sign",
        "-inkey",
        str(tmp_path / "k.pem"),
        *common,
        "-in",
        str(tmp_path / "data.bin"),
        "-out",
        str(tmp_path / "theirs.sig"),
    )
    assert signed.returncode == 0, signed.stderr
    assert key.public_key.verify(data, (tmp_path / "theirs.sig").read_bytes())
