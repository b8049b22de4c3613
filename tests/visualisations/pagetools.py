"""Helpers for driving rendered graph pages in headless Chromium."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

READY = "window.bridgemapReady === true || !!window.bridgemapError"

# Installed before any page script (not subject to the page's CSP): records CSP
# violations so a test can assert there were none.
RECORD_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@dataclass
class Session:
    page: object
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.page.context.close()


def open_page(
    browser,
    url: str,
    *,
    allowed_origin: str | None = None,
    offline: bool = False,
    viewport=(1280, 820),
    timeout_ms: int = 30_000,
    headers: dict | None = None,
    wait_for: str | None = READY,
) -> Session:
    """Open ``url`` in a fresh context; every request not to file:// or ``allowed_origin``
    is aborted and recorded; dialogs are dismissed and recorded. ``headers`` go with
    every request (e.g. ``Authorization``). ``wait_for``: a condition to wait for
    (a graph page's readiness by default; None for plain pages)."""
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        offline=offline,
        extra_http_headers=headers or {},
    )
    page = context.new_page()
    session = Session(page)

    def route(r):
        url = r.request.url
        if url.startswith("file:") or (allowed_origin and url.startswith(allowed_origin + "/")):
            r.continue_()
        else:
            session.blocked.append(url)
            r.abort()

    def on_dialog(dialog):
        session.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.route("**/*", route)
    page.on("request", lambda req: session.requests.append(req.url))
    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: session.errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            session.errors.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error"
            else None
        ),
    )
    page.add_init_script(RECORD_CSP)
    page.goto(url)
    if wait_for:
        page.wait_for_function(wait_for, timeout=timeout_ms)
    return session


def external(session: Session, allowed_origin: str | None = None) -> list[str]:
    """Requests the page made to anything but file://, data: and ``allowed_origin``."""
    ok = ("file:", "data:", "blob:") + ((allowed_origin + "/",) if allowed_origin else ())
    return [u for u in session.requests + session.blocked if not u.startswith(ok)]


CANVAS_STATS = """
() => {
  const c = document.querySelector('#bridgemap-graph canvas');
  if (!c) return null;
  const ctx = c.getContext('2d');
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const seen = new Set(); let ink = 0, total = 0;
  for (let i = 0; i < d.length; i += 4 * 37) {
    total++;
    if (d[i + 3] > 0 && !(d[i] > 245 && d[i + 1] > 245 && d[i + 2] > 245)) ink++;
    seen.add((d[i] >> 3) + ',' + (d[i + 1] >> 3) + ',' + (d[i + 2] >> 3) + ',' + (d[i + 3] >> 5));
  }
  return {colours: seen.size, ink: ink / total, width: c.width, height: c.height};
}
"""

PNG_STATS = """
async (src) => {
  const img = new Image();
  img.src = src;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const seen = new Set(); let ink = 0, total = 0;
  for (let i = 0; i < d.length; i += 4 * 53) {
    total++;
    if (!(d[i] > 245 && d[i + 1] > 245 && d[i + 2] > 245)) ink++;
    seen.add((d[i] >> 3) + ',' + (d[i + 1] >> 3) + ',' + (d[i + 2] >> 3));
  }
  return {colours: seen.size, ink: ink / total, width: c.width, height: c.height};
}
"""


def canvas_stats(page) -> dict | None:
    """Colour variety and share of non-white pixels on the graph canvas."""
    return page.evaluate(CANVAS_STATS)


def png_stats(browser, png: bytes) -> dict:
    """Decode a PNG in the browser and measure it like canvas_stats."""
    context = browser.new_context()
    try:
        page = context.new_page()
        src = "data:image/png;base64," + base64.b64encode(png).decode()
        return page.evaluate(PNG_STATS, src)
    finally:
        context.close()


def node_screen_position(page, node_id: int) -> tuple[float, float]:
    """Page coordinates of a node's centre."""
    return tuple(
        page.evaluate(
            """(id) => {
              const net = window.bridgemap.network;
              const p = net.canvasToDOM(net.getPositions([id])[id]);
              const r = document.getElementById('bridgemap-graph').getBoundingClientRect();
              return [r.left + p.x, r.top + p.y];
            }""",
            node_id,
        )
    )


def hover_tooltip(page, node_id: int, timeout_ms: int = 5000) -> dict:
    """Move the mouse onto a node; return the tooltip's text and the tags inside it
    (vis-network sets string tooltips with innerText, so only <br> may appear)."""
    x, y = node_screen_position(page, node_id)
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=4)
    page.wait_for_function(
        """() => { const t = document.querySelector('div.vis-tooltip');
                   return t && t.style.visibility === 'visible' && t.innerText.length > 0; }""",
        timeout=timeout_ms,
    )
    return page.evaluate(
        """() => { const t = document.querySelector('div.vis-tooltip');
                   return {text: t.innerText,
                           tags: [...t.querySelectorAll('*')].map(e => e.tagName)}; }"""
    )
