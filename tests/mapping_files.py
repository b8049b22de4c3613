"""Files people already have, made here: networkx's own GEXF and GraphML writers for four
of its datasets, a Gephi-style GEXF 1.2 with ``viz:`` elements, and a Kumu-style
workbook and CSV pair; with the mapping each is imported with and the numbers expected.

The expected numbers come from networkx itself (nodes, edges, the ``bipartite``
attribute) or from the rows written here, never from Bridgemap.
"""

from __future__ import annotations

import csv
import io
import zipfile

import networkx as nx
import openpyxl

DATASETS = ("karate", "florentine", "davis", "lesmis")


def dataset(name: str) -> nx.Graph:
    if name == "karate":
        return nx.karate_club_graph()
    if name == "florentine":
        return nx.florentine_families_graph()
    if name == "davis":
        G = nx.davis_southern_women_graph()
        G.graph.clear()  # list-valued top/bottom: networkx's GraphML writer cannot write them
        return G
    return nx.les_miserables_graph()


def networkx_file(name: str, fmt: str) -> bytes:
    """``name`` written by networkx's own ``write_gexf`` or ``write_graphml``."""
    out = io.BytesIO()
    getattr(nx, f"write_{fmt}")(dataset(name), out)
    return out.getvalue()


def expected(name: str) -> tuple[int, int, int]:
    """(people, organisations, ties) from networkx: Davis's women (bipartite 0) are
    people and its events (bipartite 1) organisations; every other node is a person."""
    G = dataset(name)
    orgs = sum(1 for _, b in G.nodes(data="bipartite") if b == 1)
    return G.number_of_nodes() - orgs, orgs, G.number_of_edges()


def networkx_mapping(name: str, fmt: str) -> dict:
    """The mapping a person states for each dataset (what the page's form sends)."""
    nodes: dict = {"columns": {}, "type": {"default": "person"}, "silo": {"default": name}}
    if name == "davis" or fmt == "gexf":
        nodes["columns"]["@id"] = "ignore" if name == "davis" else "id"
    else:
        nodes["columns"]["@id"] = "id"
    if fmt == "gexf":
        nodes["columns"]["label"] = "name"
    elif name == "davis":
        nodes["columns"]["@id"] = "name"
    if name == "karate":
        nodes["columns"]["club"] = "silo"
    if name == "davis":
        nodes["columns"]["bipartite"] = "type"
        nodes["type"] = {"values": {"0": "person", "1": "organisation"}}
    ties: dict = {"columns": {"@source": "source", "@target": "target"}}
    if fmt == "gexf":
        ties["columns"]["id"] = "ignore"
    if name in ("karate", "lesmis"):
        ties["columns"]["weight"] = "weight"
    ties["kind"] = {"default": "member_of" if name == "davis" else "knows"}
    return {"nodes": nodes, "relationships": ties}


# -- Gephi-style GEXF 1.2 with viz: -----------------------------------------------------

GEPHI_NODES = [  # id, label, modularity_class, colour, Country
    ("n0", "Aled Jones", 0, (230, 25, 75), "Wales"),
    ("n1", "Bethan Hughes", 0, (230, 25, 75), "Wales"),
    ("n2", "Carys Price", 0, (230, 25, 75), "England"),
    ("n3", "Dafydd Rees", 1, (60, 180, 75), "Wales"),
    ("n4", "Eleri Morgan", 1, (60, 180, 75), "Wales"),
    ("n5", "Ffion Owen", 2, (0, 130, 200), "Wales"),
]
GEPHI_EDGES = [("n0", "n1", 1.0), ("n1", "n2", 2.5), ("n0", "n2", 4.0), ("n2", "n3", 1.0)]
GEPHI_EDGES += [("n3", "n4", 10.0), ("n4", "n5", 5.5), ("n1", "n5", 3.0)]


