"""Small charts drawn on the server as SVG: no script, no other host, text escaped.

Every label is user text (silo names come from the map's vocabulary), so each one goes
through :func:`markupsafe.escape`; numbers are formatted here. Colours are attributes
(``fill``), which the pages' CSP allows, never ``style``.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from service.i18n import gettext, ngettext


def _short(name: str, n: int = 16) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


def change_chart(points: list[tuple[str, float | None]], *, title: str, unit: str = "") -> Markup:
    """A small bar chart of one figure at a few dates (e.g. ties across silos then and now)."""
    width, height, left, bottom, top = 420, 200, 48, 36, 20
    values = [v for _, v in points if v is not None]
    peak = max(values, default=0) or 1
    slot = (width - left - 10) / max(len(points), 1)
    bar = min(70, slot * 0.6)
    plot = height - bottom - top
    out = [
        f'<svg class="chart chart--change" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="change-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="change-title">{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#9aa5b1"/>',
    ]
    for k, (label, value) in enumerate(points):
        x = left + k * slot + (slot - bar) / 2
        if value is None:
            h = 0
            shown = "–"
        else:
            h = plot * (value / peak)
            shown = f"{value:g}{unit}"  # a number: no words
        y = height - bottom - h
        colour = "#1d5a78" if k == len(points) - 1 else "#9fb3c8"
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" rx="3" '
            f'fill="{colour}"><title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text x="{x + bar / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="13" '
            f'font-weight="600" fill="#1f2933">{escape(shown)}</text>'
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'font-size="12" fill="#52606d">{escape(label)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text part escaped above


def silo_svg(
    groups: list, sizes: list, counts: list, *, colours: dict | None = None, title: str = ""
) -> Markup:
    """The silo view as a static SVG (for print and the PDF, which run no script): one
    circle per group on a ring, its area by people, its name and count beside it; a line
    between two groups for their ties, thicker for more, labelled with the number.
    A withheld count (None: a small group) draws no line and no number.
    """
    import math

    colours = colours or {}
    n = len(groups)
    width, height, cx, cy, ring = 720, 560, 360, 280, 200
    people = [s if isinstance(s, int) else 0 for s in (list(sizes) + [None] * n)[:n]]
    biggest = max(people, default=0) or 1
    pos = [
        (
            cx + ring * math.cos(2 * math.pi * k / max(n, 1) - math.pi / 2),
            cy + ring * math.sin(2 * math.pi * k / max(n, 1) - math.pi / 2),
        )
        for k in range(n)
    ]
    cross = [
        v for i, row in enumerate(counts) for j, v in enumerate(row) if i < j and isinstance(v, int)
    ]
    peak = max(cross, default=0) or 1
    title = title or gettext("The silos and the ties between them")
    out = [
        f'<svg class="chart chart--silos" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="silos-svg-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="silos-svg-title">{escape(title)}</title>',
    ]
    for i in range(n):
        for j in range(i + 1, n):
            value = counts[i][j] if i < len(counts) and j < len(counts[i]) else None
            if not isinstance(value, int) or value <= 0:
                continue
            (x1, y1), (x2, y2) = pos[i], pos[j]
            w = 1 + 9 * value / peak
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="#52606d" stroke-opacity="0.55" stroke-width="{w:.1f}">'
                f"<title>{escape(ngettext('%(a)s and %(b)s: %(num)s tie', '%(a)s and %(b)s: %(num)s ties', value, a=groups[i], b=groups[j]))}</title></line>"  # noqa: E501
                f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2:.1f}" font-size="11" '
                f'text-anchor="middle" fill="#1f2933" stroke="#fff" stroke-width="3" '
                f'paint-order="stroke">{value}</text>'
            )
    for k, name in enumerate(groups):
        x, y = pos[k]
        r = 10 + 26 * math.sqrt(people[k] / biggest)
        colour = escape(colours.get(name, "#9aa5b1"))
        label = escape(_short(str(name), 22))
        shown = (
            ngettext("%(num)s person", "%(num)s people", people[k])
            if isinstance(sizes[k] if k < len(sizes) else None, int)
            else gettext("withheld")
        )
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" '
            f'stroke="#1f2933" stroke-width="1.5"/>'
            f'<text x="{x:.1f}" y="{y + r + 15:.1f}" text-anchor="middle" font-size="13" '
            f'font-weight="600" fill="#1f2933">{label}</text>'
            f'<text x="{x:.1f}" y="{y + r + 30:.1f}" text-anchor="middle" font-size="12" '
            f'fill="#3e4c59">{escape(shown)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text part escaped above


def ego_svg(
    centre: tuple[str, str],
    others: list[tuple[str, str, bool]],
    *,
    colours: dict | None = None,
    title: str,
    desc: str,
    ident: str = "ego",
) -> Markup:
    """A small picture of what one respondent reported: them in the centre (``centre``:
    name, silo), the people and organisations they named (``others``: name, silo,
    is an organisation) on a ring around, each coloured by silo, a circle for a person
    and a square for an organisation, a line from the centre to each. ``title`` and
    ``desc`` name it for screen readers; the page gives the key and a text list beside
    it (colour alone carries no meaning here). ``ident`` keeps element ids unique when a
    page shows several.
    """
    import math

    colours = colours or {}
    n = len(others)
    width, height, cx, cy = 560, 460, 280, 220
    ring = 160 if n > 1 else 120
    ident = escape(ident)
    out = [
        f'<svg class="chart chart--ego" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(desc)}</desc>',
    ]
    pos = [
        (
            cx + ring * math.cos(2 * math.pi * k / max(n, 1) - math.pi / 2),
            cy + ring * math.sin(2 * math.pi * k / max(n, 1) - math.pi / 2),
        )
        for k in range(n)
    ]
    for x, y in pos:
        out.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#52606d" '
            f'stroke-opacity="0.6" stroke-width="2"/>'
        )
    small = n > 16
    for (x, y), (name, silo, is_org) in zip(pos, others, strict=True):
        colour = escape(colours.get(silo, "#9aa5b1"))
        r = 10 if small else 14
        if is_org:
            out.append(
                f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" '
                f'rx="2" fill="{colour}" stroke="#1f2933" stroke-width="1.5"/>'
            )
        else:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" '
                f'stroke="#1f2933" stroke-width="1.5"/>'
            )
        below = y >= cy - 1
        ty = y + r + 18 if below else y - r - 7
        out.append(
            f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle" '
            f'font-size="{14 if small else 17}" '
            f'fill="#1f2933" stroke="#fff" stroke-width="3" paint-order="stroke">'
            f"{escape(_short(name, 12 if small else 18))}</text>"
        )
    name, silo = centre
    out.append(
        f'<circle cx="{cx}" cy="{cy}" r="20" fill="{escape(colours.get(silo, "#9aa5b1"))}" '
        f'stroke="#1f2933" stroke-width="3"/>'
        f'<text x="{cx}" y="{cy + 42}" text-anchor="middle" font-size="18" font-weight="700" '
        f'fill="#1f2933" stroke="#fff" stroke-width="3" paint-order="stroke">'
        f"{escape(_short(name, 24))}</text>"
    )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text part escaped above
