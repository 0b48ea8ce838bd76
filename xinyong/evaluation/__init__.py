"""Public credit evaluation (公共信用综合评价) and graded supervision (分级分类监管).

Owns: the evaluation models (`catalogs/evaluation/*.yaml`, loaded and checked here), the pure
scoring (facts → indicator values → score → grade, with the explanation), "what would change my
grade", the engines that grade a whole population (embedded; Spark over a Parquet snapshot),
stored results with history, re-evaluation when a subject's archive changes, and the supervision
class a grade gives per sector (`catalogs/supervision.yaml`).
Does not: decide disclosure periods (disclosure), list validity (lists) or repair eligibility
(repair) — it asks them.

Start here: `scoring.score` (pure), then `service.current_grade` (what other modules call).
"""

from typing import TYPE_CHECKING, Any

from xinyong.evaluation.models import LoadedModel, ModelSet, load_model_file, load_models
from xinyong.evaluation.scoring import Evaluation, Fact, IndicatorResult, score
from xinyong.evaluation.service import (
    StoredGrade,
    assess,
    current_grade,
    current_grades,
    evaluate_subject,
    history,
    models_for,
    reevaluate,
)
from xinyong.evaluation.watch import install, reevaluate_batch

if TYPE_CHECKING:
    from xinyong.evaluation.whatif import Suggestion, suggestions


def __getattr__(name: str) -> Any:
    """`whatif` ("what would change my grade") on first use: it imports the repair and commitment
    workflows, which a whole run (`xinyong evaluate`) never needs at start-up."""
    if name in ("Suggestion", "suggestions"):
        from xinyong.evaluation import whatif  # noqa: PLC0415

        return getattr(whatif, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Evaluation",
    "Fact",
    "IndicatorResult",
    "LoadedModel",
    "ModelSet",
    "StoredGrade",
    "Suggestion",
    "assess",
    "current_grade",
    "current_grades",
    "evaluate_subject",
    "history",
    "install",
    "load_model_file",
    "load_models",
    "models_for",
    "reevaluate",
    "reevaluate_batch",
    "score",
    "suggestions",
]
