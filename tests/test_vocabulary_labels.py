"""The one rule for a vocabulary entry's display label (graph_models.vocabulary), and
the service's and graph pages' use of it in Welsh and English."""

from __future__ import annotations

import gettext

from graph_models import vocabulary
from graph_models.model import Map, MapKind, NodeType, Person, Relationship, Silo
from graph_models.projection import project
from graph_models.store.base import GraphRecords
from visualisations import i18n as vis_i18n
from visualisations.style import silo_palette
from visualisations.visdata import kind_legend, silo_legend

P = NodeType.PERSON


def _map() -> Map:
    m = Map("m", "M", silos=[Silo("health", label_cy="iechyd"), Silo("police")])
    m.kinds = [
        MapKind("co_delivers", "co-delivers", P, P, label_cy="cyd-gyflawni"),
        MapKind("shadows", "shadows", P, P),  # no Welsh label
    ]
    return m


def test_stored_labels_by_language_with_english_fallback():
    m = _map()
    assert vocabulary.label(m, "kind", "co_delivers", "cy") == "cyd-gyflawni"
    assert vocabulary.label(m, "kind", "co_delivers", "en") == "co-delivers"
    assert vocabulary.label(m, "kind", "shadows", "cy") == "shadows"
    assert vocabulary.label(m, "silo", "health", "cy_GB") == "iechyd"
    assert vocabulary.label(m, "silo", "police", "cy") == "police"
    assert vocabulary.label(m, "silo", "nowhere", "cy") == "nowhere"


def test_built_in_entries_use_the_callers_translation():
    m = _map()
    welsh = {"works_with": "yn gweithio gyda"}
    assert vocabulary.label(m, "kind", "works_with", "cy", builtin=welsh.get) == "yn gweithio gyda"
    assert vocabulary.label(None, "kind", "works_with", "en") == "works with"


def test_graph_legends_show_the_welsh_labels_in_a_welsh_drawing():
    m = _map()
    recs = GraphRecords(
        m,
        [Person("a", "A", "health"), Person("b", "B", "police")],
        [Relationship("r", "a", "b", "co_delivers")],
    )
    G = project(recs)
    with vis_i18n.using(gettext.NullTranslations(), "cy"):
        kinds = kind_legend(G, None)
        silos = silo_legend(silo_palette(G, m.silo_colours()), G, G.nodes)
    assert [k["label"] for k in kinds] == ["cyd-gyflawni"]
    assert {s["name"]: s["label"] for s in silos}["health"] == "iechyd"
    with vis_i18n.using(None, "en"):
        assert [k["label"] for k in kind_legend(G, None)] == ["co-delivers"]
        silos = silo_legend(silo_palette(G, m.silo_colours()), G, G.nodes)
        assert {s["name"]: s["label"] for s in silos}["health"] == "health"
