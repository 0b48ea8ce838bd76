"""Admin upload page (clerk), batch report with the rejected-rows download, quality page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.collection.conftest import penalty_rows, to_csv
from tests.factories.accounts import signed_in
from xinyong.db.tables import Provider
from xinyong.enums import Role


def test_clerk_uploads_sees_the_report_and_downloads_rejected_rows(
    client: TestClient, session: Session, provider: Provider
) -> None:
    signed_in(client, session, Role.PROVIDER_CLERK, provider=provider)
    page = client.get("/admin/batches")
    assert '<label for="file">' in page.text
    rows = penalty_rows(3)
    rows[0][13] = "不是日期"
    resp = client.post("/admin/batches", data={"info_class": "penalty"},
                       files={"file": ("处罚.csv", to_csv(rows), "text/csv")})  # fmt: skip
    assert resp.status_code == 200
    assert "批次" in resp.text
    assert "collection.bad_date" in resp.text
    link = resp.url.path + "/rejected.xlsx"
    download = client.get(link)
    assert download.status_code == 200
    assert download.content[:2] == b"PK"
    quality = client.get("/admin/quality")
    assert quality.status_code == 200
    assert "<svg" in quality.text
    assert "合规率" in quality.text


def test_an_uploaded_repeat_says_so_and_the_list_shows_durations(
    client: TestClient, session: Session, provider: Provider
) -> None:
    signed_in(client, session, Role.PROVIDER_CLERK, provider=provider)
    files = {"file": ("处罚.csv", to_csv(penalty_rows(2, seed=6)), "text/csv")}
    first = client.post("/admin/batches", data={"info_class": "penalty"}, files=files)
    assert first.status_code == 200
    assert "重复报送" not in first.text
    again = client.post("/admin/batches", data={"info_class": "penalty"}, files=files)
    assert again.status_code == 200
    assert again.url.path == first.url.path
    assert "重复报送" in again.text
    assert "未写入任何数据" in again.text
    listing = client.get("/admin/batches")
    assert "处理用时" in listing.text
    assert " 秒</td>" in listing.text
