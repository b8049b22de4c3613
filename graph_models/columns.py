"""Walking a large JSON-like result a column at a time instead of a value at a time.

A report of 50,000 people holds ~400,000 rows (dicts of the same keys in long lists)
and millions of scalars. Walked one value at a time in Python (a call, an
``isinstance`` chain and a dict lookup per value), looking for hidden ids and for
node references to label took seconds. Taken a column at a time — a list's items, a
dict's values, or the values of one key across rows of the same keys, gathered by
:func:`operator.itemgetter` in C — the question asked of each value (is it a string?
one of these ids? a container to look into?) becomes a set operation per column, and
only the columns that hold containers are walked into.

Two walks are built on it, each with the reach of the code it replaced:

* :func:`holds_any`: is any of a set of strings a key or a value of a dict, or an item
  of a list or tuple, anywhere (dict, list and tuple subclasses included);
* :func:`label`: give every dict reached through exactly ``dict`` and ``list`` its
  node references' labels (:func:`label_row`).

Both take ``skip``: the ids of containers already seen to by the caller (the long
tables :func:`graph_models.visibility.redact` has proved and labelled as it kept
their rows), which are not walked again.
"""

from __future__ import annotations

from collections import deque
from itertools import chain, repeat
from operator import itemgetter, setitem

#: Up to this many lists in one column are taken as columns of their own (tables, each
#: of like rows); more are short lists (pairs, say), taken together as one column.
FEW_LISTS = 32

#: Types whose values are neither strings nor containers: nothing to look into.
SCALARS = frozenset({int, float, bool, type(None)})


def tables(rows: list) -> list[tuple[list, list | None]]:
    """``rows`` (dicts, exactly ``dict``) split into tables of rows of the same keys,
    each as ``(its rows, its columns)``: the columns are ``[(key, the key's value in
    each row, in order), ...]``, or ``None`` for a table of no more rows than keys (one
    dict keyed by node, say: its values are better taken as one column than as
    thousands of columns of one value).

    Nothing is copied but the values' references, and nothing is changed. Rows of a
    list usually share their keys; when they do not, they are sorted by their keys
    (one tuple per row), each table keeping the rows' order.
    """
    if not rows:
        return []
    if len(set(map(len, rows))) == 1:
        try:
            return [(rows, _columns(rows, list(rows[0])))]
        except KeyError:  # the same number of keys, not the same keys
            pass
    split: dict = {}
    for row in rows:
        split.setdefault(tuple(row), []).append(row)
    return [(like, _columns(like, list(keys))) for keys, like in split.items()]


def _columns(rows: list, keys: list) -> list | None:
    if len(rows) <= len(keys):
        return None
    if not keys:  # empty dicts: nothing in them
        return []
    if len(keys) == 1:
        return [(keys[0], list(map(itemgetter(keys[0]), rows)))]
    return list(zip(keys, zip(*map(itemgetter(*keys), rows), strict=True), strict=True))


def items_of(seqs: list) -> list:
    """The columns of the items of the lists (or tuples) ``seqs``: each list as a column
    of its own when they are few (:data:`FEW_LISTS`: a section's tables, whose rows
    should not be mixed with another table's), else all their items as one column."""
    if len(seqs) <= FEW_LISTS:
        return [seq for seq in seqs if seq]
    return [list(chain.from_iterable(seqs))]


def _unskipped(items: list, skip) -> list:
    return [x for x in items if id(x) not in skip] if skip else items


# -- is a string of a set anywhere? ------------------------------------------------------


def holds_any(value, among: set, skip=frozenset()) -> bool:
    """Whether a string of ``among`` is in ``value``: a key or a value of a dict, or an
    item of a list or tuple, at any depth (dict, list and tuple subclasses included;
    nothing inside other objects, nor inside the containers whose ids are in
    ``skip``). ``among`` holds strings only.

    Of each column, the types present decide what to do: numbers, booleans and
    ``None`` are passed over, strings are tested in one :meth:`set.isdisjoint`, and
    dicts, lists and tuples give the next columns.
    """
    if not among:
        return False
    todo: list = [[value]]
    while todo:
        items = todo.pop()
        types = set(map(type, items))
        if types <= SCALARS:
            continue
        texts = [t for t in types if issubclass(t, str)]
        rest = types.difference(texts, SCALARS)
        if not rest:  # strings and scalars only: all hashable
            if not among.isdisjoint(items):
                return True
            continue
        if texts and not among.isdisjoint([x for x in items if isinstance(x, str)]):
            return True
        if any(issubclass(t, dict) for t in rest):
            rows = items if len(types) == 1 else [x for x in items if isinstance(x, dict)]
            rows = _unskipped(rows, skip)
            if not among.isdisjoint(chain.from_iterable(rows)):  # their keys
                return True
            for like, split in tables(rows) if types == {dict} else [(rows, None)]:
                if split is None:
                    todo.append(list(chain.from_iterable(map(dict.values, like))))
                else:
                    todo.extend(column for _, column in split)
        sequences = [t for t in rest if issubclass(t, list | tuple)]
        if sequences:
            if len(sequences) == len(types):
                seqs = items
            else:
                seqs = [x for x in items if isinstance(x, list | tuple)]
            todo.extend(_distinct_items(_unskipped(seqs, skip)))
    return False


