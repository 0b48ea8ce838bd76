"""Capability × surface table (docs/dev/reach.md), generated from the code.

A capability is a public domain function that writes an audit row (an action: the same scan as
`tests/test_architecture.py::test_every_action_writes_its_audit_row`) or writes the query log
(a logged read of a subject). Its surfaces are found by following calls from the places a
person starts: the routes of the web app (pages, `/api/v1`), the commands of the CLI and the
named jobs and background runs. Calls are read from the source with `ast` and each name is
resolved against the module as imported, so a re-export or an import inside a command function
is followed like any other. Run `python -m tools.reach` to write the table;
`tests/test_reach.py` fails while the committed one is out of date.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from tools import audit_scan
from tools.reach_decisions import INTENDED, MAIN_READS, SKIPPED_ENTRIES, SURFACES, TITLES
from xinyong.config import REPO_ROOT

DOC = REPO_ROOT / "docs" / "dev" / "reach.md"
Key = str  # "lists.procedure.decide_entry"


@dataclass
class Capability:
    key: Key
    kind: str  # "写" (an audited action) or "读" (a logged read)
    title: str
    surfaces: dict[str, set[str]] = field(default_factory=dict)  # "page" → {"POST /admin/…"}


def key_of(fn: Callable[..., Any]) -> Key:
    return f"{fn.__module__.removeprefix('xinyong.')}.{fn.__qualname__}"


# ---- the call graph ------------------------------------------------------------------------------


Node = ast.FunctionDef | ast.AsyncFunctionDef


class Graph:
    """Functions of `xinyong` and the functions of `xinyong` each one names — in its body, or in a
    module-level table it names (a route's dict of step → lambda calling the action)."""

    def __init__(self) -> None:
        self._modules: dict[str, tuple[dict[str, Node], dict[str, ast.expr]]] = {}
        self._edges: dict[Key, set[Callable[..., Any]]] = {}

    def _module(self, module: ModuleType) -> tuple[dict[str, Node], dict[str, ast.expr]]:
        name = module.__name__
        if name not in self._modules:
            tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))
            defs = {n.name: n for n in tree.body if isinstance(n, Node)}
            tables: dict[str, ast.expr] = {}
            for n in tree.body:
                if isinstance(n, ast.Assign) and len(n.targets) == 1:
                    target, value = n.targets[0], n.value
                elif isinstance(n, ast.AnnAssign) and n.value is not None:
                    target, value = n.target, n.value
                else:
                    continue
                if isinstance(target, ast.Name) and isinstance(
                    value, ast.Dict | ast.List | ast.Tuple
                ):
                    tables[target.id] = value
            self._modules[name] = (defs, tables)
        return self._modules[name]

    def _node(self, fn: Callable[..., Any]) -> Node | None:
        """The definition of `fn`, a nested one (`outer.<locals>.inner`) too."""
        defs, _ = self._module(sys.modules[fn.__module__])
        outer, *inner = fn.__qualname__.split(".<locals>.")
        node = defs.get(outer)
        for name in inner:
            found = (
                [n for n in ast.walk(node) if isinstance(n, Node) and n.name == name]
                if node
                else []
            )
            node = found[0] if found else None
        return node

    def callees(self, fn: Callable[..., Any]) -> set[Callable[..., Any]]:
        key = key_of(fn)
        if key not in self._edges:
            self._edges[key] = set()  # a recursive function ends here
            node = self._node(fn)
            if node is not None:
                module = sys.modules[fn.__module__]
                _, tables = self._module(module)
                scope = {**vars(module), **_local_imports(node, module)}
                found = set(_named_functions(node, scope))
                for name in _names(node) & tables.keys():
                    found |= set(_named_functions(tables[name], scope))
                self._edges[key] = found
        return self._edges[key]

    def reach(self, start: Callable[..., Any]) -> set[Key]:
        seen: dict[Key, Callable[..., Any]] = {key_of(start): start}
        todo = [start]
        while todo:
            for callee in self.callees(todo.pop()):
                if key_of(callee) not in seen:
                    seen[key_of(callee)] = callee
                    todo.append(callee)
        return set(seen)


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _local_imports(node: ast.AST, module: ModuleType) -> dict[str, Any]:
    """Names a function imports inside its body (CLI commands import their domain modules);
    only the platform's own modules are followed (an optional engine may not be installed)."""
    names: dict[str, Any] = {}
    for n in ast.walk(node):
        if isinstance(n, ast.Import):
            for alias in n.names:
                if alias.name.startswith("xinyong"):
                    top = alias.name if alias.asname else alias.name.split(".")[0]
                    names[alias.asname or top] = importlib.import_module(top)
        elif isinstance(n, ast.ImportFrom):
            base = importlib.util.resolve_name("." * n.level + (n.module or ""), module.__package__)
            if not base.startswith("xinyong"):
                continue
            source = importlib.import_module(base)
            for alias in n.names:
                value = getattr(source, alias.name, None)
                if value is None:
                    value = importlib.import_module(f"{base}.{alias.name}")
                names[alias.asname or alias.name] = value
    return names


