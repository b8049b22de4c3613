"""Real ids of hidden and anonymised people are answered exactly as ids that do not
exist, on every route, for viewers and community links (DESIGN §8).

Generated from ``app.url_map``: every GET route that takes a person's or an
organisation's id is asked for the hidden person's real id, the anonymised person's
real id, the small-group anonymised person's real id and an id that was never used;
the four answers must be the same, byte for byte once the id itself is blanked —
in English and in Welsh (``Accept-Language: cy``: pages and errors in the Welsh
catalogue must not tell the ids apart either).
"""

from __future__ import annotations

import re

import pytest

from tests.service.authworld import build_world, fill, routes

ID_PARAMS = {"node_id", "entity_id", "person_id"}
#: hidden, anonymised, anonymised in a small group, never used
PROBES = ("dai", "bea", "pan", "zed-never-used")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("hidden-ids"))


def _path(rule, world, node_id: str) -> str:
    path = fill(rule, world, node=node_id)
    for name in ("entity_id", "person_id"):
        if name in rule.arguments:
            path = re.sub(r"/(ann|org|t6)(?=/|$)", f"/{node_id}", path)
    return path


def _id_routes(app):
    return [
        rule
        for rule, method in routes(app)
        if method == "GET"
        and rule.arguments & ID_PARAMS
        and "relationships" not in rule.rule
        and "organisations/<entity_id>" not in rule.rule
    ]


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("role", ["viewer", "community", "respondent"])
def test_hidden_and_anonymised_ids_look_missing_on_every_route(world, role, lang):
    client = world.clients[role]
    checked = 0
    for rule in _id_routes(world.app):
        answers = {}
        for node_id in PROBES:
            r = client.get(_path(rule, world, node_id), headers={"Accept-Language": lang})
            answers[node_id] = (r.status_code, r.get_data(as_text=True).replace(node_id, "<id>"))
        assert len(set(answers.values())) == 1, (rule.rule, answers)
        assert answers["dai"][0] in (403, 404), rule.rule  # 403: the role may not at all
        checked += 1
    assert checked >= 6


def test_a_named_persons_id_still_works_for_a_viewer(world):
    """The refusal above is about consent, not a route that refuses everyone."""
    viewer = world.clients["viewer"]
    for path in ("/maps/m1/people/cai/view", "/api/v1/maps/m1/nodes/cai/neighbourhood"):
        assert viewer.get(path).status_code == 200, path
