"""What every command needs: settings, a transaction, today, catalog, calendar, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any

from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from xinyong import audit, catalog, clock
from xinyong.audit import Actor
from xinyong.config import Settings, get_settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction

err = Console(stderr=True)


@lru_cache
def _factory(url: str) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(url))


def settings() -> Settings:
    return get_settings()


@contextmanager
def db() -> Iterator[Session]:
    from xinyong.evaluation import watch  # noqa: PLC0415 — grades follow archive changes

    watch.install(lambda: (_catalog(), today()))
    with transaction(_factory(settings().database_url)) as session:
        yield session


@lru_cache
def _catalog() -> catalog.Catalog:
    return load_catalog()


def today() -> date:
    configured = settings().today
    return configured if configured is not None else clock.today()


def load_catalog() -> catalog.Catalog:
    s = settings()
    return catalog.load_catalog(s.catalog_dir, s.catalog_override_dir)


def load_calendar() -> clock.Calendar:
    return catalog.load_calendar(settings().catalog_dir / "calendar")


def operator() -> Actor:
    """The CLI acts as the platform operator; the audit row names the OS user."""
    import getpass  # noqa: PLC0415

    return Actor.system(f"命令行:{getpass.getuser()}")


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(audit.jsonable(value), ensure_ascii=False, indent=2) + "\n")
