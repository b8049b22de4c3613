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

from collections import defaultdict
from datetime import date
from typing import NamedTuple

import networkx as nx

from graph_models.analysis.groups import NO_GROUP, group_of
from graph_models.errors import InvalidInput
from graph_models.messages import Message
from graph_models.model import NodeType, Organisation, OrganisationKind, Person, Visibility
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
    G, ties = gather(records, as_of=as_of, group_by=group_by, pairs=True)
    return add_ties(G, ties)


def gather(
    records: GraphRecords,
    *,
    as_of: date | None = None,
    group_by: str = "silo",
    pairs: bool = False,
) -> tuple[nx.Graph, Ties]:
    """:func:`project` without its edges: ``(G, ties)``, ``G`` with every node and node
    attribute (and the graph's), ``ties`` the data of each edge (:class:`Ties`), for
    :func:`add_ties`.

    Split so that a caller can put the ties on other node ids (the report puts them
    straight on the consent-relabelled nodes of :func:`graph_models.visibility.
    public_graph`, so the whole graph is built once, not built and then copied).
    ``pairs``: also keep the pairs in the order first seen, which :func:`add_ties`
    needs to put them on the projected ids (``ids=None``).

    Built straight into networkx's dicts: what ``add_node`` does for a new node, and a
    tie merged into its pair's data with no call per tie unless the pair already has
    one (the tests prove the graph equal to networkx's own ``add_node`` /
    ``add_edges_from``: same nodes, neighbours and attributes, in the same order).
    """
    check_group_by(group_by)
    G = nx.Graph(map_id=records.map.id, as_of=as_of.isoformat() if as_of else None)
    G.graph["group_by"] = group_by
    # the map's own labels (its kinds, its silos' Welsh names), for legends drawn from G
    G.graph["vocabulary"] = labels_of(records.map)
    nodes, adjacency = G._node, G._adj
    for node in records.nodes:
        attrs = _node_attrs(node)
        if node.id in nodes:  # as add_node: a repeated id updates the node
            nodes[node.id].update(attrs)
        else:
            nodes[node.id] = attrs
            adjacency[node.id] = {}
    position = {node: i for i, node in enumerate(nodes)}

    # (directed, affiliation) of each kind; an unknown kind is neither
    flags = defaultdict(
        lambda: (False, False),
        {
            kind: (rule.directed, rule.affiliation)
            for kind, rule in records.map.kind_rules().items()
        },
    )
    affiliation: dict[str, tuple[int, str]] = {}
    owned: list[dict] = [{} for _ in position]
    ties = Ties(owned, [] if pairs else None)
    seen = ties.pairs
    directed_kinds = False
    for rel in sorted(records.relationships, key=_by_id):
        if as_of is not None and not (
            (rel.since is None or rel.since <= as_of) and (rel.until is None or rel.until >= as_of)
        ):
            continue  # Relationship.active_on, inline (a call per tie)
        u, v = rel.source, rel.target
        try:  # subscripts, not .get: 500,000 lookups at 50,000 people
            i, j = position[u], position[v]
        except KeyError:
            continue  # a dangling tie cannot come from a store; ignore defensively
        kind = rel.kind
        directed, affiliates = flags[kind]
        if directed:
            directed_kinds = True
        # the pair is kept under its end first in node order
        row, other = (owned[j], u) if j < i else (owned[i], v)
        if other in row:
            _merge_tie(row[other], rel, directed=directed)
        else:
            strength = rel.strength
            data = row[other] = {
                "strength": strength,
                "weight": strength,
                "kind": kind,
                "kinds": [kind],
                "relationship_ids": [rel.id],
                "arcs": [(u, v)] if directed else [],
                "since": rel.since,
            }
            if seen is not None:
                seen.append((u, v, data))
        if affiliates:
            best = affiliation.get(u)
            if best is None or (-rel.strength, v) < (-best[0], best[1]):
                affiliation[u] = (rel.strength, v)

    # no directed kind among the ties: no edge can run one way (has_directed_ties)
    G.graph["directed_kinds"] = directed_kinds
    for person, (_, org) in affiliation.items():
        nodes[person]["organisation"] = org
    if group_by.startswith("tag:"):
        for attrs in nodes.values():
            attrs["group"] = group_value(attrs, group_by)
    else:  # group_value of a fixed attribute, inline
        for attrs in nodes.values():
            value = attrs.get(group_by)
            attrs["group"] = NO_GROUP if value is None or value == "" else value
    return G, ties


