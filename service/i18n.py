"""The translation layer: Flask-Babel set up once, and the gettext functions the service uses.

Every sentence a person reads goes through here: templates call ``_()`` / ``ngettext()``
(installed in Jinja by Flask-Babel's ``jinja2.ext.i18n``), the service's Python code
imports :func:`gettext`, :func:`ngettext` and :func:`lazy_gettext` from this module, and
text made by the domain (:class:`graph_models.messages.Message`: a code with parameters)
or by marshmallow's validators becomes the reader's language in :func:`translate`.

Locales: :data:`SUPPORTED_LOCALES` lists what the service offers (``LANGUAGES`` in the
config overrides it, e.g. for a test's pseudo-locale). The locale is the session's
choice (``session["lang"]``: the Cymraeg / English switch on every page, or a share
link's ``lang``) if supported, else the best match for the browser's
``Accept-Language``, else the first supported one; the API reads ``Accept-Language``
only. Welsh (``cy``) has its catalogue in
``service/translations/cy/LC_MESSAGES/messages.po`` (see ``scripts/i18n``), with
CLDR's six plural forms. English needs no catalogue: gettext falls back to the msgid.

Catalogues are compiled when the app starts (:func:`compile_catalogues`), from the
``.po`` files in ``TRANSLATIONS_FOLDER`` into a cache folder keyed by their content, so
a compiled ``.mo`` is never stale and never committed, needs no build step (editable
installs, the Docker image and the tests alike) and the package folder may be read-only.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
from datetime import date, datetime
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    format_percent,
    get_locale,
    get_translations,
    gettext,
    lazy_gettext,
    ngettext,
    refresh,
)
from jinja2 import pass_context

from graph_models import vocabulary
from graph_models.messages import KIND_NAMES, MARSHMALLOW_MESSAGES, METRIC_NAMES, Message

__all__ = [
    "SUPPORTED_LOCALES",
    "_",
    "drawing_language",
    "format_date",
    "format_decimal",
    "format_number",
    "language_choices",
    "gettext",
    "init_app",
    "kind_label",
    "label",
    "lazy_gettext",
    "metric_label",
    "ngettext",
    "org_kind_label",
    "page_language",
    "select_locale",
    "silo_label",
    "translate",
    "translate_errors",
    "use_language",
]

_ = gettext

#: The languages the service is offered in, the default first: English and Welsh
#: (Cymraeg; the Welsh Language Standards ask that Welsh be offered as fully as English).
SUPPORTED_LOCALES = ["en", "cy"]
#: Where the ``<locale>/LC_MESSAGES/messages.po`` catalogues (and ``messages.pot``) live.
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def supported_locales() -> list[str]:
    return list(current_app.config.get("LANGUAGES") or SUPPORTED_LOCALES)


def select_locale() -> str:
    """The request's locale: the session's choice, else the browser's, among the supported.

    The API (``/api/``) has no sessions: its replies (error messages) follow the
    request's ``Accept-Language`` only, so a program gets the language it asks for."""
    supported = supported_locales()
    if has_request_context():
        chosen = g.get("bridgemap_lang")  # this request's own choice (use_language)
        if chosen not in supported:
            chosen = None if request.path.startswith("/api/") else session.get("lang")
        if chosen in supported:
            return chosen
        best = browser_language(request.accept_languages, supported)
        if best:
            return best
    return supported[0]


def browser_language(accepted, supported: list[str]) -> str | None:
    """The first of the browser's languages, in its order of preference, that we offer,
    a regional tag counting as its language (``cy-GB`` is ``cy``).

    Not Werkzeug's ``best_match``, which prefers any exact match to a regional one, so
    that ``cy-GB, en;q=0.5`` (a Welsh browser) would get English."""
    by_tag = {code.lower().replace("_", "-"): code for code in supported}
    for tag, quality in accepted:
        if quality <= 0:
            continue
        tag = tag.lower().replace("_", "-")
        found = by_tag.get(tag) or by_tag.get(tag.split("-")[0])
        if found:
            return found
    return None


def use_language(code: str) -> None:
    """Serve the rest of this request in ``code`` (a supported locale), whatever the
    session or the browser says: a page asked for in a language (``?lang=cy``)."""
    g.bridgemap_lang = code
    refresh()  # anything translated so far was in the language chosen before


