"""House rules checked mechanically: import layers, no commit in domain code, no system date."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import jinja2
from jinja2 import nodes as jinja_nodes

from tools.audit_scan import action_modules, unaudited_writers
from xinyong.config import REPO_ROOT
from xinyong.enums import ListStep

PACKAGE = REPO_ROOT / "xinyong"
# Surfaces own the transaction; collection commits per chunk (store.py, writer.py) to survive
# kill -9.
# The background runner (runs/) owns the transactions of the runs it executes, as a surface does.
MAY_COMMIT = {"cli", "web", "jobs", "runs", "collection/store.py", "collection/writer.py"}


def _domain_files() -> list[Path]:
    out = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("db/migrations") or any(
            rel == m or rel.startswith(m + "/") for m in MAY_COMMIT
        ):
            continue
        out.append(path)
    return out


def test_import_layers_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_code_never_commits() -> None:
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in _domain_files()
        if re.search(r"\.commit\(\)", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_only_clock_asks_the_system_for_the_date() -> None:
    pattern = re.compile(r"date\.today\(\)|datetime\.now\(|datetime\.utcnow\(")
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in PACKAGE.rglob("*.py")
        if p.name != "clock.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# Beijing time written again: the offset, a named zone, or the "naive stored times are UTC" rule.
# The one owner is xinyong/clock.py (BEIJING, as_utc, in_beijing, beijing_midnight); pages use the
# `beijing` filter (web/templating.py).
OFFSET_TWIN = re.compile(
    r"hours\s*=\s*\+?8\b|\b28800\b|[+]08:?00|Asia/Shanghai|ZoneInfo\(|utcnow|utcfromtimestamp"
    r"|\.replace\(\s*tzinfo\s*=|\.tzinfo\s+is\s+None|\bif\s+\w+\.tzinfo\s+else\b"
)


def _offset_twins(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if OFFSET_TWIN.search(line)]


def test_only_clock_writes_beijing_time() -> None:
    """Principle 9: code outside clock.py asks clock for Beijing time (`clock.in_beijing`,
    `clock.as_utc`, `clock.beijing_midnight`, `clock.BEIJING`); templates use `|beijing`.
    Migrations are never scanned: they freeze the rules of their day and import no app code."""
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{line}"
        for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html"), *PACKAGE.rglob("*.js")]
        if path.name != "clock.py"
        and not path.is_relative_to(PACKAGE / "db" / "migrations")
        and not path.is_relative_to(PACKAGE / "web" / "static" / "vendor")
        for line in _offset_twins(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_templates_print_times_through_the_beijing_filter() -> None:
    """A template that formats a time itself (`x.at.strftime(…)`) prints UTC: `{{ x.at|beijing }}`
    (or `|beijing("%Y-%m-%d")`) shows the clerk's time (tests/web/test_times_in_beijing.py)."""
    offenders = [
        f"{path.relative_to(TEMPLATES).as_posix()}:{n}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".strftime(" in line
    ]
    assert offenders == []


def test_the_offset_check_finds_what_it_should() -> None:
    code = """local = at + timedelta(hours=8)
stamp = "2026-11-29T08:00:00+08:00"
zone = ZoneInfo("Asia/Shanghai")
now = datetime.utcnow()
aware = at.replace(tzinfo=UTC)
if at.tzinfo is None:
x = at if at.tzinfo else fix(at)
ok = clock.in_beijing(at)
ok = clock.beijing_midnight(day) - timedelta(hours=1)"""
    assert _offset_twins(code) == [1, 2, 3, 4, 5, 6, 7]


def test_only_archive_writes_records() -> None:
    """One API for record writes (issue 18): a `Record(...)`, an INSERT or a COPY into `records`
    appear in archive/ only (content hashes: `archive.hash_canonical`)."""
    pattern = re.compile(r"\bRecord\(|INSERT INTO records|COPY records|insert\(Record\)")
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in PACKAGE.rglob("*.py")
        if not p.is_relative_to(PACKAGE / "archive")
        and not p.is_relative_to(PACKAGE / "db")
        and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# ---- every action writes its audit row (STYLE.md §4) ---------------------------------------------

# Writers that are not actions of their own, each with its reason.
NOT_ACTIONS = {
    ("audit/chain.py", "record"): "the audit row itself",
    ("audit/queries.py", "log_query"): "the query log is itself the record of who read whom",
    ("audit/queries.py", "log_queries"): "log_query for many subjects at once (a screening)",
    ("measures/joint_check.py", "check"): "the `checks` row is itself the log of the check",
    ("auth/sessions.py", "log_out"): "ends the caller's own web session; the sign-in is audited",
    ("indicators/snapshots.py", "refresh"): "recomputes a cache of derived monthly figures",
    ("audit/retention.py", "purge_before"): "writes its own chain row through record()",
    ("reports/issue.py", "hold_write_lock"): "an UPDATE matching no row: SQLite's write lock",
    ("evaluation/engine.py", "write_results"): "a run's results: the run is audited by start_run",
    ("evaluation/service.py", "evaluate_subject"): "a derived grade after an audited change",
    ("evaluation/service.py", "reevaluate"): "derived grades after an audited change",
    ("evaluation/pending.py", "clear"): "bookkeeping of a re-evaluation after an audited change",
    ("outbox.py", "append"): "a row of the change it records, inside that audited action",
    ("exchange/delivery.py", "send_pending"): "delivery bookkeeping of changes already audited",
    ("runs/store.py", "claim"): "a runner takes a run the officer's audited start queued",
    ("runs/store.py", "beat"): "the heartbeat and progress of a run; its start and end are audited",
    ("runs/store.py", "hold_write_lock"): "an UPDATE matching no row: SQLite's write lock",
    (
        "archive/bulk.py",
        "write_versions_sqlite",
    ): "a chunk of a batch: BATCH_SUBMITTED / _PROCESSED audit it",
}


def test_every_action_writes_its_audit_row() -> None:
    found = {
        (p.relative_to(PACKAGE).as_posix(), name)
        for p in action_modules()
        for name in unaudited_writers(p)
    }
    assert found - set(NOT_ACTIONS) == set()
    assert set(NOT_ACTIONS) <= found  # an exemption nobody needs any more is removed


def test_the_audit_scan_sees_real_actions() -> None:
    """The scan is not vacuous: an action that audits passes, the same without audit is caught."""
    source = PACKAGE / "lists" / "procedure.py"
    assert "decide_entry" not in unaudited_writers(source)
    tree = source.read_text(encoding="utf-8")
    tree = tree.replace("audit.record(", "print(").replace("history.record_step(", "print(")
    probe = Path(tempfile.mkdtemp()) / "procedure.py"
    probe.write_text(tree, encoding="utf-8")
    assert "propose_entry" in unaudited_writers(probe)


# ---- statuses are enums (issue 18) ---------------------------------------------------------------

STATUS_ATTRS = {"status", "state", "outcome", "result"}
# Other closed vocabularies held to the same rule: a user's role (`Role`), a list entry's stage
# (`lists.Stage`), a list procedure's step (`ListStep`); all are Jinja globals too.
VOCABULARY_ATTRS = STATUS_ATTRS | {"role", "stage", "step"}
# Files that may still compare a status with a bare string, each with its reason. Migrations are
# never scanned: they freeze the values of their day and must not import enums.
BARE_STATUS_ALLOWED: dict[str, str] = {}


def _is_status(node: ast.AST) -> bool:
    """`x.status` (or state, outcome, result, role, stage, step) or `row["status"]`."""
    if isinstance(node, ast.Attribute):
        return node.attr in VOCABULARY_ATTRS
    return (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
            and node.slice.value in VOCABULARY_ATTRS)  # fmt: skip


def _literals(node: ast.AST | None) -> list[str]:
    """The string literals of `"x"` or `("x", "y")` / `["x"]` / `{"x"}`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        ]
    return []


def _bare_statuses(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        found: list[str] = []
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(map(_is_status, sides)):
                found = [text for side in sides for text in _literals(side)]
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr == "in_" and _is_status(f.value):
                found = [text for arg in node.args for text in _literals(arg)]
            found += [text for kw in node.keywords if kw.arg in VOCABULARY_ATTRS
                      for text in _literals(kw.value)]  # fmt: skip
        elif isinstance(node, ast.Assign) and any(map(_is_status, node.targets)):
            found = _literals(node.value)
        found = [text for text in found if text]
        if found:
            yield getattr(node, "lineno", 0), ", ".join(found)


def test_statuses_are_enums() -> None:
    """A status compared with, filtered by or set to a bare string drifts from its enum (issue 18):
    use the member (`RepairStatus.SUBMITTED`, `ObjectionOutcome.CORRECTED`, …) of xinyong/enums.py
    or of the module that owns the vocabulary."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("db/migrations") or rel in BARE_STATUS_ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{rel}:{line}: {text}" for line, text in _bare_statuses(tree)]
    assert offenders == []


