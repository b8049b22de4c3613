"""People, organisations and relationships: build, list, read, change and delete them.

The API's resources and the web pages' lists and forms do the same things through
these functions, so a rule (a silo must be in the map's vocabulary, a viewer never
reads an anonymised person's real name, erasure drops cached analyses) is written once.
"""

from __future__ import annotations

from collections.abc import Collection

from graph_models import clock, schemas
from graph_models.errors import InvalidInput, NotFound
from graph_models.io.rows import build_entity, fold_name, resolve_endpoint
from graph_models.model import PLURALS, ConsentSetBy, EntityType, from_dict, to_dict
from graph_models.store.base import Consent, ListFilter, Page
from graph_models.text import fold
from graph_models.visibility import (
    ANON_PREFIX,
    MIN_GROUP_SIZE,
    TIE_PREFIX,
    PublicRows,
    display_label,
    pseudonym,
    public_records,
    tie_pseudonym,
)
from service.i18n import gettext, label
from service.usecases.context import actor, forget_cached, full_access, secret, store
from service.usecases.pseudonyms import unmasked


def build(map_id: str, etype: EntityType, values: dict):
    """Schema-loaded ``values`` as an entity of the map (an id; a silo it knows)."""
    return build_entity(store().get_map(map_id), etype, values)


def create(map_id: str, etype: EntityType, values: dict, *, restore_erased: bool = False):
    """Create one entity from schema-loaded ``values``; returns what was stored. A person
    erased from the map comes back only with ``restore_erased`` (an explicit act)."""
    entity = build(map_id, etype, values)
    if etype is EntityType.PERSON and entity.visibility is not None:
        entity = _consent_recorded(entity, values, changed=True)
    return store().create(map_id, entity, actor=actor(), restore_erased=restore_erased)


def patch(
    map_id: str,
    etype: EntityType,
    entity_id: str,
    changes: dict,
    *,
    if_revision: int | Collection[int] | None = None,
):
    """Apply schema-loaded partial ``changes`` to the record as it is *now* (read and
    written in one store transaction, so another writer's change of other fields, a
    consent withdrawal included, is never undone); the whole is validated again.

    With ``if_revision`` the change is made only if the record is still at that
    revision (else :class:`~graph_models.errors.PreconditionFailed`, nothing written).
    Returns ``(entity, revision)``: what was stored and its new revision.
    """

    def change(current, m):
        updated = schemas.merge(current, changes)
        if etype is not EntityType.RELATIONSHIP and "silo" in changes:
            updated.silo = schemas.check_silo(m, updated.silo)
        if etype is EntityType.PERSON:
            given = changes.get("visibility")
            changed = given is not None and given != current.visibility
            updated = _consent_recorded(updated, changes, changed=changed, kept=current)
        return updated

    return store().patch(map_id, etype, entity_id, change, if_revision=if_revision, actor=actor())


def _consent_recorded(person, values: dict, *, changed: bool, kept=None):
    """``person`` with who set their consent and when: a consent the coordinator sets or
    changes here is recorded as ``coordinator``, now (a respondent's own answer is
    recorded as ``self`` when it is accepted). Values the caller gives explicitly (a
    record exported and sent back) win; an edit that leaves consent as it was keeps
    the stored ``consent_set_by``/``consent_set_at`` (a form re-sends them empty)."""
    by, at = values.get("consent_set_by") or "", values.get("consent_set_at") or ""
    if changed:
        by = by or ConsentSetBy.COORDINATOR.value
        at = at or clock.timestamp()
    elif kept is not None:
        by, at = by or kept.consent_set_by, at or kept.consent_set_at
    person.consent_set_by, person.consent_set_at = by, at
    return person


def update(map_id: str, etype: EntityType, entity_id: str, changes: dict):
    """:func:`patch` without a revision check, returning only the stored entity."""
    return patch(map_id, etype, entity_id, changes)[0]


def get_revised(map_id: str, etype: EntityType, entity_id: str):
    """``(entity, revision)`` of one record, for coordinators (``ETag``, edit forms)."""
    return store().get_revised(map_id, etype, entity_id)


