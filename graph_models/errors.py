"""Domain errors.

Every error the domain or a store raises derives from :class:`BridgemapError`, so the
service can translate each one to exactly one HTTP status and error body without
knowing which store produced it.
"""

from __future__ import annotations


class BridgemapError(Exception):
    """Root of every error that the service turns into a JSON error response."""

    status = 500
    code = "error"

    def __init__(self, message: str, errors: dict | list | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InvalidInput(BridgemapError):
    """A value, field or row that breaks the domain rules (HTTP 422).

    ``errors`` maps field names (or ``"rows"``) to lists of messages so that a
    client can point at the offending field or row.
    """

    status = 422
    code = "invalid_input"


class NotFound(BridgemapError):
    """The map or object does not exist, or is not visible to the caller (HTTP 404)."""

    status = 404
    code = "not_found"


class Conflict(BridgemapError):
    """The object already exists, or the write clashes with the current state (HTTP 409)."""

    status = 409
    code = "conflict"


class PreconditionFailed(BridgemapError):
    """The client's ``If-Match`` revision is not the record's current one (HTTP 412):
    someone else changed it since the client read it, and nothing was written."""

    status = 412
    code = "precondition_failed"


class StoreUnavailable(BridgemapError):
    """The database cannot be reached right now (HTTP 503); the service stays up."""

    status = 503
    code = "store_unavailable"
