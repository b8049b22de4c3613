"""Spreadsheet columns: names, forgiving header matching, and cell values.

Each entity type has a fixed set of columns (the fields of its schema in
:mod:`graph_models.schemas`). A header cell matches a column when, after folding case
and turning every run of non-alphanumeric characters into one space, it equals the
column's name or one of its aliases ("Sector" for ``silo``, "Start date" for
``since``...), or one of its Welsh headings ("Enw", "Seilo", "Rôl", "Cryfder":
:data:`WELSH`; accents folded as in names, so "Rol" matches too). A header that
matches nothing is ignored and listed in the import report, unless it is a near miss
of a known column ("Visiblity"): that is an error, because silently ignoring a
misspelt consent column would show people who asked to be anonymised.

Cells are converted to what the schemas expect (numbers to text for text columns,
whole numbers for ``strength``, dates to ISO strings, ``;``-separated tags to lists);
the schemas then apply the one set of validation rules. Nothing here validates.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime

from graph_models import model
from graph_models.messages import TEMPLATES, Message
from graph_models.model import EntityType
from graph_models.text import fold

PLURAL = model.PLURALS
BY_PLURAL = model.ENTITY_TYPE_OF

#: Separator of several tags in one cell (``north; carer``).
TAG_SEPARATOR = ";"

#: A cell starting with one of these may be run as a formula by a spreadsheet
#: (OWASP "CSV injection"): exports prefix such cells with a single quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

TEXT, INTEGER, DATE, TAGS, CHOICE = "text", "integer", "date", "tags", "choice"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool
    aliases: tuple[str, ...]
    meaning: str
    #: for choice columns: the accepted values
    choices: tuple[str, ...] = ()


def _choices(enum_or_seq) -> tuple[str, ...]:
    return tuple(getattr(v, "value", v) for v in enum_or_seq)


_ID = Column(
    "id",
    TEXT,
    False,
    ("ref", "reference", "identifier", "key"),
    f"stable id ({model.ID_RULE}); left empty, one is derived from the name",
)
_SILO = Column("silo", TEXT, True, ("sector",), "one of the map's silos (sectors)")
_AREA = Column("area", TEXT, False, ("locality", "location", "place"), "where they work")
_TAGS = Column("tags", TAGS, False, ("tag", "keywords"), "several tags: a; b; c")

COLUMNS: dict[EntityType, tuple[Column, ...]] = {
    EntityType.PERSON: (
        _ID,
        Column("name", TEXT, True, ("full name", "person", "person name"), "their name"),
        _SILO,
        Column("role", TEXT, False, ("job title", "job", "title", "position"), "their role"),
        _AREA,
        _TAGS,
        Column(
            "contact",
            TEXT,
            False,
            ("contact details", "email", "e mail", "phone", "telephone"),
            "how to reach them",
        ),
        Column(
            "visibility",
            CHOICE,
            False,
            ("consent", "shown as", "show as"),
            "consent: named (default), anonymised or hidden",
            _choices(model.Visibility),
        ),
    ),
    EntityType.ORGANISATION: (
        _ID,
        Column(
            "name",
            TEXT,
            True,
            ("organisation", "organisation name", "organization", "organization name"),
            "its name",
        ),
        _SILO,
        Column(
            "kind",
            CHOICE,
            False,
            ("type", "organisation type", "organisation kind", "organization type", "org type"),
            "statutory, third sector, community group, business or other (default)",
            _choices(model.OrganisationKind),
        ),
        _AREA,
        _TAGS,
    ),
    EntityType.RELATIONSHIP: (
        Column("id", TEXT, False, _ID.aliases, "stable id; left empty, one is derived"),
        Column(
            "source",
            TEXT,
            True,
            ("from", "source id", "from id", "source name", "from name"),
            "id or unique name of the person or organisation the tie starts at",
        ),
        Column(
            "target",
            TEXT,
            True,
            ("to", "target id", "to id", "target name", "to name"),
            "id or unique name of the person or organisation the tie ends at",
        ),
        Column(
            "kind",
            CHOICE,
            True,
            ("type", "relationship", "relationship kind", "relationship type", "relation", "tie"),
            "the kind of tie (a built-in kind, or one of the map's own kinds)",
            tuple(model.RELATIONSHIP_KINDS),
        ),
        Column("strength", INTEGER, False, ("weight", "tie strength"), "1 (slight) to 5 (strong)"),
        Column(
            "since",
            DATE,
            False,
            ("from date", "start", "start date", "started", "date from"),
            "YYYY-MM-DD (or DD/MM/YYYY)",
        ),
        Column(
            "until",
            DATE,
            False,
            ("to date", "end", "end date", "ended", "date to"),
            "YYYY-MM-DD (or DD/MM/YYYY)",
        ),
        Column("notes", TEXT, False, ("note", "comments", "comment"), "free text"),
        Column("evidence", TEXT, False, ("source of evidence", "how known"), "how we know"),
        Column(
            "origin",
            CHOICE,
            False,
            ("provenance", "tie origin"),
            "where the tie came from: coordinator, import or survey",
            tuple(o.value for o in model.Origin),
        ),
        Column(
            "reported_by",
            TAGS,
            False,
            ("reported by",),
            "ids of the tie's ends who named it in a survey: a; b",
        ),
    ),
}

#: Welsh headings (Cymraeg) per entity type and column: the first is the heading of the
#: Welsh template, every one is accepted on import as the English aliases are.
#: Chosen from the project's glossary; awaiting review by a Welsh speaker.
WELSH: dict[EntityType, dict[str, tuple[str, ...]]] = {
    EntityType.PERSON: {
        "id": ("Cyfeirnod", "Dynodwr"),
        "name": ("Enw", "Enw llawn"),
        "silo": ("Seilo", "Sector"),
        "role": ("Rôl", "Swydd", "Teitl swydd"),
        "area": ("Ardal", "Lleoliad"),
        "tags": ("Tagiau",),
        "contact": ("Cyswllt", "Manylion cyswllt", "E-bost", "Ffôn"),
        "visibility": ("Gwelededd", "Cydsyniad"),
    },
    EntityType.ORGANISATION: {
        "id": ("Cyfeirnod", "Dynodwr"),
        "name": ("Enw", "Sefydliad", "Enw'r sefydliad"),
        "silo": ("Seilo", "Sector"),
        "kind": ("Math", "Math o sefydliad"),
        "area": ("Ardal", "Lleoliad"),
        "tags": ("Tagiau",),
    },
    EntityType.RELATIONSHIP: {
        "id": ("Cyfeirnod", "Dynodwr"),
        "source": ("Ffynhonnell", "O"),
        "target": ("Targed", "At"),
        "kind": ("Math", "Math o gysylltiad", "Math o berthynas", "Perthynas"),
        "strength": ("Cryfder",),
        "since": ("Ers", "Dyddiad dechrau"),
        "until": ("Tan", "Dyddiad gorffen"),
        "notes": ("Nodiadau", "Nodyn"),
        "evidence": ("Tystiolaeth",),
        "origin": ("Tarddiad",),
        "reported_by": ("Adroddwyd gan",),
    },
}


def heading(etype: EntityType, column: str, language: str = "en") -> str:
    """A column's heading in a template: its name, or its Welsh heading (``cy``)."""
    if language == "cy":
        return WELSH[etype][column][0]
    return column


