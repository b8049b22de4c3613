"""The report's shape, declared once: every section's fields, typed and described.

One set of marshmallow schemas serves three readers:

* the HTTP API: flask-smorest turns them into the OpenAPI document, so
  ``/api/v1/openapi.json`` describes every section and schemathesis checks every
  response against it;
* consent: each field that names a node (a person or an organisation) or a group says so
  in its metadata, and :mod:`graph_models.visibility` removes hidden people and
  suppresses small groups by walking these declarations, with no code per section;
* the tests: every key a real report produces must be declared here
  (``tests/analysis/test_report_schema.py``), so no output escapes the rules above.

Declaring references (field ``metadata``)
-----------------------------------------
``"node"`` -- how a field refers to nodes (people or organisations):

* :data:`ROW`: the value is a node id or a list of node ids the enclosing row is about
  (``node``, ``u``, ``v``, a suggestion's ``nodes``): a row naming a hidden person is
  left out of its list;
* :data:`MEMBERS`: a list of node ids (``isolates``): hidden people are left out;
* :data:`KEYS`: a dict keyed by node id (``membership``): hidden people's keys are left
  out.

``"group"`` -- how a field refers to groups (silos), for small-group suppression:

* :data:`KEYS`: a dict keyed by group (``by_group``): a small group's value becomes
  ``None``;
* :data:`ROW`: the group or groups the enclosing row is a figure about (a weak pair's
  ``groups``): the row is left out of its list when any of them is small;
* :data:`MEMBERS`: a list of groups or of group pairs (``splits``, ``joins``): items
  naming a small group are left out;
* :data:`ALIGNED` with ``"axes"``: a list (or list of lists) whose positions follow the
  sibling field(s) named in ``axes`` (``None`` for an axis that is not about groups):
  a small group's cells become ``None``;
* :data:`FIGURE` with ``"of"``: a figure about the group named by the sibling field
  ``of`` (``dominant_share`` of ``dominant_group``): ``None`` when that group is small;
* :data:`NAME`: group names shown as they are: the axis of a table, or the group a node
  belongs to (a node's own label, not a figure about its group);
* :data:`SUPPRESSED`: filled with the sorted list of the small groups when any is
  suppressed.

A field with ``group`` in its name must declare one of these (a test checks it), so a
new section cannot leave a group figure unsuppressed by forgetting to say what it is.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from graph_models.analysis.change import HEADLINE_FIELDS

__all__ = [
    "ALIGNED",
    "FIGURE",
    "KEYS",
    "MEMBERS",
    "NAME",
    "ROW",
    "SECTION_SCHEMAS",
    "SUPPRESSED",
    "ChangeReportSchema",
    "Document",
    "MapRefSchema",
    "PageSchema",
    "Part",
    "ReportSchema",
    "section_report_schema",
]

ROW = "row"
MEMBERS = "members"
KEYS = "keys"
ALIGNED = "aligned"
FIGURE = "figure"
NAME = "name"
SUPPRESSED = "suppressed"


class Part(ma.Schema):
    """A declared part of the report: unknown keys are errors when a report is loaded
    (validated) against it, and ``additionalProperties: false`` in the OpenAPI."""

    class Meta:
        unknown = ma.RAISE


class Document(Part):
    """A whole response document (a report, a change, a graph): declared field by field,
    but dumped as it is.

    The documents are built by our own code and already JSON-ready; dumping them
    through marshmallow would cost more than encoding them (measured on a 10,000-node
    report: 430 ms for ``dump`` against 200 ms for ``json.dumps``, on a loaded 2-core
    machine, so the cached report would take three times as long) and would turn
    whole numbers of float fields into ``1.0``. So ``dump`` returns the document
    unchanged; what guarantees that it matches the declaration is the tests, which
    ``load`` (validate) real documents against it, and schemathesis, which checks every
    response against the OpenAPI document made from it.
    """

    def dump(self, obj, *, many=None):
        return obj


def _int(text: str, **kw) -> fields.Integer:
    return fields.Integer(metadata={"description": text, **kw.pop("metadata", {})}, **kw)


def _num(text: str, *, nullable: bool = False) -> fields.Float:
    return fields.Float(allow_none=nullable, metadata={"description": text})


def _str(text: str, *, nullable: bool = False, **meta) -> fields.String:
    return fields.String(allow_none=nullable, metadata={"description": text, **meta})


def _node(text: str = "the node's public id (real, anon- pseudonym)") -> fields.String:
    return _str(text, node=ROW)


def _label() -> fields.String:
    return _str("what a reader may see of the node: its name or 'a person in <silo>'")


def _groups_of_ends(text: str = "the groups of the two ends") -> fields.List:
    return fields.List(fields.String(), metadata={"description": text, "group": NAME})


# -- blocks around the sections ----------------------------------------------------------


class MapRefSchema(Part):
    """Which map and which version of it the figures are about."""

    id = _str("the map's id")
    name = _str("the map's name")
    version = _int("the map's version (every write bumps it)")


class PageSchema(Part):
    """The page of the long per-node lists (``*_total`` gives each list's full length)."""

    limit = _int("most rows per paged list")
    offset = _int("rows skipped in each paged list")


class ParametersSchema(Part):
    group_by = _str("the grouping: silo, organisation, area or tag:<key>")
    as_of = _str("the day the map was analysed as of (YYYY-MM-DD)", format="date")
    seed = _int("seed of every random choice (sampling, community detection)")
    sections = fields.List(fields.String(), metadata={"description": "the sections computed"})
    ties = _str("which ties were counted: all, survey (reported in a survey) or confirmed")


class GraphSizeSchema(Part):
    nodes = _int("people and organisations, hidden people included")
    ties = _int("ties between them, those of hidden people included")


# -- centrality ------------------------------------------------------------------------


class EstimateSchema(Part):
    """How one measure was computed: exactly, or estimated from sampled pivots."""

    method = _str("exact or sampled")
    k = _int("pivots sampled")
    seed = _int("seed of the pivot sample")
    estimator = _str("the estimator used")
    wf_improved = fields.Boolean(metadata={"description": "Wasserman-Faust correction"})
    sampled_components = _int("components whose closeness was sampled")
    alpha = _num("PageRank damping factor")
    solver = _str("PageRank solver")
    source = _str("where an exact value was computed: request, or background (stored)")
    seconds = _num("time the exact computation took, seconds", nullable=True)
    expected_seconds = _int("pending: time still expected until the exact values are ready")


class PendingSchema(Part):
    """Exact betweenness and closeness are being computed in the background: the lists
    that rank by them say so instead of showing an estimate as if it were true."""

    status = _str("computing")
    expected_seconds = _int("time still expected, seconds")
    message = _str("'being computed: ready in about N seconds', in the reader's language")


class CentralityMethodSchema(Part):
    backend = _str("where betweenness, closeness and PageRank were computed")
    nodes = _int("nodes of the graph")
    edges = _int("ties of the graph")
    weight = _str("edge attribute used as tie strength", nullable=True)
    distance = _str("edge attribute used as tie length", nullable=True)
    exact_threshold = _int("exact up to this many nodes, sampled above", allow_none=True)
    betweenness = fields.Nested(EstimateSchema)
    closeness = fields.Nested(EstimateSchema)
    pagerank = fields.Nested(EstimateSchema)


class CentralityRowSchema(Part):
    node = _node()
    label = _label()
    degree = _int("number of ties")
    weighted_degree = _int("sum of the strength (1-5) of the node's ties")
    degree_centrality = _num("degree / (n - 1)")
    betweenness = _num(
        "share of shortest paths through the node (normalised); None while being computed",
        nullable=True,
    )
    closeness = _num("Wasserman-Faust closeness; None while being computed", nullable=True)
    pagerank = _num("PageRank, damping 0.85")


class CentralitySchema(Part):
    """Degree, betweenness, closeness and PageRank per node, most between first."""

    method = fields.Nested(CentralityMethodSchema)
    pending = fields.Nested(PendingSchema)
    nodes = fields.List(fields.Nested(CentralityRowSchema))
    nodes_total = _int("length of nodes before paging (API)")


# -- bridging --------------------------------------------------------------------------


class BrokerageCountsSchema(Part):
    """Open two-paths brokered, by Gould-Fernandez role (ordered pairs)."""

    coordinator = _int("a - v - c all in v's group")
    itinerant = _int("a and c in one group, v in another")
    representative = _int("a in v's group, c outside")
    gatekeeper = _int("c in v's group, a outside")
    liaison = _int("a, v and c in three different groups")
    total = _int("all roles")


class BrokerageSummarySchema(BrokerageCountsSchema):
    brokers = _int("nodes that broker any pair")
    by_group = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(BrokerageCountsSchema, allow_none=True),
        metadata={"description": "role totals by the broker's group", "group": KEYS},
    )


