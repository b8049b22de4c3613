"""Secrets never reach a log line the project writes.

Share links made before secrets moved to the URL fragment (``/share/bm_...``) carry a
token in their path, and every access log records paths: anyone who can read the log
could use the link. :class:`MaskSecrets` is a :mod:`logging` filter that rewrites such
tokens as ``bm_…`` in any record; :func:`install` puts it on the loggers of the
development server (``bridgemap serve``) and of gunicorn (``service/gunicorn_conf.py``,
as the Dockerfile runs it).
"""

from __future__ import annotations

import logging
import re

#: A Bridgemap token (``bm_`` and 43 url-safe characters), wherever it stands.
TOKEN = re.compile(r"bm_[A-Za-z0-9_-]{8,}")
MASK = "bm_…"

#: The loggers that write request lines: werkzeug's development server, gunicorn's.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def mask(text: str) -> str:
    """``text`` with every Bridgemap token replaced by ``bm_…``.

    >>> mask('"GET /share/bm_AbCdEfGhIjKlMnOp HTTP/1.1" 302 -')
    '"GET /share/bm_… HTTP/1.1" 302 -'
    """
    return TOKEN.sub(MASK, text)


class MaskSecrets(logging.Filter):
    """Rewrites each record's message with :func:`mask` (and never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install(names=ACCESS_LOGGERS) -> None:
    """Put :class:`MaskSecrets` on these loggers (once each)."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskSecrets) for f in logger.filters):
            logger.addFilter(MaskSecrets())