#: Sheet (or file) names that name an entity type, normalised.
SHEET_NAMES = {
    EntityType.PERSON: {"people", "person", "persons", "individuals", "pobl", "unigolion"},
    EntityType.ORGANISATION: {
        "organisations",
        "organisation",
        "organizations",
        "organization",
        "orgs",
        "org",
        "sefydliadau",
        "sefydliad",
    },
    EntityType.RELATIONSHIP: {
        "relationships",
        "relationship",
        "ties",
        "tie",
        "links",
        "connections",
        "edges",
        "perthnasoedd",
        "cysylltiadau",
    },
}

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(header) -> str:
    """``" Start_Date "`` -> ``"start date"``, ``"Rôl"`` -> ``"rol"``: case, accents
    (:func:`graph_models.text.fold`), spacing and punctuation forgiven."""
    return _NON_ALNUM.sub(" ", fold(str(header))).strip()


def _lookup(etype: EntityType) -> dict[str, str]:
    table = {}
    for col in COLUMNS[etype]:
        for alias in (col.name, *col.aliases, *WELSH[etype].get(col.name, ())):
            key = normalise(alias)
            assert table.get(key, col.name) == col.name, f"{alias!r} names two columns"
            table[key] = col.name
    return table


LOOKUP = {etype: _lookup(etype) for etype in COLUMNS}
COLUMN_BY_NAME = {etype: {c.name: c for c in cols} for etype, cols in COLUMNS.items()}