class Ties(NamedTuple):
    """The edges :func:`gather` found, not yet on a graph: each pair's data (one dict
    per pair, every tie between the two merged into it) under the end of the pair that
    comes first in node order (``owned[i]``: the other end's id -> the data, for the
    pairs of node ``i``, in the order first seen), and, if asked for, ``pairs``:
    ``(u, v, data)`` of every pair in the order first seen."""

    owned: list[dict]
    pairs: list[tuple] | None


def add_ties(G: nx.Graph, ties: Ties, ids: dict | None = None) -> nx.Graph:
    """Put the edges gathered by :func:`gather` on ``G`` (returned), each pair's data
    one dict shared by its two ends.

    Without ``ids``, on the same node ids, in the order the pairs were first seen:
    :func:`project`'s graph. With ``ids`` (each projected id, in node order, mapped to
    its node in ``G``), on those nodes, in the order :func:`graph_models.visibility.
    relabelled_copy` gives when it relabels :func:`project`'s graph (each node's
    neighbours: those before it in node order, in node order, then the others in the
    order first seen), so the result is that copy, built without the projected graph.

    Straight into the adjacency: what ``add_edges_from`` does for a new edge (each pair
    is new here, its data a fresh dict) without its per-edge copy and checks.
    """
    adjacency = G._adj
    if ids is None:
        if ties.pairs is None:
            raise ValueError("gather(..., pairs=True) puts ties on the projected ids")
        for u, v, data in ties.pairs:
            adjacency[u][v] = data
            adjacency[v][u] = data
        return G
    for public, own in zip(ids.values(), ties.owned, strict=True):
        row = adjacency[public]
        for other, data in own.items():
            end = ids[other]
            row[end] = data
            adjacency[end][public] = data
    return G


def _by_id(rel) -> str:
    return rel.id


_PERSON_VALUE = NodeType.PERSON.value
_ORGANISATION_VALUE = NodeType.ORGANISATION.value
#: each enum member's value, looked up (``member.value`` goes through the enum's
#: descriptor: a measurable share of projecting 50,000 nodes)
_VALUES = {member: member.value for member in (*Visibility, *OrganisationKind)}


def _node_attrs(node: Person | Organisation) -> dict:
    if isinstance(node, Person):
        visibility = node.visibility
        return {
            "type": _PERSON_VALUE,
            "name": node.name,
            "silo": node.silo,
            "area": node.area,
            "tags": list(node.tags),
            "role": node.role,
            "visibility": _VALUES.get(visibility) or visibility.value,
            "organisation": None,
        }
    kind = node.kind
    return {
        "type": _ORGANISATION_VALUE,
        "name": node.name,
        "silo": node.silo,
        "area": node.area,
        "tags": list(node.tags),
        "role": "",
        "visibility": "named",
        "org_kind": _VALUES.get(kind) or kind.value,
        "organisation": node.id,
    }


def _merge_tie(data: dict, rel, *, directed: bool) -> None:
    """Merge ``rel`` into the data of its pair's edge: kinds and ids gathered, the
    strongest strength (the first of equals) and the earliest ``since`` kept; a
    ``directed`` tie adds its arc."""
    data["kinds"] = sorted(set(data["kinds"]) | {rel.kind})
    data["relationship_ids"].append(rel.id)
    if directed:
        data["arcs"].append((rel.source, rel.target))
    if rel.strength > data["strength"]:
        data.update(strength=rel.strength, weight=rel.strength, kind=rel.kind)
    if rel.since and (data["since"] is None or rel.since < data["since"]):
        data["since"] = rel.since


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
