"""The office's keyring: which public keys are trusted, and for what.

Owns: the one decision which key may have signed what — the office's current SM2 key (reports,
audit checkpoints, exchange packages), its earlier keys kept by a rotation (the same, for what
they signed while in use) and the keys an operator trusts with `xinyong keys trust FILE --for
reports|packages --name …` (a peer platform's package key, or an old office key) — the list of
them on disk (`store`: ``<key folder>/keyring.json``, the files in ``retired/`` and ``trusted/``),
and changing it (`actions`: rotate, trust, untrust, migrate; audited).
Does not: sign or verify bytes (``signing``), or decide what is signed (reports, audit
retention, exchange packages). Package map: `model` (Purpose, KeyEntry, Keyring: the trust rule
`Keyring.signer`), `store` (files, reading, the old layout), `actions`. ADR 0019.

A public-key file in the key folders that the list does not name is never trusted
(`Keyring.strays`; `xinyong doctor` warns).
"""

from __future__ import annotations

from xinyong.config import Settings
from xinyong.keyring.actions import (
    Rotated,
    migrate,
    purposes_text,
    rotate,
    trust,
    untrust,
    writable_problem,
)
from xinyong.keyring.model import (
    PURPOSE_TITLES,
    KeyEntry,
    KeyRefused,
    Keyring,
    Purpose,
    of_keys,
)
from xinyong.keyring.store import INDEX, RETIRED, TRUSTED, load

__all__ = [
    "INDEX",
    "PURPOSE_TITLES",
    "RETIRED",
    "TRUSTED",
    "KeyEntry",
    "KeyRefused",
    "Keyring",
    "Purpose",
    "Rotated",
    "load",
    "migrate",
    "of_keys",
    "office_keyring",
    "purposes_text",
    "rotate",
    "trust",
    "untrust",
    "writable_problem",
]


def office_keyring(settings: Settings) -> Keyring:
    """The credit office's keyring from settings (`signing_key`, `data_dir`)."""
    return load(settings.signing_key_path, settings.data_dir)
