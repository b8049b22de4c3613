"""Sentences the domain writes for people, as codes with parameters (no Flask here).

The domain never decides the reader's language. Where it produces text a person reads
(an import's row errors, a file it cannot read, a report's reasons), it makes a
:class:`Message`: a ``code`` from :data:`TEMPLATES`, and ``params``. A Message *is* its
English text (a ``str`` subclass), so logs, the CLI, JSON and tests that compare
English keep working unchanged; the service turns it into the reader's language with
:meth:`Message.render` and its gettext catalogue (``service.i18n.translate``).

The English templates are marked with :func:`N_` / :func:`NP_` so that ``pybabel
extract`` (``babel.cfg``) puts them in the catalogue; a translator translates the
template, placeholders (``%(name)s``) included, and may reorder them. Plural templates
take their count as the ``num`` parameter (an int) and show it as ``%(num)s``.

>>> m = Message("import.file_empty")
>>> m, m.code
('the file is empty', 'import.file_empty')
>>> Message("import.rows_with_problems", num=1200)
'1,200 rows with problems; nothing was written'
>>> Message("import.rows_with_problems", num=1) == "1 row with problems; nothing was written"
True
"""

from __future__ import annotations

import gettext as _stdlib_gettext
from collections.abc import Callable
from dataclasses import dataclass


def N_(text: str) -> str:
    """Mark a template for extraction (``pybabel extract -k N_``); returns it unchanged."""
    return text


@dataclass(frozen=True)
class Plural:
    """A template with a singular and a plural form, chosen by the ``num`` parameter."""

    singular: str
    plural: str


def NP_(singular: str, plural: str) -> Plural:  # noqa: N802 - gettext's naming
    """Mark a plural template for extraction (``pybabel extract -k NP_:1,2``)."""
    return Plural(singular, plural)


