"""The silo view: one node per silo (or other grouping), joined by the ties between them.

:func:`silo_summary` gives the figures (group sizes, ties within and between groups,
the pairs of groups with no tie at all); :func:`render_silos` draws them, with the
unconnected pairs listed beside the graph. A map too large to draw whole is shown as
its silo view with a form to draw one silo (:func:`too_large_page`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from graph_models.analysis.groups import NO_GROUP
from graph_models.visibility import NOT_SHOWN
from visualisations.assets import DEFAULT_ASSET_BASE
from visualisations.i18n import gettext, ngettext, translated
from visualisations.labels import (
    clip,
    display_label,
    drawable_nodes,
    is_org,
    restrict,
    silo_of,
    silo_text,
)
from visualisations.page import render_page
from visualisations.style import (
    SiloPalette,
    assign_colours,
    node_colour,
    silo_palette,
    valid_colours,
)
from visualisations.visdata import vis_data, vis_options

#: The silo view lists at most this many unconnected pairs (then says how many in all).
MAX_PAIRS_SHOWN = 200
#: Above this many group pairs with ties, the lines carry no tie-count label.
MAX_LABELLED_TIES = 20
TIE_COLOUR = "rgba(52,58,64,0.55)"


@dataclass(frozen=True)
class SiloGroup:
    """One group of the silo view."""

    name: str
    label: str
    people: int
    organisations: int
    internal_ties: int


@dataclass(frozen=True)
class SiloSummary:
    """The figures behind the silo view.

    ``groups`` in display order; ``ties`` maps each pair ``(a, b)`` of group names (in
    ``groups`` order) with at least one tie to the number of ties between them;
    ``unconnected`` lists the pairs with none, in ``groups`` order.
    """

    attribute: str
    groups: list[SiloGroup]
    ties: dict[tuple[str, str], int] = field(default_factory=dict)
    unconnected: list[tuple[str, str]] = field(default_factory=list)


def silo_summary(
    G: nx.Graph, attribute: str = "group", tie_counts: Mapping[tuple, int] | None = None
) -> SiloSummary:
    """Group sizes, tie counts between groups and the pairs of groups with no tie.

    ``attribute`` is the node attribute to group by: ``group`` (the projection's
    ``group_by``), ``silo``, ``area``, ``organisation``... Hidden nodes are skipped.
    Only groups with at least one visible member appear.

    ``tie_counts`` maps pairs of groups ``(a, b)`` (and ``(a, a)`` for ties within a
    group) to numbers of ties counted elsewhere — the report's tie matrix, where
    hidden people's ties still count — to use instead of the ties drawn in ``G``.
    """
    keep = drawable_nodes(G)
    value = {n: _group_of(G.nodes[n], attribute) for n in keep}
    people: Counter[str] = Counter()
    orgs: Counter[str] = Counter()
    for n in keep:
        (orgs if is_org(G.nodes[n]) else people)[value[n]] += 1
    names = _group_order(set(value.values()), people)
    rank = {g: i for i, g in enumerate(names)}
    ties: Counter[tuple[str, str]] = Counter()
    internal: Counter[str] = Counter()
    if tie_counts is None:
        pairs = [(value[u], value[v], 1) for u, v in restrict(G, keep).edges()]
    else:
        pairs = [(a, b, n) for (a, b), n in tie_counts.items() if a in rank and b in rank and n]
    for a, b, n in pairs:
        if a == b:
            internal[a] += n
        else:
            ties[(a, b) if rank[a] < rank[b] else (b, a)] += n
    groups = [
        SiloGroup(g, _group_label(G, g, attribute), people[g], orgs[g], internal[g]) for g in names
    ]
    unconnected = [
        (a, b) for i, a in enumerate(names) for b in names[i + 1 :] if (a, b) not in ties
    ]
    return SiloSummary(attribute, groups, _by_rank(ties, rank), unconnected)


@translated
def render_silos(
    G: nx.Graph,
    *,
    attribute: str = "group",
    silo_colours: Mapping[str, str] | None = None,
    title: str = "Silos",
    standalone: bool = False,
    asset_base: str = DEFAULT_ASSET_BASE,
    notice: str | None = None,
    tie_counts: Mapping[tuple, int] | None = None,
) -> str:
    """The silo view: one node per group sized by its people, edges = ties between groups.

    The pairs of groups with no tie between them are listed beside the graph (the
    first :data:`MAX_PAIRS_SHOWN`, then a count). ``silo_colours`` colours groups that
    are silos; others get palette colours. ``tie_counts``: see :func:`silo_summary`.
    """
    return _silos_page(
        G,
        attribute,
        silo_colours,
        title,
        standalone,
        asset_base,
        notice=notice,
        tie_counts=tie_counts,
    )


def too_large_page(
    G: nx.Graph,
    keep: list,
    silo_colours: Mapping[str, str] | None,
    title: str,
    standalone: bool,
    asset_base: str,
    max_nodes: int,
) -> str:
    """What the map view shows instead of a map of more than ``max_nodes`` nodes
    (``keep``): its silo view, a notice, and a choice of silos to draw one at a time."""
    H = restrict(G, keep)
    counts = Counter(silo_of(H.nodes[n]) for n in keep)
    notice = gettext(
        "This map has %(num)s people and organisations: more than the %(max)s "
        "that can be drawn usefully at once. Here is the silo view instead; choose a silo "
        "to draw just that part of the map.",
        num=len(keep),
        max=max_nodes,
    )
    choices = [
        {"name": s, "label": silo_text(s, H.graph.get("vocabulary")), "count": f"{counts[s]:,}"}
        for s in silo_palette(H, silo_colours).names
    ]
    return _silos_page(
        H,
        "silo",
        silo_colours,
        title,
        standalone,
        asset_base,
        notice=notice,
        large_silos=choices,
    )


# ------------------------------------------------------------------------ grouping


def _group_of(attrs: Mapping, attribute: str) -> str:
    """The group a node belongs to under ``attribute`` (clipped), or :data:`NO_GROUP`."""
    value = attrs.get(attribute)
    if attribute == "silo":
        return silo_of(attrs)
    if value is None or (isinstance(value, str) and not value.strip()):
        return NO_GROUP
    return clip(value)


def _is_org_grouping(G: nx.Graph, attribute: str) -> bool:
    return attribute == "organisation" or (
        attribute == "group" and G.graph.get("group_by") == "organisation"
    )


def _is_silo_grouping(G: nx.Graph, attribute: str) -> bool:
    return attribute == "silo" or (
        attribute == "group" and G.graph.get("group_by", "silo") == "silo"
    )


def _group_label(G: nx.Graph, group: str, attribute: str) -> str:
    """How a group is named on the page: an organisation group by the organisation's
    label (never its id or name), "(no group)" for :data:`NO_GROUP`, "(not shown)" for
    the viewers' group of people not named and of small groups."""
    if group == NO_GROUP:
        return gettext("(no group)")
    if group == NOT_SHOWN:
        return gettext("(not shown)")
    if _is_org_grouping(G, attribute) and group in G:
        attrs = G.nodes[group]
        if attrs.get("visibility") != "hidden":
            return display_label(attrs)
        return gettext("an organisation")
    return group


