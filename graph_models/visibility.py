"""Consent, applied in one place between the graph and everything that shows it.

Each person chose how they may be shown (:class:`~graph_models.model.Visibility`):

* ``named`` — by name and id;
* ``anonymised`` — as "a person in <silo>", under a stable pseudonymous id (the same
  person gets the same pseudonym in every report of the map, so a coordinator can
  follow "anon-3f2a…" across tables, but the id cannot be turned back into the person);
* ``hidden`` — counted in the structure (their ties still join others, so totals and
  network measures stay true) but never named, listed, drawn or suggested.

How it works: :func:`public_graph` relabels the projected graph *before* analysis, so
every node id an analysis can output is already public (a real id, an ``anon-``
pseudonym or a ``hidden-`` pseudonym), and names are dropped from the graph. Then
:func:`redact` removes every row, pair, key or list item that refers to a hidden
person from the analysis output, and :func:`suppress_small_groups` the figures about
small groups. Both walk the report along its declared schema
(:mod:`graph_models.analysis.report_schema`), where each field that names a node or a
group says so; there is no code per section here. A new section is covered once its
schema is declared, and the tests refuse a report with an undeclared key, a group
field without a rule, or a hidden id left in the output.

Who sees what (the ``viewer`` flag; coordinators and operators see the full records
through the entity API, everyone else — viewers and community links — is a viewer):

* every reader's analysis and graph pages: hidden people left out, anonymised people
  pseudonymised, no names of anonymised people, no contact details (the rules above);
* viewers also get **small-group suppression** (DESIGN §4: re-identification risk). A
  *small group* has fewer than :data:`MIN_GROUP_SIZE` people (people of any consent,
  organisations not counted); groups and silos are judged on the whole map
  (:func:`viewer_partition`). For viewers:

  - an anonymised person in a small *silo* is treated as hidden, whatever the
    grouping ("a person in police" is no pseudonym when police has two people);
  - under a grouping other than silo, every person who is not named, and every member
    of a group of fewer than :data:`MIN_GROUP_SIZE` people, is in the one group
    :data:`NOT_SHOWN`: an anonymised person's area, tags and organisation, and the
    name of a rare area or tag value, never enter a viewer's analysis;
  - every figure *about* a small group is suppressed (:func:`suppress_small_groups`):
    its row and column of the tie matrix and its sizes become ``None``; its per-group
    E-I, brokerage and community figures become ``None``; weak pairs, introduction
    pairs and the silo pairs an articulation point alone joins are dropped when they
    involve it; in the silo view its node is not drawn;
  - named people and organisations of a small group are still shown as themselves
    (they agreed to be named), and the whole-network totals still count everyone;
  - the entity API and graph JSON (:func:`public_records`) leave out hidden people and
    anonymised people of small silos, pseudonymise the other anonymised people (their
    role, area and tags dropped too), drop every contact detail, and blank the free
    text of ties (``notes``, ``evidence``), which may name people.

Known limit: totals minus the figures shown can reveal a suppressed cell when exactly
one group is suppressed (differencing); viewers are trusted commissioners, and the
small group's people are never named by it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from itertools import chain, compress, repeat
from operator import itemgetter, not_, or_

import networkx as nx
from marshmallow import fields

from graph_models.analysis import report_schema as rs
from graph_models.columns import SCALARS, holds_any, label
from graph_models.messages import Message
from graph_models.model import Visibility, to_dict

ANON_PREFIX = "anon-"
HIDDEN_PREFIX = "hidden-"
TIE_PREFIX = "tie-"
#: Figures about a group with fewer people than this are suppressed for viewers.
MIN_GROUP_SIZE = 5
#: the consent values, read once (``Visibility.X.value`` is an enum descriptor call, in
#: loops over every node of a map)
_NAMED = Visibility.NAMED.value
_ANONYMISED = Visibility.ANONYMISED.value


def pseudonym(secret: bytes, map_id: str, node_id: str, prefix: str = ANON_PREFIX) -> str:
    """A stable pseudonymous id: keyed HMAC, so it cannot be reversed or guessed."""
    digest = hmac.new(secret, f"{map_id}\x1f{node_id}".encode(), hashlib.sha256).hexdigest()
    return prefix + digest[:12]


def tie_pseudonym(secret: bytes, map_id: str, rel_id: str) -> str:
    """The pseudonymous id a viewer reads a tie with an anonymised end by."""
    return pseudonym(secret, map_id, f"tie:{rel_id}", TIE_PREFIX)


def display_label(attrs: dict) -> str:
    """What a viewer may read for a node: its name, or "a person in <silo>"."""
    if attrs.get("type") == "person" and attrs.get("visibility") != _NAMED:
        if attrs.get("silo"):
            return Message("visibility.person_in", silo=attrs["silo"])
        return Message("visibility.person_in_unknown")
    return attrs.get("name", "")


def small_groups(G: nx.Graph, attribute: str = "group", minimum: int = MIN_GROUP_SIZE) -> set:
    """The groups of ``G`` with fewer than ``minimum`` people (organisations not counted).

    Every group that holds a node counts, so a group of organisations only is small
    too: a figure about it is not about anyone, but a rule that needs no exception is
    easier to trust. Counted over the graph given: on a neighbourhood a group can only
    look smaller than it is, so the rule errs towards suppressing.
    """
    people: Counter = Counter()
    for _, attrs in G.nodes(data=True):
        people[attrs.get(attribute)] += attrs.get("type") == "person"
    return {group for group, n in people.items() if n < minimum}


#: The group viewers see, under a grouping other than silo, for every person who is not
#: named and for the members of groups too small to show (see :func:`viewer_partition`).
NOT_SHOWN = "(not shown)"


def viewer_partition(G: nx.Graph) -> tuple[dict, set, set]:
    """``(group of each node, small groups, small silos)`` as viewers see the map ``G``.

    ``G`` is the whole map (a neighbourhood would make groups look smaller than they
    are). The rules, whatever the grouping:

    * *small silos* are always the silos of fewer than :data:`MIN_GROUP_SIZE` people,
      counted on ``silo`` whatever the grouping: an anonymised person is shown as "a
      person in <silo>", so it is their silo that must be big enough to hide in;
    * under ``group_by=silo`` each node keeps its silo, and the small groups are the
      small silos (their figures suppressed, their names listed: a silo is part of
      the map's layout, not a person's attribute);
    * under any other grouping (organisation, area, tag) a person who is not named is
      put in the group :data:`NOT_SHOWN`, so their area, tags and organisation never
      enter a viewer's analysis (nothing computed from them can be turned back into
      them); then every group of fewer than :data:`MIN_GROUP_SIZE` people joins
      :data:`NOT_SHOWN` too, so the name of a rare area or tag value is not listed
      anywhere, and each node stays in exactly one group: group totals still add up
      to the whole map. :data:`NOT_SHOWN` is itself suppressed when it is small.
    """
    silos_small = small_groups(G, "silo")
    groups = {node: attrs.get("group") for node, attrs in G.nodes(data=True)}
    if G.graph.get("group_by", "silo") == "silo":
        return groups, small_groups(G), silos_small
    for node, attrs in G.nodes(data=True):
        if attrs.get("type") == "person" and attrs.get("visibility") != _NAMED:
            groups[node] = NOT_SHOWN
    people: Counter = Counter()
    for node, group in groups.items():
        people[group] += G.nodes[node].get("type") == "person"
    few = {group for group, n in people.items() if n < MIN_GROUP_SIZE and group != NOT_SHOWN}
    groups = {node: NOT_SHOWN if group in few else group for node, group in groups.items()}
    rest = sum(people[g] for g in few | {NOT_SHOWN})
    small = {NOT_SHOWN} if NOT_SHOWN in groups.values() and rest < MIN_GROUP_SIZE else set()
    return groups, small, silos_small


def public_graph(
    G: nx.Graph,
    *,
    secret: bytes,
    keep_hidden: bool = True,
    viewer: bool = False,
    whole: nx.Graph | None = None,
) -> nx.Graph:
    """A copy of ``G`` whose node ids and labels respect each person's consent.

    Parameters
    ----------
    G : networkx.Graph
        A projected map (see :mod:`graph_models.projection`).
    secret : bytes
        The key for pseudonyms (the service's secret key).
    keep_hidden : bool
        True for analysis (hidden people count in the structure, under a ``hidden-``
        pseudonym that :func:`redact` later removes); False for drawing (hidden people
        and their ties are left out).
    viewer : bool
        True for viewers: the groups are those of :func:`viewer_partition` (under a
        grouping other than silo, people who are not named and small groups are
        :data:`NOT_SHOWN`), anonymised people of small *silos* are treated as hidden
        whatever the grouping, and ``G.graph["small_groups"]`` names the groups whose
        figures are suppressed.
    whole : networkx.Graph, optional
        The whole map projected with the same grouping, when ``G`` is part of it (a
        neighbourhood): groups and silos are judged on it, so a big one is not taken
        for a small one.

    The copy has a ``label`` attribute on every node, no ``name`` or contact detail,
    and no role, area, tags or organisation for a person who is not named;
    ``G.graph["public_ids"]`` maps each original id to its public id, and
    ``G.graph["hidden_ids"]`` is the set of the hidden people's pseudonyms in it (for
    :func:`redact`: a named person whose own id starts with ``hidden-`` is not one).
    """
    map_id = G.graph.get("map_id", "")
    groups, small, small_silos = {}, set(), set()
    if viewer:
        groups, small, small_silos = viewer_partition(G if whole is None else whole)
    mapping: dict = {}
    hidden: set = set()
    for node, attrs in G.nodes(data=True):
        visibility = attrs.get("visibility", _NAMED)
        if visibility == _NAMED or attrs.get("type") != "person":
            mapping[node] = node
        elif visibility == _ANONYMISED and attrs.get("silo") not in small_silos:
            mapping[node] = pseudonym(secret, map_id, node)
        else:
            mapping[node] = pseudonym(secret, map_id, node, HIDDEN_PREFIX)
            hidden.add(mapping[node])
    H = relabelled_copy(G, mapping)
    if viewer:
        for node, public in mapping.items():
            H.nodes[public]["group"] = groups.get(node, NOT_SHOWN)
    for _, attrs in H.nodes(data=True):
        attrs["label"] = display_label(attrs)
        attrs.pop("name", None)
        attrs.pop("contact", None)
        if attrs.get("visibility", "named") != _NAMED:
            # a role can identify a person in a small team; area, tags and main
            # organisation are theirs to share, and they chose not to
            attrs.update(role="", area="", tags=[], organisation=None)
    if not keep_hidden:
        H.remove_nodes_from(hidden)
    H.graph["public_ids"] = {k: v for k, v in mapping.items() if v not in hidden}
    H.graph["hidden_ids"] = hidden if keep_hidden else set()
    H.graph["small_groups"] = small
    return H


def relabelled_copy(G: nx.Graph, mapping: dict) -> nx.Graph:
    """``nx.relabel_nodes(G, mapping, copy=True)`` for a one-to-one ``mapping`` of
    every node of an undirected simple graph, built straight into the new graph's
    dicts.

    The same graph as networkx's (nodes in the same order, each node's neighbours in
    the same order, every node and edge attribute dict a shallow copy, one dict per
    edge shared by its two ends, the graph's attributes copied), without its
    ``add_edges_from`` (which checks and updates each edge's data one by one):
    ~6x faster, which is most of the consent relabelling of a large map. Any other
    graph or mapping (directed, multigraph, two nodes onto one id) is left to
    :func:`networkx.relabel_nodes`. The tests prove the two equal.
    """
    simple = not G.is_directed() and not G.is_multigraph()
    if not simple or len(mapping) != len(G) or len(set(mapping.values())) != len(G):
        return nx.relabel_nodes(G, mapping, copy=True)
    H = G.__class__()
    H.graph.update(G.graph)
    adjacency = H._adj
    for node, attrs in G._node.items():
        public = mapping[node]
        H._node[public] = attrs.copy()
        adjacency[public] = {}
    for u, nbrs in G._adj.items():
        pu = mapping[u]
        row = adjacency[pu]
        for v, data in nbrs.items():
            pv = mapping[v]
            if pv in row:
                continue  # already added from v's side
            copied = data.copy()
            row[pv] = copied
            adjacency[pv][pu] = copied
    return H


def is_hidden(value) -> bool:
    return isinstance(value, str) and value.startswith(HIDDEN_PREFIX)


def redact(value, schema=None, *, hidden: set | None = None, labels: dict | None = None):
    """Remove everything that refers to a hidden person from an analysis result.

    With ``schema`` (a report schema of :mod:`graph_models.analysis.report_schema`, or
    any schema whose fields declare ``"node"`` references the same way), the result is
    walked along the schema: a row whose declared node reference (``node``, ``u``,
    ``v``, a pair of ``nodes``) is hidden is left out of its list, hidden members of a
    declared list of nodes are left out, and hidden keys of a dict keyed by node are
    left out. Then the result is checked: a hidden id left anywhere (a field that
    names a node but does not say so) raises :class:`UndeclaredReference` rather than
    reaching a reader.

    ``hidden`` is the set of hidden ids (``G.graph["hidden_ids"]`` of
    :func:`public_graph`); by default any id with the ``hidden-`` prefix. ``labels``
    (node id to display label), when given, are attached to what is kept exactly as
    :func:`graph_models.reporting.attach_labels` would attach them afterwards, in the
    same walk (with ``hidden`` and ``schema`` given; else after it).

    With ``hidden`` given, the long tables of rows (``centrality.nodes``,
    ``bridging.local_bridges``, ``silos.ei_index.nodes``…) are kept, checked and
    labelled row by row in one pass each, while each row is at hand (:func:`_table`),
    and the rest of the result is checked and labelled a column at a time
    (:mod:`graph_models.columns`); a report of 50,000 people is done in well under a
    second. The guarantees are those of a walk over every value: see
    :func:`_table` for how a table's rows are proved to hold no hidden id.

    Without ``schema``, for JSON of no declared shape, the rules follow the shape:

    * a dict key that is a hidden pseudonym is dropped with its value;
    * a list item is dropped if it *is* a hidden pseudonym, or is a pair/row that names
      one directly (a list of ids containing one, or a dict with one among its direct
      values or in a direct list of ids) — e.g. a bridge ``[u, v]``, a suggestion
      ``{"nodes": [u, v], ...}`` or a broker ``{"node": v, ...}``;
    * a dict value that is a hidden pseudonym is replaced by ``None``; a list of ids
      held in a dict value (members of a community, say) loses the hidden ones.

    Aggregates (counts, densities, indices) are untouched: hidden people count.
    """
    if schema is None or hidden is None:
        if schema is None:
            out = _redact_by_shape(value)
        else:
            out = _walk_value(
                value, fields.Nested(schema), _Rules("node", is_hidden, blank_keys=False)
            )
            _check_gone(out, is_hidden, "")
        if labels is not None:
            label(out, labels)
        return out
    among = hidden if all(type(h) is str for h in hidden) else set(filter(_is_str, hidden))
    if labels is not None and not all(type(k) is str for k in labels):
        # a table's rows are labelled by lookups that take an id for a string (below)
        out = redact(value, schema, hidden=among)
        label(out, labels)
        return out
    rules = _Rules("node", _member_of(among), blank_keys=False, among=among, labels=labels)
    out = _walk_value(value, fields.Nested(schema), rules)
    if holds_any(out, among, rules.done):
        _check_gone(out, rules.gone, "")
    if labels is not None:
        label(out, labels, rules.done)
    return out


def _member_of(among: set):
    return lambda v: isinstance(v, str) and v in among


def _is_str(value) -> bool:
    return isinstance(value, str)


class UndeclaredReference(RuntimeError):
    """A hidden person's id survived redaction: a report field names nodes but its
    schema does not declare it (see :mod:`graph_models.analysis.report_schema`)."""


def _check_gone(value, gone, path: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if gone(key) or gone(item):
                raise UndeclaredReference(f"a hidden id at {path}/{key}")
            _check_gone(item, gone, f"{path}/{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if gone(item):
                raise UndeclaredReference(f"a hidden id at {path}/{i}")
            _check_gone(item, gone, f"{path}/{i}")


def _redact_by_shape(value):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if is_hidden(key):
                continue
            out[key] = None if is_hidden(item) else _redact_by_shape(item)
        return out
    if isinstance(value, list | tuple):
        return [_redact_by_shape(item) for item in value if not _refers_to_hidden(item)]
    return value


def _names_hidden(item) -> bool:
    if is_hidden(item):
        return True
    return isinstance(item, list | tuple) and any(is_hidden(x) for x in item)


def _refers_to_hidden(item) -> bool:
    if _names_hidden(item):
        return True
    if isinstance(item, dict):
        return any(_names_hidden(v) for v in item.values())
    return False


# -- small groups (viewers) ---------------------------------------------------------------


def suppress_small_groups(report: dict, small: set, schema=None) -> dict:
    """A copy of a report with every figure about a group in ``small`` suppressed.

    The report is walked along ``schema`` (default: the whole report,
    :class:`graph_models.analysis.report_schema.ReportSchema`) and each field declared
    with a ``"group"`` rule is treated by that rule (see the module's rules and
    :mod:`graph_models.analysis.report_schema`): values of dicts keyed by group become
    ``None``, rows about a small group are left out, small groups are left out of lists
    of groups, cells of tables aligned with a list of groups become ``None``, figures
    about a named group become ``None``, and a ``suppressed_groups`` field lists the
    small groups. No section has code of its own here, so a new section is suppressed
    as soon as its schema declares its group fields.

    Node rows (a named person's or an organisation's own figures) are kept; rows about
    an anonymised member of a small group are already gone, because
    :func:`public_graph` with ``viewer=True`` made them hidden.
    """
    if not small:
        return report
    rules = _Rules("group", lambda g: g in small, blank_keys=True, listing=sorted(map(str, small)))
    return _walk_value(report, fields.Nested(schema or rs.ReportSchema), rules)


# -- walking a result along its declared schema --------------------------------------------

_DROP = object()  # a row to leave out of its list


class _Rules:
    """What to do with the fields whose metadata ``kind`` (``"node"`` or ``"group"``)
    declares a reference, given which referenced values are ``gone``."""

    def __init__(
        self,
        kind: str,
        gone,
        *,
        blank_keys: bool,
        listing: list | None = None,
        among: set | None = None,
        labels: dict | None = None,
    ):
        self.kind, self.gone, self.blank_keys, self.listing = kind, gone, blank_keys, listing
        #: when given, the set of strings ``gone`` is true of (and of nothing else): the
        #: long tables are then kept, proved and labelled in one pass (:func:`_table`)
        self.among = among
        #: the display labels to attach to the rows of those tables, if any
        self.labels = labels
        #: the ids of the containers so done: the check and the labels pass them over
        self.done: set[int] = set()

    def names_any(self, value) -> bool:
        kind = type(value)
        if kind is str:  # by far the most common: one node reference
            return self.gone(value)
        if kind is list or kind is tuple or isinstance(value, list | tuple):
            return any(self.names_any(x) for x in value)
        return self.gone(value)


class _Plan:
    """What walking objects of one schema under one kind of rule has to do: the keys
    whose value decides whether the row stays (``rows``), the fields to walk into
    (``walk``: those with a rule somewhere below them) and the rules that read sibling
    fields (``post``). Everything else is passed through untouched, so the walk costs
    little where nothing is declared (the long per-node tables)."""

    __slots__ = ("post", "rows", "walk")

    def __init__(self, rows: list, walk: dict, post: list):
        self.rows, self.walk, self.post = rows, walk, post


_PLANS: dict = {}
_SIBLING_RULES = (rs.ALIGNED, rs.FIGURE, rs.SUPPRESSED)


def _plan(schema, kind: str) -> _Plan | None:
    """The plan of ``schema`` for rules of ``kind``; None when nothing below it has one."""
    key = (type(schema), kind)
    if key not in _PLANS:
        _PLANS[key] = None  # while being planned (a schema nested in itself)
        declared = {f.data_key or name: f for name, f in schema.fields.items()}
        rows = [k for k, f in declared.items() if f.metadata.get(kind) == rs.ROW]
        walk = {k: f for k, f in declared.items() if _needs_walk(f, kind)}
        post = [(k, f) for k, f in declared.items() if f.metadata.get(kind) in _SIBLING_RULES]
        _PLANS[key] = _Plan(rows, walk, post) if rows or walk or post else None
    return _PLANS[key]


def _needs_walk(field, kind: str) -> bool:
    if field.metadata.get(kind) in (rs.MEMBERS, rs.KEYS):
        return True
    if isinstance(field, fields.List):
        return _needs_walk(field.inner, kind)
    if isinstance(field, fields.Dict):
        return field.value_field is not None and _needs_walk(field.value_field, kind)
    if isinstance(field, fields.Nested):
        return _plan(field.schema, kind) is not None
    return False


def _walk_value(value, field, rules: _Rules):
    """``value`` with the declared rules of ``field`` applied (or :data:`_DROP`)."""
    if value is None:
        return None
    rule = field.metadata.get(rules.kind)
    if isinstance(field, fields.Nested):
        plan = _plan(field.schema, rules.kind)
        if plan is None or not isinstance(value, dict):
            return value
        return _walk_object(value, plan, rules)
    if isinstance(field, fields.List) and isinstance(value, list):
        if rule == rs.MEMBERS:
            kept = _unnamed(value, [value], rules.among)
            value = kept if kept is not None else [x for x in value if not rules.names_any(x)]
        if not _needs_walk(field.inner, rules.kind):
            return value
        rows = _rows_only(field.inner, rules.kind)
        if rows is not None:  # the long per-node tables: one pass, no call per row
            if rules.among is not None:
                kept = _table(value, field.inner.schema, rules)
                if kept is not None:
                    return kept
            return _rows_kept(value, rows, rules)
        walked = (_walk_value(item, field.inner, rules) for item in value)
        return [item for item in walked if item is not _DROP]
    if isinstance(field, fields.Dict) and isinstance(value, dict):
        if rule == rs.KEYS:
            if rules.blank_keys:
                value = {k: (None if rules.gone(k) else v) for k, v in value.items()}
            elif rules.among is not None:  # set lookups in C, then the few gone keys out
                gone_keys = rules.among.intersection(value)
                value = dict(value)
                for key in gone_keys:
                    del value[key]
            else:
                value = {k: v for k, v in value.items() if not rules.gone(k)}
        if field.value_field is None or not _needs_walk(field.value_field, rules.kind):
            if rule == rs.KEYS and rules.among is not None:
                _keyed_done(value, field.value_field, rules)
            return value
        out = {}
        for key, item in value.items():
            item = _walk_value(item, field.value_field, rules)
            out[key] = None if item is _DROP else item
        return out
    return value


# -- the long tables: kept, proved and labelled in one pass -------------------------------


class _TablePlan:
    """How the rows of one row schema are done by :func:`_table`: the declared keys,
    the node reference keys (``("node",)``, ``("u", "v")`` or none) and the keys their
    labels go under (``"label"``; ``"u_label"``, ``"v_label"``)."""

    __slots__ = ("declared", "figures", "labels", "refs")

    def __init__(self, declared: frozenset, refs: tuple, figures: frozenset):
        self.declared, self.refs, self.figures = declared, refs, figures
        self.labels = ("label",) if refs == ("node",) else tuple(f"{r}_label" for r in refs)


_TABLE_PLANS: dict = {}
#: Fields declared as figures: their values are proved (not assumed) to be figures, all
#: of a table's at once (:func:`_proved`).
_FIGURES = (fields.Number, fields.Boolean)
#: The keys :func:`graph_models.columns.label_row` reads.
_LABELLED = frozenset({"node", "nodes", "u", "v"})


def _table_plan(schema) -> _TablePlan | None:
    """The table plan of rows of ``schema``, or None when they are not for
    :func:`_table`: it takes rows whose only node rule is which rows stay, by one
    reference ``node`` or the two ends ``u`` and ``v``, or by none, and with no other
    field that :func:`graph_models.columns.label_row` would read (a pair of ``nodes``,
    a ``node`` that is not a reference): the rows are labelled as that function would."""
    key = type(schema)
    if key not in _TABLE_PLANS:
        declared = {f.data_key or name: f for name, f in schema.fields.items()}
        plan = _plan(schema, "node")
        refs = tuple(plan.rows) if plan is not None else ()
        simple = plan is None or not (plan.walk or plan.post)
        shaped = refs in ((), ("node",), ("u", "v")) and not (_LABELLED & declared.keys()) - {*refs}
        strings = all(
            type(declared[r]) is fields.String for r in refs
        )  # one id each, not a list of ids
        ok = simple and shaped and strings
        figures = frozenset(k for k, f in declared.items() if isinstance(f, _FIGURES))
        _TABLE_PLANS[key] = _TablePlan(frozenset(declared), refs, figures) if ok else None
    return _TABLE_PLANS[key]


def _table(rows: list, schema, rules: _Rules) -> list | None:
    """The rows of ``rows`` (a list of ``schema`` rows) that name no hidden node,
    labelled (``rules.labels``) and proved to hold no hidden id anywhere; or ``None``
    when that cannot be done here (the caller then walks them as any other value).

    One pass, while each row is at hand (a report's rows are spread over hundreds of
    megabytes: one pass per question would fetch each row from memory again): its
    values are taken by one :func:`operator.itemgetter` (which proves the row holds
    every key of the first row, the row's length that it holds no other), its node
    references looked up in the hidden set, and, if kept, their labels attached. Then
    the kept rows' other values are proved a column at a time: numbers, booleans and
    ``None`` hold no id, anything else is searched
    (:func:`graph_models.columns.holds_any`) and labelled
    (:func:`graph_models.columns.label`). Every key of the rows must be declared by
    ``schema`` and every row exactly a ``dict``; a reference that is not an id (or
    without a label) sends the list to the general walk.
    """
    plan = _table_plan(schema)
    if plan is None:
        return None
    if not rows:
        return []
    first = rows[0]
    if type(first) is not dict or not first.keys() <= plan.declared:
        return None
    refs = plan.refs
    if not refs or not set(refs) <= first.keys():
        return None
    texts = [k for k in first if k not in refs and k not in plan.figures]
    others = texts + [k for k in first if k in plan.figures]  # the figures last
    if len(refs) + len(others) == 1:  # the getter must give a tuple: the node twice
        texts = others = [refs[0]]
    found = _kept_rows(rows, itemgetter(*refs, *others), len(first), plan, rules)
    if found is None:
        return None
    kept, values = found
    width = len(refs) + len(others)
    columns = [values[i::width] for i in range(width)]  # of the kept rows
    if rules.labels is None:  # the references were not looked up as labels: their types
        for column in columns[: len(refs)]:
            if not all(issubclass(t, str) or t is type(None) for t in set(map(type, column))):
                return None
    if not _proved(columns[len(refs) :], len(texts), rules):
        return None
    rules.done.add(id(kept))
    return kept


def _kept_rows(rows: list, get, n: int, plan: _TablePlan, rules: _Rules):
    """``(kept rows, their values as got by get, one after the other)``, or None (see
    :func:`_table`). The values are added to one flat list, not kept as a tuple per
    row: a quarter of a million tuples kept would each be memory newly taken."""
    among, labels = rules.among, rules.labels
    kept: list = []
    values: list = []
    keep, got = kept.append, values.extend
    try:
        if len(plan.refs) == 1 and labels is not None:
            (key,) = plan.labels
            for row in rows:
                if type(row) is not dict:
                    return None
                t = get(row)
                if len(row) != n:
                    return None
                node = t[0]
                if node in among:
                    continue
                row[key] = labels[node]
                keep(row)
                got(t)
        elif len(plan.refs) == 2 and labels is not None:
            key_u, key_v = plan.labels
            for row in rows:
                if type(row) is not dict:
                    return None
                t = get(row)
                if len(row) != n:
                    return None
                u = t[0]
                v = t[1]
                if u in among or v in among:
                    continue
                row[key_u] = labels[u]
                row[key_v] = labels[v]
                keep(row)
                got(t)
        else:
            refs = range(len(plan.refs))
            for row in rows:
                if type(row) is not dict:
                    return None
                t = get(row)
                if len(row) != n:
                    return None
                if any(t[i] in among for i in refs):
                    continue
                keep(row)
                got(t)
    except (KeyError, TypeError):  # a key missing, an unhashable or unlabelled reference
        return None
    return kept, values


def _proved(columns: list, figures: int, rules: _Rules) -> bool:
    """Whether ``columns`` (of a table's kept rows, but its node references) hold no
    hidden id; their containers, if any, are labelled. The columns from ``figures`` on
    are of fields declared numbers or booleans.

    The figures are proved to be numbers, booleans or ``None`` (which hold no id) in
    one pass over them all. A column of strings and of lists or tuples of strings and
    scalars (a tie's two groups) is searched as the set of the strings in it, and has
    nothing to label. Any other column is searched and labelled by the general walks.
    """
    every = set(map(type, chain.from_iterable(columns[figures:])))
    if not every <= SCALARS:
        figures = len(columns)  # not all figures after all: each column on its own
    for column in columns[:figures]:
        types = set(map(type, column))
        if types <= SCALARS:
            continue
        strings = _strings(column, types)
        if strings is not None:
            if not rules.among.isdisjoint(strings):
                return False
            continue
        if holds_any(column, rules.among):
            return False
        if rules.labels is not None:
            label(column, rules.labels)
    return True


def _strings(column: list, types: set) -> set | None:
    """The set of the strings and scalars in ``column`` and in its lists and tuples,
    if that is all it holds; else None."""
    flat = types - SCALARS
    if all(issubclass(t, str) for t in flat):
        return set(column)
    if not all(issubclass(t, str | list | tuple) for t in flat):
        return None
    mixed = flat != types or any(issubclass(t, str) for t in flat)
    items = [x for x in column if isinstance(x, list | tuple)] if mixed else column
    try:
        inner = set(chain.from_iterable(items))
    except TypeError:  # an unhashable item: a dict, a list
        return None
    if not all(issubclass(t, str) or t in SCALARS for t in set(map(type, inner))):
        return None
    if mixed:
        inner.update(x for x in column if not isinstance(x, list | tuple))
    return inner


def _keyed_done(value: dict, field, rules: _Rules) -> None:
    """Mark ``value`` (a dict keyed by node, its hidden keys already gone) done when its
    values are proved to hold no hidden id and to need no label: numbers (a community
    per node), or rows of a schema of numbers only (each node's E-I figures)."""
    items = list(value.values())
    types = set(map(type, items))
    if types <= SCALARS:
        rules.done.add(id(value))
        return
    if types != {dict} or not isinstance(field, fields.Nested):
        return
    plan = _table_plan(field.schema)
    if plan is None or plan.refs or not items[0].keys() <= plan.declared:
        return
    keys = list(items[0])
    if not keys or len(set(map(len, items))) != 1:
        return
    try:
        values = list(map(itemgetter(*keys, keys[0]), items))  # tuples, even of one key
    except KeyError:
        return
    if set(map(type, chain.from_iterable(values))) <= SCALARS:
        rules.done.add(id(value))


def _rows_kept(value: list, rows: list, rules: _Rules) -> list:
    """The items of ``value`` none of whose ``rows`` keys names a gone value. Rows of
    one or two such keys (a node; the ends of a tie) are tested without a generator
    per row: most of the time of redacting a large report's tables otherwise."""
    if rules.among is not None and set(map(type, value)) == {dict}:
        kept = _unnamed(value, [list(map(dict.get, value, repeat(k))) for k in rows], rules.among)
        if kept is not None:
            return kept
    names_any = rules.names_any
    if len(rows) == 1:
        (a,) = rows
        return [item for item in value if not isinstance(item, dict) or not names_any(item.get(a))]
    if len(rows) == 2:
        a, b = rows
        return [
            item
            for item in value
            if not isinstance(item, dict) or not (names_any(item.get(a)) or names_any(item.get(b)))
        ]
    return [
        item
        for item in value
        if not isinstance(item, dict) or not any(names_any(item.get(k)) for k in rows)
    ]


#: The types of node reference :func:`_unnamed` decides on: an id, or no reference.
_REFERENCES = frozenset({str, type(None)})


def _unnamed(items: list, references: list, among: set | None) -> list | None:
    """The items of ``items`` whose references (``references[k][i]``: item i's k-th
    reference) are none of them in ``among``, in order, found by set lookups in C; or
    ``None`` (the caller then tests item by item) when ``among`` is not given or a
    reference is not an id or ``None`` (a list of ids, say)."""
    if among is None:
        return None
    for column in references:
        if not set(map(type, column)) <= _REFERENCES:
            return None
    if not among:
        return list(items)
    named = None
    for column in references:
        these = map(among.__contains__, column)
        named = these if named is None else map(or_, named, these)
    return list(compress(items, map(not_, named)))


def _rows_only(field, kind: str) -> list | None:
    """The row keys of a nested schema whose only rule is which rows stay (nothing to
    walk into, no sibling rule), else None: its objects are kept whole or left out,
    as :func:`_walk_object` would, without a call per object."""
    if not isinstance(field, fields.Nested):
        return None
    plan = _plan(field.schema, kind)
    if plan is None or plan.walk or plan.post or not plan.rows:
        return None
    return plan.rows


def _walk_object(value: dict, plan: _Plan, rules: _Rules):
    for key in plan.rows:
        if rules.names_any(value.get(key)):
            return _DROP
    if not plan.walk and not plan.post:
        return value
    out = dict(value)
    for key, field in plan.walk.items():
        if key in out:
            item = _walk_value(out[key], field, rules)
            out[key] = None if item is _DROP else item
    for key, field in plan.post:
        rule = field.metadata[rules.kind]
        if rule == rs.ALIGNED and key in out:
            masks = [
                None if axis is None else [rules.gone(g) for g in out.get(axis) or []]
                for axis in field.metadata["axes"]
            ]
            out[key] = _blank_aligned(out[key], masks)
        elif rule == rs.FIGURE and key in out and rules.gone(out.get(field.metadata["of"])):
            out[key] = None
        elif rule == rs.SUPPRESSED and rules.listing is not None:
            out[key] = list(rules.listing)
    return out


def _blank_aligned(value, masks: list):
    """``value`` (a list, or list of lists) with the positions marked in ``masks`` (one
    mask per axis, ``None`` for an axis not about groups) blanked to ``None``."""
    if not masks or not isinstance(value, list):
        return value
    mask, rest = masks[0], masks[1:]
    out = []
    for i, item in enumerate(value):
        if mask is not None and i < len(mask) and mask[i]:
            out.append(_nones(item))
        else:
            out.append(_blank_aligned(item, rest))
    return out


def _nones(item):
    return [_nones(x) for x in item] if isinstance(item, list) else None


# -- records for the entity API and graph JSON ---------------------------------------------


def public_records(records, *, secret: bytes, silo_people: Counter | None = None) -> dict:
    """What a viewer may read of a map's records (or of a neighbourhood's).

    Returns ``{"people", "organisations", "relationships", "public_ids"}``: lists of
    JSON-ready dicts with the viewer rules of this module applied (hidden people and
    anonymised people of small silos absent with their ties, other anonymised people
    under their pseudonym, no contact details, no free text on ties), and the mapping
    from real to public ids of the nodes kept. ``silo_people`` counts the people of
    each silo in the whole map; by default they are counted over the records given
    (for a neighbourhood, pass the whole map's: a silo can only look smaller there).
    """
    rules = PublicRows(
        records.map.id, secret, silo_people or Counter(p.silo for p in records.people)
    )
    people, organisations = [], []
    for node in records.nodes:
        row = rules.node(node)
        if row is not None:
            (organisations if node.type.value == "organisation" else people).append(row)
    relationships = [
        row for rel in records.relationships if (row := rules.relationship(rel)) is not None
    ]
    return {
        "people": people,
        "organisations": organisations,
        "relationships": relationships,
        "public_ids": rules.public_ids,
    }


class PublicRows:
    """The viewer rules of :func:`public_records`, one record at a time: for a page of a
    list read from the store (which has already left out what a viewer may not see),
    so the rows of a page are exactly the rows of the whole list.

    ``silo_people`` counts the people (any consent) of each silo of the whole map.
    Every node turned into a row is remembered in ``public_ids``; a tie is shown only
    when both its ends have been (:meth:`relationship`), so give its ends first.
    """

    def __init__(self, map_id: str, secret: bytes, silo_people):
        self.map_id, self.secret, self.silo_people = map_id, secret, silo_people
        self.public_ids: dict[str, str] = {}
        self._anonymous: set[str] = set()

    def node(self, node) -> dict | None:
        """A person's or organisation's row as a viewer reads it, or None if not shown."""
        row = to_dict(node)
        if node.type.value == "organisation":
            self.public_ids[node.id] = node.id
            return row
        row.pop("contact", None)
        row.pop("consent_set_at", None)  # when someone chose: theirs, not a viewer's
        if node.visibility is Visibility.NAMED:
            self.public_ids[node.id] = node.id
        elif node.visibility is Visibility.ANONYMISED and self.silo_people.get(node.silo, 0) >= (
            MIN_GROUP_SIZE
        ):
            public = pseudonym(self.secret, self.map_id, node.id)
            self.public_ids[node.id] = row["id"] = public
            self._anonymous.add(public)
            row.update(name=display_label(row | {"type": "person"}), role="", area="", tags=[])
        else:
            return None
        return row

    def relationship(self, rel) -> dict | None:
        """A tie's row as a viewer reads it, or None unless both ends are shown."""
        public_ids = self.public_ids
        if rel.source not in public_ids or rel.target not in public_ids:
            return None
        row = to_dict(rel)
        row.update(source=public_ids[rel.source], target=public_ids[rel.target])
        row.update(notes="", evidence="")
        # who reported the tie: only its ends, under their public ids like the ends
        row["reported_by"] = [public_ids[p] for p in rel.reported_by if p in public_ids]
        if row["source"] in self._anonymous or row["target"] in self._anonymous:
            row["id"] = tie_pseudonym(self.secret, self.map_id, rel.id)
        return row