#: code -> English template. Placeholders are ``%(name)s``; ``num`` is a plural's count.
TEMPLATES: dict[str, str | Plural] = {
    # reading a file (graph_models.io.readers)
    "import.file_empty": N_("the file is empty"),
    "import.xls_unsupported": N_(
        "old Excel .xls files cannot be read; save the workbook as .xlsx or CSV"
    ),
    "import.unknown_format": N_("unknown format %(format)s"),
    "import.one_of": N_("one of: %(choices)s"),
    "import.entity_tabular_only": N_("entity applies to CSV and XLSX files only"),
    "import.file_holds_whole_map": N_("a %(format)s file holds a whole map"),
    "import.not_xlsx_zip": N_("this is not an XLSX workbook (not a zip file)"),
    "import.encoding_unknown": N_("the file's text encoding is not UTF-8 or Windows-1252"),
    "import.encoding_detail": N_(
        "unknown text encoding: cannot decode byte %(position)s as UTF-8 or Windows-1252; "
        "save the file as CSV UTF-8"
    ),
    "import.no_rows": N_("the file has no rows"),
    "import.no_known_header": N_(
        "the first rows name no column Bridgemap knows "
        "(expected a header such as: %(expected)s; separated by commas)"
    ),
    "import.csv_unreadable": N_("%(sheet)s: the file cannot be read as CSV (%(detail)s)"),
    "import.entity_unknown_rows": N_(
        "cannot tell whether these rows are people or organisations: add a role, "
        "contact or visibility column (people) or kind (organisations), name the "
        "file or sheet people/organisations, or give entity="
    ),
    "import.csv_unreadable_from_here": N_("the file cannot be read as CSV from here: %(detail)s"),
    "import.binary_not_csv": N_("this does not look like a CSV text file (it holds binary data)"),
    "import.bad_zip": N_("the file is not a valid zip archive (XLSX files are zips)"),
    "import.zip_too_big": N_(
        "the file unpacks to more than %(mib)s MiB, more than %(rows)s rows need; "
        "split it into smaller files"
    ),
    "import.zip_no_csv": N_("the zip archive holds no .csv files"),
    "import.zip_not_xlsx": N_("the zip file is not an XLSX workbook"),
    "import.workbook_unreadable": N_("the workbook cannot be read: %(detail)s"),
    "import.sheet_unreadable": N_("sheet %(sheet)s cannot be read: %(detail)s"),
    "import.cell_formula": N_(
        "%(cell)s holds a formula (%(formula)s); Bridgemap does not run formulas: "
        "paste it as a value"
    ),
    "import.cell_error": N_("%(cell)s holds a spreadsheet error (%(value)s)"),
    "import.cell": N_("cell %(cell)s"),
    "import.json_not_object": N_(
        'a JSON import is an object: {"map": ..., "people": [...], '
        '"organisations": [...], "relationships": [...]}'
    ),
    "import.xml_dtd": N_("the XML declares a DTD or entities, which are refused for safety"),
    "import.refused": N_("refused: %(reason)s"),
    "import.graphml_no_graph": N_("the GraphML file holds no <graph>"),
    "import.gexf_no_graph": N_("the GEXF file holds no <graph>"),
    "import.node_type_needed": N_("each node needs a type attribute: person or organisation"),
    # the columns of a sheet (graph_models.io.columns)
    "import.column_did_you_mean": N_(
        "unknown column; did you mean %(column)s? (rename it, or remove the column)"
    ),
    "import.column_twice": N_("this column and %(other)s both mean %(field)s; keep one"),
    "import.column_missing": N_("missing column %(column)s (%(meaning)s); every row needs one"),
    # what a required column holds, inside "missing column …" (graph_models.io.columns)
    "import.meaning.person.name": N_("their name"),
    "import.meaning.organisation.name": N_("its name"),
    "import.meaning.person.silo": N_("one of the map's silos (sectors)"),
    "import.meaning.organisation.silo": N_("one of the map's silos (sectors)"),
    "import.meaning.relationship.source": N_(
        "id or unique name of the person or organisation the tie starts at"
    ),
    "import.meaning.relationship.target": N_(
        "id or unique name of the person or organisation the tie ends at"
    ),
    "import.json_invalid": N_("the file is not valid JSON: %(detail)s"),
    "import.unknown_section": N_("unknown section"),
    "import.not_an_object": N_("not an object"),
    "import.must_be_list": N_("must be a list"),
    "import.xml_malformed": N_("the XML is malformed: %(detail)s"),
    "import.graph_unreadable": N_("the %(format)s file cannot be read: %(detail)s"),
    # checking rows against each other and the map (graph_models.io.importer)
    "import.rows_with_problems": NP_(
        "%(num)s row with problems; nothing was written",
        "%(num)s rows with problems; nothing was written",
    ),
    "import.cannot_import": N_("the file cannot be imported; nothing was written"),
    "import.rows_with_problems_listed": NP_(
        "%(num)s row with problems; nothing was written (the first %(listed)s are listed)",
        "%(num)s rows with problems; nothing was written (the first %(listed)s are listed)",
    ),
    "import.unknown_entity": N_("unknown entity %(entity)s"),
    "import.entity_choices": N_("one of: people, organisations, relationships"),
    "import.people_share_name": NP_(
        "%(num)s people have this name (%(ids)s); add an id",
        "%(num)s people have this name (%(ids)s); add an id",
    ),
    "import.organisations_share_name": NP_(
        "%(num)s organisations have this name (%(ids)s); add an id",
        "%(num)s organisations have this name (%(ids)s); add an id",
    ),
    "import.id_repeated": N_("id %(id)s is also on %(where)s; ids must be unique"),
    "import.person_name_repeated": N_(
        "the same name is also on %(where)s (rows without an id are matched by name): "
        "give each row an id if they are different persons"
    ),
    "import.organisation_name_repeated": N_(
        "the same name is also on %(where)s (rows without an id are matched by name): "
        "give each row an id if they are different organisations"
    ),
    "import.already_a_person": N_("%(id)s is already a person in this map"),
    "import.already_an_organisation": N_("%(id)s is already an organisation in this map"),
    "import.name_ambiguous": NP_(
        "%(num)s people or organisations are named %(name)s (%(ids)s); use an id",
        "%(num)s people or organisations are named %(name)s (%(ids)s); use an id",
    ),
    "import.refers_to_bad_row": N_("refers to %(where)s, which has problems"),
    "import.no_such_node": N_("No person or organisation has this name or id."),
    "import.too_many_rows": N_("the file has more than %(rows)s rows; split it into smaller files"),
    "import.too_many_columns": N_("sheet %(sheet)s has more than %(columns)s columns"),
    "import.repeated_node_id": N_(
        "two nodes have the id %(id)s; each person and organisation needs its own id"
    ),
    "import.tie_repeated": N_("the same tie (source, kind, target) is also on %(where)s"),
    "import.where": N_("%(sheet)s row %(row)s"),
    "import.erased_id": N_(
        "%(id)s is a person who was erased from this map; an import cannot add them back "
        "(a coordinator may re-add them by hand)"
    ),
    # the mapping step (graph_models.io.mapping, graph_models.io.mapped)
    "mapping.nodes_or_ties": N_("a mapping needs a nodes part, a relationships part, or both"),
    "mapping.not_json": N_("the mapping is not a JSON object"),
    "mapping.json_detail": N_("not valid JSON: %(detail)s"),
    "mapping.invalid": N_("the mapping is not valid; nothing was read"),
    "mapping.target_twice": N_("%(target)s is already given by column %(other)s; map one"),
    "mapping.end_missing": N_("map a column to %(end)s: every tie needs two ends"),
    "mapping.direction_alone": N_("a direction column needs a type (kind) column too"),
    "mapping.kind_needed": N_("set a default kind, or map a column to kind"),
    "mapping.name_needed": N_("map a column to name (or id)"),
    "mapping.type_needed": N_("set a default type (all people?), or map a column to type"),
    "mapping.silo_needed": N_("set a default silo, or map a column to silo"),
    "mapping.no_such_sheet": N_("the file has no sheet %(sheet)s; it has: %(sheets)s"),
    "mapping.no_such_column": N_("sheet %(sheet)s has no column %(column)s; it has: %(columns)s"),
    "mapping.does_not_fit": N_("the mapping names columns this file does not have"),
    "mapping.values_unmapped": NP_(
        "%(num)s value of column %(column)s is not mapped: %(values)s",
        "%(num)s values of column %(column)s are not mapped: %(values)s",
    ),
    "mapping.values_left": N_("some values in the file are not mapped; map each of them"),
    "mapping.row_no_type": N_("no type: set a default type"),
    "mapping.row_no_silo": N_("no silo: set a default silo"),
    "mapping.row_no_kind": N_("no kind: set a default kind"),
    "mapping.weight_not_number": N_("the weight is not a number"),
    "mapping.own_json": N_("a Bridgemap JSON file needs no mapping: import it without one"),
    # errors summarised by cause (graph_models.io.error_summary)
    "errors.knock_on": NP_(
        "%(num)s tie refers to a row that failed: fixing those rows fixes it",
        "%(num)s ties refer to rows that failed: fixing those rows fixes these",
    ),
    "errors.cause": NP_(
        "%(num)s row: %(problem)s",
        "%(num)s rows: %(problem)s",
    ),
    "errors.in_column": N_("%(column)s: %(problem)s"),
    # building entities for a map (graph_models.io.rows)
    "rows.too_many_silos": N_("too many silos"),
    "rows.silo_limit": N_("a map has at most %(max)s silos; %(name)s is one more"),
    "rows.some_rows_invalid": N_("some rows are not valid; nothing was written"),
    # the schemas and the model's rules (graph_models.schemas, graph_models.model)
    "schema.body_not_object": N_("the body must be a JSON object"),
    "schema.where_not_object": N_("%(where)s must be a JSON object"),
    "schema.fields_invalid": N_("some fields are not valid"),
    "schema.where_fields_invalid": N_("%(where)s: some fields are not valid"),
    "schema.id_fixed": N_("the id cannot be changed"),
    "schema.read_only": N_("read-only"),
    # the kinds of record, as a word inside a sentence (graph_models.model.EntityType)
    "entity.person": N_("person"),
    "entity.organisation": N_("organisation"),
    "entity.relationship": N_("relationship"),
    # optimistic concurrency (graph_models.store.rules)
    "store.revision_changed": N_(
        "%(what)s %(id)s was changed by someone else since you read it (it is now at "
        "revision %(revision)s); read it again and make your change on the current version"
    ),
    "store.revision_expected": N_("expected revision %(expected)s"),
    "store.kind_in_use": NP_(
        "the kind %(kind)s is used by %(num)s tie: change or delete that tie first",
        "the kind %(kind)s is used by %(num)s ties: change or delete those ties first",
    ),
    "store.kind_ends_in_use": NP_(
        "the ends of the kind %(kind)s cannot change while %(num)s tie uses it",
        "the ends of the kind %(kind)s cannot change while %(num)s ties use it",
    ),
    "store.silo_in_use": NP_(
        "the silo %(silo)s holds %(num)s person or organisation: move them first, or "
        "rename the silo instead",
        "the silo %(silo)s holds %(num)s people and organisations: move them first, or "
        "rename the silo instead",
    ),
    "store.vocabulary_in_use": N_("the map's vocabulary is in use; nothing was changed"),
    "store.bad_silo_rename": N_(
        "a silo is renamed from a name the map has to a name in its new list of silos: "
        "%(old)s -> %(new)s does not fit"
    ),
    "store.no_subject": N_("no person or organisation %(id)s in this map for the link"),
    "store.no_subject_short": N_("not found"),
    "store.subject_hidden": N_("this person is hidden: a link to their web would show nothing"),
    "store.subject_hidden_short": N_("hidden"),
    # erasure tombstones (graph_models.store.rules)
    "store.erased": N_("this person was erased from the map; re-adding them is a separate act"),
    "store.erased_id": N_(
        "the person %(id)s was erased from this map; to add them again, create them with "
        "restore_erased=true"
    ),
    "store.erased_in_batch": N_(
        "these people were erased from this map and cannot be written back by an import or "
        "batch: %(ids)s; nothing was written"
    ),
    "store.if_match_not_revision": N_(
        'If-Match must name a revision as the ETag header gives it, e.g. "3"; nothing was written'
    ),
    "schema.not_a_silo": N_("%(silo)s is not a silo of this map"),
    "schema.silo_choices": N_("must be one of: %(choices)s"),
    "model.no_such_end": N_("no person or organisation with this id in the map"),
    "model.must_start_at_person": N_("a '%(kind)s' tie must start at a person"),
    "model.must_start_at_organisation": N_("a '%(kind)s' tie must start at an organisation"),
    "model.must_end_at_person": N_("a '%(kind)s' tie must end at a person"),
    "model.must_end_at_organisation": N_("a '%(kind)s' tie must end at an organisation"),
    "model.ends_do_not_fit": N_("the relationship's endpoints do not fit its kind"),
    "model.unknown_kind": N_("%(kind)s is neither a built-in kind nor one of this map's kinds"),
    "model.kind_choices": N_("kind must be one of: %(choices)s"),
    "projection.group_by": N_("group_by must be silo, organisation, area or tag:<key>"),
    "projection.unknown_grouping": N_("unknown grouping attribute %(group_by)s"),
    "reporting.from_after_to": N_("'from' must not be after 'to'"),
    "reporting.after_to": N_("after 'to'"),
    # how an anonymised person is shown (graph_models.visibility)
    "visibility.person_in": N_("a person in %(silo)s"),
    "visibility.person_in_unknown": N_("a person in an unknown sector"),
    # why a silo pair is weak (graph_models.analysis.silos, shown in reports)
    "analysis.paths_pending": NP_(
        "being computed: ready in about %(num)s second",
        "being computed: ready in about %(num)s seconds",
    ),
    "silos.reason.no_ties": N_("no ties"),
    "silos.reason.few_ties": N_("few ties"),
    "silos.reason.low_density": N_("low density"),
    # relationship surveys (graph_models.surveys, graph_models.store.survey_rules)
    "survey.status.draft": N_("a draft"),
    "survey.status.open": N_("open"),
    "survey.status.paused": N_("paused"),
    "survey.status.closed": N_("closed"),
    "survey.not_found": N_("no survey %(id)s in this map"),
    "survey.id_taken": N_("a survey with id %(id)s already exists in this map"),
    "survey.taken": N_("taken"),
    "survey.bad_transition": N_("a survey that is %(old)s cannot become %(new)s"),
    "survey.bad_transition_short": N_("the survey is %(old)s"),
    "survey.respondents_fixed": N_(
        "who is asked can change only before the survey opens; issue a new link instead"
    ),
    "survey.only_in_draft": N_("only while the survey is a draft"),
    "survey.no_links_now": N_(
        "links are issued only while a survey is open or paused (it is %(status)s)"
    ),
    "survey.no_respondent": N_("%(id)s is not asked in this survey"),
    "survey.not_open": N_(
        "the survey is %(status)s: answers cannot be saved now (nothing was lost)"
    ),
    "survey.not_open_short": N_("not open"),
    "survey.respondents_not_people": N_("only people of this map can be asked: %(ids)s"),
    "survey.not_a_person": N_("%(id)s is not a person of this map"),
    "survey.answers_invalid": N_("some answers need correcting; nothing was saved"),
    "survey.named_twice": N_("already named in row %(row)s with this kind of tie"),
    "survey.tie_to_self": N_("you cannot name yourself"),
    "survey.not_on_roster": N_("%(id)s is not on this survey's list of names"),
    "survey.module_off": N_("this survey does not ask this question"),
    "survey.kind_does_not_fit": N_("a '%(kind)s' tie does not fit these two"),
    "survey.answer_all": NP_("answer the %(num)s question", "answer all %(num)s questions"),
    "survey.not_submitted": N_("these responses are not waiting for review: %(ids)s"),
    "survey.not_submitted_short": N_("not submitted"),
    "survey.no_such_name": N_("no new name with this reference among the responses accepted"),
    "survey.no_such_person": N_("no person %(id)s in this map"),
    "survey.bad_decisions": N_(
        "some decisions about new names need correcting; nothing was written"
    ),
    "survey.ties_choice": N_("ties must be one of: %(choices)s"),
    "survey.low_rate": N_(
        "only %(answered)s of %(asked)s people in %(silo)s answered: that row of the map is "
        "mostly what others reported"
    ),
}