def _group_order(names: set[str], people: Counter) -> list[str]:
    """Groups by people, most first (then by name), :data:`NO_GROUP` last."""
    rest = sorted(names - {NO_GROUP}, key=lambda g: (-people[g], str(g).casefold()))
    return rest + ([NO_GROUP] if NO_GROUP in names else [])


def _by_rank(ties: Mapping[tuple[str, str], int], rank: dict[str, int]) -> dict:
    """``ties`` ordered by the ranks of their pair of groups."""
    return dict(sorted(ties.items(), key=lambda kv: (rank[kv[0][0]], rank[kv[0][1]])))


def _drawing_order(
    G: nx.Graph, attribute: str, summary: SiloSummary, silo_colours: Mapping[str, str] | None
) -> tuple[list[SiloGroup], dict[str, str]]:
    """The groups in drawing order and their colours: silos in the vocabulary's order
    and colours first; other groupings in summary order with palette colours."""
    groups = summary.groups
    if not _is_silo_grouping(G, attribute):
        return groups, assign_colours([g.name for g in groups], {})
    vocab = [s for s in (silo_colours or {}) if any(g.name == s for g in groups)]
    order = vocab + [g.name for g in groups if g.name not in vocab]
    by_name = {g.name: g for g in groups}
    return [by_name[name] for name in order], assign_colours(order, valid_colours(silo_colours))


# ------------------------------------------------------------------------- drawing


def _group_nodes(
    groups: list[SiloGroup], colours: dict[str, str], summary: SiloSummary
) -> list[dict]:
    """One vis node per group, on a ring, sized by its people; the tooltip gives its
    ties within and to other groups and the groups it has no tie with."""
    label = {g.name: g.label for g in groups}
    k = len(groups)
    ring_r = max(220.0, 80.0 * k / math.pi)
    angles = [2 * math.pi * i / max(k, 1) - math.pi / 2 for i in range(k)]
    max_people = max([g.people for g in groups] or [1]) or 1
    external = Counter()
    for (a, b), c in summary.ties.items():
        external[a] += c
        external[b] += c
    missing: dict[str, list[str]] = {g.name: [] for g in groups}
    for a, b in summary.unconnected:
        missing[a].append(label[b])
        missing[b].append(label[a])

    nodes = []
    for i, g in enumerate(groups):
        people = ngettext("%(num)s person", "%(num)s people", g.people)
        organisations = ngettext("%(num)s organisation", "%(num)s organisations", g.organisations)
        within = ngettext("%(num)s tie within", "%(num)s ties within", g.internal_ties)
        outside = ngettext("%(num)s to other groups", "%(num)s to other groups", external[g.name])
        lines = [g.label, f"{people} · {organisations}", f"{within} · {outside}"]
        if missing[g.name]:
            shown = ", ".join(missing[g.name][:12])
            more = len(missing[g.name]) - len(missing[g.name][:12])
            if more:
                lines.append(
                    ngettext(
                        "no ties with: %(groups)s and %(num)s more",
                        "no ties with: %(groups)s and %(num)s more",
                        more,
                        groups=shown,
                    )
                )
            else:
                lines.append(gettext("no ties with: %(groups)s", groups=shown))
        nodes.append(
            {
                "id": i,
                "label": f"{g.label}\n{people}",
                "title": "\n".join(lines),
                "silo": g.name,
                "shape": "dot",
                "size": round(12 + 38 * math.sqrt(g.people / max_people), 2),
                "color": node_colour(colours[g.name]),
                "borderWidth": 2,
                "x": round(ring_r * math.cos(angles[i]), 1) if k > 1 else 0.0,
                "y": round(ring_r * math.sin(angles[i]), 1) if k > 1 else 0.0,
            }
        )
    return nodes