def test_the_bare_status_check_finds_what_it_should() -> None:
    code = """
a.status == "open"
b.state in ("generated", "approved")
select(T).where(T.status.in_(["done"]))
c.outcome = "kept"
update(T).values(status="closed")
row["result"] != "granted"
ok = d.status == Status.OPEN
actor.role in ("admin", "officer")
e.stage != "exited"
Actor(role="auditor")
ok = f.role == Role.ADMIN
evidence = [s for s in history if s.step == "evidence"]
ok = s.step == ListStep.EVIDENCE
"""
    found = sorted(line for line, _ in _bare_statuses(ast.parse(code)))
    assert found == [2, 3, 4, 5, 6, 7, 9, 10, 11, 13]


TEMPLATES = PACKAGE / "web" / "templates"


def _jinja_is_status(node: jinja_nodes.Node) -> bool:
    """`x.status` (or state, outcome, result, role, stage), `x["status"]` in a template
    expression."""
    if isinstance(node, jinja_nodes.Getattr):
        return node.attr in VOCABULARY_ATTRS
    return (isinstance(node, jinja_nodes.Getitem) and isinstance(node.arg, jinja_nodes.Const)
            and node.arg.value in VOCABULARY_ATTRS)  # fmt: skip


def _jinja_code_table(node: jinja_nodes.Node) -> list[str]:
    """A dict of codes looked up by a status, `{"draft": …}[item.status]` or
    `{"decided": "已认定"}.get(entry.stage)`: a second copy of the vocabulary (titles come from
    `title(…)` or the enum's `.label`, rules from the module that owns them)."""
    if isinstance(node, jinja_nodes.Getitem) and _jinja_is_status(node.arg):
        table = node.node
    elif (isinstance(node, jinja_nodes.Call) and isinstance(node.node, jinja_nodes.Getattr)
          and node.node.attr == "get" and node.args
          and _jinja_is_status(node.args[0])):  # fmt: skip
        table = node.node.node
    else:
        return []
    if not isinstance(table, jinja_nodes.Dict):
        return []
    return [str(pair.key.value) for pair in table.items if isinstance(pair.key, jinja_nodes.Const)]


