"""A TestClient whose requests run inside the test's rolled-back session.

Like every TestClient in the suite, it sends the CSRF token on unsafe requests (tests/csrf.py,
installed by tests/conftest.py), so a test posts forms as the pages do without doing anything.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from xinyong.config import Settings
from xinyong.web import deps
from xinyong.web.app import create_app


@pytest.fixture
def client(session: Session, settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)

    def _session() -> Iterator[Session]:
        yield session
        session.flush()

    app.dependency_overrides[deps._db] = _session
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()
