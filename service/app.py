"""The application factory (Flask's tutorial pattern: no module-level app or store)."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from service import config as settings
from service.api import analysis, entities, graph, health, maps
from service.api.blueprint import marshmallow_plugin
from service.cache import AnalysisCache
from service.errors import register_error_handlers
from service.stores import open_store
from service.web import graph_views


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
    )
    if test_config:
        app.config.update(test_config)
    app.config["SECRET_KEY"] = settings.secret_key(app.config)

    store = app.config.get("STORE") or open_store(app.config)
    app.extensions["bridgemap.store"] = store
    app.extensions["bridgemap.cache"] = AnalysisCache(app.config["ANALYSIS_CACHE_SIZE"])

    api = Api(app, spec_kwargs={"marshmallow_plugin": marshmallow_plugin()})
    for blp in (maps.blp, *entities.BLUEPRINTS, graph.blp, analysis.blp):
        api.register_blueprint(blp)
    app.register_blueprint(health.blp)
    app.register_blueprint(graph_views.bp)
    register_error_handlers(app)
    return app
