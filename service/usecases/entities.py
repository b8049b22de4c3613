"""People, organisations and relationships: build, list, read, change and delete them.

The API's resources and the web pages' lists and forms do the same things through
these functions, so a rule (a silo must be in the map's vocabulary, a viewer never
reads an anonymised person's real name, erasure drops cached analyses) is written once.
"""

from __future__ import annotations

from collections.abc import Collection

from graph_models import clock, schemas
from graph_models.errors import InvalidInput, NotFound
from graph_models.io.rows import build_entity, fold_name, name_index, resolve_endpoint
from graph_models.model import PLURALS, ConsentSetBy, EntityType, from_dict, to_dict
from graph_models.store.base import ListFilter, Page
from graph_models.text import fold
from graph_models.visibility import public_records
from service.i18n import gettext
from service.usecases.context import actor, forget_cached, full_access, secret, store


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


def matches(etype: EntityType, row: dict, filters: ListFilter, names: dict) -> bool:
    """The list filters, applied to what the asker sees: ``silo`` and ``kind`` exactly,
    ``q`` in a node's name, or in either end's name (or the kind) of a tie, case and
    accents folded as the stores fold them ("sian" finds "Siân") — never in an
    anonymised person's real name, which the asker's rows do not hold."""
    if filters.silo and etype is not EntityType.RELATIONSHIP and row.get("silo") != filters.silo:
        return False
    if filters.kind and row.get("kind") != filters.kind:
        return False
    if not filters.q:
        return True
    q = fold(filters.q)
    if etype is EntityType.RELATIONSHIP:
        ends = (names.get(row["source"], ""), names.get(row["target"], ""), row["kind"])
        return any(q in fold(text) for text in ends)
    return q in fold(row["name"])


def sort_key(etype: EntityType, names: dict):
    """Lists are in name order (ties: by the first end's name), then by id."""
    if etype is EntityType.RELATIONSHIP:
        return lambda row: (names.get(row["source"], "").casefold(), row["id"])
    return lambda row: (row["name"].casefold(), row["id"])


def visible_list(map_id: str, etype: EntityType, filters: ListFilter) -> tuple[list, dict]:
    """``(rows, names)``: the asker's rows of one type that match ``filters``, sorted."""
    visible = visible_rows(map_id)
    names = visible["names"]
    rows = [r for r in visible[PLURALS[etype]] if matches(etype, r, filters, names)]
    rows.sort(key=sort_key(etype, names))
    return rows, names


def list_page(map_id: str, etype: EntityType, filters: ListFilter, *, limit: int, offset: int):
    """One :class:`Page` of entities for the API (coordinators: paged in the store)."""
    if full_access():
        return store().list(map_id, etype, filters=filters, limit=limit, offset=offset)
    rows, _ = visible_list(map_id, etype, filters)
    items = [from_dict(etype, r) for r in rows[offset : offset + limit]]
    return Page(items, len(rows), limit, offset)


def get_visible(map_id: str, etype: EntityType, entity_id: str):
    """One entity as the asker may read it; a viewer asking for an anonymised or hidden
    person's real id is answered as for a missing one."""
    if full_access():
        return store().get(map_id, etype, entity_id)
    for row in visible_rows(map_id)[PLURALS[etype]]:
        if row["id"] == entity_id:
            return from_dict(etype, row)
    raise NotFound(f"no {etype.value} {entity_id!r} in map {map_id!r}")


def resolve_ends(map_id: str, kind: str, typed: dict[str, str]) -> dict[str, str]:
    """The node ids of a tie's ends typed in a form (an id, or a unique name: case,
    accents and spacing forgiven; a shared name is settled by the kind's end types).

    Raises :class:`InvalidInput` naming each end that is missing or not found.
    """
    records = store().graph(map_id)
    nodes, rules = records.nodes, records.map.kind_rules()  # the map's own kinds too
    types, names = name_index(nodes)
    # the search key (graph_models.text.fold: accents dropped too) when the exact
    # spelling is not found: "sian prydderch" finds "Siân Prydderch"
    folded: dict[str, set] = {}
    for n in nodes:
        folded.setdefault(fold(" ".join(n.name.split())), set()).add(n.id)
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
