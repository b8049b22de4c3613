"""Access control on every route, generated from ``app.url_map``: a new route is covered
(and refused until the policy names it) without anyone remembering to add a test.

OWASP API Top 10: API1 broken object-level authorisation (another map's token: 404 on
everything of this map), API5 broken function-level authorisation (viewers and
community links: 403 on every write and every coordinator or operator function).
"""

from __future__ import annotations

import pytest

from graph_models.store.embedded import EmbeddedStore
from service import policy
from tests.conftest import ADMIN_SECRET, make_app
from tests.service.authworld import build_world, fill, routes

#: Routes anyone may call without a token. Changing this list is a security decision.
PUBLIC = {
    "health.healthz",
    "api-docs.openapi_json",
    "graph_views.vis_asset",
    "web_auth.login",
    "web_auth.logout",
    "web_auth.share",
    "web_auth.share_open",  # the page a share link opens; it posts the secret with CSRF
    "transfer.template",
    "pages.home",  # a redirect to sign-in or the token's page: no data
    "pages.asset",  # the pages' CSS and script
    "pages_language.choose",  # the Cymraeg / English switch: sets the session's language
}
#: The only routes a community link may use (for its own node).
EGO = {"graph_views.ego_view", "graph.neighbourhood", "pages_community.web"}


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


def call(client, method, path):
    kwargs = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
    return client.open(path, method=method, **kwargs)


def ordered(app):
    """Deletions last (the map's deletion very last), so earlier calls find their objects."""
    return sorted(
        routes(app),
        key=lambda rm: (rm[1] == "DELETE", rm[0].endpoint == "maps.MapItem"),
    )


def test_every_route_and_method_has_a_rule(world):
    missing = [
        (rule.rule, method)
        for rule, method in routes(world.app)
        if policy.rule_for(rule.endpoint, method) is None
    ]
    assert missing == [], "add these routes to service.policy.POLICY"
    public = {
        rule.endpoint
        for rule, method in routes(world.app)
        if policy.rule_for(rule.endpoint, method).permission == policy.PUBLIC
    }
    assert public == PUBLIC


def test_a_route_missing_from_the_policy_is_refused_even_for_the_operator(tmp_path):
    app = make_app(EmbeddedStore(tmp_path / "db.sqlite3"))

    @app.get("/api/v1/maps/<map_id>/forgotten")
    def forgotten(map_id):
        return {"secret": "leaked"}

    admin = app.test_client()
    admin.token = ADMIN_SECRET
    r = admin.get("/api/v1/maps/m1/forgotten")
    assert r.status_code == 403 and "secret" not in r.get_data(as_text=True)


def test_no_token_is_401_everywhere_but_public_routes(world):
    anon = world.clients["anonymous"]
    for rule, method in routes(world.app):
        if rule.endpoint in PUBLIC:
            continue
        r = call(anon, method, fill(rule, world))
        assert r.status_code == 401, (rule.rule, method, r.status_code)
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert set(r.get_json()) == {"code", "status", "message", "errors"}


def test_wrong_revoked_or_expired_tokens_are_401(world):
    admin = world.admin
    bad = world.app.test_client()
    bad.token = "bm_not-a-real-token"
    assert bad.get("/api/v1/maps/m1").status_code == 401
    viewer = world.clients["viewer"]
    assert viewer.get("/api/v1/maps/m1").status_code == 200
    assert admin.delete(f"/api/v1/maps/m1/tokens/{world.token_ids['viewer']}").status_code == 204
    assert viewer.get("/api/v1/maps/m1").status_code == 401
    listed = {t["id"]: t for t in admin.get("/api/v1/maps/m1/tokens").get_json()["items"]}
    assert listed[world.token_ids["viewer"]]["status"] == "revoked"
    assert all("token" not in t and "token_hash" not in t for t in listed.values())
    store = world.app.extensions["bridgemap.store"]
    record = store.get_token(world.token_ids["coordinator"])
    assert record.token_hash != world.secrets["coordinator"]  # only the digest is kept
    store._conn().execute(
        "UPDATE tokens SET expires_at = '2001-01-01T00:00:00+00:00' WHERE id = ?", (record.id,)
    )
    assert world.clients["coordinator"].get("/api/v1/maps/m1").status_code == 401


