"""What the graph page's side panel says about each node, as the asker may see it.

A click on a node opens a panel: who they are (name, silo, role, organisation — only
what :func:`graph_models.visibility.public_graph` left on the node, so an anonymised
person shows their silo and nothing else), their figures in plain words, their ties
by silo, and whether their own web may be opened and their record edited.

Everything here is read from a :class:`service.usecases.viewer_graphs.ViewerGraph`
(the one viewer pipeline): node ids are the asker's public ids, the report is the
asker's report (small groups suppressed for viewers). Ties by silo are counted in the
graph the asker sees, so they say so: hidden people and their ties are not in it.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx

from graph_models.text import fold
from service.i18n import gettext, ngettext, org_kind_label
from service.usecases.context import full_access, principal


def _share(value) -> str:
    """A 0-1 share in words people read: "about 12%", "under 1%"."""
    pct = float(value or 0) * 100
    if pct <= 0:
        return "0%"
    if pct < 1:
        return gettext("under 1%")
    return gettext("about %(pct)s%%", pct=round(pct))


def _silo_words(silo: str | None) -> str:
    return silo or gettext("no silo")


def _ranks(rows: list[dict], key: str) -> dict:
    """node -> 1-based rank by ``key`` (highest first; ties share the better rank)."""
    values = sorted((row.get(key) or 0 for row in rows), reverse=True)
    first = {}
    for i, value in enumerate(values, start=1):
        first.setdefault(value, i)
    return {row["node"]: first[row.get(key) or 0] for row in rows}


def may_open(node: str, public_ids: dict) -> bool:
    """Whether the asker may open ``node``'s web (the same rule as
    :func:`service.usecases.viewer_graphs.require_addressable`)."""
    if full_access():
        return True
    asker = principal()
    if asker is not None and asker.subject and asker.subject == node:
        return True
    return public_ids.get(node) == node


def node_panels(G: nx.Graph, report: dict | None) -> dict:
    """node -> the panel of that node (plain strings and small lists, no HTML).

    Keys: ``name``, ``key`` (the folded name, for search), ``facts`` (silo, kind, role,
    organisation — as consent allows), ``figures`` (plain sentences), ``ties`` (list of
    ``[silo, count]``, most first), ``ties_note``, ``open`` (may their web be opened),
    ``edit`` (may the asker edit them).
    """
    report = report or {}
    centrality = report.get("centrality", {}).get("nodes", [])
    by_node = {row["node"]: row for row in centrality}
    rank = _ranks(centrality, "betweenness")
    total = len(centrality)
    points = {a["node"]: a for a in report.get("bridging", {}).get("articulation_points", [])}
    public_ids = G.graph.get("public_ids", {})
    coordinator = full_access()
    out = {}
    for n, attrs in G.nodes(data=True):
        label = str(attrs.get("label") or attrs.get("name") or "")
        silo = attrs.get("silo")
        org = attrs.get("type") == "organisation"
        facts = [gettext("Silo: %(silo)s", silo=_silo_words(silo))]
        if org:
            kind = attrs.get("org_kind")
            facts.append(
                gettext("Organisation (%(kind)s)", kind=org_kind_label(kind))
                if kind
                else gettext("Organisation")
            )
        elif attrs.get("visibility", "named") == "named":
            if attrs.get("role"):
                facts.append(gettext("Role: %(role)s", role=attrs["role"]))
            home = attrs.get("organisation")
            if home is not None and home in G:
                facts.append(gettext("Organisation: %(name)s", name=G.nodes[home].get("label")))
        else:
            facts.append(gettext("Shown without their name, as they asked."))
        neighbours = Counter(_silo_words(G.nodes[m].get("silo")) for m in G.neighbors(n))
        degree = G.degree(n)
        across = sum(c for s, c in neighbours.items() if s != _silo_words(silo))
        figures = [
            ngettext(
                "%(num)s tie, %(across)s of them across silos.",
                "%(num)s ties, %(across)s of them across silos.",
                degree,
                across=across,
            )
        ]
        row = by_node.get(n)
        if row is not None and row.get("betweenness"):
            figures.append(
                gettext(
                    "On %(share)s of the shortest routes between other people "
                    "(rank %(rank)s of %(total)s).",
                    share=_share(row["betweenness"]),
                    rank=rank.get(n),
                    total=total,
                )
            )
        point = points.get(n)
        if point is not None:
            joins = [" ↔ ".join(pair) for pair in point.get("joins") or []]
            if joins:
                figures.append(
                    gettext(
                        "The only link between %(pairs)s: if they left, these silos "
                        "would lose their tie.",
                        pairs="; ".join(joins),
                    )
                )
            else:
                figures.append(
                    ngettext(
                        "If they left, %(num)s person or organisation would be cut off.",
                        "If they left, %(num)s people or organisations would be cut off.",
                        point.get("separated") or 0,
                    )
                )
        out[n] = {
            "name": label,
            "key": fold(label),
            "facts": facts,
            "figures": figures,
            "ties": [[s, c] for s, c in neighbours.most_common()],
            "open": may_open(n, public_ids),
            "edit": coordinator,
        }
    return out


def visible_only_note() -> str:
    """What the panel's tie counts cover (the drawing leaves hidden people out, for
    everyone; the report's routes and cut points count them)."""
    return gettext(
        "Ties are counted in the network drawn here: people who asked not to be shown "
        "are left out. Routes and cut points are figures of the whole map."
    )