class BridgingSummarySchema(Part):
    bridges = _int("ties whose removal disconnects their ends")
    crossing_bridges = _int("bridges between two groups")
    local_bridges = _int("ties whose ends share no neighbour")
    crossing_local_bridges = _int("local bridges between two groups")
    brokerage = fields.Nested(BrokerageSummarySchema)


class TieSchema(Part):
    u = _node("one end's public id")
    v = _node("the other end's public id")
    u_label = _label()
    v_label = _label()
    groups = _groups_of_ends()
    crosses = fields.Boolean(metadata={"description": "whether the ends' groups differ"})


class LocalBridgeSchema(TieSchema):
    span = _int("distance between the ends without the tie (None: infinite)", allow_none=True)
    bridge = fields.Boolean(metadata={"description": "also a (global) bridge"})


class PieceSchema(Part):
    size = _int("nodes in the piece")
    groups = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(allow_none=True),
        metadata={"description": "members of each group in the piece", "group": KEYS},
    )


class ArticulationPointSchema(Part):
    node = _node()
    label = _label()
    group = _str("the node's own group", group=NAME)
    component_size = _int("nodes in its connected component")
    pieces = fields.List(fields.Nested(PieceSchema))
    separated = _int("nodes cut off from the largest piece")
    joins = fields.List(
        fields.List(fields.String()),
        metadata={"description": "group pairs the node alone joins", "group": MEMBERS},
    )
    splits = fields.List(
        fields.String(),
        metadata={"description": "groups whose members would be split", "group": MEMBERS},
    )


