"""How the pages name the vocabularies: relationship kinds and node measures.

The words come from the translation layer (:func:`service.i18n.kind_label`,
:func:`service.i18n.metric_label`, over :mod:`graph_models.messages`' tables); which
ends a kind joins and whether it has a direction come from
:data:`graph_models.model.RELATIONSHIP_KINDS`, so a label can never contradict the rule
it describes.
"""

from __future__ import annotations

from graph_models.analysis.report import NODE_METRICS
from graph_models.model import RELATIONSHIP_KINDS, Map, NodeType
from service.i18n import gettext, kind_label, lazy_gettext, metric_label

#: What each node measure means, in plain words.
METRIC_LABELS = {
    "degree": lazy_gettext("number of ties"),
    "weighted_degree": lazy_gettext("number and strength of ties"),
    "betweenness": lazy_gettext("how often they sit between others"),
    "closeness": lazy_gettext("how close they are to everyone"),
    "pagerank": lazy_gettext("ties to well-tied people"),
    "brokerage": lazy_gettext("brokerage across silos"),
}


def _end(node_type: NodeType) -> str:
    return gettext("person") if node_type is NodeType.PERSON else gettext("organisation")


def kind_with_ends(kind: str, m: Map | None = None) -> str:
    """A kind with the ends it joins: "mentors (person → person)"; ``m``'s own kinds
    too, by their labels in the page's language."""
    rule = (m.kind_rules() if m is not None else RELATIONSHIP_KINDS)[kind]
    template = (
        gettext("%(kind)s (%(source)s → %(target)s)")
        if rule.directed
        else gettext("%(kind)s (%(source)s – %(target)s)")
    )
    return template % {
        "kind": kind_label(kind, m),
        "source": _end(rule.source),
        "target": _end(rule.target),
    }


def kind_options(m: Map | None = None) -> list[tuple[str, str]]:
    """``(kind, label with its ends)`` for every kind, in the vocabulary's order: the
    built-in kinds, then map ``m``'s own."""
    kinds = m.kind_names() if m is not None else list(RELATIONSHIP_KINDS)
    return [(kind, kind_with_ends(kind, m)) for kind in kinds]


def metric_options() -> list[tuple[str, str]]:
    """``(metric, "name: meaning")`` for every measure a graph can be sized by."""
    return [
        (m, gettext("%(metric)s: %(meaning)s", metric=metric_label(m), meaning=METRIC_LABELS[m]))
        for m in NODE_METRICS
    ]