#: The kinds of tie (:data:`graph_models.model.RELATIONSHIP_KINDS`) in a reader's words.
KIND_NAMES: dict[str, str] = {
    "knows": N_("knows"),
    "works_with": N_("works with"),
    "mentors": N_("mentors"),
    "member_of": N_("is a member of"),
    "works_for": N_("works for"),
    "volunteers_at": N_("volunteers at"),
    "leads": N_("leads"),
    "partners_with": N_("partners with"),
    "funds": N_("funds"),
    "commissions": N_("commissions"),
    "refers_to": N_("refers to"),
}

#: The kinds of organisation (:class:`graph_models.model.OrganisationKind`).
ORG_KIND_NAMES: dict[str, str] = {
    "statutory": N_("statutory"),
    "third sector": N_("third sector"),
    "community group": N_("community group"),
    "business": N_("business"),
    "other": N_("other"),
}

#: The node measures of :data:`graph_models.analysis.report.NODE_METRICS`, as named on pages.
METRIC_NAMES: dict[str, str] = {
    "degree": N_("degree"),
    "weighted_degree": N_("weighted degree"),
    "betweenness": N_("betweenness"),
    "closeness": N_("closeness"),
    "pagerank": N_("pagerank"),
    "brokerage": N_("brokerage"),
}

