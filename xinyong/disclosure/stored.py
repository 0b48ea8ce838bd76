"""The severity as stored: each penalty's class, classified once when it is written.

`severity_of` (severity.py) stays the one rule. Its answer is kept on the record in two columns so
that the 双公示 listing can filter in SQL (docs/decisions/0015-stored-severity.md):

- `records.severity_class`: minor / general / serious (enums.Severity), for classes whose
  disclosure rule goes by severity (penalties); NULL for every other class;
- `records.severity_basis`: what gave it — `<table>@<version>+<digest>/<rule>` (the severity
  table, its catalog version, a digest of the table's content and the rule that matched) or
  `explicit/<severity>` when the department sent the severity itself.

A basis that the loaded catalog no longer has (a severity table changed) is stale: the listing
hands such records to the Python rule (exact, slower) and `xinyong disclosure reclassify`
classifies them again. Nothing is ever shown by a stale class.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xinyong.catalog import Catalog
from xinyong.catalog.schema import InfoClass
from xinyong.catalog.schema_rules import SeverityTable
from xinyong.disclosure.fields import SEVERITY_INPUT_ROLES
from xinyong.disclosure.severity import severity_of, severity_table_for
from xinyong.enums import Severity

if TYPE_CHECKING:
    import polars as pl

EXPLICIT = "explicit"
# a frame column holding one input's parsed value (a list for a multi-valued code, else text):
# read instead of parsing `data` per row (collection's validated frames carry them)
INPUT_COLUMN = "severity input:"


def input_fields(info: InfoClass) -> list[str]:
    """The field ids `severity_of` reads (`fields.SEVERITY_INPUT_ROLES`, in that order)."""
    return [f.id for role in SEVERITY_INPUT_ROLES if (f := info.field_by_role(role)) is not None]


@dataclass(frozen=True, slots=True)
class Basis:
    """One way a record can have been classified under the loaded catalog."""

    severity: Severity
    table: SeverityTable | None  # None: the department's explicit severity
    disclose_minor: bool


def table_tag(table: SeverityTable) -> str:
    """`<id>@<version>+<digest>`: a table edited without a new version still changes its tag."""
    content = json.dumps(table.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return f"{table.id}@{table.version}+{hashlib.sha256(content.encode()).hexdigest()[:8]}"


def bases(catalog: Catalog) -> dict[str, Basis]:
    """Every basis the loaded catalog can give, with what it means for the window."""
    out = {f"{EXPLICIT}/{s.value}": Basis(s, None, False) for s in Severity}
    for table in catalog.severity_tables.values():
        tag = table_tag(table)
        for rule in table.rules:
            out[f"{tag}/{rule.id}"] = Basis(rule.severity, table, rule.disclose)
    return out


def by_severity(catalog: Catalog, info_class: str) -> bool:
    """Whether the class's disclosure rule goes by severity (only those records are classified)."""
    info = catalog.info_classes.get(info_class)
    if info is None:
        return False
    rule = catalog.disclosure_rules.rule(info.disclosure.rule)
    return rule is not None and rule.method == "severity"


def classify(
    catalog: Catalog,
    info_class: str,
    data: Mapping[str, Any],
    *,
    explicit: str | None = None,
    provider_kind: str | None = None,
) -> tuple[str | None, str | None]:
    """(severity_class, severity_basis) of one record's full source row; (None, None) for a class
    not disclosed by severity."""
    if not by_severity(catalog, info_class):
        return None, None
    if explicit:
        return explicit, f"{EXPLICIT}/{explicit}"
    info = catalog.info_class(info_class)
    table = _table(catalog, info, provider_kind)
    finding = severity_of(data, table, info)
    return finding.severity.value, f"{table_tag(table)}/{finding.rule_id}"


def classify_frame(
    catalog: Catalog, info_class: str, provider_kind: str | None, frame: pl.DataFrame
) -> pl.DataFrame:
    """The bulk path: `frame` (collection's accepted rows, `data` as the lean JSON text) with
    `severity_class` and `severity_basis` added — `severity_of` asked once per distinct
    (kinds, amount, category), never per row. An input is read from its `INPUT_COLUMN` column
    when the frame has one (the parsed value: no JSON parsed per row), else from `data`."""
    import polars as pl  # noqa: PLC0415  (heavy: only the bulk path needs it)

    if not by_severity(catalog, info_class) or frame.height == 0:
        return frame.with_columns(
            severity_class=pl.lit(None, dtype=pl.String),
            severity_basis=pl.lit(None, dtype=pl.String),
        )
    info = catalog.info_class(info_class)
    table = _table(catalog, info, provider_kind)
    fields = input_fields(info)
    inputs = [f"_sev_{i}" for i in range(len(fields))]
    typed = [INPUT_COLUMN + fid in frame.columns for fid in fields]
    keyed = frame.with_columns(
        (
            pl.col(INPUT_COLUMN + fid) if given else pl.col("data").str.json_path_match(f"$.{fid}")
        ).alias(name)
        for fid, name, given in zip(fields, inputs, typed, strict=True)
    )
    distinct = keyed.select(inputs).unique()
    tag = table_tag(table)
    classes, rules = [], []
    for row in distinct.rows():
        data = {
            fid: value if given else _loads(value)
            for fid, value, given in zip(fields, row, typed, strict=True)
        }
        finding = severity_of(data, table, info)
        classes.append(finding.severity.value)
        rules.append(f"{tag}/{finding.rule_id}")
    found = distinct.with_columns(
        severity_class=pl.Series(classes, dtype=pl.String),
        severity_basis=pl.Series(rules, dtype=pl.String),
    )
    return keyed.join(found, on=inputs, how="left", nulls_equal=True).drop(inputs)


def inputs_of(catalog: Catalog, info_class: str, data: Mapping[str, Any]) -> tuple[str, ...]:
    """The values `severity_of` reads from a row (as JSON text): equal inputs, equal class."""
    fields = input_fields(catalog.info_class(info_class))
    return tuple(json.dumps(data.get(fid), ensure_ascii=False, default=str) for fid in fields)


def _table(catalog: Catalog, info: InfoClass, provider_kind: str | None) -> SeverityTable:
    rule = catalog.disclosure_rules.rule(info.disclosure.rule)
    assert rule is not None  # catalog crossref guarantees it
    return severity_table_for(catalog, rule, provider_kind)


def _loads(text: str | None) -> Any:
    """A value as `json_path_match` gives it: a list or object as JSON text, a scalar bare."""
    if text is None:
        return None
    if text[:1] in "[{":
        return json.loads(text)
    return text
