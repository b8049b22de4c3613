"""A real HTTP server around a Flask app, on 127.0.0.1, for browser tests."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server


class LiveServer:
    """Serve ``app`` on a free loopback port in a background thread."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
