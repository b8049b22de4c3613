"""The cross-silo report as plain-text tables, for the ``bridgemap analyse`` command."""

from __future__ import annotations


def _table(headers: list[str], rows: list[list]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(out)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def format_report(report: dict, *, top: int = 10) -> str:
    """Headline figures, gaps, cut points, brokers and suggestions, most useful first."""
    parts = []
    m, p = report["map"], report["parameters"]
    parts.append(
        f"{m['name']} (map {m['id']}, version {m['version']}), as of {p['as_of']}, "
        f"grouped by {p['group_by']}"
    )
    silos = report.get("silos")
    if silos:
        h = silos["headline"]
        parts.append(
            _table(
                ["figure", "value"],
                [
                    ["people and organisations", h["nodes"]],
                    ["ties", h["ties"]],
                    ["ties across silos", h["cross_group_ties"]],
                    ["share of ties across silos", h["cross_group_share"]],
                    ["E-I index (-1 all inside, +1 all across)", h["ei_index"]],
                    ["modularity of the silos", h["modularity"]],
                    ["silo pairs with no ties", h["isolated_group_pairs"]],
                ],
            )
        )
        weak = silos["weak_pairs"][:top]
        if weak:
            parts.append(
                "Weakest joined silo pairs\n"
                + _table(
                    ["silos", "ties", "density", "why"],
                    [
                        [" - ".join(w["groups"]), w["ties"], w["density"], w["reasons"]]
                        for w in weak
                    ],
                )
            )
    bridging = report.get("bridging")
    if bridging:
        joins = [a for a in bridging["articulation_points"] if a["joins"]][:top]
        if joins:
            parts.append(
                "If they left, these silos would lose their only link\n"
                + _table(
                    ["who", "silo", "silo pairs they alone join", "people cut off"],
                    [
                        [
                            a.get("label", a["node"]),
                            a["group"],
                            [" & ".join(j) for j in a["joins"]],
                            a["separated"],
                        ]
                        for a in joins
                    ],
                )
            )
        brokers = sorted(bridging["nodes"], key=lambda r: -r["brokerage_total"])[:top]
        parts.append(
            "Top brokers (Gould-Fernandez open two-paths)\n"
            + _table(
                ["who", "total", "liaison", "representative", "gatekeeper", "constraint"],
                [
                    [
                        r.get("label", r["node"]),
                        r["brokerage_total"],
                        r["brokerage_liaison"],
                        r["brokerage_representative"],
                        r["brokerage_gatekeeper"],
                        r["constraint"],
                    ]
                    for r in brokers
                ],
            )
        )
    centrality = report.get("centrality")
    if centrality:
        parts.append(
            "Most between (betweenness)\n"
            + _table(
                ["who", "betweenness", "degree", "pagerank"],
                [
                    [r.get("label", r["node"]), r["betweenness"], r["degree"], r["pagerank"]]
                    for r in centrality["nodes"][:top]
                ],
            )
        )
    communities = report.get("communities")
    if communities:
        parts.append(
            f"Hidden silos: {len(communities['communities'])} communities found "
            f"({communities['method']}); agreement with the declared silos "
            f"(NMI) {_cell(communities['nmi'])}; {communities['misfit_count']} people cluster "
            "outside their silo's community"
        )
    intros = report.get("introductions")
    if intros:
        rows = []
        for pair in intros["pairs"]:
            for s in pair["suggestions"][:2]:
                via = [b.get("label", b["node"]) for b in s["brokers"][:2]]
                rows.append(
                    [" - ".join(pair["groups"]), " & ".join(s.get("labels", s["nodes"])), via]
                )
        if rows:
            parts.append(
                "Suggested introductions\n" + _table(["silos", "introduce", "via"], rows[:top])
            )
    return "\n\n".join(parts) + "\n"