class BridgingRowSchema(Part):
    node = _node()
    label = _label()
    constraint = _num("Burt's constraint (None for an isolate)", nullable=True)
    effective_size = _num("Burt's effective size (None for an isolate)", nullable=True)
    bridging_coefficient = _num("Hwang et al.'s bridging coefficient", nullable=True)
    bridging_centrality = _num(
        "betweenness x bridging coefficient; None while betweenness is being computed",
        nullable=True,
    )
    brokerage_coordinator = _int("Gould-Fernandez coordinator paths")
    brokerage_itinerant = _int("Gould-Fernandez itinerant paths")
    brokerage_representative = _int("Gould-Fernandez representative paths")
    brokerage_gatekeeper = _int("Gould-Fernandez gatekeeper paths")
    brokerage_liaison = _int("Gould-Fernandez liaison paths")
    brokerage_total = _int("all brokered paths")


class StructuralHolesMethodSchema(Part):
    weight = _str("edge attribute used as tie strength", nullable=True)
    backend = _str("where constraint was computed: igraph (C) or networkx")


class BrokerageMethodSchema(Part):
    attribute = _str("node attribute holding the group")
    directed = fields.Boolean(metadata={"description": "ties kept their direction"})
    convention = _str("how paths are counted")


class BridgingCentralityMethodSchema(Part):
    betweenness = _str("'given': the betweenness of the centrality section")


class BridgingMethodSchema(Part):
    attribute = _str("node attribute holding the group")
    structural_holes = fields.Nested(StructuralHolesMethodSchema)
    brokerage = fields.Nested(BrokerageMethodSchema)
    bridging_centrality = fields.Nested(BridgingCentralityMethodSchema)


