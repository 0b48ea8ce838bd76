"""国密 signing: SM3 digests and SM2 signatures that OpenSSL's own SM2 verifies.

Owns: the SM2 key pair of the credit office (generate, PEM in and out), signing and verifying
bytes with SM2 over SM3 with the distinguishing ID ``1234567812345678`` (GB/T 35276 default), DER
signatures (``SEQUENCE {INTEGER r, INTEGER s}``), and the SM3 digest.
Does not: decide what is signed (reports, exchange packages do), or read settings (the surfaces
pass the key's path; ``ensure_key`` creates the demo key for ``xinyong init``).

Stable API (other branches call exactly these; keep them):

    sm3(data) -> bytes                      32-byte SM3 digest
    sm3_hex(data) -> str                    the same, 64 hex characters
    generate_key() -> SigningKey            a fresh key pair (CSPRNG)
    load_signing_key(pem: bytes) -> SigningKey       PKCS#8 "PRIVATE KEY" PEM (openssl genpkey)
    load_verify_key(pem: bytes) -> VerifyKey         SubjectPublicKeyInfo "PUBLIC KEY" PEM
    ensure_key(path: Path) -> SigningKey    load, or create (0600) and write PATH and PATH.pub
    SigningKey.sign(data) -> bytes          DER signature
    SigningKey.public_key -> VerifyKey
    SigningKey.private_pem() -> bytes
    VerifyKey.verify(data, signature) -> bool        never raises on a bad signature
    VerifyKey.public_pem() -> bytes
    VerifyKey.key_id -> str                 first 16 hex characters of SM3(public key DER)
    key_for(keys, key_id) -> VerifyKey | None        the key a signature's key id names
    DIST_ID                                 b"1234567812345678"

Interoperability, checked by tests/test_signing.py::test_openssl_verifies_our_signature:

    openssl pkeyutl -verify -pubin -inkey office.pub.pem -rawin -digest sm3 \\
        -pkeyopt distid:1234567812345678 -in data.bin -sigfile data.sig

The curve arithmetic is gmssl's (pure Python, ~10 ms per signature); the SM3 hashing (Z value and
message digest) is done here with ``cryptography``'s C SM3 so that large inputs stay fast. Two
gmssl traps are avoided: its default nonce uses ``random`` (we pass ``secrets``), and its
``lstrip("04")`` of the public key (we set the 128-hex key after construction).
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from gmssl.sm2 import CryptSM2, default_ecc_table

DIST_ID = b"1234567812345678"

_N = int(default_ecc_table["n"], 16)
_CURVE_Z_PREFIX = bytes.fromhex(
    default_ecc_table["a"] + default_ecc_table["b"] + default_ecc_table["g"]
)
# DER pieces: AlgorithmIdentifier {id-ecPublicKey, sm2}
_ALG_ID = bytes.fromhex("301306072a8648ce3d020106082a811ccf5501822d")
_SHORT_FORM = 0x80  # DER lengths below this are one byte
_PRIVATE_LABEL = "PRIVATE KEY"
_PUBLIC_LABEL = "PUBLIC KEY"


class SigningError(ValueError):
    """A key file that is not an SM2 key, or a signature that is not DER."""


def sm3(data: bytes) -> bytes:
    """SM3 digest (GB/T 32905) of ``data``."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