def delete(
    map_id: str,
    etype: EntityType,
    entity_id: str,
    *,
    if_revision: int | Collection[int] | None = None,
) -> None:
    """Delete one; a person's or organisation's ties go too, and every cached analysis
    of the map (erasure: no cached result may still hold them). With ``if_revision``,
    only if the record is still at that revision."""
    store().delete(map_id, etype, entity_id, actor=actor(), if_revision=if_revision)
    forget_cached(map_id)


def visible_rows(map_id: str) -> dict:
    """Every row of the map that the asker may read, by plural, and ``names``: the
    display name of each visible node id.

    Coordinators read whole records; everyone else reads what
    :func:`graph_models.visibility.public_records` lets them (hidden people absent,
    anonymised people by pseudonym, no contact details or tie notes).
    """
    records = store().graph(map_id)
    if full_access():
        rows = {
            PLURALS[EntityType.PERSON]: [to_dict(p) for p in records.people],
            PLURALS[EntityType.ORGANISATION]: [to_dict(o) for o in records.organisations],
            PLURALS[EntityType.RELATIONSHIP]: [to_dict(r) for r in records.relationships],
        }
    else:
        rows = public_records(records, secret=secret())
    names = {
        n["id"]: n["name"]
        for etype in (EntityType.PERSON, EntityType.ORGANISATION)
        for n in rows[PLURALS[etype]]
    }
    return {**rows, "names": names}


def consent(m) -> Consent:
    """The consent rules a list read by anyone but a coordinator is paged under: an
    anonymised person is listed, searched and ordered as they are shown to this reader,
    in the reader's language with map ``m``'s silo labels ("person yn y sector heddlu"
    on a Welsh page, "a person in police" on an English one)."""
    return Consent(min_group=MIN_GROUP_SIZE, label=lambda silo: shown_name(_anonymised(silo), m))


def _anonymised(silo: str):
    return display_label({"type": "person", "visibility": "anonymised", "silo": silo})


def shown_name(name, m) -> str:
    """A name in a viewer's row as the reader reads it: an anonymised person's
    (a :class:`~graph_models.messages.Message`) in the reader's language, with the map's
    silo label; anyone else's name as it is. The pages and the API (whose language is
    ``Accept-Language``'s) show the same text, and it is the text a search matches."""
    return label(name, m)


def shown_page(
    map_id: str, etype: EntityType, filters: ListFilter, *, limit: int, offset: int
) -> tuple[list[dict], int, dict]:
    """``(rows, total, names)``: one page of the asker's list, paged in the store.

    Coordinators read whole records; everyone else reads what
    :class:`graph_models.visibility.PublicRows` lets them (hidden people absent,
    anonymised people by pseudonym, no contact details or tie notes), and the store
    query itself leaves out what they may not see, so ``total`` and the page
    boundaries count only what they may see. Rows are in the order of the text shown
    (ties: their first end's), ``q`` matched in it, case and accents folded ("sian"
    finds "Siân"; an anonymised person is found by the words they are shown by in the
    reader's language, "heddlu" on a Welsh page, never by the name the asker may not
    read). ``names``: the shown name of each tie end on the page.
    """
    viewer = not full_access()
    found = store().list_shown(
        map_id,
        etype,
        filters=filters,
        consent=consent if viewer else None,  # of the map as the list's snapshot reads it
        limit=limit,
        offset=offset,
    )
    items, m = found.page.items, found.map
    if not viewer:
        names = {n.id: n.name for n in found.ends.values()}
        return [to_dict(x) for x in items], found.page.total, names
    rules = PublicRows(map_id, secret(), found.silo_people)
    names = {}
    for node in found.ends.values():
        row = rules.node(node)
        if row is not None:
            names[row["id"]] = shown_name(row["name"], m)
    to_row = rules.relationship if etype is EntityType.RELATIONSHIP else rules.node
    shown = [(item, row) for item in items if (row := to_row(item)) is not None]
    rows = [row for _, row in shown]
    _remember_pseudonyms(map_id, etype, shown, rules)
    if etype is not EntityType.RELATIONSHIP:
        for row in rows:
            row["name"] = shown_name(row["name"], m)
    return rows, found.page.total, names


def _remember_pseudonyms(map_id: str, etype: EntityType, shown: list, rules) -> None:
    """Remember which real ids the pseudonyms a viewer was just shown stand for (see
    :mod:`service.usecases.pseudonyms`), so reading one of them back reads one record.
    ``shown``: ``(record, row)`` of each row of the page."""
    people = {public: real for real, public in rules.public_ids.items() if public != real}
    unmasked().learn(map_id, EntityType.PERSON, people)
    if etype is EntityType.RELATIONSHIP:
        ties = {row["id"]: item.id for item, row in shown if row["id"] != item.id}
        unmasked().learn(map_id, etype, ties)


