"""Property-based fuzzing of the whole OpenAPI: no input, with or without a key, causes a 5xx.

Schemathesis reads /api/openapi.json and generates requests for every operation (bodies, paths,
query strings; schema-valid and deliberately invalid ones), anonymous or with an admin API key.
Fixed seed and bounded budget so `make test` is repeatable: FUZZ_EXAMPLES per operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from sqlalchemy.orm import Session

from tests.factories.subjects import SYSTEM, make_subject
from xinyong import auth, signing
from xinyong.config import Settings
from xinyong.enums import Role
from xinyong.web import deps
from xinyong.web.api import batches as api_batches
from xinyong.web.app import create_app

FUZZ_EXAMPLES = 50
FUZZ_SEED = 20261129


@pytest.fixture
def fuzz_app(session: Session, settings: Settings, tmp_path: Path) -> Iterator[FastAPI]:
    # the rolled-back test session serves every request; a request the database refused leaves
    # it usable for the next (rollback to the savepoint), as a fresh request session would be
    key_path = tmp_path / "keys" / "office-sm2.pem"
    signing.ensure_key(key_path)  # as `xinyong init` does: reports are signed and verified
    update = {"check_fast_path": False, "signing_key": key_path, "data_dir": tmp_path}
    app = create_app(settings.model_copy(update=update))

    def _session() -> Iterator[Session]:
        try:
            yield session
            session.flush()
        except Exception:
            session.rollback()
            raise

    app.dependency_overrides[deps._db] = _session
    app.dependency_overrides[api_batches.work_session] = _session
    make_subject(session, name="模糊测试有限公司")
    _client, key = auth.create_api_client(session, "模糊测试", Role.ADMIN, actor=SYSTEM)
    session.commit()  # a savepoint: a refused request rolls back its own work, never this
    app.state.fuzz_key = key
    yield app
    app.state.engine.dispose()


def _operations() -> list[str]:
    """Every operation of the OpenAPI, as `METHOD /path` (read from an app that is never served)."""
    app = create_app(Settings(database_url="sqlite://", check_fast_path=False))
    doc = app.openapi()
    app.state.engine.dispose()
    return [f"{m.upper()} {path}" for path, item in doc["paths"].items() for m in item]


@pytest.mark.parametrize("label", _operations())
def test_no_input_causes_a_server_error(label: str, fuzz_app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzz_app)
    operation = schema.find_operation_by_label(label)
    assert operation is not None, label
    key = {"X-API-Key": fuzz_app.state.fuzz_key}

    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    cases = st.one_of(
        *(operation.as_strategy(mode, headers=h) for mode in modes for h in (None, key))
    )

    @given(case=cases)
    @seed(FUZZ_SEED)
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(checks=[not_a_server_error])

    fuzz()


def test_the_openapi_declares_security_bodies_and_errors(fuzz_app: FastAPI) -> None:
    doc = fuzz_app.openapi()
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"apiKey", "http"}
    batches = doc["paths"]["/api/v1/batches"]["post"]
    assert set(batches["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"401", "403", "422"} <= set(batches["responses"])
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert "422" in op["responses"], (method, path)
