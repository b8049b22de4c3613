"""Authorisation: one table, one hook, default deny.

Every request passes :func:`authorise` (a ``before_request`` hook) before its view
runs. The hook finds the route's endpoint in :data:`POLICY` and the HTTP method in its
entry; a route or method that is not there is refused with 403 even for the operator,
so a new route is closed until someone decides who may use it
(``tests/service/test_authz.py`` walks ``app.url_map`` and fails for a route that is
missing here).

Then, in this order:

1. ``public`` routes pass (health, the OpenAPI document, page assets, sign-in);
2. no valid credentials: 401 (a wrong token counts against a per-address limit, and
   once over it every offered token gets 429);
3. a route about a map other than the token's: 404, as if the map did not exist;
4. the token's role lacks the permission: 403;
5. a community link asking about another node than its own: 404; more than 2 hops: 403;
6. exports count against a per-token limit: 429;
7. a web page's form (``Rule(form=True)``, POST): the browser's session cookie counts
   as credentials, and the form must carry a valid CSRF token (Flask-WTF), else 400.
   API writes never accept the cookie.

Permissions and the roles that hold them:

=============  ======================================================================
permission     roles
=============  ======================================================================
``public``     anyone, no token
``list_maps``  admin (every map), coordinator and viewer (their own map)
``read``       admin, coordinator, viewer
``write``      admin, coordinator
``manage``     admin, coordinator: tokens, the audit log, subject access exports
``operate``    admin: create and delete maps
``ego``        admin, coordinator, viewer, community and respondent (only their own
               node, <= 2 hops)
``respond``    respondent: its own survey's roster and its holder's own response
               (which survey: checked by service.usecases.respond.me)
=============  ======================================================================

What a role may *see* once in (hidden people, pseudonyms, small groups) is decided by
:mod:`graph_models.visibility`, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

import limits
from flask import current_app, g, request
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from graph_models.analysis.report import SECTIONS
from graph_models.errors import NotFound
from graph_models.model import PLURALS
from service.auth import (
    ADMIN,
    COMMUNITY,
    COORDINATOR,
    RESPONDENT,
    VIEWER,
    authenticate,
    http_auth,
)
from service.errors import error_response
from service.i18n import gettext
from service.query import query_args
from service.usecases.viewer_graphs import missing

PUBLIC = "public"
LIST_MAPS = "list_maps"
READ = "read"
WRITE = "write"
MANAGE = "manage"
OPERATE = "operate"
EGO = "ego"
RESPOND = "respond"

ROLES_FOR: dict[str, frozenset[str]] = {
    LIST_MAPS: frozenset({ADMIN, COORDINATOR, VIEWER}),
    READ: frozenset({ADMIN, COORDINATOR, VIEWER}),
    WRITE: frozenset({ADMIN, COORDINATOR}),
    MANAGE: frozenset({ADMIN, COORDINATOR}),
    OPERATE: frozenset({ADMIN}),
    EGO: frozenset({ADMIN, COORDINATOR, VIEWER, COMMUNITY, RESPONDENT}),
    RESPOND: frozenset({RESPONDENT}),
}

#: The largest ego web a community link may ask for (DESIGN §5: 1-2 hops).
COMMUNITY_MAX_HOPS = 2


@dataclass(frozen=True)
class Rule:
    permission: str
    #: counts against the per-token export limit (EXPORT_RATE_LIMIT)
    export: bool = False
    #: a web page's form: the session cookie may write, with a CSRF token
    form: bool = False


def _crud(read=READ, write=WRITE) -> dict[str, Rule]:
    return {"GET": Rule(read), "POST": Rule(write)}


def _item() -> dict[str, Rule]:
    return {"GET": Rule(READ), "PATCH": Rule(WRITE), "DELETE": Rule(WRITE)}


def _form(permission: str) -> dict[str, Rule]:
    """A web page with a form: shown (GET) and submitted (POST) under one permission."""
    return {"GET": Rule(permission), "POST": Rule(permission, form=True)}


#: The web pages' entity kinds (service.web.pages_entities).
PAGE_KINDS = tuple(PLURALS.values())


POLICY: dict[str, dict[str, Rule]] = {
    # public: no data beyond "ok"/"unavailable", the API's shape, static code, sign-in
    "health.healthz": {"GET": Rule(PUBLIC)},
    "api-docs.openapi_json": {"GET": Rule(PUBLIC)},
    "graph_views.vis_asset": {"GET": Rule(PUBLIC)},
    "web_auth.login": {"GET": Rule(PUBLIC), "POST": Rule(PUBLIC)},
    "web_auth.logout": {"POST": Rule(PUBLIC)},
    "web_auth.share": {"GET": Rule(PUBLIC)},
    "web_auth.share_open": {"GET": Rule(PUBLIC), "POST": Rule(PUBLIC)},
    "pages_language.choose": {"POST": Rule(PUBLIC)},  # the Cymraeg / English switch
    # maps
    "maps.Maps": {"GET": Rule(LIST_MAPS), "POST": Rule(OPERATE)},
    "maps.MapItem": {"GET": Rule(READ), "PATCH": Rule(WRITE), "DELETE": Rule(OPERATE)},
    # people, organisations, relationships
    **{f"{plural}.Collection": _crud() for plural in PAGE_KINDS},
    **{f"{plural}.Item": _item() for plural in PAGE_KINDS},
    # whole-map operations
    "graph.bulk": {"POST": Rule(WRITE)},
    "graph.graph": {"GET": Rule(READ)},
    "graph.neighbourhood": {"GET": Rule(EGO)},
    # analysis
    "analysis.whole_report": {"GET": Rule(READ)},
    "analysis.change": {"GET": Rule(READ)},
    **{f"analysis.{section}_section": {"GET": Rule(READ)} for section in SECTIONS},
    # graph pages
    "graph_views.map_view": {"GET": Rule(READ)},
    "graph_views.silo_view": {"GET": Rule(READ)},
    "graph_views.ego_view": {"GET": Rule(EGO)},
    # web pages (service.web.pages_*): the front door and the page assets are public
    # (a redirect and static CSS/JS, no data); the rest as their API counterparts
    "pages.home": {"GET": Rule(PUBLIC)},
    "pages.asset": {"GET": Rule(PUBLIC)},
    "pages_maps.maps": {"GET": Rule(LIST_MAPS)},
    "pages_maps.new_map": _form(OPERATE),
    "pages_dashboard.dashboard": {"GET": Rule(READ)},
    "pages_report.report": {"GET": Rule(READ)},
    "pages_report.report_pdf": {"GET": Rule(READ, export=True)},
    "pages_graph.graph": {"GET": Rule(READ)},
    **{f"pages_entities.{kind}_list": {"GET": Rule(READ)} for kind in PAGE_KINDS},
    **{
        f"pages_entities.{kind}_{action}": _form(WRITE)
        for kind in PAGE_KINDS
        for action in ("new", "edit", "delete")
    },
    # a record's profile shows every field (contact, hidden people): coordinators
    **{
        f"pages_profile.{kind}_profile": {"GET": Rule(WRITE)}
        for kind in ("people", "organisations")
    },
    "pages_import.import_page": _form(WRITE),
    "pages_import.mapping_download": {"GET": Rule(WRITE)},
    "pages_import.errors_download": {"GET": Rule(WRITE)},
    "pages_share.share": _form(MANAGE),
    "pages_share.revoke": {"POST": Rule(MANAGE, form=True)},
    "pages_audit.audit": {"GET": Rule(MANAGE)},
    # the map's settings and vocabulary: as PATCH /api/v1/maps/<id>
    "pages_settings.settings": _form(WRITE),
    "pages_community.web": {"GET": Rule(EGO)},
    "pages_respond.respond_page": _form(RESPOND),
    "pages_surveys.surveys_page": _form(MANAGE),
    "pages_surveys.survey": {"GET": Rule(MANAGE)},
    "pages_surveys.status": {"POST": Rule(MANAGE, form=True)},
    "pages_surveys.accept": {"POST": Rule(MANAGE, form=True)},
    "pages_surveys.resend": {"POST": Rule(MANAGE, form=True)},
    "pages_surveys.results": {"GET": Rule(MANAGE)},
    # tokens, audit, GDPR
    "tokens.Tokens": {"GET": Rule(MANAGE), "POST": Rule(MANAGE)},
    "tokens.TokenItem": {"DELETE": Rule(MANAGE)},
    "privacy.audit": {"GET": Rule(MANAGE)},
    "operator.audit": {"GET": Rule(OPERATE)},
    "privacy.person_export": {"GET": Rule(MANAGE, export=True)},
    # relationship surveys (service.api.surveys): coordinators manage them and alone see
    # responses; a respondent link answers its own survey only
    "surveys.Surveys": {"GET": Rule(MANAGE), "POST": Rule(MANAGE)},
    "surveys.SurveyItem": {"GET": Rule(MANAGE), "PATCH": Rule(MANAGE)},
    **{
        f"surveys.{name}": {"POST": Rule(MANAGE)}
        for name in ("open_survey", "pause_survey", "close_survey", "reissue_link", "accept")
    },
    **{f"surveys.{name}": {"GET": Rule(MANAGE)} for name in ("responses", "review", "results")},
    "surveys.Respond": {"GET": Rule(RESPOND), "PUT": Rule(RESPOND)},
    "surveys.submit": {"POST": Rule(RESPOND)},
    "surveys.roster": {"GET": Rule(RESPOND)},
    # files: a whole-map export holds every person's full record (hidden people, contact
    # details), so exporting is for coordinators; with ``viewer=true`` they take away what
    # a viewer may see (graph_models.visibility.public_records, the one consent filter).
    # Viewers themselves get no file exports (a choice, not a missing filter); blank
    # templates hold no data
    "transfer.import_file": {"POST": Rule(WRITE)},
    "transfer.inspect_file": {"POST": Rule(WRITE)},
    "transfer.export_file": {"GET": Rule(WRITE, export=True)},
    "transfer.template": {"GET": Rule(PUBLIC)},
}


def rule_for(endpoint: str | None, method: str) -> Rule | None:
    """The rule of an endpoint and method, or None (refused)."""
    if endpoint is None:
        return None
    method = "GET" if method == "HEAD" else method
    return POLICY.get(endpoint, {}).get(method)


def _limiter():
    return current_app.extensions["bridgemap.limiter"]


def over_limit(setting: str, *key: str, hit: bool) -> bool:
    """Test (and with ``hit``, count) one request against a configured rate limit."""
    limiter = _limiter()
    if not limiter.enabled:
        return False
    item = limits.parse(current_app.config[setting])
    strategy = limiter.limiter
    if hit:
        return not strategy.hit(item, setting, *key)
    return not strategy.test(item, setting, *key)


def too_many(message: str):
    """A 429 answer with ``message`` (a whole sentence) and ``Retry-After``."""
    response, status = error_response(429, message)
    response.headers["Retry-After"] = "60"
    return response, status


def client_address() -> str:
    return request.remote_addr or "unknown"


def failed_attempt():
    """Count a wrong token against the client's address: ``None`` while under the limit,
    else the 429 answer. Only wrong tokens are counted and refused: a valid one is
    never turned away because others at the same address (a NAT, a proxy) failed."""
    if over_limit("AUTH_FAILURE_RATE_LIMIT", client_address(), hit=False):
        return too_many(gettext("too many failed sign-in attempts; wait a minute and try again"))
    over_limit("AUTH_FAILURE_RATE_LIMIT", client_address(), hit=True)
    return None


def authorise():
    """The ``before_request`` hook: allow the request through, or answer for it."""
    if request.url_rule is None:
        return None  # no such route or method: Flask answers 404 / 405
    if request.method == "OPTIONS":
        return None  # Flask's automatic answer: the route's methods, no data
    rule = rule_for(request.endpoint, request.method)
    if rule is None:
        return error_response(403, gettext("this route is not open to anyone yet (no policy)"))
    g.principal = None
    if rule.permission == PUBLIC:
        query_args()  # public routes too: no repeated or unknown parameters
        return None

    principal, failed = authenticate(session_writes=rule.form)
    if principal is None:
        throttled = failed_attempt() if failed else None  # no token offered: nothing to count
        return throttled or http_auth.auth_error_callback(401)
    g.principal = principal
    g.actor = principal.actor

    args = request.view_args or {}
    map_id = args.get("map_id")
    if map_id is not None and not principal.is_admin and map_id != principal.map_id:
        raise NotFound(gettext("no map %(map)s", map=repr(map_id)))
    if principal.role not in ROLES_FOR[rule.permission]:
        return error_response(
            403,
            gettext(
                "a %(role)s token may not do this (%(permission)s is needed)",
                role=principal.role,
                permission=rule.permission,
            ),
        )
    query = query_args()  # the one parse of the query string: the handler reads it too
    if principal.role in (COMMUNITY, RESPONDENT) and rule.permission == EGO:
        node_id = args.get("node_id")
        if node_id != principal.subject:
            raise missing(map_id, node_id)  # exactly as for a node that does not exist
        if query.get("hops", 1) > COMMUNITY_MAX_HOPS:
            return error_response(
                403,
                gettext("a community link shows at most %(hops)s hops", hops=COMMUNITY_MAX_HOPS),
            )
    if rule.export and over_limit("EXPORT_RATE_LIMIT", principal.token_id, hit=True):
        return too_many(gettext("too many exports; wait a minute and try again"))
    if rule.form and request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            return error_response(
                400, gettext("the form expired or did not come from this site; please try again")
            )
    return None


@http_auth.error_handler
def _auth_error(status):
    message = (
        gettext("a valid token is needed: 'Authorization: Bearer <token>', a share link, or /login")
        if status == 401
        else gettext("this token may not do this")
    )
    return error_response(status, message)
