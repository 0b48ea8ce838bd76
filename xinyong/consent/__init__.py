"""Consent (授权): a subject lets a named party read its non-public credit information.

Owns: granting, listing and revoking consents; the one decision of *on what basis* an actor may
read a subject's non-public information for a scope (`authorise`), which every non-public read
(special report, full archive, evaluation detail, financing) asks before it reads and then writes
into the query log (`basis`, `consent_id`).
Does not: read the information itself (disclosure, reports, evaluation, financing), or write the
query log (audit.log_query, called by the reader in the same transaction).

A consent names the subject, the grantee (a user or an API client: a bank, a partner, a tender
agency), a purpose, the scopes it covers and a period (inclusive dates). A revoked consent stops
working on the next request: `authorise` reads the row each time, nothing is cached.

Bases (rules.md §7.5, 深圳条例 第45条 — who, whom, on what authority):
- ``self``: the subject's own enterprise account;
- ``duty``: the credit office, authority officers and auditors performing their duties, with a
  stated purpose — not for natural persons' reports, which go only to themselves or with consent;
- ``consent``: a grantee with a consent valid today covering the scope;
- ``scenario``: a 信易+ partner verifying an organisation under the scenario's catalogued basis
  (natural persons need consent).

API used by other modules (keep stable):
    Scope, Grantee, Basis
    grant(session, subject, grantee, *, purpose, scopes, valid_from, valid_until, actor, today)
    revoke(session, consent_id, *, actor, reason=None)
    list_for_subject(session, subject_id) / list_for_grantee(session, grantee)
    find_valid(session, grantee, subject_id, scope, today)
    held_by(session, actor, subject_id, scope, today)   (the actor or its institution)
    authorise(session, actor, subject, scope, *, purpose, today) -> Basis   (raises Forbidden)
    grantable_parties(session) -> list[Grantee]
"""

from xinyong.consent.basis import (
    BASIS_LABELS,
    DUTY_ROLES,
    SCENARIO_BASIS,
    Basis,
    NoBasis,
    authorise,
    held_by,
    parties_of,
)
from xinyong.consent.grants import (
    GRANTEE_ROLES,
    INSTITUTION,
    MAX_PURPOSE,
    MAX_YEARS,
    BadConsent,
    ConsentNotFound,
    ConsentRevoked,
    Grantee,
    Scope,
    as_json,
    find_valid,
    get,
    grant,
    grantable_parties,
    is_valid,
    list_for_grantee,
    list_for_subject,
    parse_grantee,
    revoke,
    state,
)

__all__ = [
    "BASIS_LABELS", "DUTY_ROLES", "GRANTEE_ROLES", "INSTITUTION", "MAX_PURPOSE", "MAX_YEARS",
    "SCENARIO_BASIS", "BadConsent", "Basis", "ConsentNotFound", "ConsentRevoked", "Grantee",
    "NoBasis", "Scope", "as_json", "authorise", "find_valid", "get", "grant", "grantable_parties",
    "held_by", "is_valid", "list_for_grantee", "list_for_subject", "parse_grantee", "parties_of",
    "revoke", "state",
]  # fmt: skip
