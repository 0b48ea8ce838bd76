"""Lists: serious dishonesty, watch and red lists, and their due process.

Owns: list entries decided on this platform and their procedure steps (proposal → prior notice
or publicity → statement → approval → decision → publication → exit), the prior-notice document,
and validity computed from dates — for these entries and for entries imported by collection
(court defaulters, abnormal operation, serious lists of other authorities).
Does not: decide measures (measures/), disclose records (disclosure/), or list anyone by
counting records (国办发〔2020〕49号).

Package map: `steps` (the procedure's shape, pure), `allowed` (each step's preconditions,
pure: what is open next and why the rest is refused), `procedure` (actions), `evidence` (evidence
files, notice delivery), `validity` (pure
rules), `revalidation` (one-off correction of ends stored before the period rule was unified),
`notice` (事前告知书), `queries` (entries in force, portal view), `errors`.
Code and tests are authoritative.
"""

from xinyong.lists.allowed import NextStep, next_steps, refusal
from xinyong.lists.errors import (
    ApprovalMissing,
    EarlyExitRefused,
    EntryAlreadyOpen,
    ImportedListNotDecidedHere,
    MissingText,
    StatementPeriodOpen,
    StatementPeriodOver,
    StepOutOfOrder,
)
from xinyong.lists.evidence import (
    DELIVERY_METHODS,
    BadEvidence,
    Evidence,
    attach_evidence,
    evidence_bytes,
    evidence_of,
    find_evidence,
    record_delivery,
)
from xinyong.lists.paging import EntriesPage, EntryQuery, entries_page
from xinyong.lists.procedure import (
    approve_entry,
    decide_entry,
    exit_entry,
    propose_entry,
    publish_entry,
    record_statement,
    send_prior_notice,
)
from xinyong.lists.public import (
    InPublicity,
    file_publicity_objection,
    in_publicity,
    latest_decisions,
    public_listing,
    public_page,
    public_query,
    public_type,
    public_types,
)
from xinyong.lists.queries import (
    FACT_COLUMNS,
    CurrentEntry,
    EntryNotFound,
    current_entries,
    current_hits,
    entries_of_type,
    entry_history,
    facts_of,
    facts_of_row,
    facts_statement,
    get_entry,
    in_progress,
    list_entry_classes,
    public_entries,
    read_entry,
    subject_facts,
)
from xinyong.lists.revalidation import Correction, recompute_validity, stale_validity
from xinyong.lists.steps import Stage, notice_step, statement_deadline, steps_of
from xinyong.lists.validity import (
    EntryFacts,
    ListHit,
    earliest_early_exit,
    early_exit_min_until,
    early_exit_refusal,
    expiry,
    find_list_type,
    hits,
    in_force,
)

__all__ = [
    "DELIVERY_METHODS",
    "FACT_COLUMNS",
    "ApprovalMissing",
    "BadEvidence",
    "Correction",
    "CurrentEntry",
    "EarlyExitRefused",
    "EntriesPage",
    "EntryAlreadyOpen",
    "EntryFacts",
    "EntryNotFound",
    "EntryQuery",
    "Evidence",
    "ImportedListNotDecidedHere",
    "InPublicity",
    "ListHit",
    "MissingText",
    "NextStep",
    "Stage",
    "StatementPeriodOpen",
    "StatementPeriodOver",
    "StepOutOfOrder",
    "approve_entry",
    "attach_evidence",
    "current_entries",
    "current_hits",
    "decide_entry",
    "earliest_early_exit",
    "early_exit_min_until",
    "early_exit_refusal",
    "entries_of_type",
    "entries_page",
    "entry_history",
    "evidence_bytes",
    "evidence_of",
    "exit_entry",
    "expiry",
    "facts_of",
    "facts_of_row",
    "facts_statement",
    "file_publicity_objection",
    "find_evidence",
    "find_list_type",
    "get_entry",
    "hits",
    "in_force",
    "in_progress",
    "in_publicity",
    "latest_decisions",
    "list_entry_classes",
    "next_steps",
    "notice_step",
    "propose_entry",
    "public_entries",
    "public_listing",
    "public_page",
    "public_query",
    "public_type",
    "public_types",
    "publish_entry",
    "read_entry",
    "recompute_validity",
    "record_delivery",
    "record_statement",
    "refusal",
    "send_prior_notice",
    "stale_validity",
    "statement_deadline",
    "steps_of",
    "subject_facts",
]
