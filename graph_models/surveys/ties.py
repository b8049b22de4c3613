"""Which ties an analysis counts: all of them, those reported in a survey, or only those
confirmed by both ends (``ties=all|survey|confirmed`` on the report).

People and organisations are kept whatever is chosen (an isolated person is still in
the network); only ties are left out.
"""

from __future__ import annotations

import dataclasses

from graph_models.errors import InvalidInput
from graph_models.messages import Message
from graph_models.store.base import GraphRecords

TIES_ALL, TIES_SURVEY, TIES_CONFIRMED = "all", "survey", "confirmed"
TIE_CHOICES = (TIES_ALL, TIES_SURVEY, TIES_CONFIRMED)


def select(records: GraphRecords, ties: str = TIES_ALL) -> GraphRecords:
    """``records`` with only the chosen ties."""
    if ties == TIES_ALL:
        return records
    if ties == TIES_SURVEY:
        kept = [r for r in records.relationships if r.reported_by]
    elif ties == TIES_CONFIRMED:
        kept = [r for r in records.relationships if r.confirmed]
    else:
        raise InvalidInput(
            Message("survey.ties_choice", choices=", ".join(TIE_CHOICES)),
            {"ties": [Message("survey.ties_choice", choices=", ".join(TIE_CHOICES))]},
        )
    return dataclasses.replace(records, relationships=kept)
