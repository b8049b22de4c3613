"""Consent, applied in one place between the graph and everything that shows it.

Each person chose how they may be shown (:class:`~graph_models.model.Visibility`):

* ``named`` — by name and id;
* ``anonymised`` — as "a person in <silo>", under a stable pseudonymous id (the same
  person gets the same pseudonym in every report of the map, so a coordinator can
  follow "anon-3f2a…" across tables, but the id cannot be turned back into the person);
* ``hidden`` — counted in the structure (their ties still join others, so totals and
  network measures stay true) but never named, listed, drawn or suggested.

How it works: :func:`public_graph` relabels the projected graph *before* analysis, so
every node id an analysis can output is already public (a real id, an ``anon-``
pseudonym or a ``hidden-`` pseudonym), and names are dropped from the graph. Then
:func:`redact` removes every row, pair, key or list item that refers to a hidden
person from the analysis output. Because redaction works on the output's shape
(dict keys, rows and pairs of ids) rather than on each analysis's field names, a new
analysis cannot forget it.

Who sees what (the ``viewer`` flag; coordinators and operators see the full records
through the entity API, everyone else — viewers and community links — is a viewer):

* every reader's analysis and graph pages: hidden people left out, anonymised people
  pseudonymised, no names of anonymised people, no contact details (the rules above);
* viewers also get **small-group suppression** (DESIGN §4: re-identification risk). A
  *small group* has fewer than :data:`MIN_GROUP_SIZE` people (people of any consent,
  organisations not counted) under the chosen grouping. For viewers:

  - an anonymised person in a small group is treated as hidden ("a person in police"
    is no pseudonym when police has two people);
  - every figure *about* a small group is suppressed (:func:`suppress_small_groups`):
    its row and column of the tie matrix and its sizes become ``None``; its per-group
    E-I, brokerage and community figures become ``None``; weak pairs, introduction
    pairs and the silo pairs an articulation point alone joins are dropped when they
    involve it; in the silo view its node is not drawn;
  - named people and organisations of a small group are still shown as themselves
    (they agreed to be named), and the whole-network totals still count everyone;
  - the entity API and graph JSON (:func:`public_records`) leave out hidden people and
    anonymised people of small silos, pseudonymise the other anonymised people (their
    role, area and tags dropped too), drop every contact detail, and blank the free
    text of ties (``notes``, ``evidence``), which may name people.

Known limit: totals minus the figures shown can reveal a suppressed cell when exactly
one group is suppressed (differencing); viewers are trusted commissioners, and the
small group's people are never named by it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter

import networkx as nx

from graph_models.messages import Message
from graph_models.model import Visibility, to_dict

ANON_PREFIX = "anon-"
HIDDEN_PREFIX = "hidden-"
TIE_PREFIX = "tie-"
#: Figures about a group with fewer people than this are suppressed for viewers.
MIN_GROUP_SIZE = 5


def pseudonym(secret: bytes, map_id: str, node_id: str, prefix: str = ANON_PREFIX) -> str:
    """A stable pseudonymous id: keyed HMAC, so it cannot be reversed or guessed."""
    digest = hmac.new(secret, f"{map_id}\x1f{node_id}".encode(), hashlib.sha256).hexdigest()
    return prefix + digest[:12]


def display_label(attrs: dict) -> str:
    """What a viewer may read for a node: its name, or "a person in <silo>"."""
    if attrs.get("type") == "person" and attrs.get("visibility") != Visibility.NAMED.value:
        if attrs.get("silo"):
            return Message("visibility.person_in", silo=attrs["silo"])
        return Message("visibility.person_in_unknown")
    return attrs.get("name", "")


def small_groups(G: nx.Graph, attribute: str = "group", minimum: int = MIN_GROUP_SIZE) -> set:
    """The groups of ``G`` with fewer than ``minimum`` people (organisations not counted).

    Every group that holds a node counts, so a group of organisations only is small
    too: a figure about it is not about anyone, but a rule that needs no exception is
    easier to trust. Counted over the graph given: on a neighbourhood a group can only
    look smaller than it is, so the rule errs towards suppressing.
    """
    people: Counter = Counter()
    for _, attrs in G.nodes(data=True):
        people[attrs.get(attribute)] += attrs.get("type") == "person"
    return {group for group, n in people.items() if n < minimum}


def public_graph(
    G: nx.Graph,
    *,
    secret: bytes,
    keep_hidden: bool = True,
    viewer: bool = False,
    small: set | None = None,
) -> nx.Graph:
    """A copy of ``G`` whose node ids and labels respect each person's consent.

    Parameters
    ----------
    G : networkx.Graph
        A projected map (see :mod:`graph_models.projection`).
    secret : bytes
        The key for pseudonyms (the service's secret key).
    keep_hidden : bool
        True for analysis (hidden people count in the structure, under a ``hidden-``
        pseudonym that :func:`redact` later removes); False for drawing (hidden people
        and their ties are left out).
    viewer : bool
        True for viewers: anonymised people of small groups (:func:`small_groups`)
        are treated as hidden, and ``G.graph["small_groups"]`` names those groups.
    small : set, optional
        The small groups, when ``G`` is part of a map (a neighbourhood): pass those of
        the whole map, so a big group is not taken for a small one.

    The copy has a ``label`` attribute on every node, no ``name`` or contact detail,
    and ``G.graph["public_ids"]`` maps each original id to its public id.
    """
    map_id = G.graph.get("map_id", "")
    if not viewer:
        small = set()
    elif small is None:
        small = small_groups(G)
    mapping: dict = {}
    for node, attrs in G.nodes(data=True):
        visibility = attrs.get("visibility", Visibility.NAMED.value)
        if visibility == Visibility.NAMED.value or attrs.get("type") != "person":
            mapping[node] = node
        elif visibility == Visibility.ANONYMISED.value and attrs.get("group") not in small:
            mapping[node] = pseudonym(secret, map_id, node)
        else:
            mapping[node] = pseudonym(secret, map_id, node, HIDDEN_PREFIX)
    H = nx.relabel_nodes(G, mapping, copy=True)
    for _, attrs in H.nodes(data=True):
        attrs["label"] = display_label(attrs)
        attrs.pop("name", None)
        attrs.pop("contact", None)
        if attrs.get("visibility", "named") != Visibility.NAMED.value:
            attrs["role"] = ""  # a role can identify a person in a small team
    if not keep_hidden:
        H.remove_nodes_from([n for n in H if is_hidden(n)])
    H.graph["public_ids"] = {k: v for k, v in mapping.items() if not is_hidden(v)}
    H.graph["small_groups"] = small
    return H


def is_hidden(value) -> bool:
    return isinstance(value, str) and value.startswith(HIDDEN_PREFIX)


def redact(value):
    """Remove everything that refers to a hidden person from an analysis result.

    Rules, applied recursively to JSON-like data:

    * a dict key that is a hidden pseudonym is dropped with its value;
    * a list item is dropped if it *is* a hidden pseudonym, or is a pair/row that names
      one directly (a list of ids containing one, or a dict with one among its direct
      values or in a direct list of ids) — e.g. a bridge ``[u, v]``, a suggestion
      ``{"nodes": [u, v], ...}`` or a broker ``{"node": v, ...}``;
    * a dict value that is a hidden pseudonym is replaced by ``None``; a list of ids
      held in a dict value (members of a community, say) loses the hidden ones.

    Aggregates (counts, densities, indices) are untouched: hidden people count.
    """
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if is_hidden(key):
                continue
            out[key] = None if is_hidden(item) else redact(item)
        return out
    if isinstance(value, list | tuple):
        return [redact(item) for item in value if not _refers_to_hidden(item)]
    return value


def _names_hidden(item) -> bool:
    if is_hidden(item):
        return True
    return isinstance(item, list | tuple) and any(is_hidden(x) for x in item)


def _refers_to_hidden(item) -> bool:
    if _names_hidden(item):
        return True
    if isinstance(item, dict):
        return any(_names_hidden(v) for v in item.values())
    return False


# -- small groups (viewers) ---------------------------------------------------------------


def suppress_small_groups(report: dict, small: set) -> dict:
    """A copy of a report (sections as produced by :func:`graph_models.analysis.report.analyse`)
    with every figure about a group in ``small`` suppressed (see the module's rules).

    Node rows (a named person's or an organisation's own figures) are kept; rows about
    an anonymised member of a small group are already gone, because
    :func:`public_graph` with ``viewer=True`` made them hidden.
    """
    if not small:
        return report
    out = dict(report)
    if "silos" in out:
        out["silos"] = _suppress_silos(out["silos"], small)
    if "bridging" in out:
        out["bridging"] = _suppress_bridging(out["bridging"], small)
    if "communities" in out:
        out["communities"] = _suppress_communities(out["communities"], small)
    if "introductions" in out:
        body = dict(out["introductions"])
        body["pairs"] = [p for p in body.get("pairs", []) if not set(p["groups"]) & small]
        out["introductions"] = body
    return out


def _blank(mapping: dict, small: set) -> dict:
    return {k: (None if k in small else v) for k, v in mapping.items()}


def _suppress_matrix(rows: list, groups: list, small: set) -> list:
    hit = [g in small for g in groups]
    return [
        [None if hit[i] or hit[j] else cell for j, cell in enumerate(row)]
        for i, row in enumerate(rows)
    ]


def _suppress_silos(section: dict, small: set) -> dict:
    out = dict(section)
    matrix = dict(out.get("tie_matrix", {}))
    groups = matrix.get("groups", [])
    if groups:
        sizes = zip(groups, matrix["sizes"], strict=True)
        matrix["sizes"] = [None if g in small else size for g, size in sizes]
        for key in ("counts", "densities"):
            matrix[key] = _suppress_matrix(matrix[key], groups, small)
        out["tie_matrix"] = matrix
    if "ei_index" in out:
        ei = dict(out["ei_index"])
        ei["groups"] = _blank(ei.get("groups", {}), small)
        out["ei_index"] = ei
    out["weak_pairs"] = [w for w in out.get("weak_pairs", []) if not set(w["groups"]) & small]
    out["suppressed_groups"] = sorted(map(str, small))
    return out


def _suppress_bridging(section: dict, small: set) -> dict:
    out = dict(section)
    summary = dict(out.get("summary", {}))
    if "brokerage" in summary:
        brokerage = dict(summary["brokerage"])
        brokerage["by_group"] = _blank(brokerage.get("by_group", {}), small)
        summary["brokerage"] = brokerage
        out["summary"] = summary
    points = []
    for point in out.get("articulation_points", []):
        point = dict(point)
        point["pieces"] = [
            {**piece, "groups": _blank(piece.get("groups", {}), small)}
            for piece in point.get("pieces", [])
        ]
        point["joins"] = [pair for pair in point.get("joins", []) if not set(pair) & small]
        point["splits"] = [g for g in point.get("splits", []) if g not in small]
        points.append(point)
    out["articulation_points"] = points
    return out


def _suppress_communities(section: dict, small: set) -> dict:
    out = dict(section)
    overlap = dict(out.get("overlap", {}))
    if overlap.get("counts") is not None:
        overlap["counts"] = [
            [None if g in small else c for g, c in zip(overlap["groups"], row, strict=True)]
            for row in overlap["counts"]
        ]
        out["overlap"] = overlap
    communities = []
    for community in out.get("communities", []):
        community = dict(community)
        community["groups"] = _blank(community.get("groups", {}), small)
        if community.get("dominant_group") in small:
            community["dominant_share"] = None
        communities.append(community)
    out["communities"] = communities
    out["by_group"] = _blank(out.get("by_group", {}), small)
    return out


# -- records for the entity API and graph JSON ---------------------------------------------


def public_records(records, *, secret: bytes, silo_people: Counter | None = None) -> dict:
    """What a viewer may read of a map's records (or of a neighbourhood's).

    Returns ``{"people", "organisations", "relationships", "public_ids"}``: lists of
    JSON-ready dicts with the viewer rules of this module applied (hidden people and
    anonymised people of small silos absent with their ties, other anonymised people
    under their pseudonym, no contact details, no free text on ties), and the mapping
    from real to public ids of the nodes kept. ``silo_people`` counts the people of
    each silo in the whole map; by default they are counted over the records given
    (for a neighbourhood, pass the whole map's: a silo can only look smaller there).
    """
    map_id = records.map.id
    people_per_silo = silo_people or Counter(p.silo for p in records.people)
    public_ids: dict[str, str] = {}
    people, organisations, relationships = [], [], []
    for node in records.nodes:
        row = to_dict(node)
        if node.type.value == "organisation":
            public_ids[node.id] = node.id
            organisations.append(row)
            continue
        row.pop("contact", None)
        if node.visibility is Visibility.NAMED:
            public_ids[node.id] = node.id
        elif node.visibility is Visibility.ANONYMISED and people_per_silo[node.silo] >= (
            MIN_GROUP_SIZE
        ):
            public_ids[node.id] = row["id"] = pseudonym(secret, map_id, node.id)
            row.update(name=display_label(row | {"type": "person"}), role="", area="", tags=[])
        else:
            continue
        people.append(row)
    anonymous = {v for k, v in public_ids.items() if k != v}
    for rel in records.relationships:
        if rel.source not in public_ids or rel.target not in public_ids:
            continue
        row = to_dict(rel)
        row.update(source=public_ids[rel.source], target=public_ids[rel.target])
        row.update(notes="", evidence="")
        if row["source"] in anonymous or row["target"] in anonymous:
            row["id"] = pseudonym(secret, map_id, f"tie:{rel.id}", TIE_PREFIX)
        relationships.append(row)
    return {
        "people": people,
        "organisations": organisations,
        "relationships": relationships,
        "public_ids": public_ids,
    }
