"""Words on the graph pages in the reader's language, without Flask.

The render functions (:func:`visualisations.render.render_map` and the others) take a
``translations`` object (anything with ``gettext``/``ngettext`` methods: a Babel
catalogue from the service, or :class:`gettext.NullTranslations` for English) and
make it current for the duration of the drawing with :func:`using`; the helpers that
write words call :func:`gettext` / :func:`ngettext` here. A context variable, not a
global: two requests drawn at once in two threads each see their own language.
Strings are extracted by ``pybabel extract`` (``babel.cfg``) as the service's are.
"""

from __future__ import annotations

import functools
import gettext as _stdlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from graph_models import vocabulary
from graph_models.messages import KIND_NAMES, METRIC_NAMES, ORG_KIND_NAMES

_ENGLISH = _stdlib.NullTranslations()
_current: ContextVar = ContextVar("bridgemap_vis_translations", default=_ENGLISH)
_language: ContextVar = ContextVar("bridgemap_vis_language", default="en")
#: The drawn graph's vocabulary labels (``G.graph["vocabulary"]``), for names in messages.
_vocabulary: ContextVar = ContextVar("bridgemap_vis_vocabulary", default=None)
#: The page's language switch: ``{"name", "lang", "href", "current"}`` per language.
_switch: ContextVar = ContextVar("bridgemap_vis_switch", default=())


@contextmanager
def using(translations, language: str = "en") -> Iterator[None]:
    """Make ``translations`` (None: English) the current catalogue inside the block;
    ``language`` is the page's ``lang`` (BCP 47, e.g. ``cy``)."""
    token = _current.set(translations or _ENGLISH)
    lang = _language.set(language or "en")
    try:
        yield
    finally:
        _language.reset(lang)
        _current.reset(token)


def translated(render: Callable) -> Callable:
    """A render function that takes ``translations=`` (and ``language=``) and draws in
    that language; ``language_links=`` (see :func:`language_links`) draws a language
    switch on the page."""

    @functools.wraps(render)
    def wrapper(*args, translations=None, language="en", language_links=(), **kwargs):
        graph = getattr(args[0], "graph", None) if args else None
        labels = graph.get("vocabulary") if isinstance(graph, dict) else None
        token = _vocabulary.set(labels)
        switch = _switch.set(tuple(language_links or ()))
        try:
            with using(translations, language):
                return render(*args, **kwargs)
        finally:
            _switch.reset(switch)
            _vocabulary.reset(token)

    return wrapper


def _shown(params: dict) -> dict:
    """Whole numbers with thousands separators (``1,234``), the rest as given."""
    return {
        k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in params.items()
    }


def gettext(message: str, **params) -> str:
    """``message`` in the current language, with ``%(name)s`` placeholders filled in."""
    text = _current.get().gettext(message)
    return text % _shown(params) if params else text


def ngettext(singular: str, plural: str, num: int, **params) -> str:
    """The plural form for ``num``; ``%(num)s`` in the text shows it with separators."""
    params.setdefault("num", num)
    return _current.get().ngettext(singular, plural, num) % _shown(params)


def _builtin_kind(kind: str) -> str:
    english = KIND_NAMES.get(kind)
    return gettext(english) if english else str(kind).replace("_", " ")


def _labels(labels: dict | None) -> dict | None:
    """``labels`` if given, else the drawn graph's (set by :func:`translated`)."""
    return labels if labels is not None else _vocabulary.get()


def kind_name(kind: str, labels: dict | None = None) -> str:
    """A relationship kind as a reader says it (``works_with`` -> "works with"); a map's
    own kind by its stored label in the drawing's language (``labels``: the graph's
    ``G.graph["vocabulary"]``, :func:`graph_models.vocabulary.label`; by default the
    drawing's own)."""
    return vocabulary.label(
        _labels(labels), vocabulary.KIND, kind, _language.get(), builtin=_builtin_kind
    )


def silo_name(silo: str, labels: dict | None = None) -> str:
    """A silo as named in the drawing's language: its Welsh label in Welsh, if set
    (``labels`` by default the drawn graph's vocabulary, so a sentence made anywhere in
    a drawing, e.g. "a person in %(silo)s" for a node with no usable label, names it so)."""
    return vocabulary.label(_labels(labels), vocabulary.SILO, silo, _language.get(), builtin=str)


def org_kind_name(kind: str) -> str:
    """A kind of organisation as a reader says it (its value is English)."""
    english = ORG_KIND_NAMES.get(str(kind))
    return gettext(english) if english else " ".join(str(kind).split())[:60]


def metric_name(metric: str) -> str:
    """A node measure as named on pages (``weighted_degree`` -> "weighted degree")."""
    english = METRIC_NAMES.get(metric)
    return gettext(english) if english else str(metric).replace("_", " ")


def render(message) -> str:
    """A domain :class:`~graph_models.messages.Message` in the current language (a silo
    in it by the drawn map's label for that language)."""
    message = vocabulary.with_silo_labels(message, _vocabulary.get(), _language.get())
    return message.render(_current.get())


def language_links() -> tuple[dict, ...]:
    """The current drawing's language switch: one ``{"name", "lang", "href", "current"}``
    per language (each named in itself, "Cymraeg", "English"; ``href`` the same page in
    that language), or none (a downloaded file, a drawing inside one of our pages)."""
    return _switch.get()


def current_language() -> str:
    """The page's ``lang`` value (BCP 47) for the current drawing."""
    return _language.get()


def browser_strings() -> dict[str, str]:
    """The words the page script writes (hover text, counts, failures), translated;
    ``{name}`` placeholders are filled in by the script."""
    return {
        "strength": gettext("{kinds} · strength {strength}"),
        "crosses": gettext("crosses silos: {a} ↔ {b}"),
        "bridge": gettext("bridge: the only link between two parts of the map"),
        "unreadable": gettext("The map data could not be read."),
        "no_library": gettext("The drawing library did not load, so the map cannot be drawn."),
        "showing": gettext("Showing {nodes} of {all_nodes} nodes and {ties} of {all_ties} ties."),
        "not_drawn": gettext("The map could not be drawn."),
        "found": gettext("{found} of {all} match."),
        "nobody": gettext("Nobody in this drawing matches that name."),
        "no_ties": gettext("No ties in this drawing."),
        "tie_count": gettext("{silo}: {count}"),
    }
