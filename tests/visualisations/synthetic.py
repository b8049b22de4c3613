"""Synthetic Bridgemap graphs for the visualisation tests and benchmarks.

:func:`sbm_map` builds a stochastic-block-model map shaped like the output of
``graph_models.projection.project`` after the viewer filter: undirected, node attributes
``type``, ``name``, ``label``, ``silo``, ``group``, ``role``, ``visibility`` (and
``org_kind``/``organisation``), edge attributes ``kind``, ``kinds``, ``strength``,
``weight``.
"""

from __future__ import annotations

import random

import networkx as nx

from graph_models.model import DEFAULT_SILOS

SILO_COLOURS: dict[str, str] = dict(DEFAULT_SILOS) | {"faith groups": "#808000"}
SILOS: list[str] = list(SILO_COLOURS)  # 10 silos
PERSON_KINDS = ("knows", "works_with", "mentors")
AFFILIATION = ("works_for", "member_of", "volunteers_at", "leads")
ORG_KINDS = ("partners_with", "funds", "commissions", "refers_to")


def sbm_map(
    n: int,
    *,
    silos: int = 10,
    avg_degree: float = 10.0,
    cross_share: float = 0.2,
    org_share: float = 0.08,
    seed: int = 1,
) -> nx.Graph:
    """``n`` nodes in ``silos`` equal blocks; ~``avg_degree`` ties each, ``cross_share`` of
    them across silos; ``org_share`` of nodes are organisations."""
    names = SILOS[:silos]
    size = n // silos
    sizes = [size] * silos
    sizes[-1] += n - size * silos
    p_in = avg_degree * (1 - cross_share) / max(size - 1, 1)
    p_out = avg_degree * cross_share / max(n - size, 1)
    probs = [[p_in if i == j else p_out for j in range(silos)] for i in range(silos)]
    B = nx.stochastic_block_model(sizes, probs, seed=seed, sparse=True)
    rnd = random.Random(seed)
    G = nx.Graph(map_id="synthetic", group_by="silo")
    for v, attrs in B.nodes(data=True):
        silo = names[attrs["block"]]
        if rnd.random() < org_share:
            G.add_node(
                f"o{v}",
                type="organisation",
                name=f"Organisation {v}",
                label=f"Organisation {v}",
                silo=silo,
                group=silo,
                role="",
                visibility="named",
                org_kind="statutory",
                organisation=f"o{v}",
            )
        else:
            visibility = "anonymised" if rnd.random() < 0.15 else "named"
            label = f"a person in {silo}" if visibility == "anonymised" else f"Person {v}"
            G.add_node(
                f"p{v}",
                type="person",
                name=f"Person {v}",
                label=label,
                silo=silo,
                group=silo,
                role="coordinator",
                visibility=visibility,
                organisation=None,
            )
    ids = {v: (f"o{v}" if f"o{v}" in G else f"p{v}") for v in B}
    for u, v in B.edges():
        a, b = ids[u], ids[v]
        orgs = (a[0] == "o") + (b[0] == "o")
        pool = PERSON_KINDS if orgs == 0 else AFFILIATION if orgs == 1 else ORG_KINDS
        kind = rnd.choice(pool)
        strength = rnd.randint(1, 5)
        G.add_edge(a, b, kind=kind, kinds=[kind], strength=strength, weight=strength)
    return G


#: Strings that would run script if any of them reached the page as markup.
XSS_PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "href=javascript:alert(1)",
    "<svg/onload=alert(2)>",
    "<!--<script>alert(3)</script>",
    "\u2028</SCRIPT ><script>alert(4)//",
    "{{ 7*7 }}${alert(5)}",
)


def _person(G, node, label, silo, *, role="", visibility="named", name=None):
    G.add_node(
        node,
        type="person",
        name=name if name is not None else label,
        label=label,
        silo=silo,
        group=silo,
        role=role,
        visibility=visibility,
        organisation=None,
        area="",
        tags=[],
    )


def _org(G, node, label, silo, kind="statutory"):
    G.add_node(
        node,
        type="organisation",
        name=label,
        label=label,
        silo=silo,
        group=silo,
        role="",
        visibility="named",
        org_kind=kind,
        organisation=node,
        area="",
        tags=[],
    )


