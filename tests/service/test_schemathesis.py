"""Schemathesis against our own OpenAPI document: every operation, a few generated
requests each, as a coordinator of one map on the embedded store. No request may cause a
5xx, and every response must conform to what the document declares.

The app is built when this module is imported (schemathesis reads the document to make
one test per operation); its store lives in a temporary folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.conftest import examples
from tests.service.authworld import build_world

pytestmark = pytest.mark.slow

WORLD = build_world(
    Path(tempfile.mkdtemp(prefix="bridgemap-schemathesis-")),
    EXPORT_RATE_LIMIT="10000/hour",
    AUTH_FAILURE_RATE_LIMIT="10000/minute",  # it sends wrong tokens on purpose
)
AUTH = {"Authorization": f"Bearer {WORLD.secrets['coordinator']}"}

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WORLD.app)


@schema.parametrize()
@settings(
    max_examples=examples(thorough=10, quick=2),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case):
    if "map_id" in (case.path_parameters or {}):
        case.path_parameters["map_id"] = "m1"  # the coordinator's own map
    # positive_data_acceptance is left out: the map's silo vocabulary and "no tie from a
    # node to itself" are rules of the data, which no JSON schema can state
    case.call_and_validate(headers=AUTH, excluded_checks=[checks.positive_data_acceptance])
