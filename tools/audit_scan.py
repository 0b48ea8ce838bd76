"""Which public functions of a module write rows and which reach an audit row (STYLE.md §4).

Read by `tests/test_architecture.py` (every action audits) and by `tools.reach` (the actions and
the logged reads are the capabilities of the table in docs/dev/reach.md)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from xinyong.config import REPO_ROOT

PACKAGE = REPO_ROOT / "xinyong"
_AUDITING = {("audit", "record"), ("audit", "log_query"), ("audit", "log_queries"),
             ("archive", "add_record"),
             ("archive", "new_version"), ("history", "record_step")}  # fmt: skip
_LOGGING = {("audit", "log_query"), ("audit", "log_queries")}
_SESSION_WRITES = {"add", "add_all", "delete"}


def calls(node: ast.AST) -> Iterator[ast.Call]:
    return (n for n in ast.walk(node) if isinstance(n, ast.Call))


def writes(call: ast.Call) -> bool:
    """`session.add/add_all/delete(...)`, `session.execute(update|insert|delete(...)…)` or a
    conditional status change `transitions.move(...)`."""
    f = call.func
    if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)):
        return False
    if (f.value.id, f.attr) == ("transitions", "move"):
        return True
    if f.value.id == "session" and f.attr in _SESSION_WRITES:
        return True
    if f.value.id != "session" or f.attr != "execute" or not call.args:
        return False
    inner = call.args[0]
    while isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
        inner = inner.func.value  # update(T).where(...).values(...) → update(T)
    return (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
            and inner.func.id in {"update", "insert", "delete"})  # fmt: skip


def _named(call: ast.Call, names: set[tuple[str, str]]) -> bool:
    f = call.func
    return (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
            and (f.value.id, f.attr) in names)  # fmt: skip


def audits(call: ast.Call) -> bool:
    return _named(call, _AUDITING)


def logs_query(call: ast.Call) -> bool:
    return _named(call, _LOGGING)


def functions_of(path: Path) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        n.name: n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }  # fmt: skip


def closure(functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef], name: str) -> list[str]:
    """`name` and the functions of its module it calls, directly or through each other."""
    seen, todo = [name], [name]
    while todo:
        for call in calls(functions[todo.pop()]):
            callee = call.func.id if isinstance(call.func, ast.Name) else None
            if callee in functions and callee not in seen:
                seen.append(callee)
                todo.append(callee)
    return seen


def scan(path: Path) -> dict[str, tuple[bool, bool, bool]]:
    """Each public function: (writes rows, reaches an audit row or the query log, writes to the
    query log only) — itself or through helpers of its module."""
    functions = functions_of(path)
    out = {}
    for name in functions:
        if name.startswith("_"):
            continue
        found = [c for f in closure(functions, name) for c in calls(functions[f])]
        audited, logged = any(map(audits, found)), any(map(logs_query, found))
        only_logged = logged and not any(audits(c) and not logs_query(c) for c in found)
        out[name] = (any(map(writes, found)), audited, only_logged)
    return out


def unaudited_writers(path: Path) -> list[str]:
    """Public functions that write rows (themselves or through helpers of their module) but never
    reach `audit.record` (directly, through a helper, or through `archive`'s versioned writes)."""
    return [name for name, (w, a, _) in scan(path).items() if w and not a]


def action_modules() -> list[Path]:
    skip = ("web/", "cli/", "db/", "demo/")
    return [p for p in PACKAGE.rglob("*.py")
            if not p.relative_to(PACKAGE).as_posix().startswith(skip)]  # fmt: skip
