"""What a whole run reads of records (`fact_table.record_select` in SQL, `record_rows` in
Polars): per data field, the classes whose window reads it — and under which of a row's
(classified, dated) cases, as `disclosure.window_fields` says — and whose numbers do."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xinyong import disclosure
from xinyong.catalog import Catalog, InfoClass
from xinyong.disclosure import stored as stored_severity
from xinyong.evaluation.facts import NUMERIC, scored_classes

Combo = tuple[bool, bool]  # (classified, dated): a row's stored severity basis / decision date
COMBOS: tuple[Combo, ...] = ((False, False), (False, True), (True, False), (True, True))
# A condition on a row: its class among these, and (None: either) classified / dated.
Term = tuple[tuple[str, ...], bool | None, bool | None]


@dataclass(frozen=True, slots=True)
class Reads:
    """What a run reads of records: the scored classes; per data field, the classes whose window
    reads it and under which of a row's (classified, dated) — `disclosure.window_fields`:
    classified, a stored severity under a basis the loaded catalog gives; dated, a decision
    date in its column — and the classes whose numbers do; the stored severity bases the loaded
    catalog gives (`disclosure.stored.bases`)."""

    classes: dict[str, InfoClass]
    window: dict[str, dict[str, set[Combo]]]  # field → class → combos its window reads it in
    numeric: dict[str, list[str]]
    bases: list[str]

    @property
    def fields(self) -> list[str]:
        return sorted(set(self.window) | set(self.numeric))

    def terms(self, field_id: str, *, numbers: bool) -> list[Term]:
        """When a row needs `field_id`: for its window (and, `numbers`, for its numbers)."""
        always = set(self.numeric.get(field_id, ())) if numbers else set()
        by_combos: dict[frozenset[Combo], list[str]] = defaultdict(list)
        for info_class, read_in in sorted(self.window.get(field_id, {}).items()):
            if info_class in always:
                continue
            if len(read_in) == len(COMBOS):
                always.add(info_class)
            else:
                by_combos[frozenset(read_in)].append(info_class)
        out: list[Term] = [(tuple(sorted(always)), None, None)] if always else []
        for combos, classes in by_combos.items():
            out += [(tuple(classes), k, d) for k, d in _simplest(combos)]
        return out


def _simplest(combos: frozenset[Combo]) -> list[tuple[bool | None, bool | None]]:
    """Conditions (None: either value) whose union is exactly `combos`."""
    out: list[tuple[bool | None, bool | None]] = []
    for k, d in sorted(combos):
        term: tuple[bool | None, bool | None]
        term = (None, d) if (not k, d) in combos else (k, None) if (k, not d) in combos else (k, d)
        if term not in out:
            out.append(term)
    return out


def needed(terms: Sequence[Term], info_class: Any, known: Any, dated: Any) -> Any:
    """`terms` as one condition, in SQL or Polars (both combine with & | ~): `info_class(names)`
    the class test, `known` / `dated` a row's stored severity basis / decision date test."""
    out = None
    for classes, k, d in terms:
        cond = info_class(list(classes))
        if k is not None:
            cond = cond & (known if k else ~known)
        if d is not None:
            cond = cond & (dated if d else ~dated)
        out = cond if out is None else out | cond
    return out


def reads_of(catalog: Catalog) -> Reads:
    classes = scored_classes(catalog)
    reads = Reads(classes, defaultdict(lambda: defaultdict(set)), defaultdict(list),
                  sorted(stored_severity.bases(catalog)))  # fmt: skip
    for c in classes.values():
        for classified, dated in COMBOS:
            fields = disclosure.window_fields(c, catalog, classified=classified, dated=dated)
            for field_id in fields:
                reads.window[field_id][c.id].add((classified, dated))
        for f in c.fields:
            if f.type in NUMERIC:
                reads.numeric[f.id].append(c.id)
    return reads
