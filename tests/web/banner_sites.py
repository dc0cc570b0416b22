"""Sites around the cookie banner in a real browser: a host page, an analytics vendor, skydd.

Each runs on its own 127.0.0.1 port, so the browser treats them as three origins: the
site embedding ``/consent.js``, the third party whose script the banner holds back
(it counts every request it gets), and skydd itself.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Site:
    """A plain HTTP server on 127.0.0.1 serving fixed files by path, counting requests."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, str]] = {}
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with site._lock:
                    site.hits[path] += 1
                found = site.files.get(path)
                body = found[1].encode() if found else b"not found"
                self.send_response(200 if found else 404)
                content_type = found[0] if found else "text/plain"
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                del format, args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, content_type: str, body: str) -> None:
        """Serve ``body`` at ``path``."""
        self.files[path] = (content_type, body)

    def requests(self) -> int:
        """How many requests of any path the site has answered."""
        with self._lock:
            return sum(self.hits.values())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
