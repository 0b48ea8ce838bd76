"""National list files as the national platform sends them down ("总对总"): 失信被执行人,
重大税收违法失信主体 … in their own column layouts (CSV or XLSX as sent).

Each layout is a catalog file, `catalogs/exchange/<list type>.yaml`: the columns as sent, the
field of our info class each one fills, the date formats, the column naming the deciding
authority, the columns that identify the layout. `import_file` reads the file (collection's
readers: encodings, XLSX, formulas refused), maps every row to our fields and collects the
result as one batch of the layout's info class from the department that sent it — so the
validation, the row/field/reason of every rejected row, idempotency (the same file twice is one
batch) and resumability are collection's. The row numbers stay those of the file: the mapped
CSV keeps one line per line of the original.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import collection, identifiers
from xinyong.audit import Actor
from xinyong.catalog import Catalog
from xinyong.catalog.errors import CatalogError
from xinyong.catalog.yaml_io import read_yaml
from xinyong.clock import Calendar
from xinyong.db.tables import Provider
from xinyong.errors import InvalidInput

FOLDER = "exchange"
ORG_CODE_LENGTH = (
    9  # 组织机构代码: 8 characters and a check character (GB 11714), often "xxxxxxxx-x"
)
IDENTIFIER_FIELDS = ("subject_uscc", "subject_id_number", "org_code", "subject_category")
SUFFIXES = (".csv", ".xlsx")
Confidence = Literal["SOLID", "LIKELY", "INFERRED"]
Text = Annotated[str, pydantic.StringConstraints(min_length=1, max_length=200)]


class NotANationalList(InvalidInput):
    """The file is not a national list file this platform knows, or lacks required columns."""

    code = "exchange.national_list"


class Column(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    name: Text
    field: Text | None = None  # a field id of the layout's info class
    identifier: bool = False  # USCC / 组织机构代码 / ID number in one column: split by shape
    date: bool = False
    required: bool = False  # the file must have this column (else refused whole)
    aliases: tuple[Text, ...] = ()
    confidence: Confidence | None = None  # when other than the layout's

    @pydantic.model_validator(mode="after")
    def _one_target(self) -> Column:
        if (self.field is None) == (not self.identifier):
            raise ValueError("每列须且只能有 field 或 identifier: true 之一")
        return self


class Source(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    name: Text
    kind: Text


class Layout(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    id: Text
    title: Text
    version: Text
    list_type: Text
    info_class: Text
    source: Source
    confidence: Confidence
    deciding_authority_column: Text
    detect: tuple[Text, ...] = pydantic.Field(min_length=1)
    date_formats: tuple[Text, ...] = pydantic.Field(min_length=1)
    columns: tuple[Column, ...] = pydantic.Field(min_length=1)

    def names(self, column: Column) -> tuple[str, ...]:
        return (column.name, *column.aliases)


def load_layouts(catalog_dir: Path, catalog: Catalog) -> dict[str, Layout]:
    """Every layout file, checked against the catalog; a bad file is refused naming file, key
    and reason."""
    out: dict[str, Layout] = {}
    for path in sorted((catalog_dir / FOLDER).glob("*.yaml")):
        file = str(path)
        try:
            layout = Layout.model_validate(read_yaml(path))
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise CatalogError(file, key, first["msg"]) from None
        _check(layout, file, catalog)
        if layout.id in out:
            raise CatalogError(file, "id", f"交换格式“{layout.id}”重复")
        out[layout.id] = layout
    return out


def _check(layout: Layout, file: str, catalog: Catalog) -> None:
    if layout.info_class not in catalog.info_classes:
        raise CatalogError(file, "info_class", f"目录中没有信息类“{layout.info_class}”")
    if layout.list_type not in catalog.list_types:
        raise CatalogError(file, "list_type", f"目录中没有名单类型“{layout.list_type}”")
    info = catalog.info_class(layout.info_class)
    fields = {f.id for f in info.fields}
    for i, column in enumerate(layout.columns):
        if column.field is not None and column.field not in fields:
            raise CatalogError(
                file, f"columns[{i}].field", f"信息类“{info.id}”没有字段“{column.field}”"
            )
    names = {n for c in layout.columns for n in layout.names(c)}
    authority = (layout.deciding_authority_column,)
    for key, wanted in (("detect", layout.detect), ("deciding_authority_column", authority)):
        if missing := [n for n in wanted if n not in names]:
            raise CatalogError(file, key, f"列“{'、'.join(missing)}”不在 columns 中")
    if sum(c.identifier for c in layout.columns) > 1:
        raise CatalogError(file, "columns", "至多一列 identifier: true")
    for needed in ("subject_uscc", "subject_id_number", "subject_category"):
        if needed not in fields:
            raise CatalogError(file, "info_class", f"信息类“{info.id}”缺少字段“{needed}”")


def detect(headers: tuple[str, ...], layouts: dict[str, Layout]) -> Layout | None:
    """The layout whose identifying columns are all among the headers (the first, by id)."""
    present = {h.strip() for h in headers}
    for layout in layouts.values():
        if all(_has(layout, name, present) for name in layout.detect):
            return layout
    return None


def _has(layout: Layout, name: str, present: set[str]) -> bool:
    column = next(c for c in layout.columns if name in layout.names(c))
    return any(n in present for n in layout.names(column))


@dataclass(frozen=True, slots=True)
class Mapped:
    """The file mapped to our fields: a CSV keyed by field id, one line per line of the file."""

    layout: Layout
    data: bytes
    rows: int
    unmapped: tuple[str, ...]  # columns of the file the layout does not know (ignored)


def map_file(data: bytes, file_name: str, layout: Layout | None, layouts: dict[str, Layout],
             catalog: Catalog) -> Mapped:  # fmt: skip
    from xinyong.collection import readers  # noqa: PLC0415 — pulls in Polars

    table = readers.read(data, file_name=file_name)
    headers = tuple(h.strip() for h in table.headers)
    found = layout or detect(headers, layouts)
    if found is None:
        known = "、".join(f"{lay.id}（{lay.title}）" for lay in layouts.values())
        raise NotANationalList(
            f"“{file_name}”的表头不符合任何国家名单格式；请用 --national-list 指定，可选：{known}"
        )
    where: dict[int, Column] = {}
    for column in found.columns:
        index = next((i for i, h in enumerate(headers) if h in found.names(column)), None)
        if index is None and column.required:
            raise NotANationalList(
                f"“{file_name}”缺少{found.title}的必备列“{column.name}”，整个文件未导入"
            )
        if index is not None:
            where[index] = column
    fields = [c.field for c in found.columns if c.field] + [
        "subject_uscc", "subject_id_number", "subject_category", "org_code"]  # fmt: skip
    fields = list(dict.fromkeys(f for f in fields if f))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    codes = {f.id: f.code for f in catalog.info_class(found.info_class).fields}
    writer.writerow({f: codes[f] for f in fields})  # collection matches headers by field code
    line = 2  # the file's first data line: blank lines keep their place (row numbers match)
    rows = 0
    for record in table.frame.iter_rows(named=True):
        while line < record["_row"]:
            writer.writerow({})
            line += 1
        cells = {where[i]: record[f"c{i}"] for i in where}
        writer.writerow(_row(found, cells))
        line, rows = line + 1, rows + 1
    unmapped = tuple(h for i, h in enumerate(headers) if i not in where)
    return Mapped(found, out.getvalue().encode("utf-8"), rows, unmapped)


def _row(layout: Layout, cells: dict[Column, str | None]) -> dict[str, str]:
    row: dict[str, str] = {}
    for column, raw in cells.items():
        value = (raw or "").strip()
        if not value:
            continue
        if column.identifier:
            row.update(_identifier(value))
        elif column.date:
            row[str(column.field)] = _date(value, layout.date_formats)
        else:
            row[str(column.field)] = value
    if "subject_category" not in row:
        row["subject_category"] = _category(row)
    return row


def _identifier(value: str) -> dict[str, str]:
    """One column holding a USCC, a 组织机构代码 or a person's ID number, told apart by shape.
    A value of no known shape goes to the USCC field, whose check then names what is wrong."""
    code = identifiers.normalise(value)
    kind = identifiers.classify(code)
    if kind == "id_number":
        return {"subject_id_number": code}
    if kind is None and len(code.replace("-", "")) == ORG_CODE_LENGTH:
        return {"org_code": code}
    return {"subject_uscc": code}


def _category(row: dict[str, str]) -> str:
    if "subject_id_number" in row:
        return "自然人"
    if row.get("subject_uscc", "").startswith("92"):
        return "个体工商户"  # USCC registration authority 9 (市场监管), kind 2 (个体工商户)
    return "法人及非法人组织"


def _date(value: str, formats: tuple[str, ...]) -> str:
    """A date as sent, in ISO form when it matches one of the layout's formats; anything else
    is passed on as it is, for collection to accept (its own formats) or reject with reason."""
    text = value.split(" ", maxsplit=1)[0] if " " in value and ":" in value else value
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007 — a date
        except ValueError:
            continue
    return value


def source_provider(session: Session, layout: Layout, uscc: str | None) -> Provider:
    """The department that sent the file: `--provider`, else the one named by the layout."""
    if uscc:
        from xinyong import providers  # noqa: PLC0415

        return providers.get_by_uscc(session, uscc)
    found = session.execute(
        select(Provider).where(Provider.name == layout.source.name).order_by(Provider.id)
    ).scalars().first()  # fmt: skip
    if found is None:
        raise NotANationalList(
            f"数据来源单位“{layout.source.name}”尚未登记：请先运行 `xinyong providers add` 登记，"
            "或以 --provider 指定报送部门"
        )
    return found


def import_file(
    session: Session,
    path: Path,
    *,
    national_list: str | None,
    layouts: dict[str, Layout],
    catalog: Catalog,
    calendar: Calendar,
    actor: Actor,
    today: date,
    provider: str | None = None,
    durable: bool = True,
) -> dict[str, Any]:
    """Map a national list file and collect it (one batch of the layout's class from its
    source department); every entry keeps the authority of its own row (the court …)."""
    layout = None
    if national_list is not None:
        if national_list not in layouts:
            known = "、".join(layouts)
            raise NotANationalList(f"没有国家名单格式“{national_list}”；可选：{known}")
        layout = layouts[national_list]
    mapped = map_file(path.read_bytes(), path.name, layout, layouts, catalog)
    sender = source_provider(session, mapped.layout, provider)
    name = f"{path.name}（{mapped.layout.title}）.csv"  # the batch's file: the mapped CSV
    submission = collection.Submission(mapped.layout.info_class, sender.uscc, data=mapped.data,
                                       file_name=name)  # fmt: skip
    report = collection.collect(session, submission, catalog=catalog, calendar=calendar,
                                actor=actor, today=today, durable=durable)  # fmt: skip
    body = report.as_dict()
    body["errors"] = [
        {**e, "message": identifiers.mask_text(str(e.get("message", ""))),
         "column": _column_of(mapped.layout, catalog, e.get("field"))}
        for e in body["errors"]
    ]  # fmt: skip
    return {
        "national_list": mapped.layout.id,
        "title": mapped.layout.title,
        "provider": sender.name,
        "rows": mapped.rows,
        "unmapped_columns": list(mapped.unmapped),
        **body,
    }


def _column_of(layout: Layout, catalog: Catalog, label: Any) -> str | None:
    """The file's column behind a rejected field (collection names fields by their label)."""
    field = next((f.id for f in catalog.info_class(layout.info_class).fields
                  if label in (f.label, f.id, f.code)), None)  # fmt: skip
    for column in layout.columns:
        if column.field == field or (column.identifier and field in IDENTIFIER_FIELDS):
            return column.name
    return None
