"""Accepting survey responses: from submitted answers to people and ties of the map.

:func:`plan_acceptance` is pure: given the map as it is (read under the map's lock by
:meth:`~graph_models.store.survey_rules.SurveyRules.accept_responses`) it returns every
node, tie and response to write, so the store writes them in one transaction.

The rules, stated once:

* **Ties**: a respondent is the source of each tie they name. A tie already in the map
  with the same kind between the same ends (either way round for undirected kinds) is
  the same tie: the respondent is added to its ``reported_by`` (both ends there:
  *confirmed*); otherwise a new tie is made with ``origin`` ``survey``.
* **Strength** (:data:`STRENGTH_RULE`): from how often they are in touch (weekly -> 4
  ...). When the other end has reported the tie too and the two answers differ, the
  *lower* one is kept — a tie is recorded as strong only if both ends say so. Both
  answers stay in the responses. A coordinator's or an import's strength is replaced
  by the first survey answer.
* **New names** ("Anyone else?"): the coordinator's decision for the name (an existing
  person's id, or ``new``) wins; without one, a name whose folded form matches exactly
  one person of the map is that person; otherwise a new person is made, **hidden**
  (counted in structure, never shown to viewers) until they or a coordinator say
  otherwise. The same new name from several respondents in one acceptance is one person.
* **Consent**: the respondent's own choice is applied to their record, with
  ``consent_set_by = "self"`` and the time; corrected silo and role likewise. People who
  never answer keep what the coordinator recorded.
* **Ties taken back**: a respondent may change their answers after acceptance (the
  response is then submitted again). A tie that their last accepted answer gave the map
  (:attr:`Response.accepted_ties`) and that they no longer name is *removed* when only
  they had reported it and it came from a survey; a tie the other end reported too, or
  that a coordinator entered or an import brought, *stays* and only loses them from its
  ``reported_by`` (:func:`withdrawn`). Removal is part of the same one write.
* Answers naming someone no longer in the map are skipped (counted in the summary).
"""

from __future__ import annotations

import dataclasses

from graph_models import model
from graph_models.errors import InvalidInput
from graph_models.io.rows import natural_relationship_id
from graph_models.messages import Message
from graph_models.model import ConsentSetBy, Origin, Person, Relationship, Visibility
from graph_models.store.survey_rules import Acceptance
from graph_models.surveys.model import Response, ResponseStatus, Survey
from graph_models.text import fold

STRENGTH_RULE = "lower"
NEW = "new"


def tie_key(kind: str, source: str, target: str, rules: dict | None = None) -> tuple[str, str, str]:
    """What makes two ties the same tie: kind and ends (unordered when undirected).
    ``rules`` is the map's table of kinds (:meth:`~graph_models.model.Map.kind_rules`;
    the built-in ones if not given): a kind it does not know keeps its ends' order."""
    rule = (rules or model.RELATIONSHIP_KINDS).get(kind)
    if rule is not None and not rule.directed and target < source:
        source, target = target, source
    return kind, source, target


def name_ref(person_id: str, index: int) -> str:
    """How a coordinator's decision names one new name: ``<respondent>:<tie index>``."""
    return f"{person_id}:{index}"


