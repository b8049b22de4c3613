"""Projection of a map's records onto a networkx graph: the one input of every analysis.

The graph is an undirected :class:`networkx.Graph`, because the questions Bridgemap
answers (who is connected to whom, which ties cross silos, who lies between groups) are
about the existence of ties; direction is kept on the edges for the measures that need
it (brokerage roles) and can be recovered with :func:`directed_ties`.

Node attributes
    ``type`` ("person" | "organisation"), ``name``, ``silo``, ``role``, ``area``,
    ``tags`` (list of str), ``visibility`` ("named" | "anonymised" | "hidden"; always
    "named" for organisations), ``org_kind`` (organisations only), ``organisation``
    (a person's main organisation id — their strongest affiliation tie, ties broken by
    id — or ``None``; an organisation's own id), and ``group``: the value of the
    grouping attribute chosen by ``group_by`` (see :func:`group_value`).

Edge attributes
    ``strength`` and ``weight`` (the strongest tie between the pair, 1-5), ``kind`` (the
    kind of that strongest tie), ``kinds`` (sorted list of every kind between the pair),
    ``relationship_ids`` (sorted), ``arcs`` (list of ``(source, target)`` for each
    *directed* tie, in its direction), ``since`` (earliest start or ``None``).

Which kinds are directed, and which make a person part of an organisation, come from
the map's own table of kinds (:meth:`graph_models.model.Map.kind_rules`: the built-in
kinds and the map's own), so a map's own kind counts as any built-in one does.

Several relationships between the same pair become one edge: a person who both knows
and works with another is one tie of the network, not two, so degree-based measures
are not inflated by how many kinds a coordinator happened to record.
"""

from __future__ import annotations

from datetime import date

import networkx as nx

from graph_models.analysis.groups import NO_GROUP, group_of
from graph_models.errors import InvalidInput
from graph_models.messages import Message
from graph_models.model import Organisation, Person
from graph_models.store.base import GraphRecords
from graph_models.vocabulary import labels_of

GROUP_BY_FIXED = ("silo", "organisation", "area")


def check_group_by(group_by: str) -> str:
    """Return ``group_by`` if it names a grouping attribute, else raise InvalidInput.

    Accepted: ``silo``, ``organisation``, ``area`` and ``tag:<key>``, which groups by
    the value of tags written ``<key>:<value>`` (e.g. ``tag:locality`` groups by
    ``locality:north``, ``locality:south``...).
    """
    if group_by in GROUP_BY_FIXED:
        return group_by
    if group_by.startswith("tag:") and len(group_by) > 4:
        return group_by
    raise InvalidInput(
        Message("projection.group_by"),
        {"group_by": [Message("projection.unknown_grouping", group_by=repr(group_by))]},
    )


def group_value(attrs: dict, group_by: str) -> str:
    """The group a node belongs to under ``group_by``; :data:`NO_GROUP` when it has none."""
    if group_by.startswith("tag:"):
        prefix = group_by[4:] + ":"
        for tag in attrs.get("tags") or ():
            if tag.startswith(prefix) and len(tag) > len(prefix):
                return tag[len(prefix) :]
        return NO_GROUP
    return group_of(attrs.get(group_by))


def project(
    records: GraphRecords, *, as_of: date | None = None, group_by: str = "silo"
) -> nx.Graph:
    """Build the analysis graph of ``records`` as it stood on ``as_of``.

    Parameters
    ----------
    records : GraphRecords
        The map's nodes and relationships, from a store.
    as_of : date, optional
        Keep only ties active on this day (``since <= as_of <= until``, open ends
        allowed). Every node is kept: a person with no ties that day is isolated,
        which is itself a finding.
    group_by : str
        The grouping attribute stored as each node's ``group`` (see
        :func:`check_group_by`).

    Examples
    --------
    >>> from graph_models.model import Map, Person, Relationship
    >>> recs = GraphRecords(Map("m", "M"), [Person("a", "A", "health"),
    ...     Person("b", "B", "housing")], [Relationship("r", "a", "b", "knows")])
    >>> G = project(recs)
    >>> G.nodes["a"]["group"], G.edges["a", "b"]["strength"]
    ('health', 3)
    """
    check_group_by(group_by)
    G = nx.Graph(map_id=records.map.id, as_of=as_of.isoformat() if as_of else None)
    G.graph["group_by"] = group_by
    # the map's own labels (its kinds, its silos' Welsh names), for legends drawn from G
    G.graph["vocabulary"] = labels_of(records.map)
    for node in records.nodes:
        G.add_node(node.id, **_node_attrs(node))

    rules = records.map.kind_rules()
    affiliation: dict[str, tuple[int, str]] = {}
    ties: dict[tuple, dict] = {}  # the edges' data, gathered before one add_edges_from
    for rel in sorted(records.relationships, key=lambda r: r.id):
        if as_of is not None and not rel.active_on(as_of):
            continue
        if rel.source not in G or rel.target not in G:
            continue  # a dangling tie cannot come from a store; ignore defensively
        rule = rules.get(rel.kind)
        _add_tie(ties, rel, directed=rule is not None and rule.directed)
        if rule is not None and rule.affiliation:
            best = affiliation.get(rel.source)
            if best is None or (-rel.strength, rel.target) < (-best[0], best[1]):
                affiliation[rel.source] = (rel.strength, rel.target)

    # straight into the adjacency: what add_edges_from does for a new edge (each pair
    # is new here, its data a fresh dict) without its per-edge copy and checks
    adjacency = G._adj
    for (u, v), data in ties.items():
        adjacency[u][v] = data
        adjacency[v][u] = data
    # no directed kind among the ties: no edge can run one way (has_directed_ties)
    G.graph["directed_kinds"] = any(data["arcs"] for data in ties.values())
    for person, (_, org) in affiliation.items():
        G.nodes[person]["organisation"] = org
    for _, attrs in G.nodes(data=True):
        attrs["group"] = group_value(attrs, group_by)
    return G


