"""信易贷 surfaces: /me/financing (the SME), /bank/… (the institution), /admin/financing (the
office) and the API under /api/v1/financing. Permissions are checked in the domain modules.

`register(app)` includes the routers and turns on 贷中预警 for this process
(`financing.outcomes.install`), with the app's today.
"""

from fastapi import FastAPI

from xinyong import clock
from xinyong.financing import outcomes
from xinyong.web.financing.api import api
from xinyong.web.financing.bank import bank
from xinyong.web.financing.office import admin
from xinyong.web.financing.sme import me
from xinyong.web.openapi import ERROR_RESPONSES

__all__ = ["register"]


def register(app: FastAPI) -> None:
    settings = app.state.settings
    outcomes.install(lambda: (app.state.catalogs.current, settings.today or clock.today()))
    for router in (me, bank, admin):
        app.include_router(router)
    app.include_router(api, responses=ERROR_RESPONSES)
