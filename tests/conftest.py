"""Shared fixtures: a real Neo4j server, and store-backed tests run on both stores.

Neo4j: ``BRIDGEMAP_NEO4J_URI`` names a running server to use; otherwise one local
server (scripts/neo4j) is started once per test session. If it cannot start, tests
that need it fail when ``CI=true`` and skip (saying why) elsewhere — never silently.

Tiers (markers, declared in pyproject.toml):

* ``neo4j`` — needs the Neo4j server: the ``[neo4j]`` half of the ``store`` fixture,
  and every test using the ``neo4j_*`` fixtures or a server of its own;
* ``browser`` — needs headless Chromium (every test using ``browser_session``);
* ``slow`` — takes seconds even on an idle machine (subprocesses, big graphs).

``pytest -m "not neo4j and not browser"`` is the fast tier (no Java, no Chromium; add
``and not slow`` for the quickest loop); ``bash scripts/test`` and CI run every tier,
with the costly property tests at full strength (:func:`examples`). A test that asks
for a Neo4j or browser fixture without its marker is a collection error, so the fast
tier never starts them.
HTTP-layer tests (``tests/service``) run on the embedded store only, except those
marked ``both_stores`` (see ``tests/service/conftest.py``).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time

import neo4j
import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import Headers

from graph_models.store.embedded import EmbeddedStore
from graph_models.store.neo4j import Neo4jStore
from service.app import create_app
from tests.browser import browser_session  # noqa: F401  (one Chromium per test session)
from tests.neo4j_server import LocalNeo4j, free_port

IN_CI = os.environ.get("CI", "").lower() == "true"
#: ``BRIDGEMAP_TESTS=thorough`` (set by scripts/test, so by CI too): the long property runs.
THOROUGH = IN_CI or os.environ.get("BRIDGEMAP_TESTS", "").lower() == "thorough"


def examples(thorough: int, quick: int) -> int:
    """How many generated cases a costly property test runs: ``thorough`` under
    scripts/test and CI, ``quick`` in a plain ``pytest`` (the edit-and-test loop)."""
    return thorough if THOROUGH else quick


def unavailable(reason: str):
    """Fail in CI, skip elsewhere: a missing service must never pass unnoticed in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """A running local Neo4j (None when an external BRIDGEMAP_NEO4J_URI is used)."""
    if os.environ.get("BRIDGEMAP_NEO4J_URI"):
        yield None
        return
    server = LocalNeo4j(tmp_path_factory.mktemp("neo4j"), free_port())
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - reported through unavailable()
        unavailable(f"could not start Neo4j: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server) -> str:
    return os.environ.get("BRIDGEMAP_NEO4J_URI") or neo4j_server.uri


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_uri):
    driver = neo4j.GraphDatabase.driver(neo4j_uri, auth=None)
    try:
        driver.verify_connectivity()
    except Exception as exc:  # noqa: BLE001
        unavailable(f"cannot connect to Neo4j at {neo4j_uri}: {exc}")
    yield driver
    driver.close()


