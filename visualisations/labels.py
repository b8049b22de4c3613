"""Which nodes a graph page may show, and what it may say about them.

This is where the privacy contract of the pages is kept (see :mod:`visualisations.render`):

* nodes whose ``visibility`` is ``"hidden"`` are never drawn (:func:`drawable_nodes`);
* a node is shown by its ``label`` and never its ``name``; an anonymised person whose
  label equals their name, or any node without a usable label, gets a generic one
  (:func:`display_label`);
* an anonymised person's tooltip says only "person" and the silo: no role,
  organisation, area, tags or id (:func:`tooltip`).

Also the small text helpers every view uses for its words and numbers.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import networkx as nx
import numpy as np

from graph_models.analysis.groups import NO_GROUP
from graph_models.messages import Message
from visualisations.i18n import gettext, org_kind_name, render, silo_name

#: Longest label, silo or group name put in a page (longer ones end in "…").
MAX_LABEL = 200


def drawable_nodes(G: nx.Graph) -> list:
    """The nodes of ``G`` a page may draw: all but the hidden ones, in ``G``'s order."""
    return [n for n, a in G.nodes(data=True) if a.get("visibility") != "hidden"]


def restrict(G: nx.Graph, keep: list) -> nx.Graph:
    """``G`` limited to ``keep`` as a plain graph, in ``G``'s own node and edge order.

    Not ``G.subgraph(keep).copy()``: a subgraph view of a small node set iterates that
    set, whose order changes with Python's string hashing from run to run, so the same
    map would be drawn differently each time (and subgraph views are slow to iterate).
    """
    if len(keep) == G.number_of_nodes():
        return G
    wanted = set(keep)
    H = G.__class__()
    H.graph.update(G.graph)
    H.add_nodes_from((n, attrs) for n, attrs in G.nodes(data=True) if n in wanted)
    H.add_edges_from((u, v, d) for u, v, d in G.edges(data=True) if u in wanted and v in wanted)
    return H


def order_key(n: Hashable) -> tuple[str, str]:
    """A sort key for node ids of mixed types (same order on every run)."""
    return (type(n).__name__, str(n))


def is_org(attrs: Mapping) -> bool:
    """Whether the node with these attributes is an organisation (else a person)."""
    return attrs.get("type") == "organisation"


def is_anonymous(attrs: Mapping) -> bool:
    """People are anonymous unless explicitly named (missing visibility = anonymous)."""
    return not is_org(attrs) and attrs.get("visibility") != "named"


def clip(text: object, limit: int = MAX_LABEL) -> str:
    """``text`` on one line with runs of whitespace collapsed, at most ``limit`` long."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def silo_of(attrs: Mapping) -> str:
    """The node's silo name as drawn (clipped), or :data:`NO_GROUP` if it has none."""
    silo = attrs.get("silo")
    return clip(silo) if isinstance(silo, str) and silo.strip() else NO_GROUP


def silo_text(silo: str, labels: dict | None = None) -> str:
    """How a silo name reads in a sentence or legend (its Welsh label in a Welsh
    drawing when ``labels``, the graph's ``G.graph["vocabulary"]``, has one)."""
    return gettext("(no silo)") if silo == NO_GROUP else silo_name(silo, labels)


def display_label(attrs: Mapping) -> str:
    """The display label; never the name (a generic label if ``label`` is unusable)."""
    label = attrs.get("label")
    if (
        not isinstance(label, str)
        or not label.strip()
        or (is_anonymous(attrs) and label == attrs.get("name"))
    ):
        silo = silo_text(silo_of(attrs))
        if is_org(attrs):
            return gettext("an organisation in %(silo)s", silo=silo)
        return gettext("a person in %(silo)s", silo=silo)
    return clip(render(label) if isinstance(label, Message) else label)


def format_number(value: float) -> str:
    """A metric value for a tooltip: whole numbers with separators, else 3 figures."""
    if isinstance(value, (int, np.integer)) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3g}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``one`` if ``n`` is 1, else ``many`` (default ``one`` + "s")."""
    return one if n == 1 else (many or one + "s")


def tooltip(G: nx.Graph, n: Hashable, extra_lines: list[str], articulation: bool) -> str:
    """The hover text of node ``n``: label, kind and silo, and for named people only
    their role and (visible) organisation; then ``extra_lines``."""
    attrs = G.nodes[n]
    silo = silo_text(silo_of(attrs))
    lines = [display_label(attrs)]
    if is_org(attrs):
        kind = attrs.get("org_kind")
        if kind:
            lines.append(
                gettext("organisation · %(kind)s · %(silo)s", kind=org_kind_name(kind), silo=silo)
            )
        else:
            lines.append(gettext("organisation · %(silo)s", silo=silo))
    elif is_anonymous(attrs):
        lines.append(gettext("person · %(silo)s", silo=silo))
    else:
        lines.append(gettext("person · %(silo)s", silo=silo))
        if attrs.get("role"):
            lines.append(gettext("role: %(role)s", role=clip(attrs["role"])))
        org = attrs.get("organisation")
        if org is not None and org in G and G.nodes[org].get("visibility") != "hidden":
            lines.append(gettext("organisation: %(name)s", name=display_label(G.nodes[org])))
    lines.extend(extra_lines)
    if articulation:
        lines.append(gettext("articulation point: without them, part of the map is cut off"))
    return "\n".join(lines)
