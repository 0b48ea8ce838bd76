"""create_app(): settings → engine, catalog, calendar; routers for API, portal and admin."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from xinyong import __version__, catalog, log
from xinyong.config import Settings, get_settings
from xinyong.db.session import make_engine, make_sessionmaker
from xinyong.web import docs, errors, fastpaths, security
from xinyong.web import evaluation as evaluation_web
from xinyong.web import financing as financing_web
from xinyong.web import inspections as inspections_web
from xinyong.web import scenarios as scenarios_web
from xinyong.web.admin import accounts as admin_accounts
from xinyong.web.admin import audit as admin_audit
from xinyong.web.admin import batches as admin_batches
from xinyong.web.admin import check_replay as admin_check_replay
from xinyong.web.admin import clients as admin_clients
from xinyong.web.admin import content as admin_content
from xinyong.web.admin import dashboard as admin_dashboard
from xinyong.web.admin import disclosure as admin_disclosure
from xinyong.web.admin import exchange as admin_exchange
from xinyong.web.admin import interviews as admin_interviews
from xinyong.web.admin import jobs as admin_jobs
from xinyong.web.admin import joint_check as admin_joint_check
from xinyong.web.admin import list_steps as admin_list_steps
from xinyong.web.admin import lists as admin_lists
from xinyong.web.admin import pages as admin_pages
from xinyong.web.admin import providers as admin_providers
from xinyong.web.admin import related as admin_related
from xinyong.web.admin import runs as admin_runs
from xinyong.web.admin import screening as admin_screening
from xinyong.web.admin import system as admin_system
from xinyong.web.admin import users as admin_users
from xinyong.web.admin import workflow_lists as admin_workflow_lists
from xinyong.web.admin import workflows as admin_workflows
from xinyong.web.api import batches as api_batches
from xinyong.web.api import checks as api_checks
from xinyong.web.api import consents as api_consents
from xinyong.web.api import exchange as api_exchange
from xinyong.web.api import inspections as api_inspections
from xinyong.web.api import objections as api_objections
from xinyong.web.api import repairs as api_repairs
from xinyong.web.api import reports as api_reports
from xinyong.web.api import runs as api_runs
from xinyong.web.api import screening as api_screening
from xinyong.web.api import subjects as api_subjects
from xinyong.web.api import system as api_system
from xinyong.web.openapi import ERROR_RESPONSES
from xinyong.web.portal import content as portal_content
from xinyong.web.portal import guide as portal_guide
from xinyong.web.portal import me as portal_me
from xinyong.web.portal import me_consents as portal_me_consents
from xinyong.web.portal import pages as portal_pages
from xinyong.web.portal import public_lists as portal_lists
from xinyong.web.portal import reports as portal_reports
from xinyong.web.portal import screen as portal_screen

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    log.configure(json=settings.log_json, level=settings.log_level)
    app = FastAPI(
        title="xinyong 公共信用信息平台 API",
        version=__version__,
        docs_url=None,  # web/docs.py serves /api/docs from the package (no CDN)
        openapi_url="/api/openapi.json",
        redoc_url=None,
        lifespan=fastpaths.lifespan,
        dependencies=[Depends(security.check_csrf)],
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.catalogs = catalog.CatalogHolder(settings.catalog_dir, settings.catalog_override_dir)
    app.state.calendar = catalog.load_calendar(
        settings.catalog_dir, override_dir=settings.catalog_override_dir
    )
    errors.install(app)
    app.add_middleware(
        fastpaths.FastDispatch, routes={**api_checks.fast_routes(), **api_reports.fast_routes()}
    )
    security.install(app, settings)  # around the dispatch layer: guards and headers for all
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    api_routers = [
        api_system.router,
        *api_subjects.search_routers(settings),
        api_subjects.router,
        api_batches.router,
        api_screening.router,
        api_consents.router,
        api_reports.router,
        api_exchange.router,
        api_repairs.router,
        api_objections.router,
        api_runs.router,
        api_inspections.router,
        *api_checks.routers(settings),
    ]
    for router in api_routers:
        app.include_router(router, prefix="/api/v1", responses=ERROR_RESPONSES)
    for router in (
        docs.router,
        admin_pages.router,
        admin_audit.router,
        admin_check_replay.router,
        admin_batches.router,
        admin_content.router,
        admin_dashboard.router,
        admin_clients.router,
        admin_interviews.router,
        admin_lists.router,
        admin_list_steps.router,
        admin_workflows.router,
        admin_workflow_lists.router,
        admin_related.router,
        admin_exchange.router,
        admin_joint_check.router,
        admin_screening.router,
        admin_users.router,
        admin_accounts.router,
        admin_disclosure.router,
        admin_providers.router,
        admin_jobs.router,
        admin_runs.router,
        admin_system.router,
        portal_me.router,
        portal_me_consents.router,
        portal_reports.router,
        portal_pages.router,
    ):
        app.include_router(router)
    evaluation_web.register(app)
    inspections_web.register(app)
    financing_web.register(app)
    scenarios_web.register(app)
    for router in (
        portal_screen.router,
        portal_content.router,
        portal_lists.router,
        portal_guide.router,
    ):
        app.include_router(router)
    return app
