"""A real local HTTP feed server (aiohttp in a background thread) serving feeds, pages and failure scenarios."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
import threading
import zlib
from collections import Counter, deque
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web

RSS_TYPE = "application/rss+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
_BASE_DATE = datetime(2025, 12, 15, 9, 0, tzinfo=timezone.utc)


@dataclass
class Resource:
    """A static response; `etag` / `last_modified` enable conditional GET (304)."""

    body: bytes
    content_type: str = RSS_TYPE
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def rss(title: str, items: list[dict[str, str]], link: str = "https://wire.example/talks") -> bytes:
    """An RSS 2.0 document; each item dict may have title, link, guid, description, content, pubDate, author."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f"<channel><title>{escape(title)}</title><link>{escape(link)}</link>"
        "<description>Fictional test wire</description>",
    ]
    for it in items:
        parts.append("<item>")
        for tag in ("title", "link", "guid", "description", "pubDate"):
            if tag in it:
                parts.append(f"<{tag}>{escape(it[tag])}</{tag}>")
        if "author" in it:
            parts.append(f"<dc:creator>{escape(it['author'])}</dc:creator>")
        if "content" in it:
            parts.append(f"<content:encoded><![CDATA[{it['content']}]]></content:encoded>")
        parts.append('<enclosure url="https://wire.example/a.mp3" length="1" type="audio/mpeg"/></item>')
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def wire_items(prefix: str, count: int, base: str = "https://wire.example/talks") -> list[dict[str, str]]:
    """`count` fictional wire items about the talks, newest first, with distinct guids and dates."""
    places = ["Geneva", "Istanbul", "Riyadh", "Berlin", "Abu Dhabi", "Vienna", "Doha"]
    items = []
    for i in range(count):
        when = _BASE_DATE - timedelta(hours=i)
        place = places[i % len(places)]
        items.append(
            {
                "title": f"Envoys resume talks in {place} as prisoner swap list grows ({prefix} {i})",
                "link": f"{base}/{prefix}-{i}?utm_source=rss&utm_medium=feed",
                "guid": f"{prefix}-{i}",
                "pubDate": format_datetime(when),
                "description": f"{place.upper()} (Wire) - Negotiators met for a {i + 2}th round on Monday.",
            }
        )
    return items


def entity_bomb() -> bytes:
    """A billion-laughs RSS document (nested internal entities, each line on its own line)."""
    ents = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    ents += [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    decl = "<!DOCTYPE rss [\n" + "\n".join(ents) + "\n]>"
    return (
        f'<?xml version="1.0"?>\n{decl}\n<rss version="2.0"><channel><title>Laughs</title>'
        "<item><title>&lol9;</title><guid>bomb-1</guid></item></channel></rss>"
    ).encode()


def wrong_encoding_feed() -> bytes:
    """Declared UTF-8 in the XML prolog, but the bytes are Windows-1252 (curly quotes, accents)."""
    text = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Kyiv Desk</title>'
        "<item><title>Zelenskyy\u2019s envoy says \u201cno deal\u201d on Zaporizhzhia plant before caf\u00e9 summit"
        "</title><guid>enc-1</guid><link>https://desk.example/enc-1</link>"
        "<description>The envoy\u2019s remarks came after a four-hour session.</description></item>"
        "</channel></rss>"
    )
    return text.encode("cp1252")


BROKEN_XML = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken Desk</title>'
    b"<item><title>Talks stall</tite><guid>b-1</guid></item><item><title>Second & unescaped"
)
HTML_PAGE = (
    b"<!doctype html><html><head><title>Wire Example - Home</title></head><body><h1>Latest</h1>"
    b"<p>This is the home page, not a feed. <a href='/rss'>Subscribe</a></p></body></html>"
)