def wipe(driver) -> None:
    """Empty the test database (an implicit transaction, so it can be batched), keeping
    the schema's version node: the schema itself (constraints, indexes) stays too."""
    with driver.session() as session:
        session.run(
            "MATCH (n) WHERE NOT n:BridgemapSchema "
            "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A running local Redis (Debian's ``redis-server``, installed by scripts/test) on a
    free port, or the one named by ``BRIDGEMAP_TEST_REDIS_URL``; its URL."""
    if os.environ.get("BRIDGEMAP_TEST_REDIS_URL"):
        yield os.environ["BRIDGEMAP_TEST_REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed (scripts/test installs it)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder]
    proc = subprocess.Popen([*map(str, args), "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            unavailable(f"redis-server did not answer on port {port}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


#: The two stores, as ``store`` fixture parameters: the Neo4j one carries its marker.
EMBEDDED = pytest.param("embedded", id="embedded")
NEO4J = pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j)
BOTH_STORES = [EMBEDDED, NEO4J]


def open_store(request, kind: str, folder):
    """A fresh, empty store of ``kind`` (a generator: closes what it opened)."""
    if kind == "embedded":
        s = EmbeddedStore(folder / "bridgemap.sqlite3")
        yield s
        s.close()
    else:
        driver = request.getfixturevalue("neo4j_driver")
        wipe(driver)
        yield Neo4jStore(driver, owns_driver=False)


@pytest.fixture(params=BOTH_STORES)
def store(request, tmp_path):
    """A fresh, empty store of each kind: the contract tests run unchanged on both."""
    yield from open_store(request, request.param, tmp_path)


#: Fixtures that start or reach a service, and the marker a test using them must carry.
SERVICE_FIXTURES = {
    "neo4j": {"neo4j_server", "neo4j_uri", "neo4j_driver"},
    "browser": {"browser_session"},
    "redis": {"redis_url"},
}


def pytest_collection_modifyitems(config, items):
    """Refuse a test that needs Neo4j or Chromium but is not marked so: unmarked, it
    would start the service in the fast tier (``-m "not neo4j and not browser"``)."""
    wrong = []
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for marker, fixtures in SERVICE_FIXTURES.items():
            if used & fixtures and item.get_closest_marker(marker) is None:
                wrong.append(f"{item.nodeid}: uses {sorted(used & fixtures)}, not marked {marker}")
    if wrong:
        raise pytest.UsageError("tests missing a tier marker:\n  " + "\n  ".join(wrong))


#: The operator token of every test app (BRIDGEMAP_ADMIN_TOKEN in production).
ADMIN_SECRET = "test-admin-token-0123456789abcdef0123456789"


class TokenClient(FlaskClient):
    """A test client that sends ``Authorization: Bearer <token>`` when it has a token."""

    token: str | None = None

    def open(self, *args, **kwargs):
        if self.token and not (args and not isinstance(args[0], str)):
            headers = Headers(kwargs.pop("headers", None) or {})
            headers.setdefault("Authorization", f"Bearer {self.token}")
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


def make_app(store, **config):
    app = create_app({"TESTING": True, "STORE": store, "ADMIN_TOKEN": ADMIN_SECRET, **config})
    app.test_client_class = TokenClient
    return app


def operator_with_map(tmp_path, map_id: str = "m1"):
    """The operator's API client of a fresh embedded-store app holding one empty map."""
    from graph_models.store.embedded import EmbeddedStore

    client = make_app(EmbeddedStore(tmp_path / "db.sqlite3")).test_client()
    client.token = ADMIN_SECRET
    assert client.post("/api/v1/maps", json={"id": map_id, "name": map_id}).status_code == 201
    return client


@pytest.fixture
def app(store):
    return make_app(store)


@pytest.fixture
def client(app):
    """The operator's client (every permission on every map): most tests need no roles."""
    c = app.test_client()
    c.token = ADMIN_SECRET
    return c


@pytest.fixture
def anon_client(app):
    """A client with no token and no session."""
    return app.test_client()


@pytest.fixture
def role_client(app, client):
    """``role_client(role, map_id="m1", subject="")``: a client holding a new token of
    that role for that map (made through the token API by the operator)."""

    def make(role: str, map_id: str = "m1", subject: str = ""):
        body = {"role": role, **({"subject": subject} if subject else {})}
        r = client.post(f"/api/v1/maps/{map_id}/tokens", json=body)
        assert r.status_code == 201, r.get_json()
        c = app.test_client()
        c.token = r.get_json()["token"]
        c.token_id = r.get_json()["id"]
        return c

    return make


@pytest.fixture
def open_umask():
    """The most permissive usual umask (022): files that must be private are anyway."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def file_mode(path) -> int:
    """A file's permission bits (``0o600``)."""
    return stat.S_IMODE(os.stat(path).st_mode)
