"""The display label of a map's vocabulary entry in a given language (issue 15, data half).

A map's vocabulary has keys (a silo's name, a relationship kind's name, an organisation
kind's value) that people, organisations and ties carry, and labels for people to read.
The built-in relationship and organisation kinds are translated by the interface's own
catalogue (gettext over :data:`graph_models.messages.KIND_NAMES` /
:data:`~graph_models.messages.ORG_KIND_NAMES`); a map's own kinds and its silos carry
their labels in the map: English (a silo's name) and Welsh (``label_cy``). In Welsh
(``cy``), the Welsh label shows when it is set, else the English one.

:func:`label` is the one rule, for pages, graph legends, the dashboard and the board
report; the caller passes the language (the service its request's locale, the graph
pages their drawing's) and, for built-in entries, its translation function. Graphs
carry their map's labels in ``G.graph["vocabulary"]`` (:func:`labels_of`, set by
:func:`graph_models.projection.project`), so drawing code needs no store.

>>> from graph_models.model import Map, MapKind, NodeType, Silo
>>> m = Map("m", "M", silos=[Silo("health", label_cy="iechyd"), Silo("police")])
>>> m.kinds = [MapKind("co_delivers", "co-delivers", NodeType.PERSON, NodeType.PERSON,
...                    label_cy="cyd-gyflawni")]
>>> label(m, "silo", "health", "cy"), label(m, "silo", "police", "cy")
('iechyd', 'police')
>>> label(m, "kind", "co_delivers", "en"), label(m, "kind", "co_delivers", "cy-GB")
('co-delivers', 'cyd-gyflawni')
>>> label(m, "kind", "works_with", "cy", builtin=str.upper)
'WORKS_WITH'
>>> label(labels_of(m), "kind", "co_delivers", "cy")
'cyd-gyflawni'
"""

from __future__ import annotations

from collections.abc import Callable

from graph_models.messages import Message
from graph_models.model import Map

KIND, SILO, ORG_KIND = "kind", "silo", "org_kind"
#: The languages whose labels a map stores beside the English one.
STORED_LANGUAGES = ("cy",)


def labels_of(m: Map) -> dict[str, dict[str, dict[str, str]]]:
    """A map's stored labels as plain data: ``{"kind": {name: {"en", "cy"}}, "silo": ...}``
    (its own kinds and its silos; built-in entries are translated, not stored)."""
    return {
        KIND: {k.name: {"en": k.label, "cy": k.label_cy} for k in m.kinds},
        SILO: {s.name: {"en": s.name, "cy": s.label_cy} for s in m.silos},
    }


def language_of(locale) -> str:
    """``cy``, ``cy-GB``, ``cy_GB`` -> ``cy``; ``en-GB`` -> ``en``."""
    return str(locale or "en").replace("_", "-").split("-")[0].casefold()


def label(
    vocabulary: Map | dict | None,
    what: str,
    key: str,
    locale,
    *,
    builtin: Callable[[str], str] | None = None,
) -> str:
    """How vocabulary entry ``key`` (of kind ``what``: ``"kind"``, ``"silo"`` or
    ``"org_kind"``) reads in ``locale``.

    ``vocabulary`` is a :class:`~graph_models.model.Map` or its :func:`labels_of` (or
    None). An entry the map stores (its own kind, its silo) shows its label in the
    locale's language when set, else its English label; any other entry (a built-in
    kind) is ``builtin(key)`` (the caller's translation), else the key with ``_`` as
    spaces.
    """
    labels = labels_of(vocabulary) if isinstance(vocabulary, Map) else (vocabulary or {})
    stored = (labels.get(what) or {}).get(key)
    if stored is not None:
        language = language_of(locale)
        if language in STORED_LANGUAGES and stored.get(language):
            return stored[language]
        return stored.get("en") or key
    if builtin is not None:
        return builtin(key)
    return str(key).replace("_", " ")


def with_silo_labels(message: Message, vocabulary: Map | dict | None, locale) -> Message:
    """``message`` with its ``silo`` parameter (e.g. "a person in %(silo)s", how an
    anonymised person is named) as the silo reads in ``locale``: a Welsh page says
    "person yn y sector heddlu", not "… police". Other messages are returned as they are."""
    silo = message.params.get("silo")
    if vocabulary is None or not isinstance(silo, str) or isinstance(silo, Message):
        return message
    shown = label(vocabulary, SILO, silo, locale, builtin=str)
    return message if shown == silo else Message(message.code, **{**message.params, "silo": shown})
