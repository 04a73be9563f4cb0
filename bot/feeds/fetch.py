"""Feed and page fetching: one shared httpx client, conditional GET, capped streamed and decompressed bodies."""

from __future__ import annotations

import asyncio
import logging
import re
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urlsplit
from urllib.request import getproxies

import httpx

from bot import __version__
from bot.feeds.guard import AddressRefused, GuardedTransport, preflight_hook
from bot.feeds.parse import FeedItem, FeedParseError, parse_feed

log = logging.getLogger("bot.feeds")

USER_AGENT = f"briefbot/{__version__} (+https://github.com/briefbot/briefbot)"
MAX_BYTES = 10 * 1024 * 1024
_FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)
_PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_INFLATE_STEP = 64 * 1024
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


class _FetchError(Exception):
    """A one-line reason a fetch failed."""

    def __init__(self, reason: str, http_status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass
class FetchResult:
    """Outcome of one feed poll. `status` is "ok", "not_modified" or "error" (then `error` says why)."""

    status: str
    url: str
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    title: str | None = None
    error: str | None = None
    final_url: str | None = None
    bytes_read: int = 0
    retry_after: float | None = None

    @property
    def permanent(self) -> bool:
        """True for a failure that retrying will not fix (HTTP 410 Gone)."""
        return self.status == "error" and self.http_status == 410


class FeedFetcher:
    """Async context manager owning one httpx.AsyncClient shared by every feed and page fetch.

    Limits: `connect_timeout`/`read_timeout` per socket operation, `total_timeout` per fetch (so a
    trickling server is cut off), `max_bytes` of decoded body (streamed; gzip/deflate inflated
    incrementally, so a gzip bomb stops at the cap), `max_redirects`, `per_host_limit` concurrent
    requests per host and `max_concurrency` overall.

    Unless `allow_private`, a host that is or resolves to a private, loopback, link-local, multicast,
    reserved or unspecified address is refused, on every redirect hop and page fetch: the fetcher resolves
    each host itself and connects only to the addresses it checked (GuardedTransport). With a caller's own
    `transport`, or a proxy from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY; honoured as before),
    the fetcher does not open the connections, so each hop's host is checked just before the request is
    sent instead (guard.preflight_hook): there a DNS answer changing right after the check is not caught.
    """

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        connect_timeout: float = 10.0,
        read_timeout: float = 20.0,
        total_timeout: float = 60.0,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = 5,
        per_host_limit: int = 4,
        max_concurrency: int = 64,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_private: bool = False,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.total_timeout = total_timeout
        self.per_host_limit = per_host_limit
        self.allow_private = allow_private
        limits = httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency)
        hooks: list[Callable[[httpx.Request], Awaitable[None]]] = []
        if not allow_private:
            if transport is None and not _env_proxied():
                transport = GuardedTransport(limits=limits)
            elif not isinstance(transport, GuardedTransport):
                hooks.append(preflight_hook(timeout=connect_timeout))
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=None),
            limits=limits,
            follow_redirects=True,
            max_redirects=max_redirects,
            transport=transport,
            event_hooks={"request": hooks},
        )
        self._global = asyncio.Semaphore(max_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> FeedFetcher:
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._client.__aexit__(exc_type, exc, tb)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch_feed(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """Poll one feed with a conditional GET. Never raises; a failure is logged once on "bot.feeds"."""
        headers = {"Accept": _FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = FetchResult(status="error", url=url)
        try:
            async with self._slot(url), self._client.stream("GET", url, headers=headers) as resp:
                result.final_url = str(resp.url)
                result.http_status = resp.status_code
                if resp.status_code == 304:
                    result.status = "not_modified"
                    result.etag = resp.headers.get("etag") or etag
                    result.last_modified = resp.headers.get("last-modified") or last_modified
                    log.debug("feed %s: not modified", url)
                    return result
                _check_status(resp)
                body = await self._read_capped(resp)
                result.bytes_read = len(body)
                result.etag = resp.headers.get("etag")
                result.last_modified = resp.headers.get("last-modified")
                content_type = resp.headers.get("content-type")
            parsed = await asyncio.to_thread(parse_feed, body, url, content_type, result.final_url)
            result.status, result.items, result.title = "ok", parsed.items, parsed.title
            if parsed.warning:
                log.warning("feed %s: %s", url, parsed.warning)
            else:
                log.debug("feed %s: %d items, %d bytes", url, len(parsed.items), len(body))
            return result
        except Exception as exc:  # noqa: BLE001 - no exception may escape a poll (cancellation still does)
            result.status, result.items, result.error = "error", [], self._reason(exc)
            if isinstance(exc, _FetchError):
                result.retry_after = exc.retry_after
            log.warning("feed %s: %s", url, result.error)
            return result

    async def fetch_page(self, url: str) -> tuple[str | None, str] | None:
        """Fetch an article page and extract (title, text); None (logged once) when that fails."""
        try:
            html, final = await self._get_page(url)
        except Exception as exc:  # noqa: BLE001 - logged once, caller falls back to the entry
            log.warning("page %s: %s", url, self._reason(exc))
            return None
        from bot.extract.html import html_to_text  # a missing extractor is a bug, not a page failure

        try:
            title, text = await asyncio.to_thread(html_to_text, html, final)
        except Exception as exc:  # noqa: BLE001
            log.warning("page %s: extraction failed: %s", url, self._reason(exc))
            return None
        if not text or not text.strip():
            log.warning("page %s: no article text extracted", url)
            return None
        return title, text

    async def _get_page(self, url: str) -> tuple[str, str]:
        async with self._slot(url), self._client.stream("GET", url, headers={"Accept": _PAGE_ACCEPT}) as resp:
            _check_status(resp)
            mime = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            if mime and mime not in ("text/html", "application/xhtml+xml", "text/plain"):
                raise _FetchError(f"not an HTML page ({mime})")
            body = await self._read_capped(resp)
            return _decode_html(body, resp.charset_encoding), str(resp.url)

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        host = (urlsplit(url).hostname or "").lower()
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.per_host_limit)
        async with sem, self._global, asyncio.timeout(self.total_timeout):
            yield

    async def _read_capped(self, resp: httpx.Response) -> bytes:
        encodings = [e.strip().lower() for e in resp.headers.get("content-encoding", "").split(",")]
        encodings = [e for e in encodings if e and e != "identity"]
        length = resp.headers.get("content-length", "")
        if not encodings and length.isdigit() and int(length) > self.max_bytes:
            raise _FetchError(f"body too large: Content-Length {length} exceeds the {self.max_bytes}-byte cap")
        inflater = _Inflater(encodings)
        body = bytearray()
        raw = 0
        async for chunk in resp.aiter_raw():
            raw += len(chunk)
            if raw > self.max_bytes:
                raise _FetchError(f"body cut off: more than {self.max_bytes} bytes on the wire")
            for piece in inflater.feed(chunk):
                body += piece
                if len(body) > self.max_bytes:
                    raise _FetchError(f"body cut off: more than {self.max_bytes} bytes after decompression")
        inflater.finish()
        return bytes(body)

    def _reason(self, exc: Exception) -> str:
        if isinstance(exc, (_FetchError, FeedParseError, AddressRefused)):
            return str(exc)
        if isinstance(exc, httpx.TooManyRedirects):
            return f"too many redirects (more than {self.max_redirects})"
        if isinstance(exc, httpx.ConnectTimeout):
            return "connect timeout"
        if isinstance(exc, httpx.TimeoutException):
            return f"timeout ({type(exc).__name__})"
        if isinstance(exc, TimeoutError):
            return f"took longer than {self.total_timeout:g} s, cut off"
        text = " ".join(str(exc).split())[:200]
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Inflater:
    """Incremental gzip/deflate decoder that never produces more than _INFLATE_STEP bytes at a time."""

    def __init__(self, encodings: list[str]) -> None:
        if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
            raise _FetchError(f"unsupported Content-Encoding: {', '.join(encodings)}")
        self._raw_deflate_fallback = encodings == ["deflate"]
        wbits = zlib.MAX_WBITS | 16 if encodings and encodings[0] != "deflate" else zlib.MAX_WBITS
        self._z = zlib.decompressobj(wbits) if encodings else None
        self._started = False

    def finish(self) -> None:
        """Refuse a compressed body that stopped before its end (a cut-off last item must not pass as whole)."""
        if self._z is not None and self._started and not self._z.eof:
            raise _FetchError("corrupt compressed body: truncated before the end of the stream")

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._z is None:
            yield data
            return
        while data and not self._z.eof:
            try:
                out = self._z.decompress(data, _INFLATE_STEP)
            except zlib.error as exc:
                if self._raw_deflate_fallback and not self._started:  # "deflate" sent without zlib header
                    self._raw_deflate_fallback = False
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise _FetchError(f"corrupt compressed body: {exc}") from exc
            self._started = True
            yield out
            data = self._z.unconsumed_tail


def _env_proxied() -> bool:
    """True when httpx would send some requests through a proxy named in the environment."""
    proxies = getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def _check_status(resp: httpx.Response) -> None:
    code = resp.status_code
    if 200 <= code < 300:
        return
    reason = f"HTTP {code}" + (f" {resp.reason_phrase}" if resp.reason_phrase else "")
    raise _FetchError(reason, http_status=code, retry_after=_retry_after(resp.headers.get("retry-after")))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _decode_html(body: bytes, header_charset: str | None) -> str:
    charset = header_charset
    if not charset:
        match = _META_CHARSET_RE.search(body[:4096])
        charset = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")
