"""Credit commitments (信用承诺 / 告知承诺): sign online, verify, and a breach becomes a record.

Package map: `listing` (the officer's list by department and status, one commitment read by
its number), `signed` (templates, the 承诺编码, signing, the 信用修复型 commitment of a repair
application), `breach` (the authority's verification and the dishonesty record a false or broken
commitment becomes; a broken repair commitment revokes the repair). Callers import from
`xinyong.commitments`. Does not: decide what the public sees of the breach record (disclosure/).
Code and tests are authoritative.
"""

from xinyong.commitments.breach import (
    BREACH_CLASS,
    FULFILMENT,
    KEPT,
    UNPERFORMED,
    AlreadyVerified,
    Verification,
    record_verification,
    revoke_for_false_materials,
)
from xinyong.commitments.listing import get_for, list_routed, scope_for
from xinyong.commitments.signed import (
    PUBLIC,
    CommitmentNotFound,
    TemplateNotFound,
    apply_for_repair,
    commitment_code,
    get,
    list_for_subject,
    list_unverified,
    public_items,
    sign,
    subject_category,
    template,
    templates,
)

__all__ = [
    "BREACH_CLASS",
    "FULFILMENT",
    "KEPT",
    "PUBLIC",
    "UNPERFORMED",
    "AlreadyVerified",
    "CommitmentNotFound",
    "TemplateNotFound",
    "Verification",
    "apply_for_repair",
    "commitment_code",
    "get",
    "get_for",
    "list_for_subject",
    "list_routed",
    "list_unverified",
    "public_items",
    "record_verification",
    "revoke_for_false_materials",
    "scope_for",
    "sign",
    "subject_category",
    "template",
    "templates",
]