class BridgingSchema(Part):
    """Bridges, articulation points, structural holes and brokerage roles."""

    method = fields.Nested(BridgingMethodSchema)
    pending = fields.Nested(PendingSchema)
    summary = fields.Nested(BridgingSummarySchema)
    bridges = fields.List(fields.Nested(TieSchema))
    local_bridges = fields.List(fields.Nested(LocalBridgeSchema))
    articulation_points = fields.List(fields.Nested(ArticulationPointSchema))
    nodes = fields.List(fields.Nested(BridgingRowSchema))
    bridges_total = _int("length of bridges before paging (API)")
    local_bridges_total = _int("length of local_bridges before paging (API)")
    articulation_points_total = _int("length of articulation_points before paging (API)")
    nodes_total = _int("length of nodes before paging (API)")


# -- silos -----------------------------------------------------------------------------


class SiloHeadlineSchema(Part):
    nodes = _int("people and organisations")
    nodes_with_ties = _int("nodes with at least one tie")
    ties = _int("ties")
    groups = _int("groups present")
    cross_group_ties = _int("ties between two groups")
    cross_group_share = _num("cross-group ties / all ties", nullable=True)
    ei_index = _num("Krackhardt-Stern E-I index of the whole network", nullable=True)
    expected_ei_index = _num("E-I index if ties ignored groups", nullable=True)
    assortativity = _num("Newman's attribute assortativity", nullable=True)
    modularity = _num("modularity of the declared groups", nullable=True)
    group_pairs = _int("pairs of distinct groups")
    isolated_group_pairs = _int("group pairs with no tie")
    weak_group_pairs = _int("group pairs with no, few or thin ties")


class TieMatrixSchema(Part):
    attribute = _str("node attribute holding the group")
    groups = fields.List(
        fields.String(), metadata={"description": "the groups, sorted", "group": NAME}
    )
    sizes = fields.List(
        fields.Integer(allow_none=True),
        metadata={"description": "nodes per group", "group": ALIGNED, "axes": ["groups"]},
    )
    counts = fields.List(
        fields.List(fields.Integer(allow_none=True)),
        metadata={
            "description": "ties between groups i and j (the diagonal: inside each)",
            "group": ALIGNED,
            "axes": ["groups", "groups"],
        },
    )
    densities = fields.List(
        fields.List(fields.Float(allow_none=True)),
        metadata={
            "description": "ties over possible ties, between groups i and j",
            "group": ALIGNED,
            "axes": ["groups", "groups"],
        },
    )
    ties = _int("ties")
    internal_ties = _int("ties inside a group")
    cross_group_ties = _int("ties between groups")


class EISchema(Part):
    external = _int("ties to other groups")
    internal = _int("ties inside the group")
    ei = _num("(external - internal) / (external + internal)", nullable=True)


class GroupEISchema(EISchema):
    size = _int("nodes in the group")
    expected = _num("E-I index if ties ignored groups", nullable=True)


class OverallEISchema(EISchema):
    expected = _num("E-I index if ties ignored groups", nullable=True)


class EIIndexSchema(Part):
    nodes = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(EISchema),
        metadata={"description": "E-I index of each node's own ties", "node": KEYS},
    )
    nodes_total = _int("number of nodes before paging (API)")
    groups = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(GroupEISchema, allow_none=True),
        metadata={"description": "E-I index of each group", "group": KEYS},
    )
    overall = fields.Nested(OverallEISchema)


class WeakPairSchema(Part):
    groups = fields.List(fields.String(), metadata={"description": "the two groups", "group": ROW})
    ties = _int("ties between them")
    possible = _int("possible ties between them")
    density = _num("ties / possible")
    relative_density = _num("density / average cross-group density", nullable=True)
    reasons = fields.List(fields.String(), metadata={"description": "why the pair is weak"})


class SiloParametersSchema(Part):
    attribute = _str("node attribute holding the group")
    few = _int("pairs with fewer ties are weak")
    threshold = _num("pairs thinner than this times the average are weak")
    weight = _str("edge attribute used as weight for modularity", nullable=True)


