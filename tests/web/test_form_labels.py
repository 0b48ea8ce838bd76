"""Every field a page's form posts (and every query parameter of a page) has the Chinese label
the error page shows when it is refused ("提交的内容不完整或格式不正确（联系方式）"), never its
English name: the routes come from the app's own route table, forms declared field by field,
as a Pydantic form model, or in a dependency alike (`web/titles.py` `form_field_label`)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.orm import Session

from tests.factories import make_subject
from tests.factories.accounts import sign_in
from tests.factories.workflows import make_user
from xinyong.catalog import Catalog
from xinyong.enums import Role
from xinyong.web.titles import form_field_label

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _form_fields(dependant: Dependant) -> Iterator[str]:
    for param in dependant.body_params:
        model = param.field_info.annotation
        if inspect.isclass(model) and issubclass(model, BaseModel):
            yield from (f.alias or name for name, f in model.model_fields.items())
        else:
            yield param.alias
    for sub in dependant.dependencies:
        yield from _form_fields(sub)


def _query_fields(dependant: Dependant) -> Iterator[str]:
    yield from (param.alias for param in dependant.query_params)
    for sub in dependant.dependencies:
        yield from _query_fields(sub)


def _page_fields(app: FastAPI) -> dict[str, set[str]]:
    """Field name → the pages ("METHOD /path") whose form posts it or whose links carry it;
    the API (/api/…) answers JSON with the field's own name and is left out."""
    found: dict[str, set[str]] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or str(context.path).startswith("/api/"):
            continue
        for method in context.methods or ():
            names = _form_fields(route.dependant) if method == "POST" else ()
            if method == "GET":
                names = _query_fields(route.dependant)
            for name in names:
                found.setdefault(name, set()).add(f"{method} {context.path}")
    return found


def test_every_form_field_has_a_chinese_label(client: TestClient, catalog: Catalog) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    fields = _page_fields(app)
    assert "grounds" in fields  # the walk reaches the forms: declared field by field …
    assert "performance_proof" in fields  # … and the repair form's material uploads
    missing = {
        name: sorted(pages)
        for name, pages in sorted(fields.items())
        if not CHINESE.search(form_field_label(catalog, name) or "")
    }
    assert not missing, (
        "form fields without a Chinese label (add them to FORM_FIELDS in xinyong/web/titles.py, "
        f"worded as the form's own label): {missing}"
    )


def test_a_refused_form_names_its_fields_by_their_labels(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    subject = make_subject(session)
    _, owner = make_user(session, Role.ENTERPRISE, subject=subject)
    sign_in(client, owner)
    refused = client.post(
        "/me/commitments", data={"detail": "食品经营许可"}, headers={"accept": "text/html"}
    )
    assert refused.status_code == 422
    assert "提交的内容不完整或格式不正确（承诺模板）" in refused.text
    assert "template_id" not in refused.text
    # a repair material's upload field is labelled by the catalog's title of the material
    assert form_field_label(catalog, "performance_proof") == "履行法定义务、纠正失信行为的证明材料"
