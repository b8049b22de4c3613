"""Fixtures for the visualisation tests: one headless Chromium per session and a tiny
localhost server that serves rendered pages plus our static assets under /static/vis,
as the Flask app will, with a Content-Security-Policy header."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from visualisations import assets

#: What the lead's Flask app will send.
LEAD_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'"
#: Stricter: proves the served page needs no inline script or style at all.
STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'"


class PageServer:
    """Serves /static/vis/<asset> and /pages/<name>, /strict/<name> from a folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server API
                path = unquote(urlsplit(self.path).path)
                server.requests.append(path)
                body, ctype, csp = None, "text/html; charset=utf-8", None
                if path.startswith("/static/vis/"):
                    file = assets.asset_path(path[len("/static/vis/") :])
                    if file is not None:
                        body = file.read_bytes()
                        ctype = assets.asset_mimetype(file.name)
                else:
                    for prefix, policy in (("/pages/", LEAD_CSP), ("/strict/", STRICT_CSP)):
                        if path.startswith(prefix):
                            file = server.folder / Path(path[len(prefix) :]).name
                            if file.is_file():
                                body, csp = file.read_bytes(), policy
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                if csp:
                    self.send_header("Content-Security-Policy", csp)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, name: str, html: str) -> None:
        (self.folder / name).write_text(html, encoding="utf-8")

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def browser(browser_session):  # noqa: F811
    return browser_session


@pytest.fixture(scope="session")
def page_server(tmp_path_factory):
    server = PageServer(tmp_path_factory.mktemp("pages"))
    try:
        yield server
    finally:
        server.close()
