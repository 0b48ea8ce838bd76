"""Background runs in tests: the run a page redirected to, executed in the test's session."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.db.tables import JobRun
from xinyong.runs import runner


def run_id_of(response: Any) -> int:
    """The run a POST redirected to (/admin/runs/{id}): a response of the test client."""
    found = re.search(r"/admin/runs/(\d+)", str(response.url))
    assert found is not None, f"not a run page: {response.url}"
    return int(found.group(1))


def execute(session: Session, settings: Settings, run_id: int) -> JobRun:
    """What the runner does with the run (claimed by a test runner, executed, ended)."""
    ran = runner.run_next(session, settings, runner="test-runner", run_id=run_id)
    assert ran is not None, f"run {run_id} was not queued"
    return ran
