"""A realistic demo partnership, generated deterministically from a seed.

"Cwm Partneriaeth" is an invented public-service partnership in the south Wales valleys:
about 150 people and 40 organisations across the nine sectors of DESIGN §3. It is made
to show what Bridgemap finds in a real network:

* most ties stay inside a sector (silos);
* a handful of **connectors** (a community connector, a social prescriber, a housing
  support worker...) carry most of the cross-sector ties, so they are the bridges and
  brokers;
* six sector pairs have **no tie at all** today, so the analysis has gaps to report:
  business with community, health, housing, police and social care, and education
  with police (eleven pairs in 2024, before the co-production programme);
* local businesses reach the rest of the partnership only through one employment
  mentor (Llinos Morgan), so one person's departure would cut a whole sector off (an
  articulation point that joins sectors); for business-community nobody is two steps
  apart, so that gap needs a new contact rather than an introduction;
* ties are dated over three years (2023-2025), cross-sector ties grow as the
  co-production programme beds in, and some ties end, so change over time shows;
* a few people are ``anonymised`` or ``hidden``, to show consent at work.

The same seed always gives the same map (ids, names, dates), so the demo, screenshots
and tests can rely on it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from graph_models.model import (
    Map,
    Organisation,
    OrganisationKind,
    Person,
    Relationship,
    Visibility,
    default_silos,
)

DEMO_MAP_ID = "demo"
#: The sector whose only way out is one connector (the employment mentor).
ISOLATED_SECTOR = "business"
#: Sector pairs that the demo keeps apart, so the analysis has gaps to find.
NO_TIE_PAIRS = frozenset({frozenset({"police", "education"}), frozenset({"business", "health"})})

AREAS = ["Merthyr Tydfil", "Rhondda", "Cynon", "Taff Ely"]
FIRST = (
    "Aled Alys Bethan Bryn Carys Cerys Dafydd Dylan Eira Elin Emrys Ffion Gareth Gwen Gwyn "
    "Hywel Ifan Iola Jac Lowri Llinos Mali Megan Nia Osian Owain Rhian Rhodri Rhys Sioned "
    "Steffan Tomos Tegan Wyn Aisha Ben Chloe Daniel Fatima Grace Harry Imran Jade Kieran "
    "Leah Mohammed Olivia Priya Ryan Sam Zara"
).split()
LAST = (
    "Evans Jones Williams Davies Thomas Roberts Hughes Lewis Morgan Griffiths Price Rees "
    "Powell Jenkins Howells Pritchard Bevan Lloyd Parry Owen Khan Patel Begum Ahmed Smith"
).split()

ORGANISATIONS = {
    "health": [
        ("Cwm Taf University Health Board", "statutory"),
        ("Valleys GP Cluster", "statutory"),
        ("Prince Charles Hospital", "statutory"),
        ("Community Mental Health Team", "statutory"),
        ("Rhondda Pharmacy Network", "business"),
    ],
    "social care": [
        ("Adult Social Services", "statutory"),
        ("Children's Services", "statutory"),
        ("Home Care Cooperative", "third sector"),
        ("Carers Support Cymru", "third sector"),
    ],
    "housing": [
        ("Valleys Housing Association", "third sector"),
        ("Council Housing Options", "statutory"),
        ("Tai Cymunedol", "third sector"),
        ("Supported Living Trust", "third sector"),
    ],
    "education": [
        ("Ysgol Gyfun y Cwm", "statutory"),
        ("Coleg y Cymoedd", "statutory"),
        ("Primary Schools Cluster", "statutory"),
        ("Adult Learning Wales", "third sector"),
    ],
    "police": [
        ("South Wales Police - Merthyr", "statutory"),
        ("Neighbourhood Policing Team", "statutory"),
        ("Youth Offending Service", "statutory"),
        ("Community Safety Partnership", "statutory"),
    ],
    "local authority": [
        ("County Borough Council", "statutory"),
        ("Leisure and Libraries", "statutory"),
        ("Public Protection", "statutory"),
        ("Economic Development", "statutory"),
        ("Welsh Language Unit", "statutory"),
    ],
    "third sector": [
        ("Voluntary Action Merthyr", "third sector"),
        ("Interlink RCT", "third sector"),
        ("Citizens Advice Cwm", "third sector"),
        ("Mind in the Valleys", "third sector"),
        ("Food Bank Cwm", "third sector"),
    ],
    "community": [
        ("Gurnos Community Hub", "community group"),
        ("Penydarren Residents' Group", "community group"),
        ("Men's Shed Aberdare", "community group"),
        ("Parents Together", "community group"),
        ("Valleys Choir", "community group"),
    ],
    "business": [
        ("Valleys Chamber of Commerce", "business"),
        ("Cwm Social Enterprise", "business"),
        ("Local Employers Forum", "business"),
        ("Bus Cymru Cwm", "business"),
    ],
}

ROLES = {
    "health": ["GP", "practice nurse", "district nurse", "mental health nurse", "pharmacist"],
    "social care": ["social worker", "care coordinator", "occupational therapist", "carer"],
    "housing": ["housing officer", "tenancy support worker", "estate manager"],
    "education": ["headteacher", "teacher", "family engagement officer", "tutor"],
    "police": ["PCSO", "neighbourhood sergeant", "youth justice worker"],
    "local authority": ["councillor", "community development officer", "librarian"],
    "third sector": ["volunteer coordinator", "advice worker", "project manager"],
    "community": ["resident", "group organiser", "volunteer", "parent"],
    "business": ["owner", "manager", "employer liaison"],
}

#: The people who carry most cross-sector ties: (role, home sector, sectors they reach).
CONNECTORS = [
    ("community connector", "third sector", ["community", "health", "housing", "social care"]),
    ("social prescriber", "health", ["third sector", "community", "social care"]),
    ("housing support worker", "housing", ["social care", "police", "third sector"]),
    ("school family liaison", "education", ["social care", "community", "local authority"]),
    ("partnership manager", "local authority", ["health", "police", "housing", "social care"]),
    ("employment mentor", "business", ["education", "third sector", "local authority"]),
]

START, END = date(2023, 1, 1), date(2025, 12, 31)


def build_demo(seed: int = 7) -> tuple[Map, list, list]:
    """Return ``(map, nodes, relationships)`` of the demo partnership for ``seed``.

    Examples
    --------
    >>> m, nodes, ties = build_demo()
    >>> m.id, len(m.silos), 140 <= sum(n.type.value == "person" for n in nodes) <= 160
    ('demo', 9, True)
    """
    rng = random.Random(seed)
    demo_map = Map(
        DEMO_MAP_ID,
        "Cwm Partneriaeth (demo)",
        "An invented public-service partnership in the south Wales valleys, made to show "
        "silos, bridges and change over time.",
        silos=default_silos(),
    )
    orgs: list[Organisation] = []
    org_by_silo: dict[str, list[str]] = {}
    for silo, entries in ORGANISATIONS.items():
        for i, (name, kind) in enumerate(entries):
            org = Organisation(
                id=f"org-{_slug(silo)}-{i + 1}",
                name=name,
                silo=silo,
                kind=OrganisationKind(kind),
                area=rng.choice(AREAS),
            )
            orgs.append(org)
            org_by_silo.setdefault(silo, []).append(org.id)

    people: list[Person] = []
    silo_of: dict[str, str] = {}
    members: dict[str, list[str]] = {s: [] for s in ORGANISATIONS}
    names = _unique_names(rng, 200)
    for silo in ORGANISATIONS:
        for _ in range(16):
            people.append(_person(rng, len(people), names, silo, rng.choice(ROLES[silo])))
    connectors = []
    for role, silo, _reach in CONNECTORS:
        person = _person(rng, len(people), names, silo, role, visibility=Visibility.NAMED)
        connectors.append(person.id)
        people.append(person)
    for p in people:
        silo_of[p.id] = p.silo
        members[p.silo].append(p.id)

    ties: list[Relationship] = []
    seen: set[frozenset] = set()

    def tie(a, b, kind, strength, since, until=None):
        key = frozenset((a, b))
        if a == b or key in seen:
            return
        seen.add(key)
        ties.append(Relationship(f"t{len(ties) + 1:04d}", a, b, kind, strength, since, until))

    # everyone works for (or volunteers at) an organisation of their own sector
    for p in people:
        kind = "volunteers_at" if p.silo == "community" else "works_for"
        tie(p.id, rng.choice(org_by_silo[p.silo]), kind, 4, _day(rng, START, date(2023, 6, 30)))
    # dense ties inside each sector: the silos
    for ids in members.values():
        for a in ids:
            for b in rng.sample(ids, 4):
                kind = rng.choice(["works_with", "works_with", "knows"])
                until = _day(rng, date(2024, 6, 1), END) if rng.random() < 0.08 else None
                tie(a, b, kind, rng.randint(2, 5), _day(rng, START, date(2024, 6, 30)), until)
    # connectors reach into other sectors, more of them as the programme beds in
    for (_role, silo, reach), cid in zip(CONNECTORS, connectors, strict=True):
        for other in reach:
            for b in rng.sample(members[other], 4):
                tie(cid, b, "works_with", rng.randint(2, 5), _day(rng, date(2023, 3, 1), END))
        for b in rng.sample(members[silo], 3):
            tie(cid, b, "works_with", 4, _day(rng, START, date(2023, 12, 31)))
    # a few ordinary cross-sector friendships, never across the pairs kept apart
    allowed = [
        (a, b)
        for a in ORGANISATIONS
        for b in ORGANISATIONS
        if a < b and frozenset({a, b}) not in NO_TIE_PAIRS and ISOLATED_SECTOR not in (a, b)
    ]
    for _ in range(60):
        sa, sb = rng.choice(allowed)
        tie(
            rng.choice(members[sa]),
            rng.choice(members[sb]),
            "knows",
            rng.randint(1, 3),
            _day(rng, START, END),
        )
    # some people mentor a newer colleague
    for ids in members.values():
        a, b = rng.sample(ids, 2)
        tie(a, b, "mentors", 4, _day(rng, START, END))
    # organisations partner, fund, commission and refer, within the allowed pairs
    org_silo = {o.id: o.silo for o in orgs}
    for _ in range(30):
        a, b = rng.sample([o.id for o in orgs], 2)
        if frozenset({org_silo[a], org_silo[b]}) in NO_TIE_PAIRS:
            continue
        if ISOLATED_SECTOR in (org_silo[a], org_silo[b]):
            continue
        kind = rng.choice(["partners_with", "partners_with", "refers_to", "funds", "commissions"])
        tie(a, b, kind, rng.randint(2, 5), _day(rng, START, END))
    return demo_map, [*people, *orgs], ties


def _person(rng, index, names, silo, role, visibility=None) -> Person:
    if visibility is None:
        roll = rng.random()
        visibility = (
            Visibility.HIDDEN
            if roll < 0.03
            else Visibility.ANONYMISED
            if roll < 0.12
            else Visibility.NAMED
        )
    area = rng.choice(AREAS)
    return Person(
        id=f"p{index + 1:03d}",
        name=names[index],
        silo=silo,
        role=role,
        area=area,
        tags=[f"locality:{'north' if area in AREAS[:2] else 'south'}"],
        visibility=visibility,
    )


def _unique_names(rng, count) -> list[str]:
    names: list[str] = []
    seen = set()
    while len(names) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _day(rng, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _slug(text: str) -> str:
    return text.replace(" ", "-")
