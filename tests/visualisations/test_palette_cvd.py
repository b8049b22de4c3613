"""The default silo colours stay apart for colour-blind readers (issue 14, item 14),
and node shape, not colour, says person or organisation.

Colour vision deficiency is simulated with the matrices of Machado, Oliveira and
Fernandes (2009), "A physiologically-based model for simulation of color vision
deficiency", IEEE TVCG 15(6), at severity 1.0 (dichromacy), applied to linear sRGB;
distances are CIE76 ΔE in CIELAB (D65). A ΔE of about 2 is a just-noticeable
difference; we ask every pair of default silo colours to stay at least
:data:`MIN_DELTA_E` apart under each simulation.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from graph_models.model import DEFAULT_SILOS
from visualisations.render import render_map

MACHADO = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
    "typical": np.eye(3).tolist(),
}
MIN_DELTA_E = 12.0
SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
D65 = np.array([0.95047, 1.0, 1.08883])


def linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    t = (SRGB_TO_XYZ @ rgb_linear) / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen_as(hex_colour: str, vision: str) -> np.ndarray:
    return lab(np.clip(np.array(MACHADO[vision]) @ linear(hex_colour), 0, 1))


def closest_pair(colours, vision: str) -> tuple[float, str, str]:
    return min(
        (float(np.linalg.norm(seen_as(a, vision) - seen_as(b, vision))), a, b)
        for a, b in itertools.combinations(colours, 2)
    )


def test_simulation_sanity():
    """Red and green, far apart for typical vision, nearly merge under deuteranopia;
    the simulation leaves greys alone."""
    red, green = "#e6194b", "#3cb44b"  # the previous defaults for health and housing
    assert closest_pair([red, green], "typical")[0] > 60
    assert closest_pair([red, green], "deuteranopia")[0] < 10
    grey = seen_as("#777777", "protanopia")
    assert abs(grey[1]) < 1.5 and abs(grey[2]) < 1.5


@pytest.mark.parametrize("vision", sorted(MACHADO))
def test_default_silo_colours_stay_apart(vision):
    colours = [c for _, c in DEFAULT_SILOS]
    distance, a, b = closest_pair(colours, vision)
    assert distance >= MIN_DELTA_E, (vision, a, b, round(distance, 1))


def test_node_shape_says_person_or_organisation():
    G = nx.Graph()
    G.add_node("p", type="person", label="Ann", silo="health", visibility="named")
    G.add_node("o", type="organisation", label="Clinic", silo="health")
    G.add_edge("p", "o")
    html = render_map(G, title="t")
    assert '"shape":"square"' in html  # the organisation
    assert html.count('"shape":"square"') == 1  # people are the default dots