def _chain(node: ast.expr) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _named_functions(node: ast.AST, scope: dict[str, Any]) -> Iterator[Callable[..., Any]]:
    for n in ast.walk(node):
        if not isinstance(n, ast.Name | ast.Attribute) or not isinstance(n.ctx, ast.Load):
            continue
        parts = _chain(n)
        if not parts or parts[0] not in scope:
            continue
        value: Any = scope[parts[0]]
        for part in parts[1:]:
            value = getattr(value, part, None)
        value = inspect.unwrap(value) if callable(value) else value
        if inspect.isfunction(value) and (value.__module__ or "").startswith("xinyong"):
            yield value


# ---- where people start --------------------------------------------------------------------------


def web_entries() -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """("page" | "api", "METHOD /path", endpoint) for every route of the app — as built on SQLite,
    so the table is the same wherever it is made (PostgreSQL's fast check and search answer the
    same paths through the same domain reads)."""
    from fastapi.routing import iter_route_contexts  # noqa: PLC0415

    from xinyong.config import get_settings  # noqa: PLC0415
    from xinyong.web.app import create_app  # noqa: PLC0415

    for route in iter_route_contexts(
        create_app(get_settings().model_copy(update={"database_url": "sqlite://"})).routes
    ):
        path, endpoint = str(route.path), route.endpoint
        surface = "api" if path.startswith("/api/") else "page"
        for method in sorted(set(route.methods or ()) - {"HEAD"}):
            if endpoint is not None:
                yield surface, f"{method} {path}", inspect.unwrap(endpoint)


def cli_entries() -> Iterator[tuple[str, str, Callable[..., Any]]]:
    import typer  # noqa: PLC0415

    from xinyong.cli import app  # noqa: PLC0415

    def walk(command: Any, path: str) -> Iterator[tuple[str, str, Callable[..., Any]]]:
        if hasattr(command, "commands"):  # a group (typer carries its own click)
            for name, sub in sorted(command.commands.items()):
                yield from walk(sub, f"{path} {name}")
        elif command.callback is not None:
            yield "cli", path, inspect.unwrap(command.callback)

    yield from walk(typer.main.get_command(app), "xinyong")


def job_entries() -> Iterator[tuple[str, str, Callable[..., Any]]]:
    from xinyong import jobs  # noqa: PLC0415
    from xinyong.runs import procedures  # noqa: PLC0415

    for name, job in sorted(jobs.JOBS.items()):
        yield "job", f"任务 {name}", job
    yield "job", "后台运行", procedures.execute


# ---- the capabilities ----------------------------------------------------------------------------


def _title(fn: Callable[..., Any], graph: Graph) -> str:
    from xinyong.web.titles import STATES  # noqa: PLC0415

    if key_of(fn) in TITLES:
        return TITLES[key_of(fn)]
    codes: list[str] = []
    todo, seen = [fn], {key_of(fn)}
    while todo and not codes:  # the action codes it writes itself, else the nearest callee's
        step = todo
        todo = []
        for f in step:
            codes += _action_codes(f)
            for callee in sorted(graph.callees(f), key=key_of):
                if key_of(callee) not in seen:
                    seen.add(key_of(callee))
                    todo.append(callee)
    titles = STATES["audit_action"]
    return "／".join(dict.fromkeys(titles.get(c, c) for c in codes))


def _action_codes(fn: Callable[..., Any]) -> list[str]:
    from xinyong.audit import AuditAction  # noqa: PLC0415

    path = Path(inspect.getfile(fn))
    functions = audit_scan.functions_of(path)
    if fn.__name__ not in functions:
        return []
    return [
        str(AuditAction[n.attr])
        for name in audit_scan.closure(functions, fn.__name__)
        for n in ast.walk(functions[name])
        if isinstance(n, ast.Attribute) and _chain(n) == ["AuditAction", n.attr]
    ]


