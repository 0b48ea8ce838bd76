"""Editorial pages: Markdown is published without scripts, event attributes or javascript:
links; draft → review → published, only the office publishes; every change audited; the newest
items reach the front page; attachments are checked by their bytes."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_provider
from tests.factories.accounts import signed_in
from tests.factories.workflows import EXE, PDF, make_user
from xinyong import content
from xinyong.db.tables import AuditEntry, ContentItem
from xinyong.enums import Role
from xinyong.errors import Forbidden

HOSTILE = """## 信用修复指南

<script>alert(1)</script>
<img src="x.png" onerror="alert(2)">
<a href="javascript:alert(3)" onclick="steal()">点我</a>
<a href=" JaVaScRiPt:alert(4)">再点</a>
[链接](javascript:alert(5))
<div onmouseover="x()">悬停</div><iframe src="https://evil.example"></iframe>
<style>body{display:none}</style>

**合法**的[国家政策](https://www.gov.cn/)。
"""


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]


def _is_clean(html: str) -> _Tags:
    parsed = _Tags()
    parsed.feed(html)
    assert not {"script", "style", "iframe"} & set(parsed.tags)
    assert not [k for k, _ in parsed.attrs if k.lower().startswith("on")]
    urls = [v.strip().lower() for k, v in parsed.attrs if k in ("href", "src")]
    assert not [u for u in urls if u.startswith("javascript")]
    return parsed


def test_render_strips_scripts_events_and_javascript_links() -> None:
    parsed = _is_clean(content.render(HOSTILE))
    assert ("href", "https://www.gov.cn/") in parsed.attrs
    assert "strong" in parsed.tags
    assert "h2" in parsed.tags


def test_publishing_goes_through_review_and_only_the_office_publishes(session: Session) -> None:
    writer, _ = make_user(session, Role.OFFICER, provider=make_provider(session))
    office, _ = make_user(session, Role.ADMIN)
    item = content.create(session, content.Draft("news", "修复指南", None, HOSTILE), actor=writer)
    with pytest.raises(content.WrongStatus):
        content.move(session, item, "publish", actor=office, today=date(2026, 11, 23))
    content.move(session, item, "submit", actor=writer, today=date(2026, 11, 23))
    with pytest.raises(Forbidden):
        content.move(session, item, "publish", actor=writer, today=date(2026, 11, 23))
    content.move(session, item, "publish", actor=office, today=date(2026, 11, 23))
    assert (item.status, item.published_on) == ("published", date(2026, 11, 23))
    with pytest.raises(content.WrongStatus):
        content.update(session, item, content.Draft("news", "改", None, "x"), actor=office)
    actions = (
        session.execute(select(AuditEntry.action).where(AuditEntry.target_type == "content_item"))
        .scalars()
        .all()
    )
    assert actions == ["content.item.created", "content.item.submitted", "content.item.published"]
    clerk, _ = make_user(session, Role.AUDITOR)
    with pytest.raises(Forbidden):
        content.create(session, content.Draft("news", "t", None, "b"), actor=clerk)


def test_the_office_writes_publishes_and_the_portal_shows_it_sanitised(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    client.app.state.settings.data_dir = tmp_path  # type: ignore[attr-defined]
    signed_in(client, session, Role.ADMIN)
    form = {
        "section": "policy",
        "title": "信用修复管理办法解读",
        "summary": "要点",
        "body_md": HOSTILE,
    }
    made = client.post("/admin/content/new", data=form, follow_redirects=False)
    assert made.status_code == 303
    item = session.execute(select(ContentItem)).scalar_one()
    url = f"/admin/content/{item.id}"
    bad = client.post(f"{url}/attachments", files={"file": ("guide.pdf", EXE)})
    assert bad.status_code == 422
    good = client.post(
        f"{url}/attachments", files={"file": ("指南.pdf", PDF)}, follow_redirects=False
    )
    assert good.status_code == 303
    assert client.get(f"/info/policy/{item.id}").status_code == 404  # not yet published
    for action in ("submit", "publish"):
        client.post(f"{url}/move", data={"action": action})
    page = client.get(f"/info/policy/{item.id}")
    assert page.status_code == 200
    article = page.text.split('<div class="content-body">')[1].split("</div>")[0]
    _is_clean(article)
    assert "国家政策" in article
    home = client.get("/")
    assert "信用修复管理办法解读" in home.text
    assert f'href="/info/policy/{item.id}"' in home.text
    assert "信用修复管理办法解读" in client.get("/info/policy").text
    (attachment_id,) = [a.id for a in content.attachments(session, item.id)]
    got = client.get(f"/info/attachments/{attachment_id}")
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-security-policy"] == "sandbox"


def test_an_officer_cannot_publish_through_the_page(client: TestClient, session: Session) -> None:
    _actor, username = make_user(session, Role.OFFICER, provider=make_provider(session))
    client.post("/admin/login", data={"username": username, "password": "password123"})
    client.post(
        "/admin/content/new", data={"section": "news", "title": "部门动态", "body_md": "正文"}
    )
    item = session.execute(select(ContentItem)).scalar_one()
    client.post(f"/admin/content/{item.id}/move", data={"action": "submit"})
    refused = client.post(f"/admin/content/{item.id}/move", data={"action": "publish"})
    assert refused.status_code == 403
    assert item.status == "review"
    assert "部门动态" not in client.get("/info/news").text
