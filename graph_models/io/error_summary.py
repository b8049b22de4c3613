"""An import's errors for a person: a short summary by cause, and every error as CSV.

A rejected import (:class:`~graph_models.io.importer.ImportRejected`) names each
problem by sheet, row and column. A file with one systematic mistake has hundreds of
them (every node lacks a type; every tie then refers to a node that failed), so a page
listing them all buries the cause. :func:`summarise` groups them:

* by **cause**: the message's code (or, for the schemas' plain messages, its text) and
  the column, counted in rows, with at most :data:`EXAMPLES` examples each;
* **knock-on** errors (a tie whose end is a row that failed) collapse into one line,
  listed after the causes: fixing those rows fixes them.

:func:`errors_csv` writes every error (sheet, row, column, problem), up to
:data:`~graph_models.io.importer.MAX_REPORTED_ROWS` rows with problems (the importer
keeps no more; the message says how many there were in all).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from graph_models.io.columns import escape
from graph_models.messages import Message

#: examples shown per cause on a page
EXAMPLES = 20
KNOCK_ON = frozenset({"import.refers_to_bad_row"})


@dataclass
class Cause:
    """One kind of problem: what, where, in how many rows, and a few examples."""

    key: str
    column: str
    message: str
    rows: int = 0
    knock_on: bool = False
    #: a problem of people's or organisations' rows
    nodes: bool = False
    examples: list[dict] = field(default_factory=list)
    _seen: set = field(default_factory=set, repr=False)

    def summary(self) -> Message:
        if self.knock_on:
            return Message("errors.knock_on", num=self.rows)
        problem = Message("errors.in_column", column=self.column, problem=self.message)
        if not self.column:
            problem = self.message
        if not any(e["row"] for e in self.examples):
            return problem  # a whole file's or a mapping's problem: no rows to count
        return Message("errors.cause", num=self.rows, problem=problem)

    def as_dict(self, render: Callable = str) -> dict:
        return {
            "cause": self.key,
            "column": self.column,
            "rows": self.rows,
            "knock_on": self.knock_on,
            "summary": render(self.summary()),
            "examples": [{**e, "message": render(e["message"])} for e in self.examples],
        }


def error_rows(errors) -> Iterator[dict]:
    """The importer's ``{sheet: {row: {column: [messages]}}}`` as flat rows
    (``sheet``, ``row``, ``column``, ``message``); mapping errors (``{field: [...]}``)
    and file errors come out with the field as the column."""
    if not isinstance(errors, dict):
        yield {"sheet": "", "row": "", "column": "", "message": errors}
        return
    for sheet, rows in errors.items():
        if not isinstance(rows, dict):
            for m in rows if isinstance(rows, list) else [rows]:
                yield {"sheet": "", "row": "", "column": sheet, "message": m}
            continue
        for row, columns in rows.items():
            if not isinstance(columns, dict):
                for m in columns if isinstance(columns, list) else [columns]:
                    yield {"sheet": sheet, "row": "", "column": row, "message": m}
                continue
            for column, messages in columns.items():
                for m in messages if isinstance(messages, list) else [messages]:
                    yield {"sheet": sheet, "row": row, "column": column, "message": m}


def _key(message) -> str:
    return getattr(message, "code", None) or f"text:{message}"


def summarise(errors, node_sheets=frozenset(), label: Callable | None = None) -> list[Cause]:
    """Causes with their row counts: those of ``node_sheets`` first (fixing a node
    fixes its ties), then most rows first; knock-on errors last, in one line.
    ``label`` names a column or a mapping's field for a person (e.g. the page's words
    for ``nodes.type.default``); the CSV keeps the names as they are."""
    causes: dict[tuple, Cause] = {}
    for e in error_rows(errors):
        if label is not None:
            e["column"] = label(e["column"])
        key = _key(e["message"])
        knock_on = key in KNOCK_ON
        group = (key,) if knock_on else (key, e["column"])
        cause = causes.get(group)
        if cause is None:
            cause = causes[group] = Cause(key, e["column"], e["message"], knock_on=knock_on)
            cause.nodes = e["sheet"] in node_sheets
        where = (e["sheet"], e["row"])
        if where in cause._seen:
            continue
        cause._seen.add(where)
        cause.rows += 1
        if len(cause.examples) < EXAMPLES:
            cause.examples.append(e)
    return sorted(
        causes.values(), key=lambda c: (c.knock_on, not c.nodes, -c.rows, c.key, c.column)
    )


def errors_csv(errors, render: Callable = str) -> bytes:
    """Every error as CSV (UTF-8 with a byte-order mark, so Excel reads accents),
    cells guarded against formulas like any export."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sheet", "row", "column", "problem"])
    for e in error_rows(errors):
        row = (e["sheet"], e["row"], e["column"], render(e["message"]))
        writer.writerow([escape(str(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode()