def _distinct_items(seqs: list) -> list:
    """:func:`items_of`, but many short lists as the set of their items when all are
    hashable (many pairs of a few group names are a few names)."""
    if len(seqs) > FEW_LISTS:
        try:
            return [list(set(chain.from_iterable(seqs)))]
        except TypeError:  # an unhashable item (a dict, a list)
            pass
    return items_of(seqs)


# -- labels --------------------------------------------------------------------------------


def label(value, labels: dict, skip=frozenset()) -> None:
    """Give each node reference in ``value`` its label, as :func:`label_row` does to
    every dict reached through exactly ``dict`` and ``list`` (not tuples, not
    subclasses: JSON), except inside the containers whose ids are in ``skip``.

    The rows of a table (dicts of the same keys) get their labels in one C-level pass
    per reference key: ``{"node": v}`` gains ``"label"``, then ``"nodes"``,
    ``"u"`` and ``"v"`` as :func:`label_row` says, so each row's keys come in the
    same order as row by row.
    """
    todo: list = [[value]]
    while todo:
        items = todo.pop()
        types = set(map(type, items))
        if list in types:
            lists = items if len(types) == 1 else [x for x in items if type(x) is list]
            todo.extend(items_of(_unskipped(lists, skip)))
        if dict not in types:
            continue
        rows = items if len(types) == 1 else [x for x in items if type(x) is dict]
        for like, split in tables(_unskipped(rows, skip)):
            if split is None:  # a few rows (of many keys): one at a time
                todo.append(list(chain.from_iterable(map(dict.values, like))))
                for row in like:
                    label_row(row, labels)
                continue
            todo.extend(column for _, column in split)
            refs = dict(split)
            if "node" in refs:
                _label_column(like, refs["node"], "label", labels)
            if "nodes" in refs:
                for row, nodes in zip(like, refs["nodes"], strict=True):
                    if _all_labelled(nodes, labels):
                        row["labels"] = [labels[n] for n in nodes]
            for end in ("u", "v"):
                if end in refs:
                    _label_column(like, refs[end], f"{end}_label", labels)


def _label_column(rows: list, refs, key: str, labels: dict) -> None:
    """``row[key] = labels[ref]`` for each row and its reference that has a label."""
    if set(map(type, refs)) == {str} and all(map(labels.__contains__, refs)):
        deque(map(setitem, rows, repeat(key), map(labels.__getitem__, refs)), maxlen=0)
        return
    for row, ref in zip(rows, refs, strict=True):
        if isinstance(ref, str) and ref in labels:
            row[key] = labels[ref]


def label_row(row: dict, labels: dict) -> None:
    """``{"node": v}`` gains ``"label"``; ``{"nodes": [u, v]}`` gains ``"labels"`` (only
    when every member has one: no half-labelled pairs); ``{"u": u, "v": v}`` gains
    ``"u_label"`` and ``"v_label"`` — in that order, after the row's own keys."""
    node = row.get("node")
    if isinstance(node, str) and node in labels:
        row["label"] = labels[node]
    nodes = row.get("nodes")
    if _all_labelled(nodes, labels):
        row["labels"] = [labels[n] for n in nodes]
    for end in ("u", "v"):
        ref = row.get(end)
        if isinstance(ref, str) and ref in labels:
            row[f"{end}_label"] = labels[ref]


def _all_labelled(nodes, labels: dict) -> bool:
    return (
        isinstance(nodes, list)
        and bool(nodes)
        and all(isinstance(n, str) and n in labels for n in nodes)
    )
