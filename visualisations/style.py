"""How the graph pages look: colours of silos, relationship kinds and ties, and node sizes.

Colours from callers (a map's silo vocabulary, custom kind colours) are accepted only
as ``#rgb``/``#rrggbb`` (:func:`valid_colours`), so nothing but a colour can reach the
page's styles; silos without one get a colour from :data:`FALLBACK_PALETTE`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import networkx as nx
import numpy as np

from graph_models.analysis.groups import NO_GROUP
from visualisations.labels import silo_of

#: Colours of relationship kinds (ego view); kinds outside the vocabulary are grey.
KIND_COLOURS: dict[str, str] = {
    "knows": "#4e79a7",
    "works_with": "#f28e2b",
    "mentors": "#e15759",
    "member_of": "#76b7b2",
    "works_for": "#59a14f",
    "volunteers_at": "#edc948",
    "leads": "#b07aa1",
    "partners_with": "#ff9da7",
    "funds": "#9c755f",
    "commissions": "#7f7f7f",
    "refers_to": "#17becf",
}
OTHER_KIND_COLOUR = "#9aa3ad"

#: Line pattern of each relationship kind (ego view): dash and gap lengths in pixels, or
#: an empty list for a solid line. Kinds are told apart by pattern as well as colour, so
#: colour never carries the meaning alone (WCAG 1.4.1); kinds outside the vocabulary are
#: drawn with :data:`OTHER_KIND_DASHES`. Bridges keep their own wide dashes.
KIND_DASHES: dict[str, list[int]] = {
    "knows": [],
    "works_with": [12, 5],
    "mentors": [2, 4],
    "member_of": [14, 4, 2, 4],
    "works_for": [7, 3],
    "volunteers_at": [2, 3, 2, 3, 9, 3],
    "leads": [18, 4, 2, 4, 2, 4],
    "partners_with": [5, 7],
    "funds": [1, 3],
    "commissions": [10, 3, 10, 3, 2, 3],
    "refers_to": [4, 2, 4, 8],
}
OTHER_KIND_DASHES: list[int] = [3, 3, 9, 3]

#: Colours for silos/groups that the map's vocabulary does not colour.
FALLBACK_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#808000",
    "#008080",
    "#aa6e28",
    "#800000",
    "#000080",
    "#ffd8b1",
    "#aaffc3",
)
NO_GROUP_COLOUR = "#b7bec6"

CROSS_EDGE_COLOUR = "rgba(52,58,64,0.62)"
CROSS_EDGE_COLOUR_DENSE = "rgba(52,58,64,0.34)"
BRIDGE_COLOUR = "#111111"
ARTICULATION_BORDER = "#111111"
CENTRE_BORDER = "#ff8c00"
ORGANISATION_BORDER = "#24292f"

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def valid_colour(colour: object) -> str | None:
    """``colour`` as lower-case ``#rrggbb`` if it is a hex colour, else None."""
    if isinstance(colour, str) and _HEX.match(colour.strip()):
        c = colour.strip().lower()
        return "#" + "".join(ch * 2 for ch in c[1:]) if len(c) == 4 else c
    return None


def valid_colours(colours: Mapping[str, str] | None) -> dict[str, str]:
    """The entries of ``colours`` whose value is a hex colour, normalised; others dropped."""
    out = {}
    for name, colour in (colours or {}).items():
        valid = valid_colour(colour)
        if valid:
            out[str(name)] = valid
    return out


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def shade(colour: str, factor: float) -> str:
    """``#rrggbb`` darkened (factor < 1) or lightened (factor > 1)."""
    r, g, b = (max(0, min(255, round(c * factor))) for c in _rgb(colour))
    return f"#{r:02x}{g:02x}{b:02x}"


def rgba(colour: str, alpha: float) -> str:
    """``#rrggbb`` as a CSS ``rgba()`` with the given opacity."""
    r, g, b = _rgb(colour)
    return f"rgba({r},{g},{b},{alpha})"


def node_colour(colour: str, *, border: str | None = None) -> dict:
    """A vis-network node colour: ``colour`` filled, a darker (or given) border, and a
    black border when highlighted or hovered."""
    edge = border or shade(colour, 0.62)
    return {
        "background": colour,
        "border": edge,
        "highlight": {"background": colour, "border": "#000000"},
        "hover": {"background": colour, "border": "#000000"},
    }


class SiloPalette:
    """The silos of one drawing: names in legend order, colours, vis group ids."""

    def __init__(self, names: list[str], colours: dict[str, str]):
        self.names = names
        self.index = {s: i for i, s in enumerate(names)}
        self.colours = colours

    def colour(self, silo: str) -> str:
        return self.colours[silo]

    def group_id(self, silo: str) -> str:
        return f"s{self.index[silo]}"

    def vis_groups(self) -> dict:
        """vis-network's ``groups`` option: one group of dots per silo, in its colour."""
        return {
            self.group_id(s): {"color": node_colour(self.colours[s]), "shape": "dot"}
            for s in self.names
        }


def silo_palette(G: nx.Graph, silo_colours: Mapping[str, str] | None) -> SiloPalette:
    """The silos present in ``G``: the vocabulary's first (in its order), then the rest
    alphabetically, then "no silo"; coloured by :func:`assign_colours`."""
    present = {silo_of(a) for _, a in G.nodes(data=True)}
    vocabulary = valid_colours(silo_colours)
    names = [s for s in (silo_colours or {}) if s in present]
    names += sorted(present - set(names) - {NO_GROUP}, key=str.casefold)
    if NO_GROUP in present:
        names.append(NO_GROUP)
    return SiloPalette(names, assign_colours(names, vocabulary))


def assign_colours(names: list[str], vocabulary: dict[str, str]) -> dict[str, str]:
    """A colour for each name: its vocabulary colour, grey for :data:`NO_GROUP`, else
    the next fallback colour not already used by the vocabulary."""
    used = set(vocabulary.values())
    spare = [c for c in FALLBACK_PALETTE if c not in used]
    colours, k = {}, 0
    for name in names:
        if name in vocabulary:
            colours[name] = vocabulary[name]
        elif name == NO_GROUP:
            colours[name] = NO_GROUP_COLOUR
        else:
            colours[name] = spare[k % len(spare)] if spare else FALLBACK_PALETTE[k % 16]
            k += 1
    return colours


def scale_sizes(values: list[float], low: float, high: float) -> list[float]:
    """Node sizes from ``low`` to ``high`` by the square root of each value's place
    between the smallest and largest (all equal: one middling size)."""
    if not values:
        return []
    arr = np.asarray(values, dtype=float)
    lo, hi = float(arr.min()), float(arr.max())
    if hi - lo <= 1e-12:
        return [round((low + high) / 2.6, 2)] * len(values)
    return np.round(low + (high - low) * np.sqrt((arr - lo) / (hi - lo)), 2).tolist()
