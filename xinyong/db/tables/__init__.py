"""All tables, one file per domain.

A name loads its module on first use (`from xinyong.db.tables import Subject` imports
`tables/subjects.py`), with the modules of the tables its foreign keys name (the ORM's flush
orders tables by them): a command imports the tables it touches, not all 24 modules and their
≈ 50 mapped classes (≈ 0.1 s of CPU at start-up, issue 12). No mapped class has a
`relationship()`. What needs every table on `Base.metadata` (Alembic's autogenerate and
`alembic check`, tests comparing the schema) calls `register_all()` first.
A new table: its class in `tables/<domain>.py`, its name in `__all__`, `_MODULE_OF`,
`_MODULE_OF_TABLE` and the `TYPE_CHECKING` imports (tests/test_tables_registry.py checks them).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING, Any

from xinyong.db.base import Base

if TYPE_CHECKING:
    from xinyong.db.tables.archive import Record, RecordAuthority
    from xinyong.db.tables.audit import AuditEntry, LogCheckpoint, QueryLogEntry
    from xinyong.db.tables.auth import ApiClient, User, WebSession
    from xinyong.db.tables.catalog import CatalogVersion
    from xinyong.db.tables.collection import Batch, BatchChunk, BatchRow
    from xinyong.db.tables.commitments import Commitment
    from xinyong.db.tables.consent import Consent
    from xinyong.db.tables.content import ContentAttachment, ContentItem
    from xinyong.db.tables.evaluation import EvaluationExplanation, EvaluationResult, EvaluationRun
    from xinyong.db.tables.evaluation_marks import EvaluationPending
    from xinyong.db.tables.exchange import OutboxEntry, RelatedParty
    from xinyong.db.tables.financing import (
        FinancingAlert,
        FinancingNeed,
        Institution,
        InstitutionUser,
        LoanOutcome,
        LoanProduct,
        Whitelist,
        WhitelistEntry,
        WhitelistOptOut,
    )
    from xinyong.db.tables.indicators import IndicatorSnapshot, IndicatorValue
    from xinyong.db.tables.inspections import Inspection, InspectionPlan, Inspector
    from xinyong.db.tables.interviews import Interview
    from xinyong.db.tables.lists import ListEntry, ListEntryStep
    from xinyong.db.tables.measures import Check, CheckFeedback, ScreeningDecision
    from xinyong.db.tables.objections import Objection
    from xinyong.db.tables.providers import Provider
    from xinyong.db.tables.registrations import VoluntaryRegistration
    from xinyong.db.tables.repair import RepairApplication, RepairMaterial
    from xinyong.db.tables.reports import Report
    from xinyong.db.tables.runs import JobRun
    from xinyong.db.tables.scenarios import ScenarioPartner, ScenarioVerification
    from xinyong.db.tables.subjects import Subject

__all__ = [
    "ApiClient",
    "AuditEntry",
    "Batch",
    "BatchChunk",
    "BatchRow",
    "CatalogVersion",
    "Check",
    "CheckFeedback",
    "Commitment",
    "Consent",
    "ContentAttachment",
    "ContentItem",
    "EvaluationExplanation",
    "EvaluationPending",
    "EvaluationResult",
    "EvaluationRun",
    "FinancingAlert",
    "FinancingNeed",
    "IndicatorSnapshot",
    "IndicatorValue",
    "Inspection",
    "InspectionPlan",
    "Inspector",
    "Institution",
    "InstitutionUser",
    "Interview",
    "JobRun",
    "ListEntry",
    "ListEntryStep",
    "LoanOutcome",
    "LoanProduct",
    "LogCheckpoint",
    "Objection",
    "OutboxEntry",
    "Provider",
    "QueryLogEntry",
    "Record",
    "RecordAuthority",
    "RelatedParty",
    "RepairApplication",
    "RepairMaterial",
    "Report",
    "ScenarioPartner",
    "ScenarioVerification",
    "ScreeningDecision",
    "Subject",
    "User",
    "VoluntaryRegistration",
    "WebSession",
    "Whitelist",
    "WhitelistEntry",
    "WhitelistOptOut",
]

_MODULE_OF = {
    "ApiClient": "auth",
    "AuditEntry": "audit",
    "Batch": "collection",
    "BatchChunk": "collection",
    "BatchRow": "collection",
    "CatalogVersion": "catalog",
    "Check": "measures",
    "CheckFeedback": "measures",
    "Commitment": "commitments",
    "Consent": "consent",
    "ContentAttachment": "content",
    "ContentItem": "content",
    "EvaluationExplanation": "evaluation",
    "EvaluationPending": "evaluation_marks",
    "EvaluationResult": "evaluation",
    "EvaluationRun": "evaluation",
    "FinancingAlert": "financing",
    "FinancingNeed": "financing",
    "IndicatorSnapshot": "indicators",
    "IndicatorValue": "indicators",
    "Inspection": "inspections",
    "InspectionPlan": "inspections",
    "Inspector": "inspections",
    "Institution": "financing",
    "InstitutionUser": "financing",
    "Interview": "interviews",
    "JobRun": "runs",
    "ListEntry": "lists",
    "ListEntryStep": "lists",
    "LoanOutcome": "financing",
    "LoanProduct": "financing",
    "LogCheckpoint": "audit",
    "Objection": "objections",
    "OutboxEntry": "exchange",
    "Provider": "providers",
    "QueryLogEntry": "audit",
    "Record": "archive",
    "RecordAuthority": "archive",
    "RelatedParty": "exchange",
    "RepairApplication": "repair",
    "RepairMaterial": "repair",
    "Report": "reports",
    "ScenarioPartner": "scenarios",
    "ScenarioVerification": "scenarios",
    "ScreeningDecision": "measures",
    "Subject": "subjects",
    "User": "auth",
    "VoluntaryRegistration": "registrations",
    "WebSession": "auth",
    "Whitelist": "financing",
    "WhitelistEntry": "financing",
    "WhitelistOptOut": "financing",
}


# the module of each table: a foreign key names its table, whose module must be loaded too
_MODULE_OF_TABLE = {
    "api_clients": "auth",
    "audit_log": "audit",
    "batch_chunks": "collection",
    "batch_rows": "collection",
    "batches": "collection",
    "catalog_versions": "catalog",
    "check_feedback": "measures",
    "checks": "measures",
    "commitments": "commitments",
    "consents": "consent",
    "content_attachments": "content",
    "content_items": "content",
    "evaluation_explanations": "evaluation",
    "evaluation_pending": "evaluation_marks",
    "evaluation_results": "evaluation",
    "evaluation_runs": "evaluation",
    "financing_alerts": "financing",
    "financing_needs": "financing",
    "indicator_snapshots": "indicators",
    "indicator_values": "indicators",
    "inspection_plans": "inspections",
    "inspections": "inspections",
    "inspectors": "inspections",
    "institution_users": "financing",
    "institutions": "financing",
    "interviews": "interviews",
    "job_runs": "runs",
    "list_entries": "lists",
    "list_entry_steps": "lists",
    "loan_outcomes": "financing",
    "loan_products": "financing",
    "log_checkpoints": "audit",
    "objections": "objections",
    "outbox": "exchange",
    "providers": "providers",
    "query_log": "audit",
    "record_authorities": "archive",
    "records": "archive",
    "related_parties": "exchange",
    "repair_applications": "repair",
    "repair_materials": "repair",
    "reports": "reports",
    "scenario_partners": "scenarios",
    "scenario_verifications": "scenarios",
    "screening_decisions": "measures",
    "subjects": "subjects",
    "users": "auth",
    "voluntary_registrations": "registrations",
    "web_sessions": "auth",
    "whitelist_entries": "financing",
    "whitelist_opt_outs": "financing",
    "whitelists": "financing",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_load(module), name)
    globals()[name] = value
    return value


def _load(module: str) -> ModuleType:
    loaded = importlib.import_module(f"{__name__}.{module}")
    if module == "archive":
        # every record added through the ORM gets its authority's id before a flush (issue 17)
        importlib.import_module("xinyong.db.authorities")
    _targets()
    return loaded


def _targets() -> None:
    """Load the tables the loaded tables' foreign keys name: the ORM's flush orders tables by
    their foreign keys and must find each one's table (`Mapper._sorted_tables`)."""
    known = Base.metadata.tables
    while missing := {
        fk.target_fullname.partition(".")[0]
        for table in known.values()
        for fk in table.foreign_keys
    } - set(known):
        for name in sorted(missing):
            importlib.import_module(f"{__name__}.{_MODULE_OF_TABLE[name]}")


def register_all() -> None:
    """Import every table module in this package (listed in `_MODULE_OF` or not): all tables on
    `Base.metadata`."""
    for found in pkgutil.iter_modules(__path__):
        _load(found.name)
