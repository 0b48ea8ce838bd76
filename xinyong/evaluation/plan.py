"""The vectorised plan: every subject of a fact table scored at once, with Polars expressions.

`scoring.score` stays the reference (and the single-subject path); this module computes the same
thing set-based, in two steps that share its code:
1. per subject and indicator, the **tally** the rule reads (`scoring.Tally`: how many facts the
   indicator selects, the sum of its field, the ratio's denominator, the recency weights) and
   whether each override holds — the selection (`counts`, `matches`, the window) written as
   column expressions, one group-by over the fact table;
2. per **distinct** tally vector (many subjects share one), `scoring.rule_points` and
   `scoring.assemble` — the very functions `score` ends with — give points, caps, score, grade.
tests/evaluation/test_plan.py proves identical scores and grades to `score` on the demo region and
on randomised fixtures; tests/evaluation/test_engines_agree.py compares it with Spark.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from xinyong.clock import add_months
from xinyong.enums import RecordStatus, Severity
from xinyong.evaluation.fact_table import FACT_SCHEMA, fact_frame
from xinyong.evaluation.schema import EvaluationModel, Rule, Source
from xinyong.evaluation.scoring import (
    Evaluation,
    Fact,
    Tally,
    dimension_points,
    graded,
    override_keys,
    rule_points,
    signed_points_of,
)


def cutoff(as_of: date, months: int) -> date:
    """The first `on` with as_of < add_months(on, months) (`scoring._in_window`), so that the
    window is the column comparison on ≥ cutoff; add_months is monotone, so one scan finds it."""
    day = add_months(as_of, -months)
    while not as_of < add_months(day, months):
        day += timedelta(days=1)
    return day


def _counted(model: EvaluationModel, as_of: date) -> pl.Expr:
    """`scoring.counts` as a column expression."""
    on, until = pl.col("on"), pl.col("until")
    minor_hidden = (pl.col("severity") == Severity.MINOR.value).fill_null(False) & ~pl.col(
        "published"
    ).fill_null(True)
    out = (
        (pl.col("status") == RecordStatus.ACTIVE.value)
        & (on.is_null() | (on <= as_of))
        & (until.is_null() | (until >= as_of))
    )
    if not model.settings.count_unpublished_minor:
        out = out & ~minor_hidden
    return out


def _matches(source: Source) -> pl.Expr:
    """`scoring.matches` as a column expression."""
    out = pl.col("keys").list.contains(source.key)
    if source.severity:
        out = out & pl.col("severity").is_in([s.value for s in source.severity]).fill_null(False)
    return out


def _window(months: int | None, as_of: date) -> pl.Expr:
    if months is None:
        return pl.lit(True)
    return pl.col("on").is_null() | (pl.col("on") >= cutoff(as_of, months))


def _weight(rule: Rule, as_of: date) -> pl.Expr:
    """`scoring._weight`: the first age band the fact falls in."""
    expr: Any = pl
    for w in rule.weights:
        expr = expr.when(_window(w.within_months, as_of)).then(pl.lit(w.weight))
    return expr.otherwise(pl.lit(0.0)) if rule.weights else pl.lit(0.0)


def _number(name: str) -> pl.Expr:
    """`Fact.number`: the field's value in the fact table's numbers text, else 0."""
    pattern = r'\["' + name + r'", ([^\]]+)\]'
    return pl.col("numbers").str.extract(pattern, 1).cast(pl.Float64, strict=False).fill_null(0.0)


def _contributions(
    model: EvaluationModel, as_of: date, number: Callable[[str], pl.Expr] = _number
) -> list[pl.Expr]:
    """What one fact row adds to its subject's tallies: n/amount/of/weight per indicator
    (`i<k>_…`) and whether it holds each override (`o<j>`, 0/1); `number(field)` is the row's
    value of a field. The tallies are their sums (`partial`, `record_partial`)."""
    counted = _counted(model, as_of)
    out: list[pl.Expr] = []
    for k, (_dim, ind) in enumerate(model.indicators):
        rule = ind.rule
        chosen = counted & _matches(ind.source) & _window(rule.window_months, as_of)
        out.append(chosen.cast(pl.Int64).alias(f"i{k}_n"))
        if ind.source.field:
            amount = pl.when(chosen).then(number(ind.source.field)).otherwise(0.0)
            out.append(amount.alias(f"i{k}_amount"))
        if rule.of is not None:
            of = counted & _matches(rule.of) & _window(rule.window_months, as_of)
            out.append(of.cast(pl.Int64).alias(f"i{k}_of"))
        if rule.type == "recency":
            weight = pl.when(chosen).then(_weight(rule, as_of)).otherwise(0.0)
            out.append(weight.alias(f"i{k}_weight"))
    for j, o in enumerate(model.overrides):
        keys = sorted(override_keys(o))
        hit = counted & pl.col("keys").list.eval(pl.element().is_in(keys)).list.any()
        out.append(hit.cast(pl.Int64).alias(f"o{j}"))
    return out


def partial(
    model: EvaluationModel | None, facts: pl.DataFrame, as_of: date, *, hashes: bool = True
) -> pl.DataFrame:
    """One row per subject of `facts` (fact table rows): its tallies (`model`; None: none) and
    the sums its facts' hash is made of (`h0`, `h1`). Additive: the partials of parts of the
    facts, added up (`combine`), are the partial of the whole — a run reads its records in one
    pass, in parts, and tallies them from the raw rows (`record_partial`)."""
    aggs = [e.sum() for e in _contributions(model, as_of)] if model is not None else []
    if hashes:
        typed = facts.select(pl.col(c).cast(t) for c, t in FACT_SCHEMA.items())
        aggs += [_fact_hash(seed).sum().alias(f"h{i}") for i, seed in enumerate(_SEEDS)]
    else:
        typed = facts
    return typed.group_by("subject_id").agg(aggs)


def record_partial(
    model: EvaluationModel, rows: pl.DataFrame, profiles: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """`partial` of records' facts from their raw rows, no fact row built per record. Every
    tally input of a record but its amounts (keys, on, until, status, severity, published) is
    a function of its window key, so the contributions (`_contributions`) are computed once per
    distinct key — `profiles`: a row per key, `w` its index, the fact's columns — and gathered
    by each row's `w`; an amount is the row's `n:<field>` (NULL: 0) where its key selects it;
    the hash is the record's (`_record_hash`). `rows`: subject_id, id, w, `n:<field>`…"""
    per_key = profiles.sort("w").select(
        *_contributions(model, as_of, number=lambda _field: pl.lit(1.0)),
        *(_window_hash(seed).alias(f"wh{i}") for i, seed in enumerate(_SEEDS)),
    )
    amounts = {
        f"i{k}_amount": f"n:{ind.source.field}" for k, (_d, ind) in enumerate(model.indicators)
    }
    w = rows["w"]
    live = [c for c in per_key.columns if c.startswith("wh") or per_key[c].cast(pl.Boolean).any()]
    gathered = rows.select(
        "subject_id", "id", *(c for c in rows.columns if c.startswith("n:"))
    ).with_columns(per_key[c].gather(w) for c in live)
    aggs: list[pl.Expr] = []
    for c in per_key.columns:
        if c.startswith("wh"):
            continue
        if c not in live:  # no record's key selects it: 0 for every subject
            aggs.append(pl.lit(0, dtype=per_key[c].dtype).alias(c))
        elif c in amounts:
            value = pl.col(amounts[c]) if amounts[c] in rows.columns else pl.lit(None)
            aggs.append((pl.col(c) * value.fill_null(0.0)).sum().alias(c))
        else:
            aggs.append(pl.col(c).sum())
    for i, seed in enumerate(_SEEDS):
        aggs.append(_record_hash(pl.col("id"), pl.col(f"wh{i}"), seed).sum().alias(f"h{i}"))
    return gathered.group_by("subject_id").agg(aggs)