class SilosSchema(Part):
    """How the ties fall within and between groups."""

    headline = fields.Nested(SiloHeadlineSchema)
    tie_matrix = fields.Nested(TieMatrixSchema)
    ei_index = fields.Nested(EIIndexSchema)
    weak_pairs = fields.List(fields.Nested(WeakPairSchema))
    average_cross_group_density = _num("cross-group ties / possible", nullable=True)
    parameters = fields.Nested(SiloParametersSchema)
    suppressed_groups = fields.List(
        fields.String(),
        metadata={
            "description": "small groups whose figures are not shown (viewers)",
            "group": SUPPRESSED,
        },
    )


# -- communities -----------------------------------------------------------------------


class MisfitSchema(Part):
    node = _node()
    label = _label()
    group = _str("the node's own group", group=NAME)
    type = _str("person or organisation")


class CommunitySchema(Part):
    id = _int("community number, largest first")
    size = _int("members")
    groups = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(allow_none=True),
        metadata={"description": "members of each group", "group": KEYS},
    )
    dominant_group = _str("the group with most members", group=NAME)
    dominant_share = fields.Float(
        allow_none=True,
        metadata={
            "description": "share of members in the dominant group",
            "group": FIGURE,
            "of": "dominant_group",
        },
    )
    dominant_tied = fields.Boolean(metadata={"description": "another group has as many"})
    misfits = fields.List(fields.Nested(MisfitSchema))


class GroupCommunitiesSchema(Part):
    size = _int("members compared")
    communities = _int("communities the group is spread over")
    main_community = _int("the community holding most of it", allow_none=True)
    main_share = _num("share of the group in its main community", nullable=True)


class OverlapSchema(Part):
    communities = fields.List(fields.Integer(), metadata={"description": "community ids"})
    groups = fields.List(fields.String(), metadata={"description": "groups", "group": NAME})
    counts = fields.List(
        fields.List(fields.Integer(allow_none=True)),
        metadata={
            "description": "members of each group (column) in each community (row)",
            "group": ALIGNED,
            "axes": [None, "groups"],
        },
    )


class CommunityParametersSchema(Part):
    attribute = _str("node attribute holding the group")
    seed = _int("seed of the detection")
    resolution = _num("modularity resolution")
    weight = _str("edge attribute used as weight", nullable=True)
    algorithm = _str("louvain or leiden")
    backend = _str("igraph or networkx")


class CommunitiesSchema(Part):
    """Communities found in the structure, against the declared groups."""

    method = _str("algorithm/backend")
    parameters = fields.Nested(CommunityParametersSchema)
    nodes_compared = _int("nodes with at least one tie")
    isolates = fields.List(
        fields.String(), metadata={"description": "nodes without ties", "node": MEMBERS}
    )
    groups = fields.List(fields.String(), metadata={"description": "groups", "group": NAME})
    modularity = _num("modularity of the communities found", nullable=True)
    declared_modularity = _num("modularity of the declared groups", nullable=True)
    nmi = _num("normalised mutual information of the two partitions", nullable=True)
    overlap = fields.Nested(OverlapSchema)
    communities = fields.List(fields.Nested(CommunitySchema))
    by_group = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(GroupCommunitiesSchema, allow_none=True),
        metadata={"description": "how each group spreads over communities", "group": KEYS},
    )
    membership = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "community id of each compared node", "node": KEYS},
    )
    membership_total = _int("number of compared nodes before paging (API)")
    misfit_count = _int("members outside their community's dominant group")


# -- introductions ---------------------------------------------------------------------


class BrokerSchema(Part):
    node = _node()
    label = _label()
    group = _str("the broker's group", group=NAME)


class SuggestionSchema(Part):
    nodes = fields.List(
        fields.String(), metadata={"description": "the two people to introduce", "node": ROW}
    )
    labels = fields.List(fields.String(), metadata={"description": "their labels"})
    adamic_adar = _num("Adamic-Adar index")
    common_neighbours = _int("contacts in common")
    brokers = fields.List(fields.Nested(BrokerSchema))


class IntroductionPairSchema(Part):
    groups = fields.List(fields.String(), metadata={"description": "the two groups", "group": ROW})
    ties = _int("ties between them")
    candidates = _int("candidate pairs found before the limit")
    suggestions = fields.List(fields.Nested(SuggestionSchema))


