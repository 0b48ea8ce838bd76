"""Who may reach what: a role × route × department matrix over EVERY route of the app.

The routes come from the app's own route table (`iter_route_contexts(app.routes)`), so a route
nobody wrote down fails `test_every_route_has_a_row` with a message naming it.

How to add a row (e.g. for a route another branch adds)
-------------------------------------------------------
Add one line to `MATRIX` below::

    METHOD /path/{param}  | anon | admin | officer | clerk | auditor | bank | enterprise | system

Each cell is the expected answer for that role:

- ``A`` allowed — the request passed the permission checks (2xx/3xx, or 400/409/422 from the
  action or the form validation that comes after the checks);
- ``L`` login required (401, or a redirect to the login page);
- ``F`` forbidden (403);
- ``N`` not found (404).

A cell ``X/Y`` gives the answer for a case of the actor's OWN department (for the enterprise
account: its own subject) and for a case of ANOTHER department / subject. A single letter means
the same answer for both. Path parameters are filled from the `scenario` fixture's `params` (one
value per side; a new parameter name needs one there), POST forms from `FORMS` (keyed by the
route, "METHOD /path"; sent as a JSON body under /api/); a POST without an entry is sent with an
empty form (the form validation then answers ``A`` for a role that passed the checks). Every
request runs in a savepoint that is rolled back, so one request's effect never changes another's
answer.

Roles: anon (no credentials), admin (信用办), officer and clerk of department A, auditor, bank,
enterprise (account of subject E1), system (business-system API key). Department A owns every
"own" case — E1's records, objection, repair (and its material and commitment), registration
(kind certificate → market_regulation → A), list entry, interview; department B owns the
"other" cases of subject E2 (registration kind public_welfare → civil_affairs → B).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from tests.factories import make_provider, make_subject
from tests.factories.lists import listed
from tests.factories.workflows import PDF, make_penalty, make_user
from xinyong import (
    auth,
    clock,
    commitments,
    inspections,
    interviews,
    objections,
    registrations,
    repair,
)
from xinyong.catalog import Catalog
from xinyong.clock import Calendar
from xinyong.config import Settings
from xinyong.db.tables import Batch, Provider
from xinyong.enums import BatchStatus, Role
from xinyong.web.deps import SESSION_COOKIE

ROLES = ("anon", "admin", "officer", "clerk", "auditor", "bank", "enterprise", "system")

# fmt: off
MATRIX = """
GET  /api/openapi.json                              | A | A   | A   | A   | A | A | A   | A
GET  /api/docs                                      | A | A   | A   | A   | A | A | A   | A
GET  /api/v1/health                                 | A | A   | A   | A   | A | A | A   | A
GET  /api/v1/baseline                               | A | A   | A   | A   | A | A | A   | A
GET  /api/v1/subjects                               | A | A   | A   | A   | A | A | A   | A
GET  /api/v1/subjects/{code}                        | A | A   | A   | A   | A | A | A   | A
GET  /api/v1/subjects/{code}/evaluation             | A | A   | A   | A   | A | F | A   | A
POST /api/v1/batches                                | L | A   | F   | N   | F | F | F   | F
GET  /api/v1/batches/{batch_id}                     | L | N   | F   | N   | F | F | F   | F
POST /api/v1/screenings                             | L | A   | A   | F   | F | F | F   | A
POST /api/v1/screenings/decisions                   | L | A   | A   | F   | F | F | F   | A
POST /api/v1/checks                                 | L | A   | A   | F   | F | F | F   | A
POST /api/v1/checks/{check_id}/feedback             | L | A   | A   | F   | F | F | F   | A
GET  /api/v1/exchange/changes                       | L | F   | F   | F   | F | F | F   | F
POST /api/v1/exchange/packages                      | L | F   | F   | F   | F | F | F   | F
POST /api/v1/repairs/{repair_id}/revoke             | L | A   | A/F | F   | F | F | F   | F
POST /api/v1/repairs/{repair_id}/accept             | L | A   | A/F | F   | F | F | F   | F
POST /api/v1/repairs/{repair_id}/not-accept         | L | A   | A/F | F   | F | F | F   | F
POST /api/v1/repairs/{repair_id}/extend             | L | A   | A/F | F   | F | F | F   | F
POST /api/v1/repairs/{repair_id}/decide             | L | A   | A/F | F   | F | F | F   | F
POST /api/v1/objections/{objection_id}/answer       | L | A   | A/F | A/F | F | F | F   | F
POST /api/v1/runs                                   | L | A   | F   | F   | F | F | F   | F
GET  /api/v1/runs/{run_id}                          | L | N   | F   | F   | F | F | F   | F
GET  /admin/login                                   | A | A   | A   | A   | A | A | A   | A
POST /admin/login                                   | A | A   | A   | A   | A | A | A   | A
POST /admin/logout                                  | A | A   | A   | A   | A | A | A   | A
GET  /admin/                                        | L | A   | A   | A   | A | A | A   | F
GET  /admin/catalog                                 | L | A   | A   | A   | A | F | F   | F
POST /admin/catalog/reload                          | L | A   | F   | F   | F | F | F   | F
GET  /admin/catalog/{class_id}                      | L | A   | A   | A   | A | F | F   | F
GET  /admin/users                                   | L | A   | F   | F   | F | F | F   | F
POST /admin/users                                   | L | A   | F   | F   | F | F | F   | F
GET  /admin/users/{user_id}                         | L | A   | F   | F   | F | F | F   | F
POST /admin/users/{user_id}/deactivate              | L | A   | F   | F   | F | F | F   | F
POST /admin/users/{user_id}/activate                | L | A   | F   | F   | F | F | F   | F
POST /admin/users/{user_id}/password                | L | A   | F   | F   | F | F | F   | F
GET  /admin/password                                | L | A   | A   | A   | A | A | A   | L
POST /admin/password                                | L | A   | A   | A   | A | A | A   | L
GET  /admin/batches                                 | L | A   | F   | A   | F | F | F   | F
POST /admin/batches                                 | L | A   | F   | A   | F | F | F   | F
GET  /admin/batches/{batch_id}                      | L | A   | F   | A/F | F | F | F   | F
GET  /admin/batches/{batch_id}/rejected.xlsx        | L | A   | F   | A/F | F | F | F   | F
GET  /admin/batches/templates/{class_id}.xlsx       | L | A   | F   | A   | F | F | F   | F
GET  /admin/quality                                 | L | A   | F   | A   | A | F | F   | F
GET  /admin/interviews                              | L | A   | A   | F   | F | F | F   | F
POST /admin/interviews                              | L | A   | A   | F   | F | F | F   | F
POST /admin/interviews/{interview_id}/follow-up     | L | A   | A/F | F   | F | F | F   | F
GET  /admin/lists                                   | L | A   | A   | F   | A | F | F   | F
GET  /admin/lists/validity                          | L | A   | F   | F   | F | F | F   | F
POST /admin/lists/validity                          | L | A   | F   | F   | F | F | F   | F
GET  /admin/disclosure/reclassify                   | L | A   | F   | F   | F | F | F   | F
POST /admin/disclosure/reclassify                   | L | A   | F   | F   | F | F | F   | F
GET  /admin/lists/{entry_id}                        | L | A   | A/F | F   | A | F | F   | F
GET  /admin/checks                                  | L | A   | A   | F   | A | F | F   | F
GET  /admin/check                                   | L | A   | A   | F   | F | F | F   | F
POST /admin/check                                   | L | A   | A   | F   | F | F | F   | F
POST /admin/check/{check_id}/feedback               | L | N   | N   | F   | F | F | F   | F
GET  /admin/screening                               | L | A   | A   | F   | F | F | F   | F
POST /admin/screening                               | L | A   | A   | F   | F | F | F   | F
POST /admin/screening/decisions                     | L | A   | A   | F   | F | F | F   | F
POST /admin/lists                                   | L | A   | A   | F   | F | F | F   | F
GET  /admin/lists/{entry_id}/notice                 | L | A   | A/F | F   | A | F | F   | F
GET  /admin/lists/{entry_id}/evidence/{step_id}     | L | N   | N/F | F   | N | F | F   | F
POST /admin/lists/{entry_id}/{step}                 | L | A   | A/F | F   | F | F | F   | F
GET  /admin/clients                                 | L | A   | F   | F   | F | F | F   | F
POST /admin/clients                                 | L | A   | F   | F   | F | F | F   | F
POST /admin/clients/{name}/{action}                 | L | A   | F   | F   | F | F | F   | F
GET  /admin/providers                               | L | A   | F   | F   | F | F | F   | F
POST /admin/providers                               | L | A   | F   | F   | F | F | F   | F
GET  /admin/providers/{provider_id}                 | L | A   | F   | F   | F | F | F   | F
POST /admin/providers/{provider_id}                 | L | A   | F   | F   | F | F | F   | F
GET  /admin/jobs                                    | L | A   | F   | F   | F | F | F   | F
POST /admin/jobs/{name}/run                         | L | N   | F   | F   | F | F | F   | F
GET  /admin/runs                                    | L | A   | F   | F   | F | F | F   | F
GET  /admin/runs/{run_id}                           | L | N   | F   | F   | F | F | F   | F
GET  /admin/runs/{run_id}/progress                  | L | N   | F   | F   | F | F | F   | F
POST /admin/runs/{run_id}/again                     | L | N   | F   | F   | F | F | F   | F
GET  /admin/system                                  | L | A   | F   | F   | F | F | F   | F
GET  /admin/evaluation                              | L | A   | A   | F   | A | F | F   | F
GET  /admin/evaluation/subjects                     | L | A   | A   | F   | A | F | F   | F
GET  /admin/inspections                             | L | A   | A   | F   | A | F | F   | F
GET  /admin/inspections/{plan_code}                 | L | A   | A/F | F   | A | F | F   | F
POST /admin/inspections/{plan_code}/{inspection_id}/result | L | A | A | F   | A | F | F   | F
POST /admin/inspections/inspectors                  | L | A   | A   | F   | F | F | F   | F
POST /admin/inspections/plans                       | L | A   | A   | F   | F | F | F   | F
GET  /admin/inspections/{plan_code}/redraw          | L | A   | A/F | F   | A | F | F   | F
POST /api/v1/inspections/plans                      | L | A   | A   | F   | F | F | F   | F
GET  /api/v1/inspections/plans/{plan_code}          | L | A   | A/F | F   | A | F | F   | F
GET  /api/v1/inspections/plans/{plan_code}/redraw   | L | A   | A/F | F   | A | F | F   | F
POST /api/v1/inspections/{plan_code}/{inspection_id}/result | L | A | A | F | F | F | F | F
GET  /admin/related                                 | L | A   | A   | F   | F | F | F   | F
GET  /admin/exchange                                | L | A   | F   | F   | A | F | F   | F
POST /admin/exchange/export                         | L | A   | F   | F   | F | F | F   | F
POST /admin/exchange/import                         | L | A   | F   | F   | F | F | F   | F
GET  /admin/queue                                   | L | A   | A   | A   | F | F | F   | F
GET  /admin/repairs                                 | L | A   | A   | A   | F | F | F   | F
GET  /admin/objections                              | L | A   | A   | A   | F | F | F   | F
GET  /admin/repairs/{repair_id}                     | L | A   | A/F | A/F | F | F | F   | F
GET  /admin/repairs/{repair_id}/materials/{material_id} | L | A | A/F | A/F | F | F | F | F
POST /admin/repairs/{repair_id}/accept              | L | A   | A/F | F   | F | F | F   | F
POST /admin/repairs/{repair_id}/not-accept          | L | A   | A/F | F   | F | F | F   | F
POST /admin/repairs/{repair_id}/extend              | L | A   | A/F | F   | F | F | F   | F
POST /admin/repairs/{repair_id}/decide              | L | A   | A/F | F   | F | F | F   | F
POST /admin/repairs/{repair_id}/revoke              | L | A   | A/F | F   | F | F | F   | F
GET  /admin/objections/{objection_id}               | L | A   | A/F | A/F | F | F | F   | F
POST /admin/objections/{objection_id}/answer        | L | A   | A/F | A/F | F | F | F   | F
GET  /admin/commitments                             | L | A   | A   | F   | F | F | F   | F
GET  /admin/commitments/{commitment_id}             | L | A   | A/F | F   | F | F | F   | F
POST /admin/commitments/{commitment_id}/verify      | L | A   | A/F | F   | F | F | F   | F
POST /admin/registrations/{registration_id}/verify  | L | A   | A/F | F   | F | F | F   | F
GET  /me/login                                      | A | A   | A   | A   | A | A | A   | A
POST /me/login                                      | A | A   | A   | A   | A | A | A   | A
GET  /me/                                           | L | F   | F   | F   | F | F | A   | F
GET  /me/records/{record_id}                        | L | F   | F   | F   | F | F | A/F | F
POST /me/records/{record_id}/repair                 | L | F   | F   | F   | F | F | A/F | F
GET  /me/list-entries/{entry_id}                    | L | F   | F   | F   | F | F | A/F | F
POST /me/list-entries/{entry_id}/early-exit         | L | F   | F   | F   | F | F | A/F | F
POST /me/records/{record_id}/objection              | L | F   | F   | F   | F | F | A/F | F
POST /me/commitments                                | L | F   | F   | F   | F | F | A   | F
POST /me/registrations                              | L | F   | F   | F   | F | F | A   | F
GET  /                                              | A | A   | A   | A   | A | A | A   | A
GET  /search                                        | A | A   | A   | A   | A | A | A   | A
GET  /subjects/{ref}                                | A | A   | A   | A   | A | A | A   | A
GET  /inspections                                   | A | A   | A   | A   | A | A | A   | A
GET  /subjects/{ref}/card                           | A | A   | A   | A   | A | A | A   | A
GET  /disclosures/{info_class}                      | A | A   | A   | A   | A | A | A   | A
POST /api/v1/consents                               | L | F   | F   | F   | F | F | A   | F
GET  /api/v1/consents                               | L | A   | A   | A   | A | A | A   | A
DELETE /api/v1/consents/{consent_id}                | L | N   | N   | N   | N | N | N   | N
POST /api/v1/reports                                | A | A   | A   | A   | A | A | A   | A
GET  /api/v1/reports/{number}/verify                | A | A   | A   | A   | A | A | A   | A
POST /api/v1/reports/verify                         | A | A   | A   | A   | A | A | A   | A
GET  /reports/request                               | A | A   | A   | A   | A | A | A   | A
POST /reports/request                               | A | A   | A   | A   | A | A | A   | A
GET  /reports/verify                                | A | A   | A   | A   | A | A | A   | A
POST /reports/verify                                | A | A   | A   | A   | A | A | A   | A
GET  /me/reports                                    | L | F   | F   | F   | F | F | A   | F
GET  /me/consents                                   | L | F   | F   | F   | F | F | A   | F
POST /me/consents                                   | L | F   | F   | F   | F | F | A   | F
POST /me/consents/{consent_id}/revoke               | L | F   | F   | F   | F | F | N   | F
GET  /me/queries                                    | L | F   | F   | F   | F | F | A   | F
GET  /admin/audit                                   | L | A   | F   | F   | A | F | F   | F
POST /admin/audit/verify                            | L | A   | F   | F   | A | F | F   | F
GET  /admin/audit/check-replay                      | L | A   | F   | F   | A | F | F   | F
GET  /admin/reports                                 | L | A   | F   | F   | F | F | F   | F
POST /admin/reports/{number}/revoke                 | L | A   | F   | F   | F | F | F   | F
GET  /admin/dashboard                               | L | A   | F   | F   | A | F | F   | F
GET  /admin/dashboard/monitoring                    | L | A   | F   | F   | A | F | F   | F
GET  /admin/dashboard/figures/{key}                 | L | A   | F   | F   | A | F | F   | F
GET  /admin/dashboard/export/figures/{key}.xlsx     | L | A   | F   | F   | A | F | F   | F
GET  /admin/dashboard/rows/{kind}/{value}           | L | A   | F   | F   | A | F | F   | F
GET  /admin/dashboard/export/rows/{kind}/{value}.xlsx | L | A | F   | F   | A | F | F   | F
GET  /admin/dashboard/export/tables/{table_id}.xlsx | L | A   | F   | F   | A | F | F   | F
POST /admin/dashboard/manual                        | L | A   | F   | F   | F | F | F   | F
POST /admin/dashboard/refresh                       | L | A   | F   | F   | F | F | F   | F
GET  /admin/content                                 | L | A   | A   | F   | F | F | F   | F
GET  /admin/content/new                             | L | A   | A   | F   | F | F | F   | F
POST /admin/content/new                             | L | A   | A   | F   | F | F | F   | F
GET  /admin/content/{item_id}                       | L | N   | N   | F   | F | F | F   | F
POST /admin/content/{item_id}                       | L | A   | A   | F   | F | F | F   | F
POST /admin/content/{item_id}/move                  | L | A   | A   | F   | F | F | F   | F
POST /admin/content/{item_id}/attachments           | L | A   | A   | F   | F | F | F   | F
GET  /admin/content/attachments/{attachment_id}     | L | N   | N   | F   | F | F | F   | F
GET  /screen                                        | A | A   | A   | A   | A | A | A   | A
GET  /screen/data.json                              | A | A   | A   | A   | A | A | A   | A
GET  /info                                          | A | A   | A   | A   | A | A | A   | A
GET  /info/attachments/{attachment_id}              | N | N   | N   | N   | N | N | N   | N
GET  /info/{section}                                | A | A   | A   | A   | A | A | A   | A
GET  /info/{section}/{item_id}                      | N | N   | N   | N   | N | N | N   | N
GET  /me/financing                                  | L | F   | F   | F   | F | F | A   | F
POST /me/financing/needs                            | L | F   | F   | F   | F | F | A   | F
POST /me/financing/needs/{need_id}/withdraw       | L | F   | F   | F   | F | F | N   | F
POST /me/financing/consents                         | L | F   | F   | F   | F | F | A   | F
POST /me/financing/consents/{institution_id}/revoke | L | F   | F   | F   | F | F | N   | F
POST /me/financing/whitelist                        | L | F   | F   | F   | F | F | A   | F
GET  /bank/                                         | L | F   | F   | F   | F | F | F   | F
POST /bank/products                                 | L | F   | F   | F   | F | F | F   | F
GET  /bank/subjects/{code}                          | L | F   | F   | F   | F | F | F   | F
POST /bank/outcomes                                 | L | F   | F   | F   | F | F | F   | F
GET  /bank/alerts                                   | L | F   | F   | F   | F | F | F   | F
GET  /bank/whitelists/{whitelist_id}                | L | F   | F   | F   | F | F | F   | F
GET  /admin/financing                               | L | A   | F   | F   | F | F | F   | F
POST /admin/financing/institutions                  | L | A   | F   | F   | F | F | F   | F
POST /admin/financing/whitelists                    | L | A   | F   | F   | F | F | F   | F
POST /admin/financing/whitelists/{whitelist_id}/{step} | L | N | F | F   | F | F | F   | F
GET  /admin/financing/whitelists/{whitelist_id}     | L | N   | F   | F   | F | F | F   | F
GET  /api/v1/financing/alerts                       | L | F   | F   | F   | F | F | F   | F
POST /api/v1/financing/outcomes                     | L | F   | F   | F   | F | A | F   | F
GET  /api/v1/financing/queries                      | L | F   | F   | F   | F | F | A   | F
GET  /api/v1/financing/products                     | A | A   | A   | A   | A | A | A   | A
POST /api/v1/financing/needs                        | L | F   | F   | F   | F | F | A   | F
POST /api/v1/financing/needs/{need_id}/withdraw   | L | F   | F   | F   | F | F | N   | F
GET  /api/v1/financing/figures                      | L | A   | F   | F   | A | F | F   | F
GET  /partner/                                      | L | F   | F   | F   | F | F | F   | F
POST /partner/verify                                | L | F   | F   | F   | F | F | F   | F
GET  /scenarios                                     | A | A   | A   | A   | A | A | A   | A
GET  /admin/scenarios                               | L | A   | F   | F   | F | F | F   | F
POST /admin/scenarios/partners                      | L | A   | F   | F   | F | F | F   | F
GET  /api/v1/scenarios                              | A | A   | A   | A   | A | A | A   | A
POST /api/v1/scenarios/{scenario_id}/verifications  | L | F   | F   | F   | F | F | F   | F
GET  /lists                                         | A | A   | A   | A   | A | A | A   | A
GET  /lists/publicity                               | A | A   | A   | A   | A | A | A   | A
POST /lists/publicity/{entry_id}/objection          | A | A   | A   | A   | A | A | A   | A
GET  /lists/{list_type}                             | A | A   | A   | A   | A | A | A   | A
GET  /catalog                                       | A | A   | A   | A   | A | A | A   | A
GET  /guide/repair                                  | A | A   | A   | A   | A | A | A   | A
"""
# fmt: on

MISSING_BATCH = "987654321"  # an id no row has

REPAIR_FORM = {"statement": "已整改", "obligations": "true", "commit": "true"}
# POST forms that reach the domain action (so its own permission check answers).
FORMS: dict[str, dict[str, Any]] = {
    # an unknown class: refused before anything is stored (this route commits per chunk); the
    # clerk passes the checks and gets the catalog's 404 for the class (N in the table)
    "POST /api/v1/batches": {"info_class": "no_such_class", "rows": []},
    "POST /admin/repairs/{repair_id}/not-accept": {"reason": "材料不全"},
    "POST /admin/repairs/{repair_id}/extend": {"reason": "需要核查"},
    "POST /admin/repairs/{repair_id}/decide": {"approve": "false", "reason": "未履行"},
    "POST /admin/repairs/{repair_id}/revoke": {"reason": "履行凭证系伪造"},
    "POST /api/v1/repairs/{repair_id}/revoke": {"reason": "履行凭证系伪造"},
    "POST /api/v1/repairs/{repair_id}/not-accept": {"reason": "材料不全"},
    "POST /api/v1/repairs/{repair_id}/extend": {"reason": "需要核查"},
    "POST /api/v1/repairs/{repair_id}/decide": {"approve": "false", "reason": "未履行"},
    "POST /api/v1/objections/{objection_id}/answer": {"outcome": "kept", "answer": "事实清楚"},
    "POST /admin/users/{user_id}/deactivate": {"reason": "调离岗位"},
    "POST /admin/users/{user_id}/activate": {"reason": "回到岗位"},
    "POST /admin/users/{user_id}/password": {"reason": "忘记密码"},
    "POST /admin/objections/{objection_id}/answer": {"outcome": "kept", "answer": "事实清楚"},
    "POST /admin/commitments/{commitment_id}/verify": {"fulfilment": "全部履行"},
    "POST /admin/registrations/{registration_id}/verify": {"verified": "false", "note": "不实"},
    "POST /admin/interviews/{interview_id}/follow-up": {"note": "已整改"},
    "POST /me/records/{record_id}/repair": REPAIR_FORM,
    "POST /me/list-entries/{entry_id}/early-exit": REPAIR_FORM,
    "POST /me/records/{record_id}/objection": {"grounds": "金额有误"},
    "POST /me/registrations": {"kind": "certificate", "title": "证书", "detail": "内容"},
    # 信易贷 / 信易+: forms that pass validation, so the domain's own check answers
    "POST /bank/products": {
        "name": "x",
        "amount_min": "1",
        "amount_max": "2",
        "term_min_months": "1",
        "term_max_months": "2",
        "rate_type": "fixed",
    },
    "POST /bank/outcomes": {"code": "91990100MA0000000X", "result": "refused"},
    "POST /partner/verify": {"scenario": "xinyi_pi", "code": "x"},
    "POST /api/v1/scenarios/{scenario_id}/verifications": {"code": "x"},
    "POST /api/v1/financing/needs": {"amount": "10", "term_months": 12, "purpose": "流动资金"},
    # an unknown grantee: the enterprise passes the checks and the action refuses it (400)
    "POST /api/v1/consents": {
        "grantee": "no-such-user",
        "purpose": "授信",
        "scopes": ["archive"],
        "valid_until": "2026-12-31",
    },
}


@dataclass(frozen=True)
class Expected:
    own: str
    other: str


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The sync routes only: the PostgreSQL fast read paths (joint check, anonymous search) use
    their own connection pool, which cannot see this test's rolled-back transaction; their access
    rules are tested beside them (tests/test_measures_fast.py, tests/web/test_search_fast.py)."""
    return settings.model_copy(update={"check_fast_path": False, "search_fast_path": False})


