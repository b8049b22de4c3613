"""Render Bridgemap graphs as HTML pages drawn by vis-network (DESIGN §5).

Three views, each a function returning one HTML string:

* :func:`render_map`: the whole map. Colour = silo, size = a chosen metric, shape =
  person (dot) or organisation (square); ties across silos are drawn darker and
  thicker than ties within a silo, bridges dashed, articulation points ringed.
* :func:`render_ego`: a person's (or organisation's) ties 1-2 hops out, the centre
  highlighted, ties coloured by relationship kind.
* :func:`render_silos`: one node per silo (or other grouping), sized by people,
  joined by the number of ties between them, with the pairs that have no tie at all
  listed beside the graph (:func:`silo_summary` gives the same figures as data).

This module is the public entry point; the work is done by:

==============================  ======================================================
:mod:`visualisations.map_view`  the map view
:mod:`visualisations.ego_view`  the ego view
:mod:`visualisations.silo_view` the silo view and its figures
:mod:`visualisations.layout`    server-side node positions
:mod:`visualisations.visdata`   vis-network nodes, edges, options, legends and key
:mod:`visualisations.style`     colours of silos, kinds and ties; node sizes
:mod:`visualisations.labels`    which nodes may be shown and what may be said of them
:mod:`visualisations.page`      the HTML page: template, data island, assets
:mod:`visualisations.assets`    the static files, served or inlined
==============================  ======================================================

Contract with the caller: the graph is already filtered for the viewer (hidden people
removed) and every node has a ``label`` (the display name; "a person in housing" for
anonymised people). We render ``label`` and never ``name``; defensively, nodes whose
``visibility`` is ``"hidden"`` are skipped, an anonymised node whose label equals its
name is relabelled, and nothing else about an anonymised person (role, organisation,
area, tags, id) is put in the page. Node ids never reach the page: nodes are numbered.

Safety: the page is our own Jinja template with autoescape on; the graph goes in as a
JSON data island with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped; tooltips are plain
strings, which vis-network 9.1.2 inserts with ``innerText``; the legend and filters are
built with ``textContent``. Nothing is loaded from another host: ``standalone=False``
references the files of :mod:`visualisations.assets` under ``asset_base`` (no inline
script or style at all), ``standalone=True`` inlines them.

Performance: the layout is computed here (per-silo Fruchterman-Reingold in igraph,
silos on a ring) and sent as x/y with physics off, so the browser draws once and is
done; pyvis's ``add_node``/``add_edge`` (quadratic) are bypassed by filling
``Network.nodes``/``Network.edges`` directly, and pyvis never writes files.
"""

from __future__ import annotations

from visualisations.assets import DEFAULT_ASSET_BASE
from visualisations.ego_view import render_ego
from visualisations.map_view import MAX_NODES, render_map
from visualisations.silo_view import (
    SiloGroup,  # noqa: F401 - the items of SiloSummary.groups
    SiloSummary,
    render_silos,
    silo_summary,
)
from visualisations.style import KIND_COLOURS
from visualisations.visdata import structural_highlight

__all__ = [
    "DEFAULT_ASSET_BASE",
    "KIND_COLOURS",
    "MAX_NODES",
    "SiloSummary",
    "render_ego",
    "render_map",
    "render_silos",
    "silo_summary",
    "structural_highlight",
]
