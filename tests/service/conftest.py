"""HTTP-layer tests run on the embedded store.

What the routes add (parsing, policy, consent, error shapes) does not depend on the
store, and the store contract (``tests/store``) already holds both stores to the same
behaviour, so running every HTTP test twice bought minutes and no findings. A few
end-to-end tests, marked ``both_stores``, still go through the whole stack on Neo4j
too: CRUD, an all-or-nothing bulk write, the hand-worked report, and a file round trip.
"""

from __future__ import annotations

import pytest

from tests.conftest import BOTH_STORES, open_store


def pytest_generate_tests(metafunc):
    """``both_stores`` tests get the ``store`` fixture on each store; others, embedded."""
    if "store" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_stores"):
        metafunc.parametrize("store", BOTH_STORES, indirect=True)


@pytest.fixture
def store(request, tmp_path):
    """A fresh, empty store: embedded, or each store for ``both_stores`` tests."""
    yield from open_store(request, getattr(request, "param", "embedded"), tmp_path)