def page_language() -> str:
    """The request's locale as an HTML ``lang`` value (BCP 47: ``en``, ``cy``, ``en-GB``)."""
    return str(get_locale() or supported_locales()[0]).replace("_", "-")


def supported_language(value) -> str | None:
    """``value`` if it names a supported locale (``cy``, ``en``), else None: what a form
    or a share link's ``lang`` may set."""
    return value if isinstance(value, str) and value in supported_locales() else None


def language_choices() -> list[dict]:
    """The language switch's choices: each supported locale named in itself
    ("Cymraeg", "English", from Babel's CLDR data, never translated), its ``lang``
    value, and whether it is the page's language. Empty when only one is offered."""
    supported = supported_locales()
    if len(supported) < 2:
        return []
    here = str(get_locale() or supported[0])
    choices = []
    for code in supported:
        try:
            name = Locale.parse(code).get_display_name(code) or code
        except (ValueError, LookupError):
            name = code
        choices.append(
            {"code": code, "lang": code.replace("_", "-"), "name": name, "current": code == here}
        )
    return choices


def init_app(app: Flask) -> None:
    """Install Flask-Babel (Jinja's ``_``/``ngettext``, the locale selector) and the
    ``translate`` filter for domain messages shown in templates."""
    folder = Path(app.config.get("TRANSLATIONS_FOLDER") or TRANSLATIONS)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compile_catalogues(folder))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["translate"] = translate
    app.jinja_env.filters["label"] = _label_filter
    app.jinja_env.globals["current_locale"] = page_language
    app.jinja_env.globals["language_choices"] = language_choices
    app.jinja_env.filters["decimal"] = _decimal
    app.jinja_env.filters["percent"] = _percent
    app.jinja_env.filters["isodate"] = _iso_date
    app.jinja_env.filters["isodatetime"] = _iso_datetime
    app.jinja_env.filters["kind_label"] = _kind_label_filter
    app.jinja_env.filters["silo_label"] = _silo_label_filter
    app.jinja_env.filters["group_label"] = _group_label_filter
    app.jinja_env.filters["org_kind_label"] = org_kind_label
    app.jinja_env.add_extension("jinja2.ext.do")  # building lists of translated phrases
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks: spacing folded


def compile_catalogues(folder: Path) -> Path:
    """Compile every ``<locale>/LC_MESSAGES/*.po`` under ``folder`` to ``.mo`` files in a
    cache folder named by the catalogues' content hash; return that folder."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    sources = sorted(Path(folder).glob("*/LC_MESSAGES/*.po"))
    digest = hashlib.sha256()
    for po in sources:
        digest.update(str(po.relative_to(folder)).encode() + b"\0" + po.read_bytes())
    out = Path(tempfile.gettempdir()) / "bridgemap-translations" / digest.hexdigest()[:16]
    for po in sources:
        mo = out / po.relative_to(folder).with_suffix(".mo")
        if mo.is_file():
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        partial = mo.with_suffix(f".{secrets.token_hex(4)}.tmp")
        with partial.open("wb") as handle:
            write_mo(handle, catalog)
        partial.replace(mo)  # atomic: several workers may compile at once
    return out


def _decimal(value, digits: int = 2) -> str:
    """A measure with ``digits`` decimals in the reader's locale (``0.25``; ``1,234.5``);
    ``None`` as a dash."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")


def _percent(share) -> str:
    """A share (``0.25``) as a whole percentage in the reader's locale; ``None``: a dash."""
    return "–" if share is None else format_percent(share, format="#,##0%")


def _iso_date(value, pattern: str = "d MMM y") -> str:
    """A stored ISO-8601 date or timestamp (``2026-03-01T10:00:00+00:00``) as a date in
    the reader's language ("1 Mar 2026", "1 Maw 2026"); empty or unreadable: as given."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(str(value)[:10]), pattern)
    except ValueError:
        return str(value)


def _iso_datetime(value, pattern: str = "d MMM y, HH:mm:ss") -> str:
    """A stored ISO-8601 timestamp as date and time in the reader's language (the
    service's time zone, UTC)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return format_datetime(moment, pattern)


def drawing_language() -> dict:
    """The keyword arguments that make a graph page (:mod:`visualisations.render`) draw
    in the request's language: its catalogue and its ``lang``."""
    return {"translations": get_translations(), "language": page_language()}


