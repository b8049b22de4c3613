"""Groups ("silos"): which group each node belongs to, and one stable order of groups.

A *group* is the value of a grouping attribute on each node: ``group`` by default, which
:func:`graph_models.projection.project` fills with the silo, organisation, area or tag
chosen by the map's ``group_by``. A node without a value (missing, ``None`` or ``""``)
belongs to the group :data:`NO_GROUP`. Every analysis module (silos, bridging,
brokerage, communities, introductions, change), the projection and the views take their
groups from here, so "no group" and the order of groups mean the same everywhere.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx

__all__ = ["NO_GROUP", "group_of", "node_groups", "sorted_groups", "stable_sorted"]

#: The group of a node that has no value for the grouping attribute.
NO_GROUP = "(none)"


def group_of(value) -> Hashable:
    """``value`` as a group: :data:`NO_GROUP` when it is missing, ``None`` or ``""``.

    Examples
    --------
    >>> group_of("health"), group_of(""), group_of(None), group_of(0)
    ('health', '(none)', '(none)', 0)
    """
    return NO_GROUP if value is None or value == "" else value


def node_groups(G: nx.Graph, attribute: str = "group") -> dict:
    """Map each node of ``G`` to its group (:data:`NO_GROUP` when it has none).

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_node("a", group="health")
    >>> G.add_node("b")
    >>> node_groups(G)
    {'a': 'health', 'b': '(none)'}
    """
    # group_of inline over networkx's node dict: no view, generator or call per node
    # (a third of the time at 50,000 nodes, and every analysis module asks)
    return {
        n: NO_GROUP if (value := attrs.get(attribute)) is None or value == "" else value
        for n, attrs in G._node.items()
    }


def stable_sorted(items: Iterable) -> list:
    """``items`` sorted; if their types cannot be compared, by type name then text.

    The same items give the same order on every run (never Python's hash order), which
    keeps reports reproducible when groups or node ids mix types.

    Examples
    --------
    >>> stable_sorted([3, "b", 1, "a"])
    [1, 3, 'a', 'b']
    """
    items = list(items)
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=lambda x: (type(x).__name__, str(x)))


def sorted_groups(groups: Iterable) -> list:
    """The distinct ``groups`` in a deterministic order (see :func:`stable_sorted`).

    Examples
    --------
    >>> sorted_groups(["police", "health", "police"])
    ['health', 'police']
    """
    return stable_sorted(set(groups))