def _jinja_literals(node: jinja_nodes.Node) -> list[str]:
    if isinstance(node, jinja_nodes.Const) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, jinja_nodes.Tuple | jinja_nodes.List):
        return [text for item in node.items for text in _jinja_literals(item)]
    return []


def _template_bare_statuses(source: str) -> Iterator[tuple[int, str]]:
    """A status compared with a string literal in a template, `{% if x.status == 'open' %}`, or
    selected by one, `|selectattr("status", "equalto", "open")`."""
    tree = jinja2.Environment(extensions=["jinja2.ext.do"]).parse(source)
    kinds = (jinja_nodes.Compare, jinja_nodes.Filter, jinja_nodes.Test, jinja_nodes.Getitem,
             jinja_nodes.Call)  # fmt: skip
    for node in tree.find_all(kinds):
        found: list[str] = []
        if isinstance(node, jinja_nodes.Getitem | jinja_nodes.Call):
            found = _jinja_code_table(node)
        elif isinstance(node, jinja_nodes.Compare):
            sides = [node.expr, *(op.expr for op in node.ops)]
            if any(map(_jinja_is_status, sides)):
                found = [text for side in sides for text in _jinja_literals(side)]
        elif isinstance(node, jinja_nodes.Filter) and node.name in {"selectattr", "rejectattr"}:
            first = node.args[0] if node.args else None
            if isinstance(first, jinja_nodes.Const) and first.value in VOCABULARY_ATTRS:
                found = [text for arg in node.args[2:] for text in _jinja_literals(arg)]
        elif isinstance(node, jinja_nodes.Test) and _jinja_is_status(node.node):
            found = [text for arg in node.args for text in _jinja_literals(arg)]
        if found:
            yield node.lineno, ", ".join(found)


