"""The vectorised plan (`plan.score_frame`, `fact_table.table`) gives exactly what the pure
reference gives (`scoring.score` over `facts.gather`): on the demo region and on randomised
fixtures."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import date, timedelta

import polars as pl
import pytest
from sqlalchemy.orm import Session

from tests.conftest import CATALOG_DIR
from tests.factories.subjects import SYSTEM
from xinyong import demo
from xinyong.catalog import Catalog
from xinyong.enums import Severity
from xinyong.evaluation import (
    Fact,
    ModelSet,
    engine,
    fact_table,
    facts,
    load_models,
    models_for,
    plan,
    score,
    subject_facts,
)
from xinyong.evaluation.schema import EvaluationModel, Settings
from xinyong.evaluation.scoring import override_keys


@pytest.fixture(scope="module")
def models(catalog: Catalog) -> ModelSet:
    return load_models(CATALOG_DIR, catalog)


def _keys(model: EvaluationModel) -> list[str]:
    keys = {ind.source.key for _d, ind in model.indicators}
    keys |= {ind.rule.of.key for _d, ind in model.indicators if ind.rule.of is not None}
    keys |= {k for o in model.overrides for k in override_keys(o)}
    return sorted(keys | {"info_class:licence", "list_kind:watch"})


def _random_fact(rng: random.Random, keys: list[str], n: int, as_of: date) -> Fact:
    chosen = frozenset(rng.sample(keys, rng.choice((1, 1, 1, 2))))
    on = None if rng.random() < 0.05 else as_of - timedelta(days=rng.randrange(-30, 1300))
    until = None if rng.random() < 0.3 else as_of + timedelta(days=rng.randrange(-400, 900))
    amount = rng.choice((None, 0.0, 5.0, 9.99, 10.0, 99.5, 100.0, 150.0))
    return Fact(
        chosen,
        f"{rng.choice(('record', 'list_entry', 'commitment'))}:{n}",
        on,
        until=until,
        status=rng.choice(("active", "active", "active", "repaired")),
        severity=rng.choice((None, *[s.value for s in Severity])),
        published=rng.random() < 0.7,
        numbers=() if amount is None else (("fine_amount", amount),),
        label=rng.choice(("", "行政处罚 某〔2026〕1号", '带"引号"的标题')),
    )


@pytest.mark.parametrize("unpublished_minor", [False, True])
def test_plan_equals_the_reference_on_random_facts(
    models: ModelSet, unpublished_minor: bool
) -> None:
    rng = random.Random(20261129)
    for loaded in models.models.values():
        model = loaded.model.model_copy(
            update={"settings": Settings(count_unpublished_minor=unpublished_minor)}
        )
        keys = _keys(model)
        as_of = date(2026, 1, 31) + timedelta(days=rng.randrange(400))
        by_subject = {
            sid: [_random_fact(rng, keys, sid * 100 + i, as_of) for i in range(rng.randrange(9))]
            for sid in range(1, 400)
        }
        frame = engine.to_frame(by_subject)
        ids = pl.Series(list(by_subject), dtype=pl.Int64)
        got = plan.score_frame(model, loaded.version, frame, ids, as_of)
        hashed = dict(plan.hashes_frame(frame, ids).iter_rows())
        for sid, score_, grade, text in got.iter_rows():
            want = score(model, loaded.version, by_subject[sid], as_of)
            assert (score_, grade) == (want.score, want.grade), (model.id, sid, by_subject[sid])
            assert json.loads(text) == want.compact()
            assert hashed[sid] == plan.facts_hash(by_subject[sid])


def test_tallies_per_window_key_equal_the_fact_rows_on_random_records(models: ModelSet) -> None:
    """`plan.record_partial` (a run: contributions once per distinct key, gathered by each raw
    row) gives what `plan.partial` gives over the records' fact rows: tallies and hashes."""
    rng = random.Random(12)
    as_of = date(2026, 12, 1)
    for loaded in models.models.values():
        classes = sorted({k for k in _keys(loaded.model) if k.startswith("info_class:")})
        records = [
            (sid, dataclasses.replace(
                _random_fact(rng, classes, sid * 100 + i, as_of),
                keys=frozenset({rng.choice(classes)}), ref=f"record:{sid * 100 + i}",
            ))
            for sid in range(1, 300)
            for i in range(rng.randrange(6))
        ]  # fmt: skip
        profile_of: dict[tuple[object, ...], int] = {}
        for _sid, f in records:
            key = (sorted(f.keys)[0], f.on, f.until, f.status, f.severity, f.published)
            profile_of.setdefault(key, len(profile_of))
        profiles = pl.DataFrame(
            [
                {"w": w, "keys": [k[0]], "on": k[1], "until": k[2], "status": k[3],
                 "severity": k[4], "published": k[5]}
                for k, w in profile_of.items()
            ],
            schema=fact_table.PROFILE_SCHEMA,
        )  # fmt: skip
        fields = sorted({n for _sid, f in records for n, _v in f.numbers})
        rows = pl.DataFrame(
            [
                {"subject_id": sid, "id": int(f.ref.split(":")[1]),
                 "w": profile_of[(sorted(f.keys)[0], f.on, f.until, f.status, f.severity,
                                  f.published)]}
                | {f"n:{n}": dict(f.numbers).get(n) for n in fields}
                for sid, f in records
            ],
            schema={"subject_id": pl.Int64, "id": pl.Int64, "w": pl.UInt32}
            | {f"n:{n}": pl.Float64 for n in fields},
        )  # fmt: skip
        got = plan.record_partial(loaded.model, rows, profiles, as_of).sort("subject_id")
        by_subject: dict[int, list[Fact]] = {}
        for sid, f in records:
            by_subject.setdefault(sid, []).append(f)
        want = plan.partial(loaded.model, engine.to_frame(by_subject), as_of).sort("subject_id")
        assert got.columns == want.columns
        assert got.to_dicts() == want.to_dicts(), loaded.id


