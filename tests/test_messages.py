"""The domain's message codes (graph_models.messages): every code the domain uses is in
the table, every template renders in English with its own placeholders, a Message keeps
its code through copies, and a catalogue may reorder a sentence's parameters."""

from __future__ import annotations

import copy
import io
import pickle
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations

from graph_models.messages import TEMPLATES, Message, Plural
from graph_models.model import NodeType

ROOT = Path(__file__).resolve().parents[1]
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _params(template) -> dict:
    texts = [template.singular, template.plural] if isinstance(template, Plural) else [template]
    names = {name for text in texts for name in _PLACEHOLDER.findall(text)}
    return {name: (3 if name == "num" else f"<{name}>") for name in names}


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_every_template_renders_in_english_with_its_placeholders(code):
    message = Message(code, **_params(TEMPLATES[code]))
    assert message.code == code and "%(" not in message and str(message) == message


def test_every_code_the_domain_uses_is_in_the_table():
    used = set()
    for path in (ROOT / "graph_models").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'Message\(\s*"([\w.]+)"', text))
        for prefix in re.findall(r'Message\(\s*f"([\w.]+)\{rule\.\w+\.value\}"', text):
            used |= {prefix + t.value for t in NodeType}
        for code in re.findall(r'"((?:import|schema|model|rows|silos|visibility)\.[\w.]+)"', text):
            used.add(code)
    assert used, "no Message codes found: the scan is broken"
    assert used - set(TEMPLATES) == set()


def test_a_message_keeps_its_code_through_copies_and_str():
    m = Message("import.id_repeated", id="'a1'", where=Message("import.where", sheet="p", row="4"))
    assert m == "id 'a1' is also on p row 4; ids must be unique"
    for other in (copy.deepcopy(m), pickle.loads(pickle.dumps(m)), str(m), f"{m}"):
        assert isinstance(other, Message) and other.code == m.code and other == m


def _catalogue(messages: dict) -> Translations:
    catalog = Catalog(locale="cy")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def test_a_catalogue_translates_and_may_reorder_parameters():
    where = TEMPLATES["import.where"]
    repeated = TEMPLATES["import.id_repeated"]
    translations = _catalogue(
        {
            where: "rhes %(row)s o %(sheet)s",
            repeated: "mae %(where)s hefyd yn defnyddio id %(id)s",
        }
    )
    m = Message("import.id_repeated", id="'a1'", where=Message("import.where", sheet="p", row="4"))
    assert m.render(translations) == "mae rhes 4 o p hefyd yn defnyddio id 'a1'"
    plural = Message("import.rows_with_problems", num=1234)
    assert plural.render(translations, number=lambda n: f"{n:_}") == (
        "1_234 rows with problems; nothing was written"  # untranslated: falls back, counted
    )


def test_words_inside_sentences_are_messages_too():
    """A survey's status and a record's kind are words of the sentence, not data: the
    catalogue translates them (the Welsh review found them arriving in English)."""
    from graph_models.errors import Conflict
    from graph_models.surveys.model import Survey, SurveyStatus

    translations = _catalogue(
        {
            TEMPLATES["survey.bad_transition"]: "ni all arolwg sy'n %(old)s fod yn %(new)s",
            "closed": "ar gau",
            "a draft": "ddrafft",
        }
    )
    survey = Survey("s", "t", status=SurveyStatus.CLOSED)
    try:
        survey.moved_to(SurveyStatus.DRAFT, "2026-01-01T00:00:00Z")
    except Conflict as refused:
        assert refused.message.render(translations) == "ni all arolwg sy'n ar gau fod yn ddrafft"
        assert refused.message == "a survey that is closed cannot become a draft"
    else:  # pragma: no cover - the transition is refused
        raise AssertionError("a closed survey became a draft")
    changed = Message(
        "store.revision_changed", what=Message("entity.relationship"), id="r1", revision=2
    )
    assert changed.render(_catalogue({"relationship": "perthynas"})).startswith("perthynas r1")


def test_a_missing_column_says_what_it_holds_in_the_reader_s_language():
    """The column's meaning inside "missing column …" is a message too (the Welsh review
    found it arriving in English)."""
    from graph_models.io.columns import match_header
    from graph_models.model import EntityType

    found = match_header(["role"], EntityType.PERSON)
    missing = found.errors["name"][0]
    translations = _catalogue(
        {
            TEMPLATES["import.column_missing"]: "colofn %(column)s ar goll (%(meaning)s)",
            TEMPLATES["import.meaning.person.name"]: "eu henw",
        }
    )
    assert missing.render(translations) == "colofn 'name' ar goll (eu henw)"
    assert missing == "missing column 'name' (their name); every row needs one"
