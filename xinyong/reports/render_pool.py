"""Rendering and signing a report: the CPU-heavy step, one at a time per process.

Laying out the PDF (reportlab) and the SM2 signature are pure-Python CPU work that holds the GIL
for ~100 ms. On the web a whole report runs in a report process (`reports.pool`, `worker`), so
no request of the server process waits on it; where no pool is used (CLI, tests, settings
`report_workers = 0`) the step runs in the calling thread, one at a time per process.
"""

from __future__ import annotations

import threading

from xinyong import signing
from xinyong.reports import pdf, seal
from xinyong.reports.content import ReportContent

# In the calling thread: one render at a time per process, so the event loop keeps its share.
_IN_PROCESS = threading.BoundedSemaphore(1)
# Gathering a report's content through the ORM (~30 ms of CPU): one report at a time per
# process, so other requests of the process contend for the GIL with at most one report thread.
GATHERING = threading.BoundedSemaphore(1)


def render_and_seal(content: ReportContent, key: signing.SigningKey) -> bytes:
    """The PDF of `content`, signed."""
    return seal.seal(pdf.render(content), key)


def render_here(content: ReportContent, key: signing.SigningKey) -> bytes:
    with _IN_PROCESS:
        return render_and_seal(content, key)