def parse_matrix(text: str) -> dict[str, dict[str, Expected]]:
    """{"METHOD /path": {role: Expected}} from the table text."""
    out: dict[str, dict[str, Expected]] = {}
    for line in text.strip().splitlines():
        route, *cells = (part.strip() for part in line.split("|"))
        assert len(cells) == len(ROLES), f"row “{route}” needs {len(ROLES)} cells: {ROLES}"
        key = " ".join(route.split())
        assert key not in out, f"row “{key}” is written twice"
        row = {}
        for role, cell in zip(ROLES, cells, strict=True):
            own, _, other = cell.partition("/")
            assert {own, other or own} <= set("ALFN"), f"row “{key}”, {role}: bad cell “{cell}”"
            row[role] = Expected(own, other or own)
        out[key] = row
    return out


def app_routes(app: FastAPI) -> list[str]:
    """Every "METHOD /path" the app answers (HEAD is GET's twin; static files are a mount)."""
    return [
        f"{method} {route.path}"
        for route in iter_route_contexts(app.routes)
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]


def test_every_route_has_a_row(client: TestClient) -> None:
    written = parse_matrix(MATRIX)
    app = client.app
    assert isinstance(app, FastAPI)
    missing = [r for r in app_routes(app) if r not in written]
    assert not missing, (
        "routes without a row in tests/web/test_access_matrix.py MATRIX (add one per route, "
        f"see the module docstring): {missing}"
    )
    stale = [r for r in written if r not in app_routes(app)]
    assert not stale, f"rows for routes the app no longer has: {stale}"


