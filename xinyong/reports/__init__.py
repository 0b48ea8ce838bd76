"""Credit reports: the public report and the special report (信用代证), signed with SM2.

Owns: what a report says (content.py), its PDF (pdf.py), its signature trailer (seal.py), the
domain catalog (domains.py), issuing and revoking with the snapshot rows (issue.py), and verifying
(verification.py).
Does not: decide who may read non-public information (consent.authorise), or keep the keys
(signing, configured in settings).

Start here: `issue.issue`, then `verification.verify_file`. docs/reports.md: layout, signature,
openssl.
"""

from xinyong.reports.content import ReportContent, ReportKind
from xinyong.reports.domains import ReportDomains, load_domains
from xinyong.reports.issue import (
    Issued,
    Issuer,
    Request,
    get,
    hold_write_lock,
    issue,
    recent,
    revoke,
    verify_url,
    well_formed,
)
from xinyong.reports.verification import (
    Keys,
    Verdict,
    Verification,
    check_file,
    verify_file,
    verify_number,
)

__all__ = [
    "Issued",
    "Issuer",
    "Keys",
    "ReportContent",
    "ReportDomains",
    "ReportKind",
    "Request",
    "Verdict",
    "Verification",
    "check_file",
    "get",
    "hold_write_lock",
    "issue",
    "load_domains",
    "recent",
    "revoke",
    "verify_file",
    "verify_number",
    "verify_url",
    "well_formed",
]