# --- minimal DER (only what SM2 keys and signatures need) -------------------------------------


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < _SHORT_FORM:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def _der_int(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")  # leading 0 keeps it positive
    return _der(0x02, raw)


def _tlvs(data: bytes) -> list[tuple[int, bytes]]:
    """Split concatenated DER elements into (tag, body) pairs."""
    out, i = [], 0
    while i < len(data):
        if i + 2 > len(data):
            raise SigningError("DER 数据被截断")
        tag, first = data[i], data[i + 1]
        i += 2
        if first < _SHORT_FORM:
            length = first
        else:
            count = first & 0x7F
            length = int.from_bytes(data[i : i + count], "big")
            i += count
        if i + length > len(data):
            raise SigningError("DER 数据被截断")
        out.append((tag, data[i : i + length]))
        i += length
    return out


def _one(data: bytes, tag: int) -> bytes:
    items = _tlvs(data)
    if len(items) != 1 or items[0][0] != tag:
        raise SigningError("不是预期的 DER 结构")
    return items[0][1]


def _pem(label: str, der: bytes) -> bytes:
    b64 = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return (f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n").encode()


def _unpem(pem: bytes, label: str) -> bytes:
    text = pem.decode("ascii", errors="replace")
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    if begin not in text or end not in text:
        raise SigningError(f"不是 {label} PEM 文件")
    body = text.split(begin, 1)[1].split(end, 1)[0]
    return base64.b64decode("".join(body.split()))


def signature_to_der(r: int, s: int) -> bytes:
    return _der(0x30, _der_int(r) + _der_int(s))


def signature_from_der(signature: bytes) -> tuple[int, int]:
    items = _tlvs(_one(signature, 0x30))
    if len(items) != 2 or any(tag != 0x02 for tag, _ in items):  # noqa: PLR2004
        raise SigningError("签名不是 SEQUENCE {r, s}")
    return int.from_bytes(items[0][1], "big"), int.from_bytes(items[1][1], "big")


# --- keys ------------------------------------------------------------------------------------


def _engine(private_hex: str, public_hex: str) -> CryptSM2:
    engine = CryptSM2(private_key=private_hex, public_key="00")
    engine.public_key = public_hex  # 128 hex x‖y; never through gmssl's lstrip("04")
    return engine


@dataclass(frozen=True, slots=True)
class VerifyKey:
    """An SM2 public key (x‖y as 128 hex characters)."""

    public_hex: str

    def spki_der(self) -> bytes:
        point = b"\x04" + bytes.fromhex(self.public_hex)
        return _der(0x30, _ALG_ID + _der(0x03, b"\x00" + point))

    def public_pem(self) -> bytes:
        return _pem(_PUBLIC_LABEL, self.spki_der())

    @property
    def key_id(self) -> str:
        return sm3_hex(self.spki_der())[:16]

    def digest_e(self, data: bytes) -> bytes:
        """e = SM3(Z ‖ M), Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) (GB/T 32918.2)."""
        entl = (len(DIST_ID) * 8).to_bytes(2, "big")
        z = sm3(entl + DIST_ID + _CURVE_Z_PREFIX + bytes.fromhex(self.public_hex))
        digest = hashes.Hash(hashes.SM3())
        digest.update(z)
        digest.update(data)
        return digest.finalize()

    def verify(self, data: bytes, signature: bytes) -> bool:
        try:
            r, s = signature_from_der(signature)
        except SigningError:
            return False
        if not (0 < r < _N and 0 < s < _N):
            return False
        engine = _engine("00", self.public_hex)
        return bool(engine.verify(f"{r:064x}{s:064x}", self.digest_e(data)))


@dataclass(frozen=True, slots=True)
class SigningKey:
    """An SM2 private key with its public key."""

    private_hex: str
    public_key: VerifyKey

    def sign(self, data: bytes) -> bytes:
        """DER signature of ``data`` (SM2 with SM3, distinguishing ID ``DIST_ID``)."""
        engine = _engine(self.private_hex, self.public_key.public_hex)
        e = self.public_key.digest_e(data)
        while True:  # a nonce giving r = 0 or s = 0 is retried with a fresh one
            k = secrets.randbelow(_N - 1) + 1
            raw = engine.sign(e, f"{k:064x}")
            if raw:
                return signature_to_der(int(raw[:64], 16), int(raw[64:], 16))

    def private_pem(self) -> bytes:
        d = bytes.fromhex(self.private_hex)
        point = b"\x04" + bytes.fromhex(self.public_key.public_hex)
        ec_private = _der(
            0x30, _der_int(1) + _der(0x04, d) + _der(0xA1, _der(0x03, b"\x00" + point))
        )
        return _pem(_PRIVATE_LABEL, _der(0x30, _der_int(0) + _ALG_ID + _der(0x04, ec_private)))


def _public_from_private(private_hex: str) -> VerifyKey:
    point = _engine(private_hex, "00")._kg(int(private_hex, 16), default_ecc_table["g"])
    return VerifyKey(point)


def generate_key() -> SigningKey:
    d = secrets.randbelow(_N - 2) + 1
    private_hex = f"{d:064x}"
    return SigningKey(private_hex, _public_from_private(private_hex))


def load_signing_key(pem: bytes) -> SigningKey:
    """An SM2 private key from PKCS#8 PEM (as `openssl genpkey -algorithm SM2` writes)."""
    items = _tlvs(_one(_unpem(pem, _PRIVATE_LABEL), 0x30))
    if len(items) < 3 or items[1] != (0x30, _ALG_ID[2:]) or items[2][0] != 0x04:  # noqa: PLR2004
        raise SigningError("不是 SM2 私钥（算法标识应为 id-ecPublicKey + sm2）")
    inner = _tlvs(_one(items[2][1], 0x30))
    if len(inner) < 2 or inner[1][0] != 0x04 or len(inner[1][1]) != 32:  # noqa: PLR2004
        raise SigningError("SM2 私钥结构不正确")
    private_hex = inner[1][1].hex()
    return SigningKey(private_hex, _public_from_private(private_hex))


def load_verify_key(pem: bytes) -> VerifyKey:
    """An SM2 public key from SubjectPublicKeyInfo PEM (`openssl pkey -pubout`)."""
    items = _tlvs(_one(_unpem(pem, _PUBLIC_LABEL), 0x30))
    if len(items) != 2 or items[0] != (0x30, _ALG_ID[2:]) or items[1][0] != 0x03:  # noqa: PLR2004
        raise SigningError("不是 SM2 公钥（算法标识应为 id-ecPublicKey + sm2）")
    bits = items[1][1]
    if len(bits) != 66 or bits[:2] != b"\x00\x04":  # noqa: PLR2004
        raise SigningError("SM2 公钥应为未压缩点（04‖x‖y）")
    return VerifyKey(bits[2:].hex())


def key_for(keys: VerifyKey | Mapping[str, VerifyKey], key_id: str | None) -> VerifyKey | None:
    """The public key to check a signature with: a single key is used as given (an offline check
    with one named key); from a keyring (``keyring.Keyring``: key id → key), the key the
    signature's key id names, or None for an unknown or missing key id."""
    if isinstance(keys, VerifyKey):
        return keys
    return keys.get(key_id) if key_id else None


def public_key_path(private_path: Path) -> Path:
    """Where the public key beside a private key file lives: ``<name>.pub.pem``."""
    return private_path.with_name(private_path.name.removesuffix(".pem") + ".pub.pem")


def ensure_key(path: Path) -> SigningKey:
    """Load the key at ``path``; if absent, create one (file mode 0600) and its public PEM."""
    if path.exists():
        return load_signing_key(path.read_bytes())
    key = generate_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key.private_pem())
    public_key_path(path).write_bytes(key.public_key.public_pem())
    return key
