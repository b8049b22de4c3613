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
"""

from __future__ import annotations

import hashlib
import hmac

import networkx as nx

from graph_models.model import Visibility

ANON_PREFIX = "anon-"
HIDDEN_PREFIX = "hidden-"


def pseudonym(secret: bytes, map_id: str, node_id: str, prefix: str = ANON_PREFIX) -> str:
    """A stable pseudonymous id: keyed HMAC, so it cannot be reversed or guessed."""
    digest = hmac.new(secret, f"{map_id}\x1f{node_id}".encode(), hashlib.sha256).hexdigest()
    return prefix + digest[:12]


def display_label(attrs: dict) -> str:
    """What a viewer may read for a node: its name, or "a person in <silo>"."""
    if attrs.get("type") == "person" and attrs.get("visibility") != Visibility.NAMED.value:
        return f"a person in {attrs.get('silo') or 'an unknown sector'}"
    return attrs.get("name", "")


def public_graph(G: nx.Graph, *, secret: bytes, keep_hidden: bool = True) -> nx.Graph:
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

    The copy has a ``label`` attribute on every node, no ``name`` or contact detail,
    and ``G.graph["public_ids"]`` maps each original id to its public id.
    """
    map_id = G.graph.get("map_id", "")
    mapping: dict = {}
    for node, attrs in G.nodes(data=True):
        visibility = attrs.get("visibility", Visibility.NAMED.value)
        if visibility == Visibility.NAMED.value or attrs.get("type") != "person":
            mapping[node] = node
        elif visibility == Visibility.ANONYMISED.value:
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