def test_templates_compare_statuses_with_enums() -> None:
    """Templates too (issue 18): `{% if app.status == RepairStatus.SUBMITTED %}` — the enums of
    xinyong/enums.py are Jinja globals (web/templating.py) — and Chinese words for a status come
    from `title("repair_status", …)`, never a dict of codes in the template. A list procedure's
    step is named by `ListStep.NOTICE` …, never `refused("notice")`."""
    offenders = [
        f"{path.relative_to(TEMPLATES).as_posix()}:{line}: {text}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for check in (_template_bare_statuses, _template_bare_steps)
        for line, text in check(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_template_status_check_finds_what_it_should() -> None:
    source = """{% if a.status == "open" %}{% endif %}
{% if b.state in ("generated", "approved") %}{% endif %}
{{ items|selectattr("status", "equalto", "done")|list }}
{% if c["outcome"] != 'kept' %}{% endif %}
{% if d.status == RepairStatus.SUBMITTED %}{% endif %}
{% if e.kind == "person" %}{% endif %}
{% if f.result is sameas "granted" %}{% endif %}
{% if actor.role in ("admin", "officer") %}{% endif %}
{% if entry.stage != "exited" %}{% endif %}
{{ {"decided": "已认定"}.get(entry.stage, entry.stage) }}
{% set moves = {"draft": ["submit"]}[item.status] %}
{% if actor.role == Role.ADMIN and entry.stage != Stage.EXITED %}{% endif %}"""
    assert [line for line, _ in _template_bare_statuses(source)] == [1, 2, 3, 4, 7, 8, 9, 10, 11]


def _template_bare_steps(source: str) -> Iterator[tuple[int, str]]:
    """A list procedure step named by a string (`refused("notice")`, `"approval" in next`,
    `next["decision"]`) where `ListStep.NOTICE` … names it (the enum is a Jinja global)."""
    steps = {s.value for s in ListStep}
    tree = jinja2.Environment(extensions=["jinja2.ext.do"]).parse(source)
    for node in tree.find_all((jinja_nodes.Call, jinja_nodes.Compare, jinja_nodes.Getitem)):
        sides: list[jinja_nodes.Node] = []
        if isinstance(node, jinja_nodes.Call):
            sides = list(node.args)
        elif isinstance(node, jinja_nodes.Compare):
            sides = [node.expr, *(op.expr for op in node.ops)]
        elif isinstance(node, jinja_nodes.Getitem):
            sides = [node.arg]
        found = [text for side in sides for text in _jinja_literals(side) if text in steps]
        if found:
            yield node.lineno, ", ".join(found)


def test_the_template_step_check_finds_what_it_should() -> None:
    source = """{{ refused("notice") }}
{% if "approval" in next %}{% endif %}
{{ next["decision"].title }}
{{ refused(ListStep.NOTICE) }}{% if ListStep.APPROVAL in next %}{% endif %}
{% if lt.early_exit.allowed %}{{ kind == "early" }}{% endif %}"""
    assert [line for line, _ in _template_bare_steps(source)] == [1, 2, 3]


# ---- module size ---------------------------------------------------------------------------------

MAX_LINES = 400
# Modules allowed past MAX_LINES, each with its reason.
LONG_MODULES: dict[str, str] = {}


def test_modules_stay_small() -> None:
    """House size (STYLE): a module past 400 lines is split at its seam, names re-exported from
    the package so callers do not change."""
    long = {
        path.relative_to(PACKAGE).as_posix(): n
        for path in PACKAGE.rglob("*.py")
        if not path.is_relative_to(PACKAGE / "db" / "migrations")
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert {rel: n for rel, n in long.items() if rel not in LONG_MODULES} == {}