# ---- the scenario: two departments, two subjects, one case of each kind per side ----------------


@dataclass
class Scenario:
    credentials: dict[str, dict[str, str]]  # role → request headers
    params: dict[str, tuple[str, str]]  # path parameter → (own value, other value)


def _side(session: Session, catalog: Catalog, calendar: Calendar, settings: Settings,
          provider: Any, kind: str, today: date) -> dict[str, str]:  # fmt: skip
    """One subject with every kind of case, all routed to `provider`; returns parameter values."""
    subject = make_subject(session)
    enterprise, _ = make_user(session, Role.ENTERPRISE, subject=subject)
    officer, _ = make_user(session, Role.OFFICER, provider=provider)
    disputed = make_penalty(session, subject, provider)
    repaired = make_penalty(session, subject, provider)
    objection = objections.file_objection(
        session, disputed, "金额有误", actor=enterprise, today=today, catalog=catalog,
        calendar=calendar,
    )  # fmt: skip
    app = commitments.apply_for_repair(
        session, repaired,
        repair.Application("已整改", True, (repair.Upload("performance_proof", "p.pdf", PDF),)),
        actor=enterprise, today=today, catalog=catalog, calendar=calendar,
        data_dir=settings.data_dir, region_code="990100", commitment_affirmed=True,
    )  # fmt: skip
    (material,) = repair.list_materials(session, app.id)
    registration = registrations.submit(
        session, subject, registrations.NewRegistration(kind, "事项", "内容", truth_affirmed=True),
        actor=enterprise, today=today, catalog=catalog,
    )  # fmt: skip
    entry = listed(
        session, subject, "wage_arrears", catalog=catalog, calendar=calendar, actor=officer,
        proposed_on=date(2026, 9, 1),
    )  # fmt: skip
    interview = interviews.record_interview(
        session, subject,
        interviews.NewInterview(today, "法定代表人", "失信整改", "限期整改", date(2026, 12, 1)),
        actor=officer, today=today,
    )  # fmt: skip
    inspections.add_inspector(session, "矩阵检查员", f"JZ{provider.id}", provider, actor=officer)
    plan = inspections.create_plan(
        session, code=f"JZ-{provider.id}", title="矩阵抽查", provider=provider,
        sector="market_regulation", region_code="990100", period_start=today, period_end=today,
        seed="jz", actor=officer, catalog=catalog, today=today,
    )  # fmt: skip
    batch = Batch(
        provider_id=provider.id, info_class="penalty", content_hash=uuid.uuid4().hex * 2,
        file_name="矩阵.csv", source_format="csv", status=BatchStatus.DONE.value,
        received_on=today, catalog_version=catalog.version, submitted_by="矩阵",
    )  # fmt: skip
    session.add(batch)
    session.flush()
    return {
        "batch_id": str(batch.id),
        "plan_code": plan.code,
        "subject_id": str(subject.id),
        "user_id": str(enterprise.id),
        "code": subject.code,
        "record_id": str(disputed.id),
        "objection_id": str(objection.id),
        "repair_id": str(app.id),
        "material_id": str(material.id),
        "commitment_id": str(app.commitment_id),
        "registration_id": str(registration.id),
        "entry_id": str(entry.id),
        "interview_id": str(interview.id),
    }


