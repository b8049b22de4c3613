"""The dashboard's readings of a report: what each part of the page lists.

Pure functions over the report (and, for the ties of one silo pair, the asker's
graph) — no Flask, no store: they consume the report exactly as
:func:`service.usecases.reports.cached_report` gives it (viewer or coordinator), and
never compute a figure of their own that the report withholds. A ``None`` in the tie
matrix is a withheld figure (a small group) and stays withheld here.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

#: Shades of the heat map's cross-silo cells (CSS classes heat-1 .. heat-5).
LEVELS = 5


def _level(value: int, peak: int) -> int:
    """1..LEVELS for a positive count, scaled on the cross-silo peak (the diagonal,
    ties inside one silo, would otherwise set the scale and make 4 look like 0)."""
    if peak <= 0:
        return 1
    return max(1, min(LEVELS, 1 + int((LEVELS - 1) * min(value, peak) / peak + 0.5)))


def heat_rows(groups: list, counts: list) -> tuple[list[dict], int]:
    """``(rows, peak)``: one row per group of cells ``{a, b, value, state, level}``.

    ``state`` is ``inside`` (the diagonal), ``withheld`` (None: a small group),
    ``gap`` (no tie at all) or ``ties``; ``peak`` is the largest cross-silo count,
    the top of the colour scale.
    """
    peak = max(
        (
            v
            for i, row in enumerate(counts)
            for j, v in enumerate(row)
            if i != j and isinstance(v, int)
        ),
        default=0,
    )
    rows = []
    for i, row in enumerate(counts):
        cells = []
        for j, value in enumerate(row):
            if value is None:
                state = "withheld"
            elif i == j:
                state = "inside"
            elif value == 0:
                state = "gap"
            else:
                state = "ties"
            level = _level(value, peak) if state == "ties" else 0
            cells.append(
                {"a": groups[i], "b": groups[j], "value": value, "state": state, "level": level}
            )
        rows.append({"group": groups[i], "cells": cells})
    return rows, peak


def gap_pairs(matrix: dict, introductions: dict) -> list[dict]:
    """Every pair of groups with no tie (withheld pairs are not known, so not listed),
    each with the report's best introduction for it, if any.

    Items: ``{"groups": [a, b], "suggestion": {...} | None, "searched": bool}``;
    ``searched`` says the report looked for introductions for this pair (so no
    suggestion means nobody links them within two steps).
    """
    groups = matrix.get("groups", [])
    counts = matrix.get("counts", [])
    by_pair = {frozenset(p["groups"]): p for p in introductions.get("pairs", []) if p.get("groups")}
    out = []
    for i, a in enumerate(groups):
        for j in range(i + 1, len(groups)):
            if counts[i][j] != 0:
                continue
            pair = by_pair.get(frozenset((a, groups[j])))
            suggestion = (pair.get("suggestions") or [None])[0] if pair else None
            out.append(
                {"groups": [a, groups[j]], "suggestion": suggestion, "searched": pair is not None}
            )
    return out


def ties_between(G: nx.Graph, a: str, b: str) -> list[dict]:
    """The ties of the asker's graph ``G`` between a node of group ``a`` and one of
    group ``b`` (``a == b``: inside the group), by the ends' labels.

    Items: ``{"ends": [(id, label), (id, label)], "kinds": [...]}`` with the end in
    ``a`` first; sorted by the labels.
    """
    out = []
    for u, v, data in G.edges(data=True):
        gu, gv = G.nodes[u].get("group"), G.nodes[v].get("group")
        if {gu, gv} != {a, b}:
            continue
        if gu != a:
            u, v = v, u
        ends = [(n, str(G.nodes[n].get("label", ""))) for n in (u, v)]
        out.append({"ends": ends, "kinds": list(data.get("kinds") or [])})
    out.sort(key=lambda t: (t["ends"][0][1].casefold(), t["ends"][1][1].casefold()))
    return out


def by_pair(ties: list[dict]) -> list[dict]:
    """Cross-group ties of a change (``gained`` / ``lost``) grouped by group pair:
    ``[{"groups": [a, b], "ties": [...]}]``, the pair with most ties first."""
    grouped: dict = defaultdict(list)
    for tie in ties:
        groups = list(tie.get("groups") or [])
        order = sorted(range(len(groups)), key=lambda k: str(groups[k]))
        key = tuple(groups[k] for k in order)
        labels = tie.get("labels") or tie.get("nodes") or []
        grouped[key].append(
            {
                "labels": [labels[k] for k in order if k < len(labels)],
                "nodes": [(tie.get("nodes") or [None, None])[k] for k in order],
            }
        )
    out = [{"groups": list(k), "ties": v} for k, v in grouped.items()]
    out.sort(key=lambda p: (-len(p["ties"]), p["groups"]))
    return out


def _gap_set(report: dict) -> set:
    matrix = report.get("silos", {}).get("tie_matrix", {})
    return {frozenset(p["groups"]) for p in gap_pairs(matrix, {})}


def _cut_pairs(report: dict) -> dict:
    """group pair -> the labels of the people who alone join it (articulation points)."""
    out: dict = defaultdict(list)
    for point in report.get("bridging", {}).get("articulation_points", []):
        for pair in point.get("joins") or []:
            out[frozenset(pair)].append(point.get("label") or point.get("node"))
    return out


def structural_change(before: dict, after: dict) -> dict:
    """What changed between two reports of one map: gaps (group pairs with no tie) that
    closed or appeared, and single links (a pair joined through one person only) that
    appeared or went. Pairs as sorted lists; single links with the people."""
    gaps_before, gaps_after = _gap_set(before), _gap_set(after)
    cuts_before, cuts_after = _cut_pairs(before), _cut_pairs(after)

    def pairs(keys) -> list[list]:
        return sorted(sorted(k) for k in keys)

    return {
        "gaps_closed": pairs(gaps_before - gaps_after),
        "gaps_opened": pairs(gaps_after - gaps_before),
        "single_links_new": [
            {"groups": sorted(k), "who": cuts_after[k]}
            for k in sorted(set(cuts_after) - set(cuts_before), key=sorted)
        ],
        "single_links_gone": [
            {"groups": sorted(k), "who": cuts_before[k]}
            for k in sorted(set(cuts_before) - set(cuts_after), key=sorted)
        ],
    }


def broker_rows(report: dict, limit: int) -> list[dict]:
    """The top brokers with figures people read: their rank, and the share of all
    shortest routes between people that run through them (betweenness, normalised) —
    or, while a large map's exact figures are computed in the background,
    ``routes_pending``: the seconds still expected (see ``paths.pending``)."""
    betweenness = {
        row["node"]: row.get("betweenness") for row in report.get("centrality", {}).get("nodes", [])
    }
    pending = (report.get("centrality") or {}).get("pending") or {}
    waiting = pending.get("expected_seconds") if pending.get("status") == "computing" else None
    rows = [r for r in report.get("bridging", {}).get("nodes", []) if r.get("brokerage_total")]
    rows.sort(key=lambda r: -r["brokerage_total"])
    out = []
    for rank, row in enumerate(rows[:limit], start=1):
        across = sum(
            row.get(k) or 0
            for k in ("brokerage_liaison", "brokerage_representative", "brokerage_gatekeeper")
        )
        out.append(
            {
                "rank": rank,
                "node": row["node"],
                "label": row.get("label") or row["node"],
                "routes": betweenness.get(row["node"]),
                # exact betweenness of a large map is being computed in the background:
                # the seconds still expected (0 when not known), None when not pending
                "routes_pending": (waiting or 0) if pending else None,
                "across_share": across / row["brokerage_total"] if row["brokerage_total"] else 0,
            }
        )
    return out
