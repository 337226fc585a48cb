"""A news site on 127.0.0.1 for the web-page tests: the saved pages in tests/data/pages, plus bad answers.

``/NAME.html`` serves ``tests/data/pages/NAME.html`` as UTF-8 HTML. Special paths:

- ``/cp1256-as-utf8.html``: a page encoded as windows-1256 but declared UTF-8;
- ``/utf8-as-cp1256.html``: a UTF-8 page declared windows-1256;
- ``/report.pdf``, ``/photo.png``, ``/blob``: a PDF, a PNG and ``application/octet-stream``;
- ``/huge.html``: a page of several megabytes; ``/slow.html``: answers after ``SLOW_SECONDS``;
- ``/moved``: 302 to ``/jsonld_news.html``; ``/to-metadata``: 302 to a link-local address;
- ``/gone``: 404.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
SLOW_SECONDS = 3.0
HUGE_BYTES = 4_000_000


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        html = "text/html; charset=utf-8"
        if path == "/cp1256-as-utf8.html":
            text = _page("jsonld_news.html").decode("utf-8").replace('<meta charset="utf-8">', "")
            self._send(200, text.encode("cp1256", errors="replace"), html)
        elif path == "/utf8-as-cp1256.html":
            self._send(200, _page("wordpress.html"), "text/html; charset=windows-1256")
        elif path == "/report.pdf":
            self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf")
        elif path == "/photo.png":
            self._send(200, b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
        elif path == "/blob":
            self._send(200, bytes(range(256)) * 4, "application/octet-stream")
        elif path == "/huge.html":
            filler = "<p>" + "كلام " * 1000 + "</p>\n"
            body = (
                "<html><body>" + filler * (HUGE_BYTES // len(filler.encode()) + 1) + "</body></html>"
            ).encode()
            self._send(200, body, html)
        elif path == "/slow.html":
            time.sleep(SLOW_SECONDS)
            self._send(200, _page("jsonld_news.html"), html)
        elif path == "/moved":
            self._send(302, b"", html, {"Location": "/jsonld_news.html"})
        elif path == "/to-metadata":
            self._send(302, b"", html, {"Location": "http://169.254.169.254/latest/meta-data/"})
        elif path.endswith(".html") and "/" not in path[1:] and (PAGES / path[1:]).is_file():
            self._send(200, _page(path[1:]), html)
        else:
            self._send(404, b"<html><body><h1>404</h1></body></html>", html)


@contextlib.contextmanager
def serving_pages() -> Iterator[str]:
    """Serve the test site on 127.0.0.1 (a free port); yields its base URL, e.g. ``http://127.0.0.1:PORT``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