def combine(partials: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Partials (`partial`) added up per subject."""
    frame = pl.concat(partials)
    return frame.group_by("subject_id").agg(pl.exclude("subject_id").sum())


def complete(partials: pl.DataFrame, subject_ids: pl.Series) -> pl.DataFrame:
    """One row per subject of `subject_ids` (a subject without facts: zeros), overrides as
    booleans (held by some fact)."""
    subjects = pl.DataFrame({"subject_id": subject_ids.cast(pl.Int64)})
    joined = subjects.join(partials, on="subject_id", how="left")
    fills = [
        (pl.col(c).fill_null(0) > 0) if c.startswith("o") else pl.col(c).fill_null(0)
        for c in joined.columns
        if c != "subject_id"
    ]
    return joined.with_columns(fills)


def tallies(
    model: EvaluationModel, facts: pl.DataFrame, subject_ids: pl.Series, as_of: date
) -> pl.DataFrame:
    """One row per subject: n/amount/of/weight per indicator (`i<k>_…`) and `o<j>` per override."""
    return complete(partial(model, facts, as_of, hashes=False), subject_ids)


def _tally(k: int, row: dict[str, Any]) -> Tally:
    n = int(row[f"i{k}_n"])
    amount = float(row.get(f"i{k}_amount", n))
    return Tally(n, amount, int(row.get(f"i{k}_of", 0)), float(row.get(f"i{k}_weight", 0.0)))


def _per_distinct(
    frame: pl.DataFrame, keys: list[str], compute: Any, out: dict[str, Any]
) -> pl.DataFrame:
    """Call `compute(row) -> tuple` once per distinct value of `keys`; join the outputs back."""
    distinct = frame.select(keys).unique()
    results = [compute(row) for row in distinct.iter_rows(named=True)]
    columns = [
        pl.Series(name, [r[i] for r in results], dtype=dtype)
        for i, (name, dtype) in enumerate(out.items())
    ]
    return frame.join(distinct.with_columns(columns), on=keys, how="left")


def score_frame(
    model: EvaluationModel,
    version: str,
    facts: pl.DataFrame,
    subject_ids: Sequence[int] | pl.Series,
    as_of: date,
) -> pl.DataFrame:
    """Every subject scored: subject_id, score, grade, explanation (`Evaluation.compact()` as
    JSON text). The reference's steps, each once per distinct input: `rule_points` and
    `signed_points_of` per indicator tally, `dimension_points` per dimension, `graded` per
    vector of dimension points and override hits."""
    ids = subject_ids if isinstance(subject_ids, pl.Series) else pl.Series(list(subject_ids))
    return score_tallies(model, version, tallies(model, facts, ids, as_of), as_of)


def score_totals(
    model: EvaluationModel, version: str, totals: pl.DataFrame, subject_ids: pl.Series, as_of: date
) -> pl.DataFrame:
    """`score_frame` and `hashes_frame` of the subjects from the partial of all their facts
    (`partial`, `combine`): subject_id, score, grade, explanation, facts_hash."""
    return score_shared(model, version, totals, subject_ids, as_of).per_subject()


@dataclass(frozen=True, slots=True)
class Scored:
    """A run's scores with each explanation once: `subjects` (subject_id, score, grade,
    facts_hash, profile) and `profiles` (profile, explanation) — the subjects of one profile
    have the same tallies (`_scored_profiles`), so the same score, grade and explanation."""

    subjects: pl.DataFrame
    profiles: pl.DataFrame

    def per_subject(self) -> pl.DataFrame:
        """subject_id, score, grade, explanation, facts_hash: one explanation text a subject."""
        joined = self.subjects.join(self.profiles, on="profile", how="left")
        return joined.select("subject_id", "score", "grade", "explanation", "facts_hash")


def score_shared(
    model: EvaluationModel, version: str, totals: pl.DataFrame, subject_ids: pl.Series, as_of: date
) -> Scored:
    """`score_totals` with each distinct tally vector scored and explained once (`Scored`)."""
    frame = complete(totals, subject_ids)
    subjects, scored = _scored_profiles(model, version, frame, as_of)
    per_subject = subjects.join(scored.drop("explanation"), on="profile", how="left")
    with_hash = per_subject.join(_hash_text(frame), on="subject_id", how="left")
    return Scored(
        with_hash.select("subject_id", "score", "grade", "facts_hash", "profile"),
        scored.select("profile", "explanation"),
    )


def score_tallies(
    model: EvaluationModel, version: str, frame: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Every subject of a complete tally frame (`complete`) scored: subject_id, score, grade,
    explanation."""
    subjects, scored = _scored_profiles(model, version, frame, as_of)
    joined = subjects.join(scored, on="profile", how="left")
    return joined.select("subject_id", "score", "grade", "explanation")


