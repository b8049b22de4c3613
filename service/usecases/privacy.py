"""GDPR duties of a map: a person's subject access export.

The export holds the subject's own data — their record, their ties, the share links to
their web and the audit entries about them — and nothing that belongs to somebody
else: the other end of each tie is shown as the subject may see it (a named person or
an organisation by name and id; an anonymised person as "a person in <silo>"; a hidden
person only as "a person who is not shown"), and the free-text notes and evidence on
a tie, written by coordinators and possibly about the other person, are left out.
"""

from __future__ import annotations

from graph_models.model import EntityType, NodeType, Visibility, to_dict
from graph_models.store.base import MAX_PAGE
from graph_models.surveys.model import response_to_dict
from graph_models.visibility import display_label
from service import auth
from service.i18n import gettext, translate
from service.usecases.context import store

#: Tie fields that are the subject's own; notes and evidence are not among them.
TIE_FIELDS = ("id", "kind", "strength", "since", "until")


def other_end(node) -> dict:
    """The far end of one of the subject's ties, as the subject may see it."""
    if node.type is NodeType.ORGANISATION or node.visibility is Visibility.NAMED:
        return {"type": node.type.value, "id": node.id, "name": node.name, "silo": node.silo}
    if node.visibility is Visibility.ANONYMISED:
        # the one wording of an anonymised person (graph_models.visibility), translated
        name = translate(
            display_label({"type": "person", "visibility": "anonymised", "silo": node.silo})
        )
        return {"type": "person", "name": name, "silo": node.silo}
    return {"type": "person", "name": gettext("a person who is not shown")}


def subject_export(map_id: str, person_id: str) -> dict:
    """Everything held about one person, and nobody else's data."""
    m = store().get_map(map_id)
    person = store().get(map_id, EntityType.PERSON, person_id)
    web = store().neighbourhood(map_id, person_id, hops=1)
    nodes = {n.id: n for n in web.nodes}
    ties = [r for r in web.relationships if person_id in (r.source, r.target)]
    relationships = []
    for r in ties:
        other = r.target if r.source == person_id else r.source
        row = {k: v for k, v in to_dict(r).items() if k in TIE_FIELDS}
        row["direction"] = "from" if r.source == person_id else "to"
        row["with"] = other_end(nodes[other])
        relationships.append(row)
    links = [t for t in store().list_tokens(map_id) if t.subject == person_id]
    log = store().audit_log(map_id, refs=[person_id, *(r.id for r in ties)], limit=MAX_PAGE)
    return {
        "map": {"id": m.id, "name": m.name},
        "generated_at": auth.now_iso(),
        "person": to_dict(person),
        "relationships": relationships,
        "share_links": [
            {"id": t.id, "role": t.role, "created_at": t.created_at, "revoked_at": t.revoked_at}
            for t in links
        ],
        "audit": [vars(e) for e in log.items],
        # their own survey answers (others' answers naming them are others' data)
        "survey_responses": [
            response_to_dict(r) for r in store().list_responses(map_id) if r.person_id == person_id
        ],
    }