def entity_of_sheet(title: str) -> EntityType | None:
    """The entity type a sheet or file name stands for (``"People"``, ``"ties.csv"``)."""
    key = normalise(re.sub(r"\.(csv|tsv|txt)$", "", str(title), flags=re.IGNORECASE))
    for etype, names in SHEET_NAMES.items():
        if key in names:
            return etype
    return None


def recognised(headers: list, etype: EntityType) -> int:
    table = LOOKUP[etype]
    return sum(1 for h in headers if h is not None and normalise(h) in table)


def guess_entity(headers: list) -> EntityType | None:
    """The entity type a header row describes, or None when it cannot tell.

    ``source`` and ``target`` mean relationships; ``role``, ``contact`` or
    ``visibility`` mean people; ``kind`` (or ``type``) with no endpoints means
    organisations. A header of only ``id, name, silo`` fits both kinds of node.
    """
    fields_of = {
        etype: {LOOKUP[etype].get(normalise(h)) for h in headers if h is not None}
        for etype in COLUMNS
    }
    if {"source", "target"} <= fields_of[EntityType.RELATIONSHIP]:
        return EntityType.RELATIONSHIP
    if fields_of[EntityType.PERSON] & {"role", "contact", "visibility"}:
        return EntityType.PERSON
    if "kind" in fields_of[EntityType.ORGANISATION]:
        return EntityType.ORGANISATION
    return None


@dataclass
class HeaderMap:
    """Which column index holds which field, and what the header said."""

    etype: EntityType
    #: field name -> (index, header text as written)
    fields: dict[str, tuple[int, str]]
    ignored: list[str]
    #: header text -> messages (near misses, duplicates, missing required columns)
    errors: dict[str, list[str]]


def match_header(headers: list, etype: EntityType) -> HeaderMap:
    """Map a header row onto ``etype``'s columns (see the module docstring)."""
    table = LOOKUP[etype]
    found: dict[str, tuple[int, str]] = {}
    ignored: list[str] = []
    errors: dict[str, list[str]] = {}
    known = sorted(table)
    for i, raw in enumerate(headers):
        if raw is None or str(raw).strip() == "":
            continue
        label = str(raw).strip()
        field = table.get(normalise(label))
        if field is None:
            close = difflib.get_close_matches(normalise(label), known, n=1, cutoff=0.85)
            if close:
                errors.setdefault(label, []).append(
                    Message("import.column_did_you_mean", column=repr(table[close[0]]))
                )
            else:
                ignored.append(label)
        elif field in found:
            errors.setdefault(label, []).append(
                Message("import.column_twice", other=repr(found[field][1]), field=repr(field))
            )
        else:
            found[field] = (i, label)
    for col in COLUMNS[etype]:
        if col.required and col.name not in found:
            errors.setdefault(col.name, []).append(
                Message(
                    "import.column_missing", column=repr(col.name), meaning=_meaning(etype, col)
                )
            )
    return HeaderMap(etype, found, ignored, errors)


def _meaning(etype: EntityType, col: Column) -> Message | str:
    """What a required column holds, as a message the reader's language can show."""
    code = f"import.meaning.{etype.value}.{col.name}"
    return Message(code) if code in TEMPLATES else col.meaning


# -- cell values ---------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_ISO_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


#: After a guarding ``'``, these characters show the ``'`` was added by :func:`escape`.
_GUARDED = "'" + "".join(FORMULA_STARTS)


def unescape(text: str) -> str:
    """Undo the export's formula guard: ``'=SUM(A1)`` read back is ``=SUM(A1)`` (as text),
    and ``''=x`` (a value that really began ``'=``) is ``'=x``.

    >>> [unescape(t) for t in ("'=SUM(A1)", "''=x", "'abc", "plain")]
    ['=SUM(A1)', "'=x", "'abc", 'plain']
    """
    if len(text) > 1 and text[0] == "'" and text[1] in _GUARDED:
        return text[1:]
    return text