def metric_label(metric: str) -> str:
    """A node measure as named on pages (``weighted_degree`` -> "weighted degree")."""
    english = METRIC_NAMES.get(metric)
    return gettext(english) if english else str(metric).replace("_", " ")


def _builtin_kind(kind: str) -> str:
    english = KIND_NAMES.get(kind)
    return gettext(english) if english else str(kind).replace("_", " ")


def kind_label(kind: str, m=None) -> str:
    """A kind of tie as a reader says it (``works_with`` -> "works with"): a built-in
    kind through the catalogue, one of map ``m``'s own kinds by its stored label in the
    page's language (:func:`graph_models.vocabulary.label`)."""
    return vocabulary.label(m, vocabulary.KIND, kind, page_language(), builtin=_builtin_kind)


def silo_label(silo: str, m=None) -> str:
    """A silo as a reader sees it: its Welsh label on a Welsh page, if the map has one."""
    return vocabulary.label(m, vocabulary.SILO, silo, page_language(), builtin=str)


@pass_context
def _kind_label_filter(context, kind: str) -> str:
    """``{{ t.kind|kind_label }}``: the page's map (``current_map``) names its own kinds."""
    return kind_label(kind, context.get("current_map"))


@pass_context
def _silo_label_filter(context, silo: str, vocabulary=None) -> str:
    """``{{ s|silo_label }}``: a silo of the page's map (``current_map``) as the reader
    sees it; ``{{ s|silo_label(m) }}`` of another map (or its labels, as a respondent's
    page carries them)."""
    return silo_label(silo, vocabulary if vocabulary is not None else context.get("current_map"))


@pass_context
def _group_label_filter(context, group: str) -> str:
    """``{{ name|group_label }}``: a group of the page's grouping as a reader sees it (a
    silo's Welsh label on a Welsh page when the page groups by silo; any other grouping's
    names, an organisation's or an area's, are data and shown as they are)."""
    if isinstance(group, Message):  # e.g. "(not shown)": already a translated word
        return label(group)
    if context.get("group_by", "silo") != "silo":
        return group
    return silo_label(group, context.get("current_map"))


#: The kinds of organisation (:class:`graph_models.model.OrganisationKind`).
ORG_KIND_NAMES = {
    "statutory": lazy_gettext("statutory"),
    "third sector": lazy_gettext("third sector"),
    "community group": lazy_gettext("community group"),
    "business": lazy_gettext("business"),
    "other": lazy_gettext("other"),
}


def org_kind_label(kind) -> str:
    name = ORG_KIND_NAMES.get(str(kind))
    return str(name) if name is not None else str(kind)


# -- domain and marshmallow messages -----------------------------------------------------


def _pattern(template: str) -> re.Pattern:
    """A marshmallow message template (``{min}`` placeholders) as a regular expression."""
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$", re.S)


_MARSHMALLOW = [(_pattern(english), gettext_id) for english, gettext_id in MARSHMALLOW_MESSAGES]


def translate(text):
    """A domain :class:`Message` or a known marshmallow message in the reader's language;
    any other value unchanged (user data, or text already translated)."""
    if isinstance(text, Message):
        return text.render(get_translations(), format_number)
    if isinstance(text, str) and text:
        for pattern, msgid in _MARSHMALLOW:
            found = pattern.match(text)
            if found:
                return gettext(msgid, **found.groupdict()) if found.groupdict() else gettext(msgid)
    return text


def label(value, m=None):
    """A name as shown: a domain :class:`Message` (e.g. "a person in housing" for an
    anonymised person) in the reader's language, its silo by the map ``m``'s label for
    that language; anything else is user data, unchanged (never matched against known
    messages, so a name is never "translated")."""
    if not isinstance(value, Message):
        return value
    if m is not None:  # (the CLI renders names with no request and no map)
        value = vocabulary.with_silo_labels(value, m, page_language())
    return value.render(get_translations(), format_number)


@pass_context
def _label_filter(context, value):
    """``{{ name|label }}``: :func:`label` with the page's map (``current_map``)."""
    return label(value, context.get("current_map"))


def translate_errors(errors):
    """Every message in a nested error structure (dicts, lists) translated; keys kept."""
    if isinstance(errors, dict):
        return {k: translate_errors(v) for k, v in errors.items()}
    if isinstance(errors, list | tuple):
        return [translate_errors(v) for v in errors]
    return translate(errors)