def plan_acceptance(
    m: model.Map,
    survey: Survey,
    responses: list[Response],
    nodes: list,
    relationships: list[Relationship],
    *,
    who: list[str] | None = None,
    names: dict[str, str] | None = None,
    actor: str = "",
    now: str = "",
) -> Acceptance:
    """Plan the acceptance of ``who``'s submitted responses (all submitted ones if
    None); ``names`` holds the coordinator's decisions for new names (see module)."""
    now = now or model.utcnow()
    names = names or {}
    submitted = {r.person_id: r for r in responses if r.status is ResponseStatus.SUBMITTED}
    if who is not None:
        bad = [p for p in who if p not in submitted]
        if bad:
            raise InvalidInput(
                Message("survey.not_submitted", ids=", ".join(repr(b) for b in bad)),
                {"respondents": {p: [Message("survey.not_submitted_short")] for p in bad}},
            )
        chosen = [submitted[p] for p in dict.fromkeys(who)]
    else:
        chosen = list(submitted.values())
    people = {n.id: n for n in nodes if isinstance(n, Person)}
    known = {n.id for n in nodes}
    _check_decisions(names, people, chosen)
    by_name = people_by_name(people.values())

    plan = _Plan(relationships, m.kind_rules())
    created: dict[str, Person] = {}
    for response in chosen:
        me = people.get(response.person_id)
        if me is None:
            continue
        plan.nodes[me.id] = _own_record(m, plan.nodes.get(me.id, me), response, now)
        resolved: dict[str, str] = {}
        named: set[tuple[str, str, str]] = set()
        for i, tie in enumerate(response.ties):
            if tie.target:
                target = tie.target if tie.target in known else None
            else:
                target = _resolve_name(
                    names.get(name_ref(me.id, i)), tie, m, by_name, created, response
                )
                resolved[str(i)] = target
            if target is None or target == me.id:
                plan.skipped += 1
                continue
            named.add(plan.report(me.id, target, tie.kind, tie.strength))
        for rel, remove in withdrawn(response, plan.index, named):
            plan.withdraw(me.id, rel, remove)
        response_done = dataclasses.replace(
            response,
            status=ResponseStatus.ACCEPTED,
            accepted_at=now,
            accepted_by=actor,
            resolved=resolved,
            accepted_ties=[list(key) for key in sorted(named)],
        )
        plan.responses.append(response_done)
    # respondents whose record their answers leave as it was are not written again
    changed = [n for n in plan.nodes.values() if n != people[n.id]]
    nodes_out = [*changed, *created.values()]
    # ties the answers leave as they are (a response accepted again) are not written again
    unchanged = {r.id: r for r in relationships}
    return Acceptance(
        nodes=nodes_out,
        relationships=[r for r in plan.changed.values() if unchanged.get(r.id) != r],
        removed=list(plan.removed.values()),
        responses=plan.responses,
        summary={
            "accepted": len(plan.responses),
            "ties_created": plan.created,
            "ties_updated": len(plan.changed) - plan.created,
            "ties_confirmed": sum(1 for r in plan.changed.values() if r.confirmed),
            "ties_removed": len(plan.removed),
            "people_created": sorted(p.id for p in created.values()),
            "skipped": plan.skipped,
            "strength_rule": STRENGTH_RULE,
        },
    )


class _Plan:
    def __init__(self, relationships: list[Relationship], rules: dict):
        self.rules = rules
        self.index = {tie_key(r.kind, r.source, r.target, rules): r for r in relationships}
        self.existing = {r.id for r in relationships}
        self.changed: dict[str, Relationship] = {}
        self.removed: dict[str, Relationship] = {}
        self.nodes: dict[str, Person] = {}
        self.responses: list[Response] = []
        self.created = 0
        self.skipped = 0

    def report(self, reporter: str, target: str, kind: str, strength: int) -> tuple:
        """Record that ``reporter`` names this tie; returns its :func:`tie_key`."""
        key = tie_key(kind, reporter, target, self.rules)
        old = self.index.get(key)
        if old is None:
            rel = Relationship(
                natural_relationship_id(reporter, kind, target),
                reporter,
                target,
                kind,
                strength,
                origin=Origin.SURVEY.value,
                reported_by=[reporter],
            )
            self.created += 1
        else:
            others = [p for p in old.reported_by if p != reporter]
            rel = dataclasses.replace(
                old,
                strength=min(old.strength, strength) if others else strength,
                reported_by=sorted({*old.reported_by, reporter}),
            )
        self.removed.pop(rel.id, None)
        self.index[key] = self.changed[rel.id] = rel
        return key

    def withdraw(self, reporter: str, rel: Relationship, remove: bool) -> None:
        """``reporter`` no longer names ``rel``: remove it, or take them off its reporters."""
        key = tie_key(rel.kind, rel.source, rel.target, self.rules)
        if remove:
            self.index.pop(key, None)
            if self.changed.pop(rel.id, None) is not None and rel.id not in self.existing:
                self.created -= 1  # made and taken back within this acceptance
            else:
                self.removed[rel.id] = rel
            return
        kept = dataclasses.replace(rel, reported_by=[p for p in rel.reported_by if p != reporter])
        self.index[key] = self.changed[rel.id] = kept