#: Messages made as plain English text, with ``{name}`` placeholders, and their gettext
#: msgids: the service translates such a message by matching it here. These are
#: marshmallow's own validation messages, our schemas' validator messages (marshmallow
#: formats those itself) and, until the stores raise Message codes, the stores' errors.
MARSHMALLOW_MESSAGES: list[tuple[str, str]] = [
    # our schemas' validators (graph_models.schemas)
    ("an id is {rule}", N_("an id is %(rule)s")),
    ("a colour is #rrggbb", N_("a colour is #rrggbb")),
    ("kind must be one of: {choices}", N_("kind must be one of: %(choices)s")),
    ("silo names must be unique", N_("silo names must be unique")),
    (
        "a relationship cannot join a node to itself",
        N_("a relationship cannot join a node to itself"),
    ),
    ("until must not be before since", N_("until must not be before since")),
    (
        "not valid text (an unpaired surrogate)",
        N_("not valid text (an unpaired surrogate)"),
    ),
    # the stores (graph_models.store)
    ("no map {map}", N_("no map %(map)s")),
    (
        "no person or organisation {id} in map {map}",
        N_("no person or organisation %(id)s in map %(map)s"),
    ),
    ("no person {id} in map {map}", N_("no person %(id)s in map %(map)s")),
    ("no organisation {id} in map {map}", N_("no organisation %(id)s in map %(map)s")),
    ("no relationship {id} in map {map}", N_("no relationship %(id)s in map %(map)s")),
    ("no token {token} in map {map}", N_("no token %(token)s in map %(map)s")),
    ("no token {token}", N_("no token %(token)s")),
    ("a map with id {id} already exists", N_("a map with id %(id)s already exists")),
    (
        "an object with id {id} already exists in this map",
        N_("an object with id %(id)s already exists in this map"),
    ),
    ("an object with this id already exists", N_("an object with this id already exists")),
    ("a token with this id already exists", N_("a token with this id already exists")),
    ("taken", N_("taken")),
    ("the batch repeats ids", N_("the batch repeats ids")),
    (
        "id {id} appears more than once in the batch",
        N_("id %(id)s appears more than once in the batch"),
    ),
    ("the Neo4j database is busy; try again", N_("the Neo4j database is busy; try again")),
    (
        "the Neo4j database has no transaction memory left for this (nothing was written): "
        "try again shortly, or send it in smaller parts; an operator can raise "
        "db.memory.transaction.total.max",
        N_(
            "the Neo4j database has no transaction memory left for this (nothing was "
            "written): try again shortly, or send it in smaller parts; an operator can "
            "raise db.memory.transaction.total.max"
        ),
    ),
    # marshmallow's own
    ("Missing data for required field.", N_("This is required.")),
    ("Field may not be null.", N_("This is required.")),
    ("Shorter than minimum length 1.", N_("This is required.")),
    ("Unknown field.", N_("Unknown field.")),
    ("Invalid input type.", N_("Invalid input type.")),
    ("Not a valid string.", N_("Not a valid string.")),
    ("Not a valid integer.", N_("Not a valid integer.")),
    ("Not a valid number.", N_("Not a valid number.")),
    ("Not a valid boolean.", N_("Not a valid boolean.")),
    ("Not a valid date.", N_("Not a valid date.")),
    ("Not a valid datetime.", N_("Not a valid datetime.")),
    ("Not a valid list.", N_("Not a valid list.")),
    ("Not a valid mapping type.", N_("Not a valid mapping type.")),
    ("Not a valid email address.", N_("Not a valid email address.")),
    ("String does not match expected pattern.", N_("String does not match expected pattern.")),
    ("Invalid value.", N_("Invalid value.")),
    ("Must be one of: {choices}.", N_("Must be one of: %(choices)s.")),
    ("Must be one of: {choices}", N_("Must be one of: %(choices)s")),
    ("Length must be between {min} and {max}.", N_("Length must be between %(min)s and %(max)s.")),
    ("Shorter than minimum length {min}.", N_("Shorter than minimum length %(min)s.")),
    ("Longer than maximum length {max}.", N_("Longer than maximum length %(max)s.")),
    ("Length must be {equal}.", N_("Length must be %(equal)s.")),
    (
        "Must be greater than or equal to {min} and less than or equal to {max}.",
        N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    ),
    ("Must be greater than or equal to {min}.", N_("Must be greater than or equal to %(min)s.")),
    ("Must be less than or equal to {max}.", N_("Must be less than or equal to %(max)s.")),
]


