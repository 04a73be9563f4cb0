"""A real HTTP server on 127.0.0.1 serving the demo's bundled fictional feeds and article pages."""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

log = logging.getLogger("bot.demo")

DATA_DIR = Path(__file__).resolve().parent / "data"
PLACEHOLDER = "{BASE}"
"""Written in the bundled XML and HTML where the server's own http://127.0.0.1:PORT belongs."""

_RSS = "application/rss+xml; charset=utf-8"
_ATOM = "application/atom+xml; charset=utf-8"
_HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    etag: str


class DemoServer:
    """Serves /feeds/<name>.xml (with ETag / If-None-Match) and /articles/<slug>.html from `data_dir`.

    Use as a context manager or async context manager; the server runs in a daemon thread on an
    ephemeral port of `host`. `hits` counts requests per path (query strings dropped).
    """

    def __init__(self, data_dir: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.data_dir = Path(data_dir or DATA_DIR)
        self.host = host
        self.port = port
        self.hits: Counter[str] = Counter()
        self._resources: dict[str, _Resource] = {}
        self._feeds: list[str] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT of the running server."""
        if self._httpd is None:
            raise RuntimeError("the demo server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def feed_urls(self) -> dict[str, str]:
        """Feed name (file stem, e.g. "kyiv-ledger") -> its URL on this server."""
        return {name: f"{self.base_url}/feeds/{name}.xml" for name in self._feeds}

    def start(self) -> DemoServer:
        """Bind, load and render the bundled files, and serve in a background thread."""
        if self._httpd is not None:
            return self
        httpd = ThreadingHTTPServer((self.host, self.port), _handler(self))
        httpd.daemon_threads = True
        self._httpd = httpd
        try:
            self._load()
        except BaseException:
            httpd.server_close()
            self._httpd = None
            raise
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="demo-server", daemon=True)
        self._thread.start()
        log.info("demo server on %s serving %d feeds", self.base_url, len(self._feeds))
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> DemoServer:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    def _load(self) -> None:
        base = self.base_url
        resources: dict[str, _Resource] = {}
        feeds = sorted(self.data_dir.joinpath("feeds").glob("*.xml"))
        if not feeds:
            raise FileNotFoundError(f"no demo feeds in {self.data_dir / 'feeds'}")
        for path in feeds:
            text = path.read_text(encoding="utf-8").replace(PLACEHOLDER, base)
            kind = _ATOM if "<feed" in text[:600] else _RSS
            resources[f"/feeds/{path.name}"] = _resource(text, kind)
        for path in sorted(self.data_dir.joinpath("articles").glob("*.html")):
            resources[f"/articles/{path.name}"] = _resource(path.read_text(encoding="utf-8").replace(PLACEHOLDER, base), _HTML)
        self._feeds = [p.stem for p in feeds]
        links = "".join(f'<li><a href="{html.escape(u)}">{html.escape(n)}</a></li>' for n, u in self.feed_urls.items())
        resources["/"] = _resource(f"<!doctype html><title>briefbot demo</title><h1>Demo feeds</h1><ul>{links}</ul>", _HTML)
        self._resources = resources

    def _lookup(self, path: str) -> _Resource | None:
        return self._resources.get(path)


def _resource(text: str, content_type: str) -> _Resource:
    body = text.encode("utf-8")
    return _Resource(body, content_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


def _handler(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        server_version = "briefbot-demo/1"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._respond(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(with_body=False)

        def _respond(self, with_body: bool) -> None:
            path = urlsplit(self.path).path
            server.hits[path] += 1
            res = server._lookup(path)
            if res is None:
                self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", None, with_body)
            elif _matches(self.headers.get("If-None-Match"), res.etag):
                self._send(HTTPStatus.NOT_MODIFIED, b"", None, res.etag, with_body)
            else:
                self._send(HTTPStatus.OK, res.body, res.content_type, res.etag, with_body)

        def _send(self, status: HTTPStatus, body: bytes, kind: str | None, etag: str | None, with_body: bool) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Cache-Control", "no-cache")
            if status != HTTPStatus.NOT_MODIFIED:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body and body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
            log.debug("demo server: " + format, *args)

    return _Handler


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in tags or f"W/{etag}" in tags