@pytest.mark.parametrize("who", ["other_coordinator", "other_viewer"])
def test_another_maps_token_gets_404_for_every_object_of_this_map(world, who):
    client = world.clients[who]
    for rule, method in ordered(world.app):
        if "map_id" not in rule.arguments or rule.endpoint in PUBLIC:
            continue
        r = call(client, method, fill(rule, world))
        assert r.status_code == 404, (rule.rule, method, r.status_code)
        assert r.get_json()["message"] == "no map 'm1'"  # the same as for no map at all
    assert world.admin.get("/api/v1/maps/m1/people/ann").status_code == 200  # nothing changed
    listing = client.get("/api/v1/maps").get_json()
    assert [m["id"] for m in listing["items"]] == ["m2"]


def test_viewer_may_read_but_never_write_or_manage(world):
    viewer = world.clients["viewer"]
    for rule, method in ordered(world.app):
        if rule.endpoint in PUBLIC:
            continue
        r = call(viewer, method, fill(rule, world))
        permission = policy.rule_for(rule.endpoint, method).permission
        if method != "GET" or permission in (
            policy.MANAGE,
            policy.OPERATE,
            policy.WRITE,
            policy.RESPOND,
        ):
            assert r.status_code == 403, (rule.rule, method, r.status_code)
        else:
            assert r.status_code == 200, (rule.rule, method, r.status_code, r.get_json())
    assert world.admin.get("/api/v1/maps/m1/people/ann").status_code == 200


def test_community_link_sees_only_its_own_web(world):
    community = world.clients["community"]
    for rule, method in ordered(world.app):
        if rule.endpoint in PUBLIC:
            continue
        r = call(community, method, fill(rule, world))
        if rule.endpoint in EGO and method == "GET":
            assert r.status_code == 200, (rule.rule, r.status_code)
            other = call(community, method, fill(rule, world, node="cai"))
            assert other.status_code == 404, rule.rule
            far = call(community, method, fill(rule, world) + "?hops=3")
            assert far.status_code == 403, rule.rule
        else:
            assert r.status_code in (403, 404), (rule.rule, method, r.status_code)


#: The only routes a respondent link may use (for its own survey), besides its own web.
RESPOND = {"surveys.Respond", "surveys.submit", "surveys.roster", "pages_respond.respond_page"}


def test_respondent_link_reaches_only_its_survey_and_its_own_web(world):
    respondent = world.clients["respondent"]
    for rule, method in ordered(world.app):
        if rule.endpoint in PUBLIC:
            continue
        if rule.endpoint in RESPOND:
            r = call(respondent, method, fill(rule, world))
            # the policy lets it through; the answers (here {}) decide the rest, and a
            # page's form needs its CSRF token (400)
            assert r.status_code in (200, 400, 422), (rule.rule, method, r.status_code)
            if method == "GET":
                other = call(respondent, method, fill(rule, world).replace("/s1/", "/s2/"))
                assert other.status_code == 404, rule.rule
        elif rule.endpoint in EGO and method == "GET":
            assert call(respondent, method, fill(rule, world, node="cai")).status_code == 200
            assert call(respondent, method, fill(rule, world)).status_code == 404, rule.rule
        else:
            r = call(respondent, method, fill(rule, world, node="cai"))
            assert r.status_code in (403, 404), (rule.rule, method, r.status_code)


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_coordinator_and_operator_reach_every_route(world, who):
    client = world.clients[who]
    for rule, method in ordered(world.app):
        if rule.endpoint in PUBLIC:
            continue
        r = call(client, method, fill(rule, world))
        permission = policy.rule_for(rule.endpoint, method).permission
        if who == "coordinator" and permission == policy.OPERATE or permission == policy.RESPOND:
            assert r.status_code == 403, (rule.rule, method)
        else:
            assert r.status_code not in (401, 403), (rule.rule, method, r.get_json())
            assert r.status_code < 500, (rule.rule, method, r.get_json())


def test_coordinator_cannot_reach_operator_functions_or_other_maps(world):
    coordinator = world.clients["coordinator"]
    assert coordinator.post("/api/v1/maps", json={"id": "m3", "name": "x"}).status_code == 403
    assert coordinator.delete("/api/v1/maps/m1").status_code == 403
    assert coordinator.get("/api/v1/maps/m2/tokens").status_code == 404
    assert coordinator.post("/api/v1/maps/m2/tokens", json={"role": "viewer"}).status_code == 404
    tokens = world.admin.get("/api/v1/maps/m2/tokens").get_json()["items"]
    other = tokens[0]["id"]
    assert coordinator.delete(f"/api/v1/maps/m1/tokens/{other}").status_code == 404
    assert coordinator.delete(f"/api/v1/maps/m2/tokens/{other}").status_code == 404
    assert world.clients["other_coordinator"].get("/api/v1/maps/m2").status_code == 200
