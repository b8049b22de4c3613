"""Who a respondent can name: the survey's roster, grouped by silo and searchable.

Only *named* people are on it (anonymised and hidden people cannot be picked: a
respondent who knows them can name them under "Anyone else?", and review matches the
name), and organisations when the survey lists them, of the chosen silos (all when none
are chosen). The respondent is not on their own roster. Each entry keeps its folded name
(:func:`graph_models.text.fold`) so "sian" finds "Siân".
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_models.model import RELATIONSHIP_KINDS, Map, NodeType, Relationship, Visibility
from graph_models.surveys.model import FREQUENCY_STRENGTH, Survey
from graph_models.text import fold


@dataclass(frozen=True)
class RosterNode:
    """A person or organisation as a roster needs it, read from the store without its
    whole record (:meth:`~graph_models.store.survey_rules.SurveyRules.roster_records`):
    ``visibility`` is a person's consent (None for organisations), ``key`` the stored
    folded name."""

    id: str
    type: NodeType
    name: str
    silo: str
    visibility: Visibility | None
    key: str

    @classmethod
    def from_row(cls, row) -> RosterNode:
        """From a store's ``[id, type, name, silo, visibility, name_key]`` row (both
        stores' roster statements return these columns in this order); a record stored
        before names were folded gets its key folded here."""
        node_id, kind, name, silo, visibility, key = row
        return cls(
            node_id,
            NodeType(kind),
            name,
            silo,
            Visibility(visibility) if kind == "person" else None,
            key if key is not None else fold(name),
        )


@dataclass(frozen=True)
class RosterEntry:
    id: str
    name: str
    silo: str
    type: NodeType
    key: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "silo": self.silo,
            "type": self.type.value,
            "key": self.key,
        }


def build_roster(m: Map, survey: Survey, nodes: list, respondent: str = "") -> list[RosterEntry]:
    """The roster of ``survey`` for ``respondent``, in the map's silo order, then by name.
    ``nodes``: the map's people and organisations, whole or as :class:`RosterNode`."""
    silos = set(survey.roster.silos)
    order = {name: i for i, name in enumerate(m.silo_names())}
    out = []
    for node in nodes:
        if node.id == respondent or (silos and node.silo not in silos):
            continue
        if node.type is NodeType.PERSON:
            if not survey.roster.people or node.visibility is not Visibility.NAMED:
                continue
        elif not survey.roster.organisations:
            continue
        key = node.key if isinstance(node, RosterNode) else fold(node.name)
        out.append(RosterEntry(node.id, node.name, node.silo, node.type, key))
    out.sort(key=lambda e: (order.get(e.silo, len(order)), e.key, e.id))
    return out


def search(entries: list[RosterEntry], q: str) -> list[RosterEntry]:
    """Entries whose folded name contains the folded ``q`` (all for a blank ``q``)."""
    wanted = fold(q.strip())
    return [e for e in entries if wanted in e.key] if wanted else list(entries)


def grouped(entries: list[RosterEntry]) -> list[tuple[str, list[RosterEntry]]]:
    """``[(silo, entries)]`` in the roster's order."""
    groups: dict[str, list[RosterEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.silo, []).append(entry)
    return list(groups.items())


def affiliations(
    person_id: str, relationships: list[Relationship], roster: list[RosterEntry]
) -> list[dict]:
    """The respondent's ties to organisations already in the map (works for, member of,
    volunteers at, leads) as answers to start from — ``{"target", "kind",
    "frequency"}``, how often read back from the tie's strength — for organisations on
    their roster (they cannot name others): their affiliation, which they confirm or
    correct like any other tie."""
    orgs = {e.id for e in roster if e.type is NodeType.ORGANISATION}
    often = {strength: f.value for f, strength in FREQUENCY_STRENGTH.items()}
    out, seen = [], set()
    for rel in sorted(relationships, key=lambda r: r.id):
        rule = RELATIONSHIP_KINDS.get(rel.kind)
        if rule is None or rule.source is not NodeType.PERSON or rel.source != person_id:
            continue
        if rule.target is not NodeType.ORGANISATION or rel.target not in orgs:
            continue
        if (rel.target, rel.kind) in seen:
            continue
        seen.add((rel.target, rel.kind))
        out.append(
            {
                "target": rel.target,
                "kind": rel.kind,
                "frequency": often.get(rel.strength, "monthly"),
            }
        )
    return out