def _node_attrs(node: Person | Organisation) -> dict:
    attrs = {
        "type": node.type.value,
        "name": node.name,
        "silo": node.silo,
        "area": node.area,
        "tags": list(node.tags),
    }
    if isinstance(node, Person):
        attrs.update(role=node.role, visibility=node.visibility.value, organisation=None)
    else:
        attrs.update(role="", visibility="named", org_kind=node.kind.value, organisation=node.id)
    return attrs


def _add_tie(ties: dict, rel, *, directed: bool) -> None:
    """Merge ``rel`` into the data of its edge in ``ties`` (keyed by the first
    ``(source, target)`` seen for the pair): kinds and ids gathered, the strongest
    strength (the first of equals) and the earliest ``since`` kept; a ``directed``
    tie adds its arc."""
    u, v = rel.source, rel.target
    arc = [(u, v)] if directed else []
    data = ties.get((u, v))
    if data is None:
        data = ties.get((v, u))
    if data is not None:
        data["kinds"] = sorted(set(data["kinds"]) | {rel.kind})
        data["relationship_ids"].append(rel.id)
        data["arcs"].extend(arc)
        if rel.strength > data["strength"]:
            data.update(strength=rel.strength, weight=rel.strength, kind=rel.kind)
        if rel.since and (data["since"] is None or rel.since < data["since"]):
            data["since"] = rel.since
        return
    ties[(u, v)] = {
        "strength": rel.strength,
        "weight": rel.strength,
        "kind": rel.kind,
        "kinds": [rel.kind],
        "relationship_ids": [rel.id],
        "arcs": arc,
        "since": rel.since,
    }


def _one_way(data: dict) -> bool:
    """Whether every tie of an edge is directed: each directed tie left one arc, so an
    edge with as many arcs as ties has no undirected tie (no lookup of kinds needed,
    which is what lets a map's own kinds count as the built-in ones do)."""
    arcs = data.get("arcs") or ()
    return bool(arcs) and len(arcs) >= len(data.get("relationship_ids") or ())


def has_directed_ties(G: nx.Graph) -> bool:
    """Whether any tie of ``G`` runs one way only (so :func:`directed_ties` differs
    from ``G`` read as reciprocal ties).

    Examples
    --------
    >>> from graph_models.model import Map, Person, Relationship
    >>> recs = GraphRecords(Map("m", "M"), [Person("a", "A", "x"), Person("b", "B", "x")],
    ...     [Relationship("r", "a", "b", "mentors")])
    >>> has_directed_ties(project(recs))
    True
    """
    if G.graph.get("directed_kinds") is False:
        return False  # set by project(): no tie of a directed kind, so none one way
    return any(_one_way(data) for _, _, data in G.edges(data=True))


def directed_ties(G: nx.Graph) -> nx.DiGraph:
    """The directed network behind ``G``: each directed tie one way, each undirected both.

    Used by measures defined on directed networks (Gould-Fernandez brokerage). Node
    attributes are shared with ``G``.
    """
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes(data=True))
    for u, v, data in G.edges(data=True):
        if _one_way(data):
            D.add_edges_from(data["arcs"])
        else:
            D.add_edge(u, v)
            D.add_edge(v, u)
    return D
