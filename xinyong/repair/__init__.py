"""Credit repair (信用修复): eligibility, materials, the procedure, outcomes and timeliness.

Owns: repair applications and their materials, the working-day deadlines of acceptance and
decision, the outcome (a new record version with status `repaired`), the sync log of outcomes for
the upstream platforms, and 信用修复及时率. Does not: decide what the public sees (disclosure/
reads the record status), sign commitments (`commitments.apply_for_repair` signs the 信用修复型
commitment and calls `file_application`, one path for records and platform list entries), or
run the list procedure (an approved early exit calls `lists.exit_entry(kind="early")`).

Start here: `intake.py` (applying), `procedure.py` (the authority's steps), `queries.py`,
`eligibility.py` (令36号 §1.4 rules), `outcomes.py` (what a decision changes). Revoking a repair
for false materials is `commitments.revoke_for_false_materials` (it breaks the repair commitment,
so the breach is recorded there, ADR 0018).
"""

from xinyong.repair.eligibility import (
    Condition,
    DisclosurePeriod,
    Eligibility,
    Facts,
    disclosure_period,
    required_materials,
)
from xinyong.repair.intake import (
    Application,
    NotEligible,
    eligibility_of,
    file_application,
    provider_of,
)
from xinyong.repair.materials import BadMaterial, Upload, check_upload
from xinyong.repair.materials import read as read_material
from xinyong.repair.outcomes import (
    RecordNoLongerActive,
    current_version,
    entry_of,
    pending_sync,
)
from xinyong.repair.procedure import (
    FALSE_MATERIALS,
    AlreadyHandled,
    RevokeNotForListEntries,
    StepSkipped,
    accept,
    decide,
    ensure_revocable,
    extend,
    refuse_acceptance,
    revoke,
)
from xinyong.repair.queries import (
    RepairNotFound,
    check_eligibility,
    check_entry_eligibility,
    deciding_provider,
    due_date,
    early_exit_candidates,
    entry_provider,
    get,
    get_material,
    list_for_subject,
    list_materials,
    list_open,
    list_routed,
    own_entry,
    own_record,
    state,
)
from xinyong.repair.timeliness import Timeliness, handled_on_time, timeliness
from xinyong.uploads import sniff

__all__ = [
    "FALSE_MATERIALS",
    "AlreadyHandled",
    "Application",
    "BadMaterial",
    "Condition",
    "DisclosurePeriod",
    "Eligibility",
    "Facts",
    "NotEligible",
    "RecordNoLongerActive",
    "RepairNotFound",
    "RevokeNotForListEntries",
    "StepSkipped",
    "Timeliness",
    "Upload",
    "accept",
    "check_eligibility",
    "check_entry_eligibility",
    "check_upload",
    "current_version",
    "decide",
    "deciding_provider",
    "disclosure_period",
    "due_date",
    "early_exit_candidates",
    "eligibility_of",
    "ensure_revocable",
    "entry_of",
    "entry_provider",
    "extend",
    "file_application",
    "get",
    "get_material",
    "handled_on_time",
    "list_for_subject",
    "list_materials",
    "list_open",
    "list_routed",
    "own_entry",
    "own_record",
    "pending_sync",
    "provider_of",
    "read_material",
    "refuse_acceptance",
    "required_materials",
    "revoke",
    "sniff",
    "state",
    "timeliness",
]
