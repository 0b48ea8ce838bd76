"""The signature trailer of a report PDF: SM2 over every byte before it.

A signed report is ``P ‖ T``: ``P`` is the PDF exactly as rendered (it ends with ``%%EOF``) and
``T`` is a block of PDF comment lines appended after it, which PDF readers ignore::

    %XINYONG-SM2-SIGNATURE
    % alg: SM2-with-SM3; distid: 1234567812345678
    % key-id: 0123456789abcdef
    % signed-bytes: 123456
    % sig: <base64 of the DER signature>
    %XINYONG-SM2-SIGNATURE-END

The signature covers all of ``P`` — every object, content stream, font and the Info dictionary
whose Keywords carry the report number and validity — so changing any byte a reader sees fails.
docs/reports.md shows how to check it with ``openssl`` alone.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date

from xinyong import signing

MARK = b"%XINYONG-SM2-SIGNATURE\n"
END = b"%XINYONG-SM2-SIGNATURE-END\n"
_KEYWORDS = re.compile(
    rb"xinyong-report number=(\w{22}) kind=(\w+) issued=(\d{4}-\d\d-\d\d) "
    rb"valid-until=(\d{4}-\d\d-\d\d)"
)


def seal(pdf: bytes, key: signing.SigningKey) -> bytes:
    """Append the signature trailer over `pdf`."""
    signature = key.sign(pdf)
    trailer = (
        MARK
        + b"% alg: SM2-with-SM3; distid: "
        + signing.DIST_ID
        + b"\n"
        + f"% key-id: {key.public_key.key_id}\n".encode()
        + f"% signed-bytes: {len(pdf)}\n".encode()
        + b"% sig: "
        + base64.b64encode(signature)
        + b"\n"
        + END
    )
    return pdf + trailer


@dataclass(frozen=True, slots=True)
class Opened:
    """A report file split into what was signed and its trailer."""

    signed: bytes
    signature: bytes | None
    key_id: str | None
    number: str | None
    kind: str | None
    issued: date | None
    valid_until: date | None


def open_report(data: bytes) -> Opened:
    """Split a file; fields are None when the trailer or the Keywords are missing."""
    at = data.rfind(MARK)
    if at < 0 or not data.endswith(END):
        signed, signature, key_id = data, None, None
    else:
        signed, trailer = data[:at], data[at:]
        fields = dict(
            line[2:].split(b": ", 1)
            for line in trailer.splitlines()
            if line.startswith(b"% ") and b": " in line
        )
        try:
            signature = base64.b64decode(fields.get(b"sig", b""), validate=True) or None
        except ValueError:
            signature = None
        key_id = fields.get(b"key-id", b"").decode("ascii", "replace") or None
        if fields.get(b"signed-bytes", b"").decode("ascii", "replace") != str(len(signed)):
            signature = None
    found = _KEYWORDS.search(signed)
    if found is None:
        return Opened(signed, signature, key_id, None, None, None, None)
    number, kind, issued, until = (g.decode("ascii") for g in found.groups())
    return Opened(
        signed,
        signature,
        key_id,
        number,
        kind,
        date.fromisoformat(issued),
        date.fromisoformat(until),
    )


def signature_holds(opened: Opened, public_key: signing.VerifyKey) -> bool:
    return opened.signature is not None and public_key.verify(opened.signed, opened.signature)
