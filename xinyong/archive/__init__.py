"""Archive: every record of a subject across classes, current version plus history, provenance.

Owns: reading records (current and past versions) and writing them — the only code that inserts
into `records`: `add_record` (a record this platform decides, version 1, with its audit row),
`new_version` (a correction or a new status: keeps the old version, writes the audit row) and
`write_versions_pg` / `write_versions_sqlite` (a bulk chunk of new versions, COPY on PostgreSQL)
— and the one canonical content hash (`canonical_json`, `hash_canonical`, `content_hash`).
Records are stored lean (`db/lean_record.py`: `data` without the fields the columns and the
natural key hold); `source_row(record)` is the one way to read a record's full source row.
Does not: decide what the public sees (disclosure/), validate submissions or keep batch
bookkeeping (collection/ prepares the chunks and audits the batch).

Modules (every name is re-exported here: callers write `archive.<name>`): reads.py (queries and
the source row of a lean record), subject_windows.py (a subject's current records a window at a
time: the subject page's sections, the full archive view's pages), writes.py (single writes
with their audit rows, the content hash), bulk.py (a collection chunk of new versions).
"""

from xinyong.archive.authorities import authorities_of_class, with_authority_id
from xinyong.archive.bulk import (
    CHECK_REFERENCES,
    RECORD_COLUMNS,
    check_references,
    write_versions_pg,
    write_versions_sqlite,
)
from xinyong.archive.reads import (
    ClassFilter,
    RecordNotFound,
    class_conditions,
    class_span,
    current_of_class,
    current_records,
    get,
    histories,
    history,
    of_batch,
    open_objection_record_ids,
    provider_kinds,
    source_field,
    source_fields,
    source_row,
)
from xinyong.archive.subject_windows import (
    SubjectTally,
    archive_of_subject,
    classes_of_subject,
    count_of_subject,
    current_of_subject,
    tally_of_subject,
)
from xinyong.archive.writes import (
    NotCurrentVersion,
    add_record,
    canonical_json,
    content_hash,
    hash_canonical,
    hash_canonical_utf8,
    new_version,
    provenance,
)
from xinyong.db.lean_record import lean, rebuild

__all__ = [
    "CHECK_REFERENCES",
    "RECORD_COLUMNS",
    "ClassFilter",
    "NotCurrentVersion",
    "RecordNotFound",
    "SubjectTally",
    "add_record",
    "archive_of_subject",
    "authorities_of_class",
    "canonical_json",
    "check_references",
    "class_conditions",
    "class_span",
    "classes_of_subject",
    "content_hash",
    "count_of_subject",
    "current_of_class",
    "current_of_subject",
    "current_records",
    "get",
    "hash_canonical",
    "hash_canonical_utf8",
    "histories",
    "history",
    "lean",
    "new_version",
    "of_batch",
    "open_objection_record_ids",
    "provenance",
    "provider_kinds",
    "rebuild",
    "source_field",
    "source_fields",
    "source_row",
    "tally_of_subject",
    "with_authority_id",
    "write_versions_pg",
    "write_versions_sqlite",
]
