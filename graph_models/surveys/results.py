"""What a survey found: response rates, confirmation and trust/value per silo pair.

* **Response rate** overall and per silo of the people asked (answered = submitted or
  accepted), with a warning for each silo whose rate is far below the best one
  (:data:`RATE_GAP`): its row of the map is mostly what *others* reported.
* **Confirmation rate** per silo pair: of the person-to-person ties reported in a
  survey, the share named by both ends (DESIGN §4 "Survey-based ties").
* **Average trust and value** per silo pair from accepted responses, only where at
  least :data:`~graph_models.surveys.model.MIN_RATINGS` ratings exist (fewer would
  reveal one person's rating of another); a rating is the mean of one tie's answers.

Silo pairs are unordered and written ``"a|b"`` with ``a <= b``.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean

from graph_models.messages import Message
from graph_models.model import Person, Relationship
from graph_models.surveys.model import MIN_RATINGS, Respondent, Response, ResponseStatus

#: A silo whose response rate is this much below the best silo's gets a warning.
RATE_GAP = 0.3
ANSWERED = (ResponseStatus.SUBMITTED, ResponseStatus.ACCEPTED)


def pair(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def response_rates(respondents: list[Respondent], responses: list[Response], nodes) -> dict:
    """``{"overall", "silos", "not_answered", "warnings"}`` (see module)."""
    silo_of = {n.id: n.silo for n in nodes}
    answered = {r.person_id for r in responses if r.status in ANSWERED}
    asked: dict[str, int] = defaultdict(int)
    done: dict[str, int] = defaultdict(int)
    for r in respondents:
        silo = silo_of.get(r.person_id, "")
        asked[silo] += 1
        done[silo] += r.person_id in answered
    silos = {
        s: {"asked": asked[s], "answered": done[s], "rate": round(done[s] / asked[s], 3)}
        for s in sorted(asked)
    }
    total = sum(asked.values())
    best = max((v["rate"] for v in silos.values()), default=0)
    warnings = [
        Message("survey.low_rate", answered=str(v["answered"]), asked=str(v["asked"]), silo=s)
        for s, v in silos.items()
        if best - v["rate"] >= RATE_GAP
    ]
    return {
        "overall": {
            "asked": total,
            "answered": sum(done.values()),
            "rate": round(sum(done.values()) / total, 3) if total else 0.0,
        },
        "silos": silos,
        "not_answered": sorted(r.person_id for r in respondents if r.person_id not in answered),
        "warnings": warnings,
    }


def confirmation(relationships: list[Relationship], nodes) -> dict:
    """Per silo pair: survey-reported person-to-person ties, how many confirmed, the rate."""
    people = {n.id: n.silo for n in nodes if isinstance(n, Person)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rel in relationships:
        if not rel.reported_by or rel.source not in people or rel.target not in people:
            continue
        key = pair(people[rel.source], people[rel.target])
        counts[key][0] += 1
        counts[key][1] += rel.confirmed
    return {
        k: {"reported": n, "confirmed": c, "rate": round(c / n, 3)}
        for k, (n, c) in sorted(counts.items())
    }


def trust_value(responses: list[Response], nodes) -> dict:
    """Per silo pair, average trust and value of accepted ratings, where there are at
    least MIN_RATINGS of them; pairs with fewer are listed as suppressed."""
    silo_of = {n.id: n.silo for n in nodes}
    ratings: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"trust": [], "value": []})
    for response in responses:
        me = silo_of.get(response.person_id)
        if response.status is not ResponseStatus.ACCEPTED or me is None:
            continue
        for i, tie in enumerate(response.ties):
            target = tie.target or response.resolved.get(str(i), "")
            if target not in silo_of:
                continue
            key = pair(me, silo_of[target])
            for name in ("trust", "value"):
                answers = getattr(tie, name)
                if answers:
                    ratings[key][name].append(fmean(answers))
    out = {}
    for key, found in sorted(ratings.items()):
        row = {}
        for name, values in found.items():
            if len(values) >= MIN_RATINGS:
                row[name] = {"average": round(fmean(values), 2), "ratings": len(values)}
            elif values:
                row[name] = {"suppressed": True}
        if row:
            out[key] = row
    return out
