"""The catalog: info classes, lists, measures, disclosure and severity rules, and the calendar.

Everything other packages may use is re-exported here; the modules inside are internal.
"""

from xinyong.catalog.checking import CheckReport, check
from xinyong.catalog.errors import CatalogEntryNotFound, CatalogError
from xinyong.catalog.holidays import load_calendar
from xinyong.catalog.loader import (
    Catalog,
    CatalogHolder,
    load_catalog,
    load_catalog_texts,
)
from xinyong.catalog.schema import (
    CodeTable,
    CodeValue,
    Condition,
    DisclosureRef,
    Field,
    FieldRole,
    InfoClass,
    LegalBasis,
    Quality,
    names_law_and_article,
)
from xinyong.catalog.schema_lists import (
    EarlyExit,
    ListType,
    ListValidity,
    Matter,
    Measure,
    MeasureGroup,
    ProcedureStep,
)
from xinyong.catalog.schema_rules import (
    CalendarYear,
    DisclosureRule,
    DisclosureRules,
    Period,
    Regime,
    SeverityRule,
    SeverityTable,
    SeverityWhen,
)
from xinyong.catalog.schema_workflows import (
    CommitmentTemplate,
    CommitmentTemplates,
    Material,
    ObjectionRules,
    RepairRules,
    RepeatLimit,
    TimeLimit,
    Workflows,
)
from xinyong.catalog.versions import record_version, stored_catalog

__all__ = [
    "CalendarYear",
    "Catalog",
    "CatalogEntryNotFound",
    "CatalogError",
    "CatalogHolder",
    "CheckReport",
    "CodeTable",
    "CodeValue",
    "CommitmentTemplate",
    "CommitmentTemplates",
    "Condition",
    "DisclosureRef",
    "DisclosureRule",
    "DisclosureRules",
    "EarlyExit",
    "Field",
    "FieldRole",
    "InfoClass",
    "LegalBasis",
    "ListType",
    "ListValidity",
    "Material",
    "Matter",
    "Measure",
    "MeasureGroup",
    "ObjectionRules",
    "Period",
    "ProcedureStep",
    "Quality",
    "Regime",
    "RepairRules",
    "RepeatLimit",
    "SeverityRule",
    "SeverityTable",
    "SeverityWhen",
    "TimeLimit",
    "Workflows",
    "check",
    "load_calendar",
    "load_catalog",
    "load_catalog_texts",
    "names_law_and_article",
    "record_version",
    "stored_catalog",
]