def gephi_gexf() -> bytes:
    """A GEXF 1.2 file as Gephi writes it: attributes, viz:color/position/size."""
    nodes = "\n".join(
        f'<node id="{i}" label="{label}"><attvalues>'
        f'<attvalue for="modularity_class" value="{c}"/><attvalue for="country" value="{land}"/>'
        f'</attvalues><viz:size value="{10 + k}"/>'
        f'<viz:position x="{k * 10.5}" y="{-k * 3.25}" z="0.0"/>'
        f'<viz:color r="{r}" g="{g}" b="{b}"/></node>'
        for k, (i, label, c, (r, g, b), land) in enumerate(GEPHI_NODES)
    )
    edges = "\n".join(
        f'<edge id="{k}" source="{s}" target="{t}" weight="{w}"/>'
        for k, (s, t, w) in enumerate(GEPHI_EDGES)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:viz="http://www.gexf.net/1.2draft/viz"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.2">
  <meta lastmodifieddate="2024-03-01"><creator>Gephi 0.10.1</creator></meta>
  <graph defaultedgetype="undirected" mode="static">
    <attributes class="node" mode="static">
      <attribute id="modularity_class" title="Modularity Class" type="integer"/>
      <attribute id="country" title="Country" type="string"/>
    </attributes>
    <nodes>
{nodes}
    </nodes>
    <edges>
{edges}
    </edges>
  </graph>
</gexf>
""".encode()


GEPHI_SILOS = {"0": "Health", "1": "Housing", "2": "Education"}
GEPHI_COLOURS = {"Health": "#e6194b", "Housing": "#3cb44b", "Education": "#0082c8"}


def gephi_mapping() -> dict:
    return {
        "nodes": {
            "columns": {
                "@id": "id",
                "label": "name",
                "Modularity Class": "silo",
                "Country": "tag",
                "@colour": "colour",
            },
            "type": {"default": "person"},
            "silo": {"values": GEPHI_SILOS},
        },
        "relationships": {
            "columns": {
                "@source": "source",
                "@target": "target",
                "weight": "weight",
                "id": "ignore",
            },
            "kind": {"default": "works_with"},
            "strength": "linear",
        },
    }


# -- Kumu-style workbook and CSV pair --------------------------------------------------

KUMU_ELEMENTS = [
    ("Label", "Type", "Description", "Tags", "Country"),
    ("Siân Evans", "Person", "GP at Ty Hapus", "health|north", "Wales"),
    ("Owen Hughes", "People", "Housing officer", "housing", "Wales"),
    ("Mari Jones", "Individual", "Youth worker", "youth|north|volunteer", "Wales"),
    ("Tom Price", "person", "", "", "England"),
    ("Ty Hapus Surgery", "Organization", "A GP surgery", "health", "Wales"),
    ("Cartrefi Cymru", "Organisation", "Housing association", "housing|charity", "Wales"),
    ("Youth Forum", "Org", "", "youth", ""),
]
KUMU_CONNECTIONS = [
    ("From", "To", "Type", "Direction", "Strength", "Notes"),
    ("Siân Evans", "Owen Hughes", "collaborates", "undirected", "4", "monthly meeting"),
    ("Owen Hughes", "Mari Jones", "collaborates", "undirected", "2", ""),
    ("Mari Jones", "Tom Price", "collaborates", "undirected", "", ""),
    ("Siân Evans", "Ty Hapus Surgery", "member", "directed", "5", ""),
    ("Cartrefi Cymru", "Owen Hughes", "member", "directed", "5", "listed other way round"),
    ("Mari Jones", "Youth Forum", "member", "directed", "3", ""),
    ("Ty Hapus Surgery", "Cartrefi Cymru", "partnership", "mutual", "3", ""),
    ("Cartrefi Cymru", "Youth Forum", "funds", "directed", "2", "small grant"),
]
KUMU_EXPECTED = (4, 3, 8)  # people, organisations, ties: counted in the rows above


def kumu_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Elements"
    for row in KUMU_ELEMENTS:
        ws.append(list(row))
    ws = wb.create_sheet("Connections")
    for row in KUMU_CONNECTIONS:
        ws.append([int(c) if c.isdigit() and i == 4 else c for i, c in enumerate(row)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def kumu_csv_pair() -> dict[str, bytes]:
    """Kumu's two CSV files, as a person downloads them."""
    return {"elements.csv": _csv(KUMU_ELEMENTS), "connections.csv": _csv(KUMU_CONNECTIONS)}


def kumu_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in kumu_csv_pair().items():
            z.writestr(name, data)
    return out.getvalue()


def kumu_mapping(elements: str | None = None, connections: str | None = None) -> dict:
    nodes = {
        "columns": {
            "Label": "name",
            "Type": "type",
            "Description": "role",
            "Tags": "tags",
            "Country": "tag",
        },
        "type": {},
        "silo": {"default": "Partners"},
        "tag_separator": "|",
    }
    ties = {
        "columns": {
            "From": "source",
            "To": "target",
            "Type": "kind",
            "Direction": "direction",
            "Strength": "strength",
            "Notes": "notes",
        },
        "kind": {
            "values": {
                "collaborates|undirected": "works_with",
                "member|directed": "member_of",
                "partnership|mutual": "partners_with",
                "funds|directed": "funds",
            }
        },
        "strength": "as_is",
    }
    if elements:
        nodes["sheet"] = elements
    if connections:
        ties["sheet"] = connections
    return {"nodes": nodes, "relationships": ties}