def list_page(map_id: str, etype: EntityType, filters: ListFilter, *, limit: int, offset: int):
    """One :class:`Page` of entities for the API, paged in the store (coordinators: the
    store's list; everyone else: :func:`shown_page`)."""
    if full_access():
        return store().list(map_id, etype, filters=filters, limit=limit, offset=offset)
    rows, total, _ = shown_page(map_id, etype, filters, limit=limit, offset=offset)
    return Page([from_dict(etype, r) for r in rows], total, limit, offset)


def get_visible(map_id: str, etype: EntityType, entity_id: str):
    """One entity as the asker may read it; a viewer asking for an anonymised or hidden
    person's real id is answered as for a missing one.

    A viewer's read takes the record alone from the store (and a tie's ends, and the
    silo sizes consent judges by), never the whole map: an ``anon-`` pseudonym is turned
    back by matching it against the pseudonyms of the map's anonymised people only, a
    ``tie-`` pseudonym (a tie with an anonymised end) against those of the ties of
    anonymised people only.
    """
    if full_access():
        return store().get(map_id, etype, entity_id)
    missing = NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")
    key = secret()
    prefix = TIE_PREFIX if etype is EntityType.RELATIONSHIP else ANON_PREFIX

    def public(real: str) -> str:
        if etype is EntityType.RELATIONSHIP:
            return tie_pseudonym(key, map_id, real)
        return pseudonym(key, map_id, real)

    def unmask(anonymised: list[str]) -> str | None:
        if not entity_id.startswith(prefix):
            return None
        seen = {public(i): i for i in anonymised}
        unmasked().learn(map_id, etype, seen)
        return seen.get(entity_id)

    known = unmasked().get(map_id, etype, entity_id) if entity_id.startswith(prefix) else None
    found = store().get_shown(map_id, etype, entity_id, unmask=unmask, known=known)
    rules = PublicRows(map_id, key, found.silo_people)
    for node in found.ends.values():
        rules.node(node)
    to_row = rules.relationship if etype is EntityType.RELATIONSHIP else rules.node
    for item in found.page.items:
        row = to_row(item)
        # shown, and under the id asked for: a real id of an anonymised person (or of a
        # tie with one at an end) is answered as a missing one
        if row is not None and row["id"] == entity_id:
            if etype is not EntityType.RELATIONSHIP:
                row = {**row, "name": shown_name(row["name"], store().get_map(map_id))}
            return from_dict(etype, row)
    raise missing


def resolve_ends(map_id: str, kind: str, typed: dict[str, str]) -> dict[str, str]:
    """The node ids of a tie's ends typed in a form (an id, or a unique name: case,
    accents and spacing forgiven; a shared name is settled by the kind's end types).

    Raises :class:`InvalidInput` naming each end that is missing or not found.
    """
    # each node's id, type and name only (no ties, no whole records)
    index = store().node_index(map_id)
    rules = store().get_map(map_id).kind_rules()  # the map's own kinds too
    types = {node_id: node_type for node_id, (node_type, _) in index.items()}
    names: dict[str, set] = {}
    # the search key (graph_models.text.fold: accents dropped too) when the exact
    # spelling is not found: "sian prydderch" finds "Siân Prydderch"
    folded: dict[str, set] = {}
    for node_id, (_, name) in index.items():
        names.setdefault(fold_name(name), set()).add(node_id)
        folded.setdefault(fold(" ".join(name.split())), set()).add(node_id)
    found: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for end, value in typed.items():
        if not value:
            errors[end] = [gettext("This is required.")]
            continue
        node_id, problem = resolve_endpoint(value, kind, end, types=types, names=names, rules=rules)
        key = fold(" ".join(value.split()))
        if node_id is None and folded.get(key):
            node_id, problem = resolve_endpoint(
                key, kind, end, types=types, names={fold_name(key): folded[key]}, rules=rules
            )
        if node_id is None:
            errors[end] = [problem]
        else:
            found[end] = node_id
    if errors:
        raise InvalidInput(gettext("some fields are not valid"), errors)
    return found
