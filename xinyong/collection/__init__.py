"""Collection (归集): departments submit records by file or API; every row is accepted or rejected
with a reason. See collection/README.md."""

from xinyong.collection.batches import (
    BatchNotFound,
    BatchReport,
    Submission,
    collect,
    duration,
    get,
    list_batches,
    rejected_rows,
    report,
)
from xinyong.collection.excel import rejected_rows_xlsx, table_xlsx
from xinyong.collection.phases import Phases
from xinyong.collection.readers import BatchRefused
from xinyong.collection.validate import MissingColumns

__all__ = [
    "BatchNotFound",
    "BatchRefused",
    "BatchReport",
    "MissingColumns",
    "Phases",
    "Submission",
    "collect",
    "duration",
    "get",
    "list_batches",
    "rejected_rows",
    "rejected_rows_xlsx",
    "report",
    "table_xlsx",
]
