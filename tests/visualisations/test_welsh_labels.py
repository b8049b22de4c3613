"""A drawing in Welsh names silos by the map's Welsh labels everywhere, including the
generic label of a node with no usable label ("person yn y sector heddlu", never
"… police") and the tooltips' "person · <silo>" lines."""

from __future__ import annotations

import json
import re

import networkx as nx
from babel.support import Translations

from service.i18n import TRANSLATIONS, compile_catalogues
from visualisations.render import render_ego, render_map

ISLAND = re.compile(r'<script type="application/json" id="bridgemap-data">(.*?)</script>', re.S)


def _welsh() -> Translations:
    return Translations.load(str(compile_catalogues(TRANSLATIONS)), ["cy"])


def _graph() -> nx.Graph:
    G = nx.Graph(map_id="m", group_by="silo")
    G.graph["vocabulary"] = {
        "silo": {"police": {"en": "police", "cy": "heddlu"}},
        "kind": {},
    }
    G.add_node("x", type="person", name="Xavier Secret", silo="police", visibility="named")
    G.add_node("y", type="organisation", name="Y Org", silo="police", label="  ")
    G.add_node("z", type="person", name="Zed", label="Zed", silo="police", visibility="anonymised")
    G.add_edge("x", "y", kinds=["works_with"], strength=1)
    return G


def _texts(html: str) -> str:
    data = json.loads(ISLAND.search(html).group(1))
    return json.dumps([[n.get("label"), n.get("title")] for n in data["nodes"]], ensure_ascii=False)


def test_generic_labels_and_tooltips_name_the_silo_by_its_welsh_label():
    welsh = _welsh()
    for html in (
        render_map(_graph(), translations=welsh, language="cy"),
        render_ego(_graph(), "x", translations=welsh, language="cy"),
    ):
        texts = _texts(html)
        assert "person yn y sector heddlu" in texts
        assert "police" not in texts
    english = _texts(render_map(_graph()))
    assert "a person in police" in english and "heddlu" not in english
