"""The draw of 双随机、一公开, pure: recorded inputs + seed → the same subjects and inspectors.

Subjects are drawn per supervision class at the sector's ratio (rounded up, never below the
catalog's minimum overall ratio); then each drawn subject gets its inspectors from the pool minus
those with a recorded relation to it and those who inspected it in the previous plan (conflicts of
interest). Everything is sorted before sampling and the generator is seeded with the recorded seed
(`random.Random(str)`, stable across Python versions and platforms), so a re-run reproduces the
draw exactly.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

NO_INSPECTOR = "可回避后的检查人员不足，须补充检查人员名录后另行选派"


@dataclass(frozen=True, slots=True)
class DrawInputs:
    seed: str
    population: tuple[tuple[int, str], ...]  # (subject id, supervision class)
    ratios: Mapping[str, float]
    min_ratio: float
    inspectors: tuple[int, ...]
    related: Mapping[int, frozenset[int]]  # inspector → subjects they are related to
    previous: frozenset[tuple[int, int]]  # (inspector, subject) of the previous plan
    per_subject: int

    def as_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "population": [list(p) for p in self.population],
            "ratios": dict(self.ratios),
            "min_ratio": self.min_ratio,
            "inspectors": list(self.inspectors),
            "related": {str(k): sorted(v) for k, v in sorted(self.related.items())},
            "previous": sorted([list(p) for p in self.previous]),
            "per_subject": self.per_subject,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DrawInputs:
        return cls(
            seed=str(data["seed"]),
            population=tuple((int(s), str(c)) for s, c in data["population"]),
            ratios={str(k): float(v) for k, v in data["ratios"].items()},
            min_ratio=float(data["min_ratio"]),
            inspectors=tuple(int(i) for i in data["inspectors"]),
            related={int(k): frozenset(int(s) for s in v) for k, v in data["related"].items()},
            previous=frozenset((int(i), int(s)) for i, s in data["previous"]),
            per_subject=int(data["per_subject"]),
        )


@dataclass(frozen=True, slots=True)
class Drawn:
    subject_id: int
    supervision_class: str
    inspector_ids: tuple[int, ...]  # empty: not enough inspectors without a conflict

    def as_json(self) -> list[Any]:
        return [self.subject_id, self.supervision_class, list(self.inspector_ids)]


RELATED = "与该主体有利害关系"
INSPECTED_BEFORE = "上一批次检查过该主体"


def conflict_reason(inputs: DrawInputs, inspector: int, subject: int) -> str | None:
    """Why the inspector may not inspect the subject (a conflict of interest), or None."""
    if subject in inputs.related.get(inspector, frozenset()):
        return RELATED
    if (inspector, subject) in inputs.previous:
        return INSPECTED_BEFORE
    return None


def conflicted(inputs: DrawInputs, inspector: int, subject: int) -> bool:
    """An inspector related to the subject, or who inspected it in the previous plan."""
    return conflict_reason(inputs, inspector, subject) is not None


def excluded(inputs: DrawInputs, subject: int) -> list[tuple[int, str]]:
    """The pool's inspectors kept away from `subject`, each with its reason."""
    found = ((i, conflict_reason(inputs, i, subject)) for i in sorted(inputs.inspectors))
    return [(i, why) for i, why in found if why is not None]


def draw(inputs: DrawInputs) -> list[Drawn]:
    rng = random.Random(inputs.seed)  # noqa: S311 — reproducibility is the point; seed is public
    population = sorted(inputs.population)
    chosen: list[tuple[int, str]] = []
    for cls in sorted(inputs.ratios):
        ids = [sid for sid, c in population if c == cls]
        k = min(len(ids), math.ceil(len(ids) * inputs.ratios[cls]))
        chosen += [(sid, cls) for sid in sorted(rng.sample(ids, k))]
    floor = math.ceil(len(population) * inputs.min_ratio)
    if len(chosen) < floor:  # top up to the legal minimum from those not yet drawn
        taken = {sid for sid, _c in chosen}
        rest = [(sid, c) for sid, c in population if sid not in taken]
        chosen += sorted(rng.sample(rest, min(len(rest), floor - len(chosen))))
    out = []
    for sid, cls in chosen:
        eligible = [i for i in sorted(inputs.inspectors) if not conflicted(inputs, i, sid)]
        picked: Sequence[int] = ()
        if len(eligible) >= inputs.per_subject:
            picked = sorted(rng.sample(eligible, inputs.per_subject))
        out.append(Drawn(sid, cls, tuple(picked)))
    return out
