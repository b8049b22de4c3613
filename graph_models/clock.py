"""The one clock: every stored time, token expiry and audit entry is UTC.

Two kinds of "now" are used, and each has one helper here:

* :func:`now` / :func:`timestamp` — an instant, always in **UTC** (``+00:00``): map and
  token ``created_at``/``updated_at``, audit entries, token expiry and revocation. The
  stores keep it as an ISO-8601 string (:func:`timestamp`); before this module the
  stores wrote the server's local time, so a server not on UTC mixed two clocks.
* :func:`today` — a **calendar day**, the day a map is read "as of" when no date is
  given (ties that ended before it are history). This is the day on the **server's
  local clock** (``date.today()``, i.e. the ``TZ`` the service runs under), because a
  partnership means "today" as it is where they live: run a UK deployment with
  ``TZ=Europe/London`` and the map turns over at local midnight, not at 00:00 UTC.

Nothing else in the code base calls ``datetime.now()``, ``datetime.utcnow()`` or
``date.today()``; tests may pin these helpers.

>>> now().utcoffset().total_seconds()
0.0
>>> timestamp().endswith("+00:00")
True
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """The current instant, timezone-aware, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def timestamp() -> str:
    """The current instant as an ISO-8601 UTC string (``2026-01-31T09:05:00+00:00``)."""
    return now().isoformat()


def today() -> date:
    """Today's calendar day on the server's local clock (see the module notes)."""
    return date.today()