class IntroductionParametersSchema(Part):
    attribute = _str("node attribute holding the group")
    pairs = fields.List(
        fields.List(fields.String()),
        allow_none=True,
        metadata={"description": "the group pairs asked for (None: the weak ones)"},
    )
    limit = _int("most suggestions per pair", allow_none=True)
    few = _int("pairs with fewer ties are weak")
    node_type = _str("only nodes of this type are suggested", nullable=True)


class IntroductionsSchema(Part):
    """Suggested introductions across weakly tied group pairs."""

    method = _str("ranking: adamic_adar")
    parameters = fields.Nested(IntroductionParametersSchema)
    pairs = fields.List(fields.Nested(IntroductionPairSchema))


# -- change ----------------------------------------------------------------------------


#: The headline figures compared at each date: those of the silos section's headline.
HeadlineAtSchema = Part.from_dict(
    {
        **{name: SiloHeadlineSchema._declared_fields[name] for name in HEADLINE_FIELDS},
        "as_of": _str("the date", nullable=True, format="date"),
    },
    name="HeadlineAtSchema",
)

#: after - before, for each figure compared (:data:`graph_models.analysis.change.HEADLINE_FIELDS`)
DifferenceSchema = Part.from_dict(
    {name: _num("after - before", nullable=True) for name in HEADLINE_FIELDS},
    name="DifferenceSchema",
)


class CrossTieSchema(Part):
    nodes = fields.List(fields.String(), metadata={"description": "the two ends", "node": ROW})
    labels = fields.List(fields.String(), metadata={"description": "their labels"})
    groups = _groups_of_ends()


class CompareParametersSchema(Part):
    attribute = _str("node attribute holding the group")


class ChangeSchema(Part):
    """The headline figures at two dates, and the cross-group ties gained and lost."""

    before = fields.Nested(HeadlineAtSchema)
    after = fields.Nested(HeadlineAtSchema)
    difference = fields.Nested(DifferenceSchema)
    gained = fields.List(fields.Nested(CrossTieSchema))
    lost = fields.List(fields.Nested(CrossTieSchema))
    parameters = fields.Nested(CompareParametersSchema)


class ChangeParametersSchema(Part):
    group_by = _str("the grouping")
    from_ = fields.String(
        data_key="from", metadata={"description": "the earlier date", "format": "date"}
    )
    to = _str("the later date", format="date")


# -- whole reports ---------------------------------------------------------------------

#: The schema of each section of :func:`graph_models.analysis.report.analyse`.
SECTION_SCHEMAS: dict[str, type[Part]] = {
    "centrality": CentralitySchema,
    "bridging": BridgingSchema,
    "silos": SilosSchema,
    "communities": CommunitiesSchema,
    "introductions": IntroductionsSchema,
}


class ReportSchema(Document):
    """A report (:func:`graph_models.reporting.map_report`): the sections asked for."""

    map = fields.Nested(MapRefSchema)
    page = fields.Nested(PageSchema)
    parameters = fields.Nested(ParametersSchema)
    graph = fields.Nested(GraphSizeSchema)
    centrality = fields.Nested(CentralitySchema)
    bridging = fields.Nested(BridgingSchema)
    silos = fields.Nested(SilosSchema)
    communities = fields.Nested(CommunitiesSchema)
    introductions = fields.Nested(IntroductionsSchema)


class ChangeReportSchema(Document):
    """The change between two dates (:func:`graph_models.reporting.map_change`)."""

    map = fields.Nested(MapRefSchema)
    parameters = fields.Nested(ChangeParametersSchema)
    change = fields.Nested(ChangeSchema)


_SECTION_REPORTS: dict[str, type[Document]] = {}


def section_report_schema(section: str) -> type[Document]:
    """The schema of a report of one section only (as ``/analysis/<section>`` answers)."""
    if section not in _SECTION_REPORTS:
        keep = {"map", "page", "parameters", "graph", section}
        declared = {k: v for k, v in ReportSchema._declared_fields.items() if k in keep}
        name = f"{section.capitalize()}Report"
        _SECTION_REPORTS[section] = type(
            name, (Document,), {**declared, "__doc__": f"A report of the {section} section."}
        )
    return _SECTION_REPORTS[section]
