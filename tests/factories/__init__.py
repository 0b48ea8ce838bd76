"""Plain builders for inert facts, one module per domain (`tests/factories/<domain>.py`).

Anything with a procedure (a list entry, a decided repair) is reached through its real actions.
"""

from tests.factories.archive import make_record
from tests.factories.subjects import SYSTEM, TODAY, make_provider, make_subject

__all__ = ["SYSTEM", "TODAY", "make_provider", "make_record", "make_subject"]
