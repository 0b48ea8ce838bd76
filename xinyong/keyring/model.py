"""What the keyring holds: each public key with what it is trusted for and when it was in use,
and the one rule saying whether a signature by it is accepted (`Keyring.signer`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from xinyong import clock, signing
from xinyong.errors import InvalidInput


class Purpose(StrEnum):
    """What a key is trusted to have signed."""

    REPORTS = "reports"  # the office's own documents: credit reports and audit checkpoints
    PACKAGES = "packages"  # exchange packages (our own and the peers' platforms')


PURPOSE_TITLES = {Purpose.REPORTS: "信用报告和审计检查点", Purpose.PACKAGES: "交换包"}
ALL = frozenset(Purpose)


class KeyRefused(InvalidInput):
    """A signature the keyring does not accept, with the reason in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="keyring.refused")


def _at(when: datetime) -> str:
    return f"北京时间 {clock.in_beijing(when):%Y-%m-%d %H:%M:%S}"


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One public key: the current one (implicit: whatever key the settings name) or one the
    keyring lists (retired by a rotation, migrated, or trusted by `xinyong keys trust`)."""

    key: signing.VerifyKey
    path: Path
    current: bool
    since: datetime | None
    until: datetime | None
    purposes: frozenset[Purpose] = ALL
    name: str = ""
    added_by: str = ""
    added_at: datetime | None = None

    @property
    def key_id(self) -> str:
        return self.key.key_id

    @property
    def office(self) -> bool:
        """One of the office's own keys (it signs reports), not only a peer's package key."""
        return Purpose.REPORTS in self.purposes

    def refusal(self, signed_at: datetime | None) -> str | None:
        """Why a signature by this key made at `signed_at` is not accepted (Chinese), or None:
        a key with an end of use signs nothing after it. (Its start is not checked: the time a
        rotation knows it from is the key file's, not proof of the first signature.)"""
        label = f"签名密钥 {self.key_id}" + (f"（{self.name}）" if self.name else "")
        if self.until is None:
            return None
        if signed_at is None:
            return (
                f"{label}已于 {_at(self.until)} 停用，而签名未注明时间，无法确认签于停用之前"
                "，不予接受"
            )
        if signed_at > self.until:
            return (
                f"{label}已于 {_at(self.until)} 停用，此签名时间为 {_at(signed_at)}，"
                "停用后的签名不予接受"
            )
        return None

    def retired_before(self, day: date) -> bool:
        """Whether this key's use had ended before `day` (a Beijing date, as reports carry)."""
        return self.until is not None and clock.in_beijing(self.until).date() < day

    def as_dict(self) -> dict[str, object]:
        return {
            "key_id": self.key_id,
            "current": self.current,
            "path": str(self.path),
            "since": self.since,
            "until": self.until,
            "name": self.name,
            "for": sorted(self.purposes),
            "added_by": self.added_by,
            "added_at": self.added_at,
        }


@dataclass(slots=True)
class Keyring(Mapping[str, signing.VerifyKey]):
    """The keys the office trusts, each for what it is trusted for.

    As a mapping (key id → key) it is the keys trusted for `Purpose.REPORTS` — what a report
    trailer's or a retention checkpoint's key id is looked up in (`signing.key_for`).
    `problems`: listed files that could not be read; `strays`: public-key files found in the key
    folders that the keyring does not list (never trusted; `xinyong doctor` warns);
    `legacy`: no list file yet — the old layout read as `migrate` would record it."""

    entries: list[KeyEntry]
    problems: list[tuple[Path, str]] = field(default_factory=list)
    strays: list[Path] = field(default_factory=list)
    legacy: bool = False

    def trusted_for(self, purpose: Purpose) -> dict[str, signing.VerifyKey]:
        return {e.key_id: e.key for e in self.entries if purpose in e.purposes}

    def entry(self, key_id: str) -> KeyEntry | None:
        return next((e for e in self.entries if e.key_id == key_id), None)

    def __getitem__(self, key_id: str) -> signing.VerifyKey:
        return self.trusted_for(Purpose.REPORTS)[key_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.trusted_for(Purpose.REPORTS))

    def __len__(self) -> int:
        return len(self.trusted_for(Purpose.REPORTS))

    @property
    def current(self) -> KeyEntry | None:
        return next((e for e in self.entries if e.current), None)

    @property
    def retired(self) -> list[KeyEntry]:
        """The office's earlier keys (not the current one, not a peer's package key)."""
        return [e for e in self.entries if not e.current and e.office]

    @property
    def peers(self) -> list[KeyEntry]:
        return [e for e in self.entries if not e.office]

    def with_keys(self, keys: Iterable[signing.VerifyKey], purpose: Purpose) -> Keyring:
        """This keyring plus `keys` for `purpose`, for one use only (`exchange import --trust`)."""
        extra = [
            KeyEntry(k, Path("--trust"), False, None, None, frozenset({purpose}), "命令行 --trust")
            for k in keys
            if self.entry(k.key_id) is None
        ]
        return replace(self, entries=[*self.entries, *extra])

    def signer(
        self,
        purpose: Purpose,
        data: bytes,
        signature: bytes,
        *,
        key_id: str | None,
        signed_at: datetime | None,
    ) -> KeyEntry:
        """The key that signed `data`, trusted for `purpose` at `signed_at`; raises `KeyRefused`
        saying why not. `key_id`: the one the signed document names (None: any trusted key)."""
        trusted = [e for e in self.entries if purpose in e.purposes]
        named = [e for e in trusted if key_id is None or e.key_id == key_id]
        found = next((e for e in named if e.key.verify(data, signature)), None)
        if found is None:
            whose = f"（签名密钥 {key_id}）" if key_id else ""
            if key_id and not named:
                return _refuse(
                    f"签名验证失败：签名密钥 {key_id} 不在本平台密钥环中（未登记为受信任的"
                    f"{PURPOSE_TITLES[purpose]}签名密钥）"
                )
            return _refuse(f"签名验证失败{whose}：签名无效或签名密钥不受信任")
        problem = found.refusal(signed_at)
        if problem is not None:
            return _refuse(problem)
        return found


def of_keys(keys: Iterable[signing.VerifyKey], purpose: Purpose) -> Keyring:
    """A keyring of just `keys`, trusted for `purpose` with no period (a test, `--public-key`)."""
    return Keyring([]).with_keys(keys, purpose)


def _refuse(message: str) -> KeyEntry:
    raise KeyRefused(message)
