"""Lists: serious dishonesty, watch and red lists, and their due process.

Owns: list entries decided on this platform and their procedure steps (proposal → prior notice
or publicity → statement → approval → decision → publication → exit), the prior-notice document,
and validity computed from dates — for these entries and for entries imported by collection
(court defaulters, abnormal operation, serious lists of other authorities).
Does not: decide measures (measures/), disclose records (disclosure/), or list anyone by
counting records (国办发〔2020〕49号).

Package map: `steps` (the procedure's shape, pure), `procedure` (actions), `validity` (pure
rules), `notice` (事前告知书), `queries` (entries in force, portal view), `errors`.
Code and tests are authoritative.
"""

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
from xinyong.lists.procedure import (
    approve_entry,
    decide_entry,
    exit_entry,
    propose_entry,
    publish_entry,
    record_statement,
    send_prior_notice,
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
    subject_facts,
)
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
    "FACT_COLUMNS",
    "ApprovalMissing",
    "CurrentEntry",
    "EarlyExitRefused",
    "EntryAlreadyOpen",
    "EntryFacts",
    "EntryNotFound",
    "ImportedListNotDecidedHere",
    "ListHit",
    "MissingText",
    "Stage",
    "StatementPeriodOpen",
    "StatementPeriodOver",
    "StepOutOfOrder",
    "approve_entry",
    "current_entries",
    "current_hits",
    "decide_entry",
    "earliest_early_exit",
    "early_exit_min_until",
    "early_exit_refusal",
    "entries_of_type",
    "entry_history",
    "exit_entry",
    "expiry",
    "facts_of",
    "facts_of_row",
    "facts_statement",
    "find_list_type",
    "get_entry",
    "hits",
    "in_force",
    "in_progress",
    "list_entry_classes",
    "notice_step",
    "propose_entry",
    "public_entries",
    "publish_entry",
    "record_statement",
    "send_prior_notice",
    "statement_deadline",
    "steps_of",
    "subject_facts",
]