def _hands_on_an_action(fn: Callable[..., Any]) -> bool:
    """An action audited through another module's helper: it hands an `AuditAction` to a call
    (`institutions.stored(session, row, AuditAction.LOAN_OUTCOME_RECORDED, …)`); a read that
    only filters the log by an action's code does not."""
    functions = audit_scan.functions_of(Path(inspect.getfile(fn)))
    if fn.__name__ not in functions:
        return False
    for name in audit_scan.closure(functions, fn.__name__):
        for call in audit_scan.calls(functions[name]):
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                options = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                if any(_chain(o) == ["AuditAction", getattr(o, "attr", "")] for o in options):
                    return True
    return False


def capabilities(graph: Graph) -> list[Capability]:
    """Every audited action and every logged read outside the surfaces, in module order."""
    out = []
    for path in sorted(audit_scan.action_modules()):
        rel = path.relative_to(audit_scan.PACKAGE).with_suffix("")
        name = ".".join(("xinyong", *rel.parts)).removesuffix(".__init__")
        found = audit_scan.scan(path)
        module = None
        for fname, (_, audited, logged) in found.items():
            module = module or importlib.import_module(name)
            fn = getattr(module, fname, None)
            if not inspect.isfunction(fn) or fn.__module__ != name:
                continue  # a method, or a name the module only imports
            if not (audited or logged or _hands_on_an_action(fn)):
                continue
            kind = "读" if logged else "写"  # a read writes the query log and no audit row
            out.append(Capability(key_of(fn), kind, _title(fn, graph)))
    for key in sorted(MAIN_READS.keys() - {c.key for c in out}):
        module_name, _, fname = key.rpartition(".")
        if not inspect.isfunction(
            getattr(importlib.import_module(f"xinyong.{module_name}"), fname, None)
        ):
            raise LookupError(f"MAIN_READS names {key}, which is no function any more")
        out.append(Capability(key, "读", MAIN_READS[key]))
    return out


def table() -> list[Capability]:
    graph = Graph()
    found = capabilities(graph)
    by_key = {c.key: c for c in found}
    for entries in (web_entries(), cli_entries(), job_entries()):
        for surface, label, fn in entries:
            if label in SKIPPED_ENTRIES:
                continue
            for key in graph.reach(fn) & by_key.keys():
                by_key[key].surfaces.setdefault(surface, set()).add(label)
    return found


# ---- the page ------------------------------------------------------------------------------------


def missing(cap: Capability) -> list[str]:
    """The surfaces among page / CLI / API the capability has none of."""
    return [s for s in ("page", "cli", "api") if s not in cap.surfaces]


def _cell(cap: Capability, surface: str) -> str:
    labels = sorted(cap.surfaces.get(surface, ()))
    if labels:
        return "<br>".join(f"`{x}`" for x in labels)
    intent = INTENDED.get(cap.key)
    return "**缺**" if intent and surface in intent[0].split() else "—"


def render(caps: list[Capability]) -> str:
    names = SURFACES
    lines = [
        "# 能力与入口对照表（capability × surface）",
        "",
        "Generated by `python -m tools.reach` from the code — do not edit by hand;",
        "`tests/test_reach.py` fails while this file is out of date. A capability is a public",
        "domain function that writes an audit row (写) or the query log (读); its surfaces are the",
        "routes, commands and jobs whose calls reach it. **缺**: a surface its user needs and does",
        "not have yet; —: none, and none intended. The decision on each capability missing a",
        "surface is in `tools/reach_decisions.py` (INTENDED), one line each, shown below the",
        "table.",
        "",
        "| 能力 | 函数 | 类 | " + " | ".join(names.values()) + " |",
        "|---|---|---|---|---|---|---|",
    ]
    for cap in caps:
        job = "<br>".join(sorted(cap.surfaces.get("job", ()))) or "—"
        lines.append(
            f"| {cap.title or '（无标题）'} | `{cap.key}` | {cap.kind} | {_cell(cap, 'page')} | "
            f"{_cell(cap, 'cli')} | {_cell(cap, 'api')} | {job} |"
        )
    lines += ["", "## 缺少入口的能力：需要的入口与理由", ""]
    lines += ["| 能力 | 缺少 | 需要 | 理由 |", "|---|---|---|---|"]
    for cap in caps:
        gone = missing(cap)
        if not gone:
            continue
        wanted, why = INTENDED.get(cap.key, ("", "（未决定）"))
        need = [names[s] for s in wanted.split() if s in gone]
        lines.append(
            f"| {cap.title or cap.key} | {'、'.join(names[s] for s in gone)} | "
            f"{'、'.join(need) or '无'} | {why} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    DOC.write_text(render(table()), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC.relative_to(REPO_ROOT)}\n")


if __name__ == "__main__":
    main()
