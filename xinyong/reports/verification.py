"""Verifying a credit report: authentic / altered / revoked / expired / unknown, from the file
(its signature trailer and the snapshot row) or from its number (`/reports/verify`, the API and
`xinyong report verify`). Issuing and revoking: `reports/issue.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import audit, keyring, signing
from xinyong.db.tables import Report
from xinyong.reports import seal


class Verdict(StrEnum):
    AUTHENTIC = "authentic"
    ALTERED = "altered"
    REVOKED = "revoked"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return {
            "authentic": "真实有效",
            "altered": "已被改动或不是本平台签发",
            "revoked": "已撤销",
            "expired": "已过有效期",
            "unknown": "本平台无此报告编号",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Verification:
    verdict: Verdict
    number: str | None
    kind: str | None = None
    valid_until: date | None = None
    signature_ok: bool | None = None
    registered: bool | None = None
    revoked_at: datetime | None = None
    revoke_reason: str | None = None
    subject_name: str | None = None

    @property
    def message(self) -> str:
        text = f"报告 {self.number or '（无编号）'}：{self.verdict.label}"
        if self.verdict == Verdict.REVOKED and self.revoke_reason:
            text += f"（撤销理由：{self.revoke_reason}）"
        if self.verdict == Verdict.EXPIRED and self.valid_until:
            text += f"（有效期至 {self.valid_until.isoformat()}）"
        return text

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = audit.jsonable(
            {
                "verdict": self.verdict.value,
                "label": self.verdict.label,
                "message": self.message,
                "number": self.number,
                "kind": self.kind,
                "valid_until": self.valid_until,
                "signature_ok": self.signature_ok,
                "registered": self.registered,
                "revoked_at": self.revoked_at,
                "revoke_reason": self.revoke_reason,
            }
        )
        return body


Keys = signing.VerifyKey | Mapping[str, signing.VerifyKey]


def check_file(
    data: bytes,
    public_key: Keys,
    *,
    today: date,
    row: Report | None = None,
    online: bool = False,
) -> Verification:
    """Offline (row None, online False) or against the stored snapshot row.

    `public_key`: the office's keyring (`keyring.office_keyring`: the key the trailer's key id
    names, so reports signed before a key rotation still verify — but none issued after the
    day that key was retired) or one key, used as given."""
    opened = seal.open_report(data)
    key = signing.key_for(public_key, opened.key_id)
    ok = key is not None and seal.signature_holds(opened, key)
    if ok and isinstance(public_key, keyring.Keyring) and opened.key_id and opened.issued:
        entry = public_key.entry(opened.key_id)
        ok = entry is None or not entry.retired_before(opened.issued)
    base = Verification(Verdict.ALTERED, opened.number, opened.kind, opened.valid_until, ok)
    if not ok or opened.number is None or opened.valid_until is None:
        return base
    if online and (row is None or row.digest != signing.sm3_hex(data)):
        return Verification(
            Verdict.ALTERED if row else Verdict.UNKNOWN,
            opened.number,
            opened.kind,
            opened.valid_until,
            ok,
            registered=row is not None,
        )
    if row is not None and row.revoked_at is not None:
        return Verification(
            Verdict.REVOKED,
            opened.number,
            opened.kind,
            opened.valid_until,
            ok,
            True,
            row.revoked_at,
            row.revoke_reason,
        )
    verdict = Verdict.EXPIRED if today > opened.valid_until else Verdict.AUTHENTIC
    return Verification(
        verdict,
        opened.number,
        opened.kind,
        opened.valid_until,
        ok,
        row is not None if online else None,
    )


def verify_file(session: Session, data: bytes, public_key: Keys, *, today: date) -> Verification:
    opened = seal.open_report(data)
    row = None
    if opened.number is not None:
        row = session.execute(
            select(Report).where(Report.number == opened.number)
        ).scalar_one_or_none()
    return check_file(data, public_key, today=today, row=row, online=True)


def verify_number(session: Session, number: str, *, today: date) -> Verification:
    """Without the file: is this number ours, revoked, expired? (The file check needs the PDF.)"""
    row = session.execute(select(Report).where(Report.number == number)).scalar_one_or_none()
    if row is None:
        return Verification(Verdict.UNKNOWN, number, registered=False)
    if row.revoked_at is not None:
        verdict = Verdict.REVOKED
    elif today > row.valid_until:
        verdict = Verdict.EXPIRED
    else:
        verdict = Verdict.AUTHENTIC
    return Verification(
        verdict, number, row.kind, row.valid_until, None, True, row.revoked_at, row.revoke_reason
    )