class Message(str):
    """A sentence for a person: its English text, with the ``code`` and ``params`` it was
    made from, so the service can show it in the reader's language."""

    code: str
    params: dict

    def __new__(cls, code: str, **params) -> Message:
        text = _render(TEMPLATES[code], params, _stdlib_gettext.NullTranslations(), _english)
        self = super().__new__(cls, text)
        self.code = code
        # ints stay ints (a plural's count), Messages stay Messages; the rest becomes text
        self.params = {k: v if isinstance(v, int | Message) else str(v) for k, v in params.items()}
        return self

    def __str__(self) -> str:  # str() keeps the code (a plain str copy would lose it)
        return self

    def __reduce__(self):
        return (_rebuild, (self.code, self.params))

    def render(self, translations, number: Callable[[int], str] | None = None) -> str:
        """The sentence through ``translations`` (``gettext``/``ngettext`` methods, e.g. a
        Babel catalogue); ``number`` formats the plural count (default: ``1,234``)."""
        return _render(TEMPLATES[self.code], self.params, translations, number or _english)


def _rebuild(code: str, params: dict) -> Message:
    return Message(code, **params)


def _english(n: int) -> str:
    return f"{n:,}"


def _render(template, params: dict, translations, number) -> str:
    values = {
        k: v.render(translations, number) if isinstance(v, Message) else str(v)
        for k, v in params.items()
    }
    if isinstance(template, Plural):
        count = int(params.get("num", 0))
        values["num"] = number(count)
        return translations.ngettext(template.singular, template.plural, count) % values
    text = translations.gettext(template)
    return text % values if values else text
