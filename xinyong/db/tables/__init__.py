"""All tables, one file per domain. Importing this package registers them on `Base.metadata`."""

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

# every record added through the ORM gets its authority's id before a flush (issue 17)
from xinyong.db import authorities as _authorities  # noqa: F401