def _headers(session: Session, username: str) -> dict[str, str]:
    _, token = auth.log_in(session, username, "password123", now=clock.now())
    return {"cookie": f"{SESSION_COOKIE}={token}"}


@pytest.fixture
def scenario(
    session: Session, catalog: Catalog, calendar: Calendar, settings: Settings, today: date
) -> Scenario:
    dept_a = make_provider(session, name="示范区市场监督管理局", kind="market_regulation")
    dept_b = make_provider(session, name="示范区民政局", kind="civil_affairs")
    # registrations are routed to the first active department of their kind: departments of these
    # kinds that other tests committed to this database must not take the cases (rolled back)
    session.execute(
        update(Provider)
        .where(Provider.kind.in_(("market_regulation", "civil_affairs")))
        .where(Provider.id.not_in((dept_a.id, dept_b.id)))
        .values(active=False)
    )
    own = _side(session, catalog, calendar, settings, dept_a, "certificate", today)
    other = _side(session, catalog, calendar, settings, dept_b, "public_welfare", today)
    users = {
        "admin": make_user(session, Role.ADMIN)[1],
        "officer": make_user(session, Role.OFFICER, provider=dept_a)[1],
        "clerk": make_user(session, Role.PROVIDER_CLERK, provider=dept_a)[1],
        "auditor": make_user(session, Role.AUDITOR)[1],
        "bank": make_user(session, Role.BANK)[1],
    }
    enterprise = next(
        u for u in auth.list_users(session, [Role.ENTERPRISE])
        if u.subject_id == int(own["subject_id"])
    )  # fmt: skip
    users["enterprise"] = enterprise.username
    credentials: dict[str, dict[str, str]] = {"anon": {}}
    credentials.update({role: _headers(session, name) for role, name in users.items()})
    system, key = auth.create_api_client(
        session, "审批系统", Role.SYSTEM, actor=auth.Actor.system()
    )
    system.rate_limit = "100000/minute"  # the matrix calls every route with this one key
    credentials["system"] = {"x-api-key": key}
    params = {name: (own[name], other[name]) for name in own}
    params.update({
        "check_id": (MISSING_BATCH, MISSING_BATCH),
        "class_id": ("penalty", "penalty"),
        "info_class": ("penalty", "penalty"),
        "ref": (own["code"], own["code"]),
        "consent_id": (MISSING_BATCH, MISSING_BATCH),
        "number": ("20261123000000000000A", "20261123000000000000A"),
        "key": ("records_collected", "records_collected"),
        "kind": ("region", "region"),
        "value": ("990100", "990100"),
        "table_id": ("indicators", "indicators"),
        "item_id": (MISSING_BATCH, MISSING_BATCH),
        "attachment_id": (MISSING_BATCH, MISSING_BATCH),
        "inspection_id": (MISSING_BATCH, MISSING_BATCH),
        "section": ("news", "news"),
        "step": ("publication", "publication"),  # issue 11: list procedure steps
        "institution_id": (MISSING_BATCH, MISSING_BATCH),
        "whitelist_id": (MISSING_BATCH, MISSING_BATCH),
        "need_id": (MISSING_BATCH, MISSING_BATCH),
        "scenario_id": ("xinyi_pi", "xinyi_pi"),
        "step_id": (MISSING_BATCH, MISSING_BATCH),
        "run_id": (MISSING_BATCH, MISSING_BATCH),
        "name": ("审批系统", "审批系统"),
        "action": ("rotate", "rotate"),
        "list_type": ("wage_arrears", "wage_arrears"),
        "provider_id": (str(dept_a.id), str(dept_b.id)),
    })  # fmt: skip
    return Scenario(credentials, params)


