"""Every TestClient in the suite posts like the real pages do: with the CSRF token.

The pages render the token in each form (`{{ csrf_field() }}`); a TestClient posts form data
directly, so on each unsafe request it sends the token of its CSRF cookie (minting one signed
with the app's secret the first time) in the X-CSRFToken header, which the middleware accepts
as well as the form field. Installed for the whole suite by tests/conftest.py, so a fixture
building its own `TestClient(app)` needs nothing more. A test of the refusal itself turns it off:
`client.send_csrf_token = False` (or passes its own `X-CSRFToken` header, which wins).
"""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from xinyong.web.security import CSRF_COOKIE, CSRF_HEADER, SAFE_METHODS, new_csrf_token

_plain_request = TestClient.request


def _request_with_token(self: TestClient, method: str, url: Any, **kwargs: Any) -> Any:
    if method.upper() not in SAFE_METHODS and getattr(self, "send_csrf_token", True):
        token = self.cookies.get(CSRF_COOKIE)
        settings = getattr(getattr(self.app, "state", None), "settings", None)
        if token is None and settings is not None:
            token = new_csrf_token(settings.secret_key)
            self.cookies.set(CSRF_COOKIE, token)
        if token is not None:
            headers = dict(kwargs.pop("headers", None) or {})
            if not any(k.lower() == CSRF_HEADER.lower() for k in headers):
                headers[CSRF_HEADER] = token
            for name, value in headers.items():  # an explicit Cookie header replaces the jar's
                if name.lower() == "cookie" and f"{CSRF_COOKIE}=" not in value:
                    headers[name] = f"{value}; {CSRF_COOKIE}={token}"
            kwargs["headers"] = headers
    return _plain_request(self, method, url, **kwargs)


def install() -> None:
    TestClient.request = _request_with_token  # type: ignore[method-assign]