@functools.lru_cache(maxsize=4)
def gzip_bomb(megabytes: int) -> bytes:
    """A gzip member that inflates to `megabytes` MiB of spaces after a feed-looking prefix."""
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    out = [comp.compress(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')]
    block = b" " * (1 << 20)
    out += [comp.compress(block) for _ in range(megabytes)]
    out.append(comp.flush())
    return b"".join(out)


class FeedServer:
    """HTTP server on 127.0.0.1:0 (or several loopback hosts) running in its own thread and event loop.

    Static resources are registered with `put(path, ...)`. Built-in routes: /x/status/{code},
    /x/slow-headers?delay=S, /x/slow-body?delay=S, /x/huge?mb=N[&length=1][&type=html], /x/gzip-bomb?mb=N,
    /x/gzip-stream (endless gzip), /x/loop/a <-> /x/loop/b, /x/redirect?to=PATH, /x/reset?after=N (connection
    dropped after N bytes of a longer declared body), and the scenarios
    /feeds/entity-bomb, /feeds/broken, /feeds/html, /feeds/wrong-encoding. `hits` counts requests per
    path, `requests` keeps recent (path, headers), `max_inflight` the peak concurrency per local address.
    """

    def __init__(self, hosts: tuple[str, ...] = ("127.0.0.1",)) -> None:
        self.hosts = hosts
        self.resources: dict[str, Resource] = {}
        self.hits: Counter[str] = Counter()
        self.requests: deque[tuple[str, dict[str, str]]] = deque(maxlen=2000)
        self.bases: list[str] = []
        self.inflight: Counter[str] = Counter()
        self.max_inflight: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="feed-server", daemon=True)
        self._runner: web.AppRunner | None = None
        self.put("/feeds/entity-bomb", entity_bomb())
        self.put("/feeds/broken", BROKEN_XML)
        self.put("/feeds/html", HTML_PAGE, content_type=HTML_TYPE)
        self.put("/feeds/wrong-encoding", wrong_encoding_feed(), content_type="application/rss+xml; charset=utf-8")

    @property
    def base_url(self) -> str:
        return self.bases[0]

    def url(self, path: str, host: int = 0) -> str:
        return self.bases[host] + path

    def put(self, path: str, body: bytes, **kwargs: Any) -> Resource:
        res = Resource(body=body, **kwargs)
        self.resources[path] = res
        return res

    def start(self) -> FeedServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/x/status/{code}", self._status)
        app.router.add_route("GET", "/x/slow-headers", self._slow_headers)
        app.router.add_route("GET", "/x/slow-body", self._slow_body)
        app.router.add_route("GET", "/x/huge", self._huge)
        app.router.add_route("GET", "/x/gzip-bomb", self._gzip_bomb)
        app.router.add_route("GET", "/x/gzip-stream", self._gzip_stream)
        app.router.add_route("GET", "/x/loop/{name}", self._loop_redirect)
        app.router.add_route("GET", "/x/redirect", self._redirect)
        app.router.add_route("GET", "/x/reset", self._reset)
        app.router.add_route("GET", "/{tail:.*}", self._static)
        app.middlewares.append(self._record)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        for host in self.hosts:
            site = web.TCPSite(self._runner, host, 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.bases.append(f"http://{host}:{port}")

    @web.middleware
    async def _record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.hits[request.path] += 1
        self.requests.append((request.path, dict(request.headers)))
        sock = request.transport.get_extra_info("sockname") if request.transport else None
        host = sock[0] if sock else "?"
        self.inflight[host] += 1
        self.max_inflight[host] = max(self.max_inflight[host], self.inflight[host])
        try:
            return await handler(request)
        finally:
            self.inflight[host] -= 1

    async def _static(self, request: web.Request) -> web.StreamResponse:
        res = self.resources.get(request.path)
        if res is None:
            return web.Response(status=404, text="no such feed")
        headers = dict(res.headers)
        if res.etag:
            headers["ETag"] = res.etag
        if res.last_modified:
            headers["Last-Modified"] = res.last_modified
        if res.status == 200 and _not_modified(request, res):
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = res.content_type
        return web.Response(status=res.status, body=res.body, headers=headers)

    async def _status(self, request: web.Request) -> web.StreamResponse:
        code = int(request.match_info["code"])
        headers = {"Retry-After": request.query["retry"]} if "retry" in request.query else {}
        return web.Response(status=code, text=f"status {code}", headers=headers)

    async def _slow_headers(self, request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(float(request.query.get("delay", "5")))
        return web.Response(body=rss("Slow", wire_items("slow", 1)), content_type="application/rss+xml")

    async def _slow_body(self, request: web.Request) -> web.StreamResponse:
        delay = float(request.query.get("delay", "0.2"))
        resp = web.StreamResponse(headers={"Content-Type": RSS_TYPE})
        await resp.prepare(request)
        try:
            for byte in rss("Trickle", wire_items("trickle", 3)):
                await resp.write(bytes([byte]))
                await asyncio.sleep(delay)
        except ConnectionResetError:
            pass
        return resp

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        total = int(float(request.query.get("mb", "50")) * (1 << 20))
        headers = {"Content-Type": HTML_TYPE if request.query.get("type") == "html" else RSS_TYPE}
        if request.query.get("length"):
            headers["Content-Length"] = str(total)
        resp = web.StreamResponse(headers=headers)
        await resp.prepare(request)
        item = b"<item><title>Filler item for the size cap</title><guid>x</guid></item>\n" * 900
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>'
        try:
            for chunk in _repeat(head, item, total):
                await resp.write(chunk)
        except ConnectionResetError:  # the client hung up at its size cap
            pass
        return resp

    async def _gzip_bomb(self, request: web.Request) -> web.StreamResponse:
        body = gzip_bomb(int(request.query.get("mb", "256")))
        return web.Response(body=body, headers={"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"})

    async def _gzip_stream(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": RSS_TYPE, "Content-Encoding": "gzip"})
        await resp.prepare(request)
        comp = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        block = b"<item><title>again</title></item>" * 30000
        try:
            await resp.write(comp.compress(b'<?xml version="1.0"?><rss version="2.0"><channel>'))
            for _ in range(100_000):  # bounded: about 100 GB decoded, the client must hang up first
                await resp.write(comp.compress(block) + comp.flush(zlib.Z_SYNC_FLUSH))
        except ConnectionResetError:
            pass
        return resp

    async def _loop_redirect(self, request: web.Request) -> web.StreamResponse:
        other = "b" if request.match_info["name"] == "a" else "a"
        raise web.HTTPFound(f"/x/loop/{other}")

    async def _redirect(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(request.query["to"])

    async def _reset(self, request: web.Request) -> web.StreamResponse:
        body = rss("Reset Desk", wire_items("reset", 40))
        cut = int(request.query.get("after", "600"))
        resp = web.StreamResponse(headers={"Content-Type": RSS_TYPE, "Content-Length": str(len(body))})
        await resp.prepare(request)
        await resp.write(body[:cut])
        await asyncio.sleep(0.05)
        if request.transport is not None:
            request.transport.abort()  # the connection drops mid-body, as when a proxy or server dies
        return resp


def _not_modified(request: web.Request, res: Resource) -> bool:
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        return res.etag is not None and res.etag in [t.strip() for t in inm.split(",")]
    ims = request.headers.get("If-Modified-Since")
    if ims and res.last_modified:
        try:
            return parsedate_to_datetime(res.last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def _repeat(head: bytes, filler: bytes, total: int) -> Any:
    yield head
    sent = len(head)
    while sent < total:
        chunk = filler[: total - sent]
        sent += len(chunk)
        yield chunk


def bench_server(feeds: int, hosts: int) -> FeedServer:
    """A server with `feeds` small feeds (ETag + Last-Modified) spread over `hosts` loopback addresses."""
    server = FeedServer(tuple(f"127.0.0.{i + 1}" for i in range(hosts)))
    stamp = format_datetime(_BASE_DATE, usegmt=True)
    for i in range(feeds):
        body = rss(f"Desk {i}", wire_items(f"desk{i}", 10, base=f"https://desk{i}.example/news"))
        server.put(f"/bench/{i}.xml", body, etag=f'"v1-{i}"', last_modified=stamp)
    return server


def main() -> None:
    """Serve bench feeds until stdin closes; print {"urls": [...]} as one JSON line once listening."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=10)
    args = ap.parse_args()
    server = bench_server(args.feeds, args.hosts).start()
    urls = [server.url(f"/bench/{i}.xml", host=i % args.hosts) for i in range(args.feeds)]
    print(json.dumps({"urls": urls}), flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