def escape(value):
    """Guard a cell against being run as a formula by a spreadsheet (see FORMULA_STARTS);
    a value that itself starts with ``'`` and a guarded character is guarded too, so
    :func:`unescape` gives it back unchanged.

    >>> [escape(v) for v in ("=SUM(A1)", "'=x", "'abc", 3)]
    ["'=SUM(A1)", "''=x", "'abc", 3]
    """
    if isinstance(value, str) and (
        value.startswith(FORMULA_STARTS)
        or (len(value) > 1 and value[0] == "'" and value[1] in _GUARDED)
    ):
        return "'" + value
    return value


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return unescape(str(value).strip())


def _integer(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            return text  # the schema reports "Not a valid integer."
        return int(number) if number.is_integer() else text


def _date(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    m = _DMY.match(text)
    if m:  # day first: the convention of the UK spreadsheets this reads
        day, month, year = (int(g) for g in m.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return text
    m = _ISO_DATETIME.match(text)
    if m:
        return m.group(1)
    return text


def _tags(value) -> list[str]:
    return [t.strip() for t in _text(value).split(TAG_SEPARATOR) if t.strip()]


_REL_KIND_CHOICES = tuple(model.RELATIONSHIP_KINDS)

#: Welsh cell values (folded, as :func:`graph_models.text.fold` folds them) for the
#: choice columns: the words the Welsh pages show for consent and organisation kinds
#: (the catalogue's), so a sheet filled in Welsh imports as it reads.
WELSH_VALUES: dict[str, str] = {
    fold(welsh): value
    for welsh, value in {
        "wedi'i enwi": "named",
        "wedi ei enwi": "named",
        "enwi": "named",
        "dienw": "anonymised",
        "cudd": "hidden",
        "statudol": "statutory",
        "trydydd sector": "third sector",
        "grŵp cymunedol": "community group",
        "busnes": "business",
        "arall": "other",
    }.items()
}
#: Welsh names of the built-in relationship kinds (the catalogue's, with or without
#: their leading "yn").
WELSH_KINDS: dict[str, str] = {
    fold(welsh): kind
    for kind, phrase in {
        "knows": "yn adnabod",
        "works_with": "yn gweithio gyda",
        "mentors": "yn mentora",
        "member_of": "yn aelod o",
        "works_for": "yn gweithio i",
        "volunteers_at": "yn gwirfoddoli yn",
        "leads": "yn arwain",
        "partners_with": "mewn partneriaeth â",
        "funds": "yn ariannu",
        "commissions": "yn comisiynu",
        "refers_to": "yn atgyfeirio at",
    }.items()
    for welsh in (phrase, phrase.removeprefix("yn "))
}


@functools.lru_cache(maxsize=4096)
def _choice_text(text: str, relationship_kind: bool) -> str:
    text = " ".join(text.split()).casefold().replace("\u2019", "'")  # wedi’i: typed ’
    if relationship_kind:
        return WELSH_KINDS.get(fold(text)) or text.replace(" ", "_").replace("-", "_")
    if text == "anonymized":
        return "anonymised"
    return WELSH_VALUES.get(fold(text), text)


def _choice(value, column: Column):
    return _choice_text(_text(value), column.choices == _REL_KIND_CHOICES)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


_date_text = functools.lru_cache(maxsize=65536)(_date)
_integer_text = functools.lru_cache(maxsize=1024)(_integer)


def convert(value, column: Column):
    """A cell value as the schema expects it; ``None`` for an empty cell.

    Text (every CSV cell) takes a fast path: this runs once per cell of big files.
    """
    if value is None:
        return None
    kind = column.kind
    if value.__class__ is str:
        text = value.strip()
        if not text:
            return None
        if kind == TEXT:
            return unescape(text) if text[0] == "'" else text
        if kind == INTEGER:
            return _integer_text(text)
        if kind == DATE:
            return _date_text(text)
        if kind == TAGS:
            return _tags(text)
        return _choice_text(text, column.choices == _REL_KIND_CHOICES)
    if kind == TEXT:
        return _text(value)
    if kind == INTEGER:
        return _integer(value)
    if kind == DATE:
        return _date(value)
    if kind == TAGS:
        return _tags(value)
    return _choice(value, column)


def cell_for_export(value):
    """A model value as a spreadsheet cell: tags joined, formulas guarded."""
    if isinstance(value, list):
        value = f"{TAG_SEPARATOR} ".join(value)
    if value is None:
        return ""
    return escape(value)