def withdrawn(
    response: Response, index: dict[tuple, Relationship], named: set[tuple]
) -> list[tuple[Relationship, bool]]:
    """The ties of the map that ``response``'s last accepted answer gave (or confirmed)
    and that it no longer names (``named``: the :func:`tie_key` of each tie it names
    now), each with whether accepting it removes the tie (True: only this respondent
    reported it and it came from a survey) or keeps it (another reporter, or entered by
    a coordinator or an import). ``index``: the map's ties by :func:`tie_key`."""
    me = response.person_id
    out = []
    for key in sorted({tuple(k) for k in response.accepted_ties} - named):
        rel = index.get(key)
        if rel is None or me not in rel.reported_by:
            continue
        others = [p for p in rel.reported_by if p != me]
        out.append((rel, rel.origin == Origin.SURVEY.value and not others))
    return out


def _own_record(m: model.Map, me: Person, response: Response, now: str) -> Person:
    changes: dict = {}
    if response.details.silo and response.details.silo in m.silo_names():
        changes["silo"] = response.details.silo
    if response.details.role:
        changes["role"] = response.details.role
    if response.consent:
        changes.update(
            visibility=Visibility(response.consent),
            consent_set_by=ConsentSetBy.SELF.value,
            consent_set_at=now,
        )
    return dataclasses.replace(me, **changes) if changes else me


def people_by_name(people) -> dict[str, list[str]]:
    """The ids of ``people`` by folded name (:func:`graph_models.text.fold`): what a new
    name is matched against (:func:`existing_person`)."""
    by_name: dict[str, list[str]] = {}
    for p in people:
        by_name.setdefault(fold(p.name), []).append(p.id)
    return by_name


def existing_person(decision: str | None, name: str, by_name: dict[str, list[str]]) -> str | None:
    """Which person of the map a new name ("Anyone else?") is, as acceptance decides
    it — the one rule review shows and acceptance applies: the coordinator's decision
    (a person's id; :data:`NEW`: nobody) wins; without one, the one person whose folded
    name is the same; None when acceptance makes a new person (no match, or several)."""
    if decision and decision != NEW:
        return decision
    found = by_name.get(fold(name), [])
    if decision != NEW and len(found) == 1:
        return found[0]
    return None


def _resolve_name(decision, tie, m, by_name, created, response) -> str:
    found = existing_person(decision, tie.name, by_name)
    if found is not None:
        return found
    key = fold(tie.name)
    if key in created:
        return created[key].id
    silo = tie.silo if tie.silo in m.silo_names() else m.silo_names()[0]
    person = Person(model.new_id(), tie.name, silo, visibility=Visibility.HIDDEN)
    created[key] = person
    return person.id


def _check_decisions(names: dict[str, str], people: dict, chosen: list[Response]) -> None:
    refs = {name_ref(r.person_id, i) for r in chosen for i, t in enumerate(r.ties) if not t.target}
    errors = {}
    for ref, decision in names.items():
        if ref not in refs:
            errors[ref] = [Message("survey.no_such_name")]
        elif decision != NEW and decision not in people:
            errors[ref] = [Message("survey.no_such_person", id=repr(decision))]
    if errors:
        raise InvalidInput(Message("survey.bad_decisions"), {"names": errors})
