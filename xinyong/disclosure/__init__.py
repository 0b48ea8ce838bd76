"""Disclosure: what the public may see of each record today, why, and until when.

Owns: the severity of penalties (sector tables in `catalogs/severity/`), the disclosure window of
every record (`catalogs/disclosure_rules.yaml`: regimes 令36号 from 2026-04-01 and 令58号 before),
the subject's public view by portal tab (the page shows one page of each section: sections.py),
the full archive view for authorised readers, and the 双公示 listings. Computed from the record,
the catalog and `today` — never stored as a flag.
Does not: change records (archive.new_version), decide list entries (lists) or repairs (repair).

Start here: `rules.disclosure_window` (pure), then `views.public_view`.
"""

from xinyong.disclosure.access import (
    PurposeRequired,
    may_read_archive,
    read_archive,
    read_archive_page,
)
from xinyong.disclosure.listing import ListingPage, ListingQuery, listing
from xinyong.disclosure.rules import (
    OBJECTION_MARK,
    DisclosureState,
    DisclosureWindow,
    RecordFacts,
    SeverityFinding,
    disclosure_window,
    severity_of,
    severity_table_for,
    window_fields,
)
from xinyong.disclosure.sections import (
    Section,
    SubjectSections,
    any_shown,
    public_page,
    subject_sections,
)
from xinyong.disclosure.views import (
    PUNISHMENT_TAB,
    ArchiveEntry,
    ArchivePage,
    PublicRecord,
    SubjectDisclosure,
    full_archive,
    public_record,
    public_view,
    record_states,
    windows,
)

__all__ = [
    "OBJECTION_MARK",
    "PUNISHMENT_TAB",
    "ArchiveEntry",
    "ArchivePage",
    "DisclosureState",
    "DisclosureWindow",
    "ListingPage",
    "ListingQuery",
    "PublicRecord",
    "PurposeRequired",
    "RecordFacts",
    "Section",
    "SeverityFinding",
    "SubjectDisclosure",
    "SubjectSections",
    "any_shown",
    "disclosure_window",
    "full_archive",
    "listing",
    "may_read_archive",
    "public_page",
    "public_record",
    "public_view",
    "read_archive",
    "read_archive_page",
    "record_states",
    "severity_of",
    "severity_table_for",
    "subject_sections",
    "window_fields",
    "windows",
]
