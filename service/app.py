"""The application factory (Flask's tutorial pattern: no module-level app or store)."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api

from service import auth, i18n, policy, security
from service import config as settings
from service.api import (
    analysis,
    entities,
    graph,
    health,
    maps,
    operator,
    privacy,
    surveys,
    tokens,
    transfer,
)
from service.api.blueprint import marshmallow_plugin
from service.background import PathsWorker, after_write
from service.cache import AnalysisCache
from service.errors import register_error_handlers
from service.queue import QueuedPaths
from service.stores import open_store
from service.web import (
    auth_views,
    graph_views,
    pages,
    pages_audit,
    pages_community,
    pages_dashboard,
    pages_entities,
    pages_graph,
    pages_import,
    pages_language,
    pages_maps,
    pages_profile,
    pages_report,
    pages_respond,
    pages_settings,
    pages_share,
    pages_surveys,
)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the Bridgemap app.

    Settings come from ``BRIDGEMAP_*`` environment variables unless ``test_config`` is
    given. A ready store may be passed as ``test_config["STORE"]`` (tests share one
    server between apps); otherwise the configured one is opened and kept in
    ``app.extensions["bridgemap.store"]``.
    """
    # Flask's own /static route is off: our pages' assets have their own routes
    app = Flask(__name__, static_folder=None)
    app.config.update(settings.from_environment())
    app.config.update(
        API_TITLE="Bridgemap API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
        # a session lives PERMANENT_SESSION_LIFETIME from sign-in, not from its last use
        SESSION_REFRESH_EACH_REQUEST=False,
        # every operation needs a bearer token unless service.policy makes it public
        API_SPEC_OPTIONS={
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("ADMIN_TOKEN_BOOTSTRAP", not app.config.get("TESTING"))
    i18n.init_app(app)  # Flask-Babel: _() in templates, the locale of each request
    security.configure(app)  # refuses production without a strong SECRET_KEY
    app.config["SECRET_KEY"] = settings.secret_key(app.config)

    store = app.config.get("STORE") or open_store(app.config)
    app.extensions["bridgemap.store"] = store
    app.extensions["bridgemap.cache"] = AnalysisCache(app.config["ANALYSIS_CACHE_SIZE"])
    app.extensions["bridgemap.pages"] = AnalysisCache(4 * app.config["ANALYSIS_CACHE_SIZE"])
    redis_url = app.config.get("REDIS_URL")
    if app.config["BACKGROUND_ANALYSIS"] == "thread":
        inline = float(app.config["INLINE_ANALYSIS_SECONDS"])
        if redis_url:  # several processes or hosts: one shared queue (service.queue)
            worker = QueuedPaths(store, redis_url, inline_seconds=inline)
        else:
            worker = PathsWorker(store, inline_seconds=inline)
        app.extensions["bridgemap.background"] = worker
        app.after_request(after_write)
    elif app.config["BACKGROUND_ANALYSIS"] != "inline":
        raise ValueError("BRIDGEMAP_BACKGROUND_ANALYSIS must be 'thread' or 'inline'")
    if redis_url and app.config.get("RATELIMIT_STORAGE_URI", "memory://") == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = redis_url  # limits hold across processes
    app.extensions["bridgemap.limiter"] = Limiter(get_remote_address, app=app)
    auth.setup_admin_token(app)
    # default deny: every request passes the one authorisation policy first
    app.before_request(policy.authorise)

    api = Api(app, spec_kwargs={"marshmallow_plugin": marshmallow_plugin()})
    for blp in (maps.blp, *entities.BLUEPRINTS, graph.blp, analysis.blp, transfer.blp):
        api.register_blueprint(blp)
    for blp in (tokens.blp, privacy.blp, surveys.blp, operator.blp):
        api.register_blueprint(blp)
    app.register_blueprint(health.blp)
    app.register_blueprint(graph_views.bp)
    app.register_blueprint(auth_views.bp)
    # the web pages (server-rendered; each module one job)
    for module in (pages, pages_maps, pages_dashboard, pages_entities, pages_graph):
        app.register_blueprint(module.bp)
    for module in (pages_import, pages_share, pages_community, pages_respond, pages_surveys):
        app.register_blueprint(module.bp)
    for module in (pages_profile, pages_report, pages_audit, pages_language, pages_settings):
        app.register_blueprint(module.bp)
    register_error_handlers(app)
    return app
