"""The demo partnership with a small silo: a map where viewers have a group to suppress.

"faith" holds three people, one of each consent (named, anonymised, hidden), tied to
the demo's people and to each other, so a viewer's report has a small group whose
figures are suppressed and a hidden person whose rows are left out.
"""

from __future__ import annotations

from graph_models.demo import build_demo
from graph_models.model import Person, Relationship, Silo, Visibility
from graph_models.store.embedded import EmbeddedStore


def demo_with_small_silo(folder) -> tuple[EmbeddedStore, str]:
    """``(an embedded store in folder, the map's id)``."""
    m, nodes, relationships = build_demo()
    m.silos.append(Silo("faith", "#808000"))
    faith = [
        Person("faith-1", "Fay Named", "faith"),
        Person("faith-2", "Fin Anon", "faith", visibility=Visibility.ANONYMISED),
        Person("faith-3", "Flo Hidden", "faith", visibility=Visibility.HIDDEN),
    ]
    people = [n for n in nodes if n.type.value == "person"]
    ties = [
        Relationship(f"faith-tie-{i}", f.id, people[7 * i].id, "knows") for i, f in enumerate(faith)
    ]
    ties.append(Relationship("faith-tie-x", "faith-1", "faith-2", "knows"))
    s = EmbeddedStore(folder / "db.sqlite3")
    s.create_map(m)
    s.bulk_upsert(m.id, nodes + faith, relationships + ties)
    return s, m.id
