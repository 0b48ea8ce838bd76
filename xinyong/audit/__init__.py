"""Audit log and query log.

Package map: `chain` (the `Actor`, `AuditAction` names, the SM3-chained audit log and its
verification), `queries` (the query log: who looked at a subject's non-public data and why),
`retention` (purging old rows behind a signed checkpoint). Callers import from `xinyong.audit`.
Does not: decide who may do what (`auth`), or log to files (`log`).
Code and tests are authoritative.
"""

from xinyong.audit.chain import (
    ANONYMOUS,
    CHAIN_LOCK_KEY,
    COMMAND_LINE,
    GENESIS,
    Actor,
    AuditAction,
    ChainReport,
    canonical_json,
    chain_hash,
    chain_start,
    checkpoint_signature_holds,
    is_command_line,
    jsonable,
    latest_checkpoint,
    list_audit,
    record,
    verify_chain,
    verify_tail,
)
from xinyong.audit.queries import (
    SubjectRead,
    list_queries,
    log_queries,
    log_query,
    reads_of_subject,
    search_queries,
)
from xinyong.audit.retention import purge_before

__all__ = [
    "ANONYMOUS",
    "CHAIN_LOCK_KEY",
    "COMMAND_LINE",
    "GENESIS",
    "Actor",
    "AuditAction",
    "ChainReport",
    "SubjectRead",
    "canonical_json",
    "chain_hash",
    "chain_start",
    "checkpoint_signature_holds",
    "is_command_line",
    "jsonable",
    "latest_checkpoint",
    "list_audit",
    "list_queries",
    "log_queries",
    "log_query",
    "purge_before",
    "reads_of_subject",
    "record",
    "search_queries",
    "verify_chain",
    "verify_tail",
]
