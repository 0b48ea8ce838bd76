"""What every command needs: settings, a transaction, today, catalog, calendar, output, logging.

Light at import time (the CLI's `--help` must start fast): database, catalog and domain modules
are imported inside the functions that need them.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.console import Console

from xinyong.errors import InvalidInput, XinyongError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from xinyong import catalog, clock
    from xinyong.audit import Actor
    from xinyong.config import Settings

err = Console(stderr=True, soft_wrap=True)
LOG_FILE = "logs/xinyong.log"


class DatabaseMissing(XinyongError):
    code = "cli.database_missing"
    status = 503


@lru_cache
def _factory(url: str) -> sessionmaker[Session]:
    from xinyong.db.session import make_engine, make_sessionmaker  # noqa: PLC0415

    return make_sessionmaker(make_engine(url))


_logging = {"verbose": False, "configured": False}
_collector = {"held": False}


def hold_collector() -> None:
    """Start-up (`xinyong.cli.main`, before the command's imports): no garbage collection.
    Importing SQLAlchemy, Polars, the catalog's schemas and the tables makes ≈ 150,000 objects
    that live until exit and almost no garbage, yet the collector walks all of them again and
    again as they grow (≈ 0.13 s of CPU in `xinyong evaluate`'s start-up, issue 12).
    `release_collector` ends it when the command starts its work."""
    if gc.isenabled():
        gc.disable()
        _collector["held"] = True


def release_collector() -> None:
    """The command's start-up is over (it reads the settings: its modules are imported): what
    exists now lives until exit, so the collector leaves it alone (`gc.freeze`) and runs again
    for what the work makes. Nothing to do when start-up did not hold it (tests, the server)."""
    if _collector["held"]:
        _collector["held"] = False
        gc.freeze()
        gc.enable()


def settings() -> Settings:
    from xinyong.config import get_settings  # noqa: PLC0415

    release_collector()
    s = get_settings()
    if not _logging["configured"]:
        _logging["configured"] = True
        _configure_logging(s, verbose=_logging["verbose"])
    return s


def start(*, verbose: bool) -> None:
    """Called before any command (also for a subcommand's --help): remember --verbose only;
    logging is set up when a command first reads the settings."""
    _logging["verbose"] = verbose


def _configure_logging(s: Settings, *, verbose: bool) -> None:
    """Log lines go to `data_dir/logs/xinyong.log`, and to stderr only with `--verbose`."""
    from xinyong import log  # noqa: PLC0415

    path = s.data_dir / LOG_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        log.configure(json=s.log_json, level=s.log_level, file=path, stderr=verbose)
    except OSError:
        log.configure(json=s.log_json, level=s.log_level, file=None, stderr=verbose)


def require_database(url: str) -> None:
    """A SQLite file that does not exist yet means `xinyong init` has not been run."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        from pathlib import Path  # noqa: PLC0415

        if not Path(url.removeprefix("sqlite:///")).exists():
            raise DatabaseMissing(f"数据库 {url} 不存在：请先运行 `xinyong init`")


@contextmanager
def db() -> Iterator[Session]:
    from xinyong.db.session import transaction  # noqa: PLC0415
    from xinyong.evaluation import watch  # noqa: PLC0415 — grades follow archive changes

    url = settings().database_url
    require_database(url)
    watch.install(lambda: (_catalog(), today()))
    with transaction(_factory(url)) as session:
        yield session


@lru_cache
def _catalog() -> catalog.Catalog:
    return load_catalog()


def today() -> date:
    from xinyong import clock  # noqa: PLC0415

    configured = settings().today
    return configured if configured is not None else clock.today()


def load_catalog() -> catalog.Catalog:
    from xinyong import catalog  # noqa: PLC0415

    s = settings()
    return catalog.load_catalog(s.catalog_dir, s.catalog_override_dir)


def load_calendar() -> clock.Calendar:
    from xinyong import catalog  # noqa: PLC0415

    return catalog.load_calendar(
        settings().catalog_dir, override_dir=settings().catalog_override_dir
    )


def operator() -> Actor:
    """The CLI acts as the platform operator; the audit row names the OS user."""
    import getpass  # noqa: PLC0415

    from xinyong.audit import Actor  # noqa: PLC0415

    return Actor.command_line(getpass.getuser())


def resolve(what: str, value: str, choices: Mapping[str, str]) -> str:
    """An id from its id or its Chinese title (招标投标 → bidding); a wrong one lists the valid."""
    wanted = value.strip()
    if wanted in choices:
        return wanted
    for key, title in choices.items():
        if title == wanted:
            return key
    valid = "、".join(f"{k}（{t}）" for k, t in choices.items())
    raise InvalidInput(f"{what}“{value}”不存在，可选：{valid}", code="cli.unknown_choice")


def resolve_matter(cat: catalog.Catalog, value: str) -> str:
    return resolve("核查事项", value, {k: m.title for k, m in cat.matters.items()})


def resolve_class(cat: catalog.Catalog, value: str) -> str:
    return resolve("信息类", value, {k: c.title for k, c in cat.info_classes.items()})


def progress(*, enabled: bool) -> Any:
    """A progress bar on stderr when it is a terminal and the output is not JSON."""
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
    )

    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    return Progress(
        *columns,
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not (enabled and err.is_terminal),
    )


def print_json(value: Any) -> None:
    from xinyong import audit  # noqa: PLC0415

    sys.stdout.write(json.dumps(audit.jsonable(value), ensure_ascii=False, indent=2) + "\n")
