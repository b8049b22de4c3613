"""How the pages name the vocabularies: relationship kinds and node measures.

Only the words are written here; which ends a kind joins and whether it has a
direction come from :data:`graph_models.model.RELATIONSHIP_KINDS`, so a label can never
contradict the rule it describes.
"""

from __future__ import annotations

from graph_models.analysis.report import NODE_METRICS
from graph_models.model import RELATIONSHIP_KINDS

#: What each kind says, read "source ... target".
KIND_VERBS = {
    "knows": "knows",
    "works_with": "works with",
    "mentors": "mentors",
    "member_of": "is a member of",
    "works_for": "works for",
    "volunteers_at": "volunteers at",
    "leads": "leads",
    "partners_with": "partners with",
    "funds": "funds",
    "commissions": "commissions",
    "refers_to": "refers to",
}

#: What each node measure means, in plain words.
METRIC_LABELS = {
    "degree": "number of ties",
    "weighted_degree": "number and strength of ties",
    "betweenness": "how often they sit between others",
    "closeness": "how close they are to everyone",
    "pagerank": "ties to well-tied people",
    "brokerage": "brokerage across silos",
}


def kind_verb(kind: str) -> str:
    """The words of a kind alone (``works with``), for tables and checkboxes."""
    return KIND_VERBS.get(kind, kind.replace("_", " "))


def kind_label(kind: str) -> str:
    """A kind with the ends it joins: ``mentors (person → person)``."""
    rule = RELATIONSHIP_KINDS[kind]
    arrow = "→" if rule.directed else "–"
    return f"{kind_verb(kind)} ({rule.source.value} {arrow} {rule.target.value})"


def kind_options() -> list[tuple[str, str]]:
    """``(kind, label)`` for every kind, in the vocabulary's order."""
    return [(kind, kind_label(kind)) for kind in RELATIONSHIP_KINDS]


def metric_options() -> list[tuple[str, str]]:
    """``(metric, label)`` for every measure a graph can be sized by."""
    return [(m, f"{m.replace('_', ' ')}: {METRIC_LABELS[m]}") for m in NODE_METRICS]
