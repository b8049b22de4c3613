"""The cross-silo report as plain-text tables, for the ``bridgemap analyse`` command.

Every heading goes through the translation layer (:mod:`service.i18n`), and the
report's own sentences (a weak pair's reasons) are domain message codes: outside a
request (the command line) they read in English.
"""

from __future__ import annotations

from service.i18n import gettext, label


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
    return str(label(value))


def format_report(report: dict, *, top: int = 10) -> str:
    """Headline figures, gaps, cut points, brokers and suggestions, most useful first."""
    parts = []
    m, p = report["map"], report["parameters"]
    parts.append(
        gettext(
            "%(name)s (map %(id)s, version %(version)s), as of %(as_of)s, grouped by %(group_by)s",
            name=m["name"],
            id=m["id"],
            version=m["version"],
            as_of=p["as_of"],
            group_by=p["group_by"],
        )
    )
    silos = report.get("silos")
    if silos:
        h = silos["headline"]
        parts.append(
            _table(
                [gettext("figure"), gettext("value")],
                [
                    [gettext("people and organisations"), h["nodes"]],
                    [gettext("ties"), h["ties"]],
                    [gettext("ties across silos"), h["cross_group_ties"]],
                    [gettext("share of ties across silos"), h["cross_group_share"]],
                    [gettext("E-I index (-1 all inside, +1 all across)"), h["ei_index"]],
                    [gettext("modularity of the silos"), h["modularity"]],
                    [gettext("silo pairs with no ties"), h["isolated_group_pairs"]],
                ],
            )
        )
        weak = silos["weak_pairs"][:top]
        if weak:
            parts.append(
                gettext("Weakest joined silo pairs")
                + "\n"
                + _table(
                    [gettext("silos"), gettext("ties"), gettext("density"), gettext("why")],
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
                gettext("If they left, these silos would lose their only link")
                + "\n"
                + _table(
                    [
                        gettext("who"),
                        gettext("silo"),
                        gettext("silo pairs they alone join"),
                        gettext("people cut off"),
                    ],
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
            gettext("Top brokers (Gould-Fernandez open two-paths)")
            + "\n"
            + _table(
                [
                    gettext("who"),
                    gettext("total"),
                    gettext("liaison"),
                    gettext("representative"),
                    gettext("gatekeeper"),
                    gettext("constraint"),
                ],
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
            gettext("Most between (betweenness)")
            + "\n"
            + _table(
                [gettext("who"), gettext("betweenness"), gettext("degree"), gettext("pagerank")],
                [
                    [r.get("label", r["node"]), r["betweenness"], r["degree"], r["pagerank"]]
                    for r in centrality["nodes"][:top]
                ],
            )
        )
    communities = report.get("communities")
    if communities:
        parts.append(
            gettext(
                "Hidden silos: %(communities)s communities found (%(method)s); agreement with "
                "the declared silos (NMI) %(nmi)s; %(misfits)s people cluster outside their "
                "silo's community",
                communities=len(communities["communities"]),
                method=communities["method"],
                nmi=_cell(communities["nmi"]),
                misfits=communities["misfit_count"],
            )
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
                gettext("Suggested introductions")
                + "\n"
                + _table([gettext("silos"), gettext("introduce"), gettext("via")], rows[:top])
            )
    return "\n\n".join(parts) + "\n"