def test_window_cutoff_is_the_reference_window() -> None:
    from xinyong.clock import add_months  # noqa: PLC0415

    for as_of in (date(2026, 3, 31), date(2026, 2, 28), date(2024, 2, 29), date(2026, 12, 1)):
        for months in (1, 6, 12, 24, 36):
            cut = plan.cutoff(as_of, months)
            for days in range(-40, 40):
                on = cut + timedelta(days=days)
                assert (on >= cut) == (as_of < add_months(on, months))


def test_fact_table_and_plan_equal_the_reference_on_the_demo_region(
    session: Session, catalog: Catalog, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo.load(session, count=240, actor=SYSTEM, today=today)
    compared = singles = 0
    for loaded in models_for(catalog).models.values():
        ids = engine.graded_subjects(session, loaded)
        reference = facts.gather(session, ids, catalog=catalog, today=today)
        chunked: pl.DataFrame | None = None
        want_frame = engine.to_frame(reference)
        for chunk, frame in engine.fact_chunks(session, ids, catalog=catalog, today=today):
            order = ["subject_id", "ref", "keys"]
            mine = frame.sort(order)
            theirs = want_frame.filter(pl.col("subject_id").is_in(chunk)).sort(order)
            assert mine.to_dicts() == theirs.to_dicts(), loaded.id
            scored = engine.score_chunk_vectorised(loaded, chunk, frame, today)
            chunked = pl.concat([chunked, scored]) if chunked is not None else scored
            for sid, score_, grade, fhash in scored.select(
                "subject_id", "score", "grade", "facts_hash"
            ).iter_rows():
                want = score(loaded.model, loaded.version, reference[sid], today)
                assert (score_, grade) == (want.score, want.grade), (loaded.id, sid)
                assert fhash == plan.facts_hash(reference[sid])
                compared += 1
        # A run: one pass over the records in frames (three rows each here), tallies added up
        monkeypatch.setattr(fact_table, "BATCH_ROWS", 3)
        totals = engine.run_totals(session, loaded, catalog=catalog, as_of=today)
        series = pl.Series(ids, dtype=pl.Int64)
        run = plan.score_totals(loaded.model, loaded.version, totals, series, today)
        assert chunked is not None
        assert run.sort("subject_id").to_dicts() == chunked.sort("subject_id").to_dicts()
        for sid in ids[:40]:  # the single-subject read, too
            one = subject_facts.of_subject(session, sid, catalog=catalog, today=today)
            assert sorted(one, key=repr) == sorted(reference[sid], key=repr)
            singles += 1
    assert compared > 100
    assert singles > 40


def test_the_facts_hash_marks_every_change_and_is_the_same_in_another_process() -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    base = Fact(
        frozenset({"info_class:penalty"}),
        "record:1",
        date(2026, 1, 5),
        until=date(2029, 1, 5),
        status="active",
        severity="general",
        published=True,
        numbers=(("fine_amount", 5.0),),
        label="行政处罚 某〔2026〕1号",
    )
    other = dataclasses.replace(base, ref="record:2")
    # A record's content never changes under its id (a new version is a new row): its hash is
    # its id and what the day and the catalog make of it (the window) — the raw row, not the
    # fact built from it.
    changed = [
        dataclasses.replace(base, ref="record:3"),
        dataclasses.replace(base, until=None),
        dataclasses.replace(base, severity="serious"),
        dataclasses.replace(base, published=False),
    ]
    first = plan.facts_hash([base, other])
    assert plan.facts_hash([other, base]) == first  # the order of the facts does not count
    assert plan.facts_hash([base, other, base]) != first  # a repeated fact does
    assert len({first, plan.facts_hash([]), *(plan.facts_hash([c, other]) for c in changed)}) == 6
    same = dataclasses.replace(base, label="行政处罚", numbers=(), on=None, status="repaired")
    assert plan.facts_hash([same, other]) == first  # fixed by the id: never seen changed
    entry = Fact(frozenset({"list_kind:watch"}), "record:1", date(2026, 3, 1), label="名单")
    assert plan.facts_hash([entry]) != plan.facts_hash([dataclasses.replace(entry, label="名")])
    workflow = [  # list entries and workflow facts: every column counts
        Fact(frozenset({"list_kind:watch"}), "list_entry:7", date(2026, 3, 1), label="名单"),
        Fact(frozenset({"workflow:commitment_kept"}), "commitment:5", date(2026, 3, 1)),
    ]
    for fact in workflow:
        variants = [
            dataclasses.replace(fact, keys=frozenset({"list_kind:red"})),
            dataclasses.replace(fact, ref=fact.ref + "0"),
            dataclasses.replace(fact, on=date(2026, 3, 2)),
            dataclasses.replace(fact, until=date(2027, 1, 1)),
            dataclasses.replace(fact, status="repaired"),
            dataclasses.replace(fact, label="另一个"),
        ]
        hashes = {plan.facts_hash([fact]), *(plan.facts_hash([v]) for v in variants)}
        assert len(hashes) == 1 + len(variants)
    code = "from tests.evaluation.test_plan import _hash_in_child; print(_hash_in_child())"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert child.stdout.strip() == _hash_in_child()  # stable across processes (fixed seeds)


def _hash_in_child() -> str:
    entry = Fact(frozenset({"list_kind:watch"}), "list_entry:7", date(2026, 3, 1), label="名单")
    record = Fact(frozenset({"info_class:penalty"}), "record:9", date(2026, 3, 1), until=None)
    return plan.facts_hash([entry, record])