def _tie_edges(groups: list[SiloGroup], summary: SiloSummary) -> list[dict]:
    """One vis edge per pair of groups with ties, its width (and, when there are few,
    its label) showing how many."""
    rank = {g.name: i for i, g in enumerate(groups)}
    label = {g.name: g.label for g in groups}
    max_ties = max(summary.ties.values(), default=1)
    edges = []
    for j, ((a, b), count) in enumerate(_by_rank(summary.ties, rank).items()):
        ra, rb = sorted((rank[a], rank[b]))
        edges.append(
            {
                "id": j,
                "from": ra,
                "to": rb,
                **({"label": f"{count:,}"} if len(summary.ties) <= MAX_LABELLED_TIES else {}),
                "title": ngettext(
                    "%(a)s ↔ %(b)s: %(num)s tie",
                    "%(a)s ↔ %(b)s: %(num)s ties",
                    count,
                    a=label[a],
                    b=label[b],
                ),
                "width": round(1 + 11 * math.sqrt(count / max_ties), 2),
                "color": TIE_COLOUR,
            }
        )
    return edges


def _silos_page(
    G: nx.Graph,
    attribute: str,
    silo_colours: Mapping[str, str] | None,
    title: str,
    standalone: bool,
    asset_base: str,
    *,
    notice: str | None = None,
    large_silos: list[dict] | None = None,
    tie_counts: Mapping[tuple, int] | None = None,
) -> str:
    summary_data = silo_summary(G, attribute, tie_counts)
    groups, colours = _drawing_order(G, attribute, summary_data, silo_colours)
    label = {g.name: g.label for g in groups}
    nodes = _group_nodes(groups, colours, summary_data)
    edges = _tie_edges(groups, summary_data)
    legend = [
        {"name": g.name, "label": g.label, "colour": colours[g.name], "count": g.people}
        for g in groups
    ]
    options = vis_options(len(nodes), len(edges), smooth={"type": "curvedCW", "roundness": 0.12})
    options["interaction"]["hover"] = True
    options["nodes"]["scaling"] = {"label": {"drawThreshold": 3}}
    options["nodes"]["font"]["size"] = 15
    groups_option = SiloPalette([g.name for g in groups], colours).vis_groups()
    data = vis_data("silos", nodes, edges, options, silos=legend, kinds=[], groups=groups_option)
    data["legend"]["silo_filter"] = False

    k = len(groups)
    people = sum(g.people for g in groups)
    n_pairs = k * (k - 1) // 2
    silo_grouping = _is_silo_grouping(G, attribute)
    ties = sum(summary_data.ties.values())
    unlinked = len(summary_data.unconnected)
    if silo_grouping:
        parts = [
            ngettext("%(num)s silo", "%(num)s silos", k),
            ngettext("%(num)s person", "%(num)s people", people),
            ngettext("%(num)s tie between silos", "%(num)s ties between silos", ties),
        ]
    else:
        parts = [
            ngettext("%(num)s group", "%(num)s groups", k),
            ngettext("%(num)s person", "%(num)s people", people),
            ngettext("%(num)s tie between groups", "%(num)s ties between groups", ties),
        ]
    parts.append(
        ngettext(
            "%(num)s of %(pairs)s pairs with no tie",
            "%(num)s of %(pairs)s pairs with no tie",
            unlinked,
            pairs=n_pairs,
        )
    )
    summary = " · ".join(parts)
    unconnected = [(label[a], label[b]) for a, b in summary_data.unconnected[:MAX_PAIRS_SHOWN]]
    return render_page(
        title=title,
        summary=summary,
        view="silos",
        data=data,
        standalone=standalone,
        asset_base=asset_base,
        key=[],
        notes=[
            gettext(
                "Circle size shows the number of people; line width and number show the "
                "ties between two groups. Hover for details."
            )
        ],
        silo_heading=gettext("Silos (people)") if silo_grouping else gettext("Groups (people)"),
        silo_filter=False,
        unconnected=unconnected,
        unconnected_total=len(summary_data.unconnected),
        notice=notice,
        large_silos=large_silos,
        empty_message=None
        if nodes
        else gettext("No people or organisations are visible on this map."),
    )
