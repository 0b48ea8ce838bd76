"""Signing a test client in as a user, through the login page as a browser does.

`signed_in(client, session, Role.OFFICER)` is an officer of the credit office itself;
`provider=dept` makes them a department's officer (or clerk); `subject=` binds an enterprise
account; an auditor, an admin or a bank user needs neither (`make_user` knows which role needs
what, so no test hand-rolls `credit_office=True`).
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories.workflows import make_user
from xinyong.audit import Actor
from xinyong.db.tables import Provider, Subject
from xinyong.enums import Role

PASSWORD = "password123"  # make_user's


def sign_in(client: TestClient, username: str, *, password: str = PASSWORD) -> None:
    """Sign `username` in on a fresh cookie jar (the previous user signed out); the login page
    must answer with its redirect."""
    client.cookies.clear()
    data = {"username": username, "password": password}
    response = client.post("/admin/login", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text


def signed_in(
    client: TestClient,
    session: Session,
    role: Role,
    *,
    provider: Provider | None = None,
    subject: Subject | None = None,
) -> Actor:
    """A new user of `role`, signed in on `client`; returns its actor."""
    actor, username = make_user(session, role, provider=provider, subject=subject)
    sign_in(client, username)
    return actor
