"""The picture and the list of what one respondent reported, for their own page after
sending and for the coordinator's review: a small server-drawn SVG
(:func:`service.web.charts.ego_svg`: no script), its key by silo, and the same in words
(``_reported.html`` renders all three)."""

from __future__ import annotations

from service.i18n import gettext, kind_label, ngettext, silo_label
from service.web.charts import ego_svg


def reported_picture(
    ident: str,
    me: tuple[str, str],
    ties: list[dict],
    entries: dict[str, dict],
    colours: dict[str, str],
    frequency_words: dict,
    vocabulary=None,
) -> dict:
    """``me``: (name, silo); ``ties``: the response's ties as dicts; ``entries``: node id
    -> ``{"name", "silo", "type"}`` for named targets; ``vocabulary``: the map (or its
    :func:`graph_models.vocabulary.labels_of`), whose labels name silos and its own
    kinds in the reader's language. Returns ``svg``, ``key`` (silo label, colour) for
    every silo drawn, and ``rows`` (name, silo label, kind, how often, what)."""
    others, rows = [], []
    for t in ties:
        entry = entries.get(t.get("target") or "")
        if entry is not None:
            name, silo, is_org = entry["name"], entry["silo"], entry["type"] == "organisation"
        elif t.get("name"):
            name, silo, is_org = t["name"], t.get("silo", ""), False
        else:
            continue  # someone no longer there
        others.append((name, silo, is_org))
        rows.append(
            {
                "name": name,
                "silo": silo_label(silo, vocabulary) if silo else silo,
                "what": gettext("organisation") if is_org else gettext("person"),
                "kind": kind_label(t.get("kind", ""), vocabulary),
                "frequency": str(frequency_words.get(t.get("frequency"), t.get("frequency", ""))),
                "new": not t.get("target"),
            }
        )
    silos = list(dict.fromkeys([me[1], *(silo for _, silo, _ in others)]))
    title = gettext("What %(name)s reported", name=me[0])
    desc = ngettext(
        "%(name)s in the centre, with the %(num)s person or organisation they named around "
        "them, coloured by sector: circles are people, squares organisations.",
        "%(name)s in the centre, with the %(num)s people and organisations they named around "
        "them, coloured by sector: circles are people, squares organisations.",
        len(others),
        name=me[0],
    )
    return {
        "svg": ego_svg(me, others, colours=colours, title=title, desc=desc, ident=ident),
        "key": [
            (silo_label(silo, vocabulary) if silo else silo, colours.get(silo, "#9aa5b1"))
            for silo in silos
        ],
        "rows": rows,
        "ident": ident,
    }
