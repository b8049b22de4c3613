"""Text folding for search: one rule for what "the same letters" means.

A name is searched by its folded form, so people find "Siân" by typing "sian" and
"Llŷr" by typing "llyr" or "LLYR". :func:`fold` decomposes the text (Unicode NFKD, which
also turns ligatures and full-width letters into plain ones), drops the combining marks
(accents, the circumflex of the Welsh to bach) and folds case with
:meth:`str.casefold` ("ß" becomes "ss"). Letters are never merged or reordered, so the
Welsh digraphs (ch, dd, ff, ng, ll, ph, rh, th) stay as they are.

Stores keep ``fold(name)`` beside each person's and organisation's name (``name_key``)
and match a listing's ``q`` filter as a substring of it (:mod:`graph_models.store`).

This is deliberately not the folding that derives import ids
(:func:`graph_models.io.rows.fold_name`): that one keeps accents, and changing it would
change the ids of rows already imported.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``text`` folded for matching: accents dropped, case folded.

    Examples
    --------
    >>> fold("Siân")
    'sian'
    >>> fold("Llŷr")
    'llyr'
    >>> fold("SIAN") == fold("siân")
    True
    >>> fold("Straße")
    'strasse'
    >>> fold("Rhodri ap Llywelyn")
    'rhodri ap llywelyn'
    >>> fold("ＡＢＣ ﬁn")
    'abc fin'
    >>> fold("İlkay")
    'ilkay'
    """
    if text.isascii():  # nothing to decompose; casefold of ASCII is lower (bulk imports)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
