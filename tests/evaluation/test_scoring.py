"""Pure scoring, table-driven for each default model: facts → score → grade, and why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import CATALOG_DIR
from xinyong.catalog import Catalog
from xinyong.evaluation import Fact, ModelSet, load_models, score

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def models(catalog: Catalog) -> ModelSet:
    return load_models(CATALOG_DIR, catalog)


def penalty(
    n: int,
    severity: str,
    *,
    days: int = 30,
    amount: float = 0,
    status: str = "active",
    published: bool = True,
    ends_in: int = 200,
) -> Fact:
    on = AS_OF - timedelta(days=days)
    return Fact(
        frozenset({"info_class:penalty"}),
        f"record:{n}",
        on,
        until=AS_OF + timedelta(days=ends_in),
        status=status,
        severity=severity,
        published=published,
        numbers=(("fine_amount", amount),),
    )


def listed(n: int, list_type: str, kind: str) -> Fact:
    return Fact(
        frozenset({f"list_type:{list_type}", f"list_kind:{kind}"}),
        f"list_entry:{n}",
        AS_OF - timedelta(days=40),
        until=AS_OF + timedelta(days=300),
    )


def workflow(n: int, name: str, *, days: int = 10) -> Fact:
    return Fact(frozenset({f"workflow:{name}"}), f"commitment:{n}", AS_OF - timedelta(days=days))


def record(n: int, info_class: str, *, days: int = 30) -> Fact:
    return Fact(
        frozenset({f"info_class:{info_class}"}),
        f"record:{n}",
        AS_OF - timedelta(days=days),
        until=AS_OF + timedelta(days=365),
    )


def arrears(n: int, amount: float, *, ends_in: int = 300) -> Fact:
    """拖欠企业账款 (info class enterprise_arrears): counts until paid (its window's end)."""
    return Fact(
        frozenset({"info_class:enterprise_arrears"}),
        f"record:{n}",
        AS_OF - timedelta(days=60),
        until=AS_OF + timedelta(days=ends_in),
        numbers=(("amount", amount),),
    )


CASES = [
    # model, facts, score, grade
    ("enterprise", [], 80, "B"),
    ("enterprise", [penalty(1, "general")], 72, "C"),
    ("enterprise", [penalty(1, "general", days=250)], 76, "B"),  # recency: half after 6 months
    ("enterprise", [penalty(1, "serious")], 60, "C"),
    ("enterprise", [penalty(1, "serious"), penalty(2, "serious"), penalty(3, "serious")], 40, "D"),
    ("enterprise", [penalty(1, "general", amount=120)], 67, "C"),  # threshold on the fines
    ("enterprise", [penalty(1, "minor", published=False)], 80, "B"),  # unpublished minor: off
    ("enterprise", [penalty(1, "minor")], 78, "B"),
    ("enterprise", [penalty(1, "serious", status="repaired")], 80, "B"),
    ("enterprise", [penalty(1, "serious", ends_in=-1)], 80, "B"),  # disclosure period ended
    ("enterprise", [listed(1, "market_regulation_serious", "serious")], 40, "D"),
    (
        "enterprise",
        [listed(1, "red", "red"), record(2, "honour"), record(3, "honour")],
        92,
        "A",
    ),  # dimension cap 12
    (
        "enterprise",
        [
            listed(1, "red", "red"),
            record(2, "honour"),
            record(3, "honour"),
            listed(4, "tax_serious_violation", "serious"),
        ],
        52,
        "D",
    ),
    (
        "enterprise",
        [
            workflow(1, "commitment_in_force"),
            workflow(2, "commitment_in_force"),
            workflow(3, "commitment_in_force"),
        ],
        84,
        "B",
    ),  # capped at 4
    (
        "enterprise",
        [
            workflow(1, "commitment_verified"),
            Fact(
                frozenset({"workflow:commitment_verified", "workflow:commitment_kept"}),
                "commitment:2",
                AS_OF,
            ),
        ],
        81.5,
        "B",
    ),  # ratio 1/2 × 3
    ("enterprise", [record(n, "licence") for n in range(3)], 82, "B"),  # interval band 3+
    ("individual_business", [penalty(1, "general")], 74, "C"),
    ("individual_business", [penalty(1, "general", amount=15)], 69, "C"),
    ("social_org", [record(1, "honour"), record(2, "honour")], 86, "B"),
    ("social_org", [listed(1, "court_defaulter", "imported")], 50, "D"),
    ("public_institution", [penalty(1, "general")], 72, "C"),
    ("public_institution", [], 80, "B"),
    ("government", [], 90, "A"),
    ("government", [record(1, "commitment_breach")], 75, "B"),
    ("government", [listed(1, "court_defaulter", "imported")], 40, "D"),
    ("government", [arrears(1, 80)], 80, "B"),  # 拖欠企业账款: 10 a finding
    ("government", [arrears(1, 300), arrears(2, 300)], 60, "C"),  # ≥ 500 万元 in all: 10 more
    ("government", [arrears(1, 300, ends_in=-1)], 90, "A"),  # paid: its window ended
]


@pytest.mark.parametrize(("model_id", "facts", "points", "grade"), CASES)
def test_default_models(
    models: ModelSet, model_id: str, facts: list[Fact], points: float, grade: str
) -> None:
    loaded = models.get(model_id)
    ev = score(loaded.model, loaded.version, facts, AS_OF)
    assert (ev.score, ev.grade) == (points, grade)
    assert (ev.model_version, ev.as_of) == (loaded.version, AS_OF)
    counted = {r for i in ev.indicators for r in i.refs}
    assert counted <= {f.ref for f in facts}
    raw = loaded.model.base_score + sum(p for _d, p in ev.dimension_points)
    assert ev.score == max(loaded.model.min_score, min(loaded.model.max_score, raw))


def test_serious_list_caps_the_grade_whatever_the_score(models: ModelSet) -> None:
    loaded = models.get("enterprise")
    many = [record(n, "honour") for n in range(4)] + [listed(9, "red", "red")]
    facts = [*many, listed(10, "wage_arrears", "serious")]
    ev = score(loaded.model, loaded.version, facts, AS_OF)
    assert ev.grade == "D"
    assert ev.overrides
    assert "严重失信" in ev.overrides[0]


def test_explanation_names_points_and_records(models: ModelSet) -> None:
    loaded = models.get("enterprise")
    ev = score(loaded.model, loaded.version, [penalty(7, "serious")], AS_OF)
    item = next(i for i in ev.indicators if i.id == "penalty_serious")
    assert (item.points, item.refs) == (-20, ("record:7",))
    text = "".join(ev.explanation())
    assert "遵纪守法·严重失信行政处罚：扣 20 分" in text
    assert "等级 C（中）" in text


def test_unpublished_minor_counts_when_the_model_says_so(models: ModelSet) -> None:
    loaded = models.get("enterprise")
    model = loaded.model.model_copy(
        update={
            "settings": loaded.model.settings.model_copy(update={"count_unpublished_minor": True})
        }
    )
    ev = score(model, loaded.version, [penalty(1, "minor", published=False)], AS_OF)
    assert ev.score == 78
