"""Browser: the real forms post with their token; a page on another origin of the same site cannot
drive an admin action; the API docs load from the package under the strict CSP."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import _free_port
from tests.factories.workflows import make_user
from xinyong.config import Settings
from xinyong.db.session import make_engine, make_sessionmaker, transaction
from xinyong.enums import Role


def _admin(settings: Settings) -> str:
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        _, username = make_user(session, Role.ADMIN)
    engine.dispose()
    return username


def _log_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def other_origin(tmp_path: Path, live_server: str) -> Iterator[str]:
    """A page on 127.0.0.1 at another port — the same site, another origin — that posts a form
    to the platform's admin as soon as it loads."""
    (tmp_path / "forged.html").write_text(
        f"""<!doctype html><meta charset="utf-8"><form id="f" method="post"
        action="{live_server}/admin/catalog/reload"><input name="csrftoken" value="guess"></form>
        <script>document.getElementById("f").submit()</script>""",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=5)


def test_real_forms_work_and_a_same_site_forged_post_is_refused(
    page: Page, live_server: str, live_settings: Settings, other_origin: str
) -> None:
    admin = _admin(live_settings)
    _log_in(page, live_server + "/admin/login?next=/admin/catalog", admin)
    page.get_by_role("button", name="重新加载目录文件").click()
    expect(page.get_by_text("目录已重新加载")).to_be_visible()

    page.goto(other_origin + "/forged.html")
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("安全校验")

    page.goto(live_server + "/admin/catalog")  # still signed in: the refusal changed nothing
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(live_server + "/")


def test_api_docs_load_offline_under_the_csp(page: Page, live_server: str) -> None:
    blocked: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            blocked.append(message.text)

    page.on("console", watch)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server) else outside.append(r.url),
    )
    page.goto(live_server + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("xinyong")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert outside == []
    assert blocked == []
