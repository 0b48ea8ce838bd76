"""Credit repair (信用修复): eligibility, materials, the procedure, outcomes and timeliness.

Owns: repair applications and their materials, the working-day deadlines of acceptance and
decision, the outcome (a new record version with status `repaired`), the sync log of outcomes for
the upstream platforms, and 信用修复及时率. Does not: decide what the public sees (disclosure.py
reads the record status), sign commitments (commitments.py signs the 信用修复型 commitment and
calls `apply_for_repair`), or end platform-decided list entries (lists.py, wired at merge).

Start here: `procedure.py` (actions), `queries.py`, `eligibility.py` (令36号 §1.4 rules).
"""

from xinyong.repair.eligibility import (
    Condition,
    DisclosurePeriod,
    Eligibility,
    Facts,
    disclosure_period,
    required_materials,
)
from xinyong.repair.materials import BadMaterial, Upload, check_upload, sniff
from xinyong.repair.materials import read as read_material
from xinyong.repair.outcomes import RecordNoLongerActive, current_version, pending_sync
from xinyong.repair.procedure import (
    AlreadyHandled,
    Application,
    NotEligible,
    StepSkipped,
    accept,
    apply_for_repair,
    decide,
    extend,
    refuse_acceptance,
    revoke,
)
from xinyong.repair.queries import (
    RepairNotFound,
    check_eligibility,
    deciding_provider,
    due_date,
    get,
    get_material,
    list_for_subject,
    list_materials,
    list_open,
    own_record,
)
from xinyong.repair.timeliness import Timeliness, handled_on_time, timeliness

__all__ = [
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
    "StepSkipped",
    "Timeliness",
    "Upload",
    "accept",
    "apply_for_repair",
    "check_eligibility",
    "check_upload",
    "current_version",
    "decide",
    "deciding_provider",
    "disclosure_period",
    "due_date",
    "extend",
    "get",
    "get_material",
    "handled_on_time",
    "list_for_subject",
    "list_materials",
    "list_open",
    "own_record",
    "pending_sync",
    "read_material",
    "refuse_acceptance",
    "required_materials",
    "revoke",
    "sniff",
    "timeliness",
]
