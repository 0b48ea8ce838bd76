"""双随机、一公开: random inspection plans drawn reproducibly from a recorded seed.

Owns: inspectors and their recorded relations, plans (sector, region, period, ratios per
supervision class from `catalogs/supervision.yaml`, inspector pool), the draw (`draw.py`, pure)
with conflicts of interest excluded, results recorded by the inspecting department and their
publication (/inspections). Does not: grade subjects (evaluation) or penalise them — a failed
inspection's penalty arrives through normal collection.

Start here: `draw.draw` (pure), then `plans.create_plan` and `plans.redraw`.
"""

from xinyong.inspections.draw import DrawInputs, Drawn, conflict_reason, conflicted, draw, excluded
from xinyong.inspections.plans import (
    RESULTS,
    Pair,
    PlanNotFound,
    Redraw,
    add_inspector,
    create_plan,
    drawn_of,
    get_inspection,
    get_plan,
    public_results,
    record_result,
    redraw,
)

__all__ = [
    "RESULTS",
    "DrawInputs",
    "Drawn",
    "Pair",
    "PlanNotFound",
    "Redraw",
    "add_inspector",
    "conflict_reason",
    "conflicted",
    "create_plan",
    "draw",
    "drawn_of",
    "excluded",
    "get_inspection",
    "get_plan",
    "public_results",
    "record_result",
    "redraw",
]
