"""Subject identifiers: 统一社会信用代码 (GB 32100), 组织机构代码 (GB 11714), 身份证号码 (GB 11643).

Owns: normalising what clerks paste or import (full-width, spaces, Excel's apostrophe), the three
check-character algorithms, validation with one error code per failure and a Chinese message that
names the position and the character, telling the two subject-code shapes apart, and masking ID
numbers for display, logs and free text.
The only copy of the weights, alphabets and check characters: the scalar functions here and their
vectorised (Polars) form in `identifiers.frames` (imported explicitly, it pulls in Polars) are
what collection, screening, subjects and the log call.
Does not: decide whether a subject exists or is a duplicate (subjects), know GB/T 2260 region
names, or decide who may see an unmasked number (auth, disclosure). Imports stdlib, errors and
(frames only) Polars.
"""

from __future__ import annotations

from xinyong.identifiers.codes import classify, validate_subject_code
from xinyong.identifiers.core import (
    EARLIEST_BIRTH,
    SUGGESTED_KINDS,
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    IdentifierError,
    IdNumberInfo,
    SubjectCodeKind,
    SuggestedKind,
    UsccInfo,
    id_check_char,
    normalise,
    org_code_check_char,
    uscc_check_char,
)
from xinyong.identifiers.id_number import is_valid_id_number, validate_id_number
from xinyong.identifiers.masking import mask_code, mask_id_number, mask_text
from xinyong.identifiers.uscc import is_valid_uscc, validate_uscc

__all__ = [
    "EARLIEST_BIRTH",
    "SUGGESTED_KINDS",
    "USCC_ALPHABET",
    "USCC_AUTHORITIES",
    "IdNumberInfo",
    "IdentifierError",
    "SubjectCodeKind",
    "SuggestedKind",
    "UsccInfo",
    "classify",
    "id_check_char",
    "is_valid_id_number",
    "is_valid_uscc",
    "mask_code",
    "mask_id_number",
    "mask_text",
    "normalise",
    "org_code_check_char",
    "uscc_check_char",
    "validate_id_number",
    "validate_subject_code",
    "validate_uscc",
]
