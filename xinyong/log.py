"""structlog setup with a processor that masks ID numbers in every event value.

Masking is `identifiers.mask_text`, the same function the portal uses: 18- and 15-digit ID
numbers lose their birth date, USCCs stay readable.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, TextIO

import structlog

from xinyong.identifiers import mask_text


def mask_identifiers(
    _logger: Any, _name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Mask ID numbers in every string value of an event (as the portal does)."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = mask_text(value)
    return event_dict


class _Tee:
    """Writes each log line to a file and, optionally, to stderr."""

    def __init__(self, path: Path | None, stderr: bool) -> None:
        self._file: TextIO | None = path.open("a", encoding="utf-8") if path else None
        self._stderr = stderr

    def write(self, text: str) -> int:
        if self._file is not None:
            self._file.write(text)
        if self._stderr:
            sys.stderr.write(text)
        return len(text)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()
        if self._stderr:
            sys.stderr.flush()


def configure(
    *, json: bool = False, level: str = "INFO", file: Path | None = None, stderr: bool = True
) -> None:
    """Log to stderr (servers), or to `file` and to stderr only when asked (the CLI)."""
    out: Any = sys.stderr if file is None and stderr else _Tee(file, stderr)
    logging.basicConfig(
        stream=out, format="%(message)s", level=getattr(logging, level.upper(), logging.INFO)
    )
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_identifiers,
            renderer,
        ],
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
