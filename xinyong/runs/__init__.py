"""Background runs of long officer procedures (docs/decisions/0017).

Owns: the `job_runs` rows — a run queued by an officer (who, why, parameters; audited), claimed
by exactly one runner, its heartbeat and progress (done/total, a Chinese phase), its result
counts or its Chinese failure message — and the runner that executes them outside the request
(`xinyong serve` starts one; `xinyong jobs worker` runs one alone). Does not: hold any rule of
the procedures it runs (`procedures.py` calls the same domain functions as the CLI).

- `store`: start / again / claim / beat / finish / refuse / recent / view; `shown_status`
  computes 中断 from the heartbeat and now (`STALE_AFTER`); one queued run per job and
  parameters (a partial unique index); `starter_refusal` at claim time.
- `beats`: the heartbeat kept beside a SQLite database file (the run's write lock cannot block it).
- `uploads`: an uploaded file stored, then imported by a run (deleted later: `run_uploads`).
- `procedures`: what each job does in a run. `runner`: the claim-and-execute loop.
"""

from xinyong.runs.store import (
    EXCHANGE_IMPORT,
    HEARTBEAT_SECONDS,
    RECLASSIFY,
    STALE_AFTER,
    TITLES,
    UnknownRun,
    again,
    claim,
    get,
    recent,
    shown_status,
    start,
    view,
)
from xinyong.runs.uploads import start_import

__all__ = [
    "EXCHANGE_IMPORT",
    "HEARTBEAT_SECONDS",
    "RECLASSIFY",
    "STALE_AFTER",
    "TITLES",
    "UnknownRun",
    "again",
    "claim",
    "get",
    "recent",
    "shown_status",
    "start",
    "start_import",
    "view",
]