def outcome(status: int, location: str) -> str:
    if status in (401,) or (status in (302, 303) and location.startswith("/admin/login")):
        return "L"
    if status == 403:
        return "F"
    if status == 404:
        return "N"
    assert status < 500, f"server error {status}"
    return "A"


def _requests(route: str, scenario: Scenario) -> Iterator[tuple[str, str]]:
    """(side, url) for each side the route distinguishes."""
    _, path = route.split(" ", 1)
    for index, side in enumerate(("own", "other")):
        url = path
        for name, values in scenario.params.items():
            url = url.replace("{" + name + "}", values[index])
        assert "{" not in url, f"{route}: add the path parameter to the scenario's params"
        yield side, url


def test_role_route_department_matrix(
    client: TestClient, session: Session, scenario: Scenario
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    matrix = parse_matrix(MATRIX)
    wrong = []
    for route in app_routes(app):
        method = route.split(" ", 1)[0]
        for side, url in _requests(route, scenario):
            for role in ROLES:
                want = getattr(matrix[route][role], side)
                nested = session.begin_nested()
                client.cookies.clear()
                body = FORMS.get(route, {}) if method == "POST" else None
                api = url.startswith("/api/")
                response = client.request(
                    method, url, data=None if api else body, json=body if api else None,
                    headers={"accept": "text/html", **scenario.credentials[role]},
                    follow_redirects=False,
                )  # fmt: skip
                nested.rollback()
                got = outcome(response.status_code, response.headers.get("location", ""))
                if got != want:
                    wrong.append(f"{route} [{role}, {side}]: expected {want}, got {got} "
                                 f"({response.status_code})")  # fmt: skip
    assert not wrong, "\n".join(wrong)
