"""Subject registry: register, find and search credit subjects by USCC or ID number.

Package map: `registry` (the `subjects` rows: register one or many, find by code, id or public
ref), `public` (the public ref, person tokens, the masked public view), `search_plan` (the plan
and the one statement of each search shape, shared with the fast read path `subjects_fast`).
Callers import from `xinyong.subjects`. Does not: hold records (archive) or decide disclosure.
Code and tests are authoritative.
"""

from xinyong.subjects.public import (
    PERSON_REF,
    PUBLIC_VIEW_FIELDS,
    is_person,
    new_public_token,
    public_code,
    public_ref,
    public_view,
    public_view_of,
)
from xinyong.subjects.registry import (
    NewSubject,
    SubjectKindMismatch,
    SubjectNotFound,
    by_ids,
    checked_code,
    count_subjects,
    existing_codes,
    find_by_code,
    get,
    get_by_code,
    get_by_ref,
    list_subjects,
    register,
    register_many,
    register_unverified,
)
from xinyong.subjects.search_plan import (
    BIGRAM,
    MAX_SEARCH,
    PERSON_SHAPE,
    SEARCH_CANDIDATES,
    TRIGRAM,
    SearchPlan,
    search,
    search_plan,
    search_statement,
)

__all__ = [
    "BIGRAM",
    "MAX_SEARCH",
    "PERSON_REF",
    "PERSON_SHAPE",
    "PUBLIC_VIEW_FIELDS",
    "SEARCH_CANDIDATES",
    "TRIGRAM",
    "NewSubject",
    "SearchPlan",
    "SubjectKindMismatch",
    "SubjectNotFound",
    "by_ids",
    "checked_code",
    "count_subjects",
    "existing_codes",
    "find_by_code",
    "get",
    "get_by_code",
    "get_by_ref",
    "is_person",
    "list_subjects",
    "new_public_token",
    "public_code",
    "public_ref",
    "public_view",
    "public_view_of",
    "register",
    "register_many",
    "register_unverified",
    "search",
    "search_plan",
    "search_statement",
]