def _tie(G, u, v, kind="knows", strength=3, kinds=None):
    G.add_edge(u, v, kind=kind, kinds=kinds or [kind], strength=strength, weight=strength)


def xss_map() -> tuple[nx.Graph, dict[str, str]]:
    """A small map whose labels, roles, silo names and org kinds are script payloads.

    Returns the graph and its silo vocabulary (payload silo names included, one with an
    invalid colour).
    """
    G = nx.Graph(map_id="xss", group_by="silo")
    evil_silo, evil_silo2 = XSS_PAYLOADS[0], XSS_PAYLOADS[2]
    silos = ["health", evil_silo, evil_silo2]
    for i, payload in enumerate(XSS_PAYLOADS):
        _person(G, f"p{i}", payload, silos[i % 3], role=XSS_PAYLOADS[(i + 1) % 8])
    _org(G, "o1", XSS_PAYLOADS[1], "health", kind=XSS_PAYLOADS[3])
    _org(G, "o2", "Safe Org", evil_silo)
    ring = [f"p{i}" for i in range(len(XSS_PAYLOADS))] + ["o1", "o2"]
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        _tie(G, a, b, kind="works_with")
    _tie(G, "p0", "p4", kind=XSS_PAYLOADS[1])  # a kind outside the vocabulary
    _tie(G, "p1", "o1", kind="works_for")
    G.nodes["p2"]["organisation"] = "o1"
    vocabulary = {
        "health": "#e6194b",
        evil_silo: "#3cb44b",
        evil_silo2: "red;background:url(javascript:alert(6))",
    }
    return G, vocabulary


def privacy_map() -> nx.Graph:
    """Named, anonymised and hidden people around two organisations (the caller forgot
    to filter the hidden one out, and one anonymised label equals the name)."""
    G = nx.Graph(map_id="privacy", group_by="silo")
    _person(G, "named-nora", "Nora Named", "health", role="GP partner")
    _person(
        G,
        "anon-anna",
        "a person in housing",
        "housing",
        role="Tenancy sustainment officer",
        visibility="anonymised",
        name="Anna Anonymous",
    )
    _person(
        G,
        "anon-amir",
        "Amir Unlabelled",
        "housing",
        role="Warden",
        visibility="anonymised",
        name="Amir Unlabelled",
    )
    _person(
        G,
        "hidden-harriet",
        "Harriet Hidden",
        "police",
        role="Informant handler",
        visibility="hidden",
        name="Harriet Hidden",
    )
    _org(G, "org-surgery", "Riverside Surgery", "health")
    _org(G, "org-homes", "Northside Homes", "housing")
    _tie(G, "named-nora", "anon-anna")
    _tie(G, "named-nora", "org-surgery", kind="works_for")
    _tie(G, "anon-anna", "org-homes", kind="works_for")
    _tie(G, "anon-amir", "org-homes", kind="volunteers_at")
    _tie(G, "hidden-harriet", "named-nora")
    _tie(G, "hidden-harriet", "anon-anna", kind="works_with")
    G.nodes["anon-anna"]["organisation"] = "org-homes"
    G.nodes["named-nora"]["organisation"] = "org-surgery"
    return G


def silo_map() -> nx.Graph:
    """Three silos: health and housing tied, police tied to nobody outside itself."""
    G = nx.Graph(map_id="silos", group_by="silo")
    for i in range(4):
        _person(G, f"h{i}", f"Health {i}", "health")
    for i in range(3):
        _person(G, f"u{i}", f"Housing {i}", "housing")
    for i in range(2):
        _person(G, f"c{i}", f"Police {i}", "police")
    _org(G, "o", "Health Trust", "health")
    _tie(G, "h0", "h1")
    _tie(G, "h1", "h2")
    _tie(G, "h2", "h3")
    _tie(G, "h0", "u0")
    _tie(G, "h1", "u1", kind="works_with")
    _tie(G, "u0", "u1")
    _tie(G, "u1", "u2")
    _tie(G, "c0", "c1")
    _tie(G, "h3", "o", kind="works_for")
    return G