def _scored_profiles(
    model: EvaluationModel, version: str, frame: pl.DataFrame, as_of: date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(subject_id, profile) of a complete tally frame, and each profile — a distinct tally
    vector — scored once: (profile, score, grade, explanation)."""
    tally = [c for c in frame.columns if c not in ("subject_id", *_HASHES)]
    grouped = frame.group_by(tally).agg(pl.col("subject_id"))  # one pass (unique + join: two)
    grouped = grouped.with_row_index("profile").with_columns(pl.col("profile").cast(pl.Int64))
    subjects = grouped.select("subject_id", "profile").explode("subject_id").sort("subject_id")
    return subjects, _score_distinct(model, version, grouped.drop("subject_id"), as_of)


def _score_distinct(
    model: EvaluationModel, version: str, frame: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    """Every profile of a frame of distinct tally vectors scored (profile, score, grade,
    explanation `Evaluation.compact()` as JSON text): the reference's steps (`rule_points` and
    `signed_points_of` per indicator tally, `dimension_points` per dimension, `graded` per
    vector of dimension points and override hits), each once per distinct input."""
    for k, (_dim, ind) in enumerate(model.indicators):
        names = [f"i{k}_{p}" for p in ("n", "amount", "of", "weight")]

        def indicator(row: dict[str, Any], k: int = k, ind: Any = ind) -> tuple[Any, ...]:
            value, points = rule_points(ind, _tally(k, row))
            signed = signed_points_of(ind, points)
            shown = {"id": ind.id, "value": value, "points": signed}
            return signed, (json.dumps(shown, ensure_ascii=False) if signed else None)

        present = [c for c in names if c in frame.columns]
        frame = _per_distinct(frame, present, indicator, {f"p{k}": pl.Float64, f"x{k}": pl.Utf8})
    start = 0
    for d, dim in enumerate(model.dimensions):
        points = [f"p{k}" for k in range(start, start + len(dim.indicators))]
        start += len(dim.indicators)

        def dimension(row: dict[str, Any], dim: Any = dim, points: list[str] = points) -> Any:
            return (dimension_points(dim, [row[p] for p in points]),)

        frame = _per_distinct(frame, points, dimension, {f"d{d}": pl.Float64})
    dims = [f"d{d}" for d in range(len(model.dimensions))]
    hits = [f"o{j}" for j in range(len(model.overrides))]

    def grade(row: dict[str, Any]) -> tuple[Any, ...]:
        final, grade, reasons = graded(model, [row[d] for d in dims], [row[o] for o in hits])
        ev = Evaluation(
            model.id, model.title, version, model.public, as_of, final, grade,
            model.band(grade).title, (), tuple(zip([d.id for d in model.dimensions],
            [row[d] for d in dims], strict=True)), reasons, model.base_score,
        )  # fmt: skip
        whole = json.dumps(ev.compact(), ensure_ascii=False)
        head, tail = whole.split('"indicators": []', 1)
        return final, grade, head + '"indicators": [', "]" + tail

    out = {"score": pl.Float64, "grade": pl.Utf8, "head": pl.Utf8, "tail": pl.Utf8}
    frame = _per_distinct(frame, dims + hits, grade, out)
    shown = [f"x{k}" for k in range(len(model.indicators))]
    explanation = pl.concat_str(
        pl.col("head"),
        pl.concat_str(shown, separator=", ", ignore_nulls=True),
        pl.col("tail"),
    )
    return frame.select("profile", "score", "grade", explanation.alias("explanation"))


# ---- the facts' hash (an unchanged archive on the same day adds no result row) ------------------
#
# A change marker, not a proof: `service.evaluate_subject` compares it with the subject's newest
# result to skip a row when nothing changed. Computed column-wise (no per-subject Python): each
# fact hashed twice by Polars (two seeds) — a record by its id and its window (`_record_hash`:
# the raw row, not the fact built from it), any other fact by its whole row — and summed per
# subject (order-free; a repeated fact counts twice). Polars only promises its hash stable
# within one version and build, so after a Polars upgrade (or between machines with different
# builds) an unchanged subject's next re-evaluation on the run's day appends one extra row with
# the same grade — nothing else reads the hash. The audit chain and signatures keep SM3
# (`audit`, `signing`).

_SEEDS = (20261129, 12)
_HASHES = tuple(f"h{i}" for i in range(len(_SEEDS)))


def _window_hash(seed: int) -> pl.Expr:
    """What the day and the catalog make of a record: its window (until, severity, published)."""
    return pl.struct("until", "severity", "published").hash(seed)


def _record_hash(record_id: pl.Expr, window: pl.Expr, seed: int) -> pl.Expr:
    """A record fact's hash: its id and its window (`_window_hash`). A record's content never
    changes under its id (`archive.new_version` writes a new row for a new status, field or
    date), so the id stands for the raw row; the window is what the day and the catalog make
    of it. A run computes it from the raw rows (`record_partial`), the fact table from its rows
    (`_fact_hash`): the same value."""
    return pl.struct(record_id.alias("id"), window.alias("window")).hash(seed)


def _fact_hash(seed: int) -> pl.Expr:
    """A fact table row's hash: a record's (`_record_hash`; `keys` names its info class, `ref`
    its id) or, for list entries and workflow facts, the whole row's."""
    record = pl.col("keys").list.first().str.starts_with("info_class:").fill_null(False)
    record_id = pl.col("ref").str.strip_prefix("record:").cast(pl.Int64, strict=False)
    whole = pl.struct(c for c in FACT_SCHEMA if c != "subject_id").hash(seed)
    return pl.when(record).then(_record_hash(record_id, _window_hash(seed), seed)).otherwise(whole)


def hashes_frame(facts: pl.DataFrame, subject_ids: pl.Series) -> pl.DataFrame:
    """subject_id, facts_hash for every subject (a subject without facts: "0:0")."""
    return _hash_text(complete(partial(None, facts, date.min), subject_ids))


def _hash_text(frame: pl.DataFrame) -> pl.DataFrame:
    text = pl.format("{}:{}", pl.col("h0"), pl.col("h1"))
    return frame.select("subject_id", text.alias("facts_hash"))


def facts_hash(facts: Sequence[Fact]) -> str:
    """The hash `hashes_frame` gives a subject with these facts (one subject's re-evaluation)."""
    frame = fact_frame({0: facts})
    return str(hashes_frame(frame, pl.Series([0], dtype=pl.Int64))["facts_hash"][0])
