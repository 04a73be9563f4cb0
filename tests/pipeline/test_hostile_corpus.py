"""The hostile-feed corpus: every case goes through a real App (fetcher, Pipeline, SQLite store, shared real models).

Each case asserts its outcome (status, items stored, feed state, the one log line of a failure) and that a good
feed polled right after it still works.
"""

from __future__ import annotations

import gzip
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.app import App, Models
from bot.feeds import identity_key
from bot.pipeline.poll import PollReport
from bot.store import FeedRecord
from tests.fakes.feed_server import HTML_TYPE, FeedServer, gzip_bomb, rss
from tests.pipeline.conftest import HOSTILE, T0, OpenApp, cp1252_feed, entry, page, settings_for, story, warnings_of

RSS = "application/rss+xml; charset=utf-8"
OFF = ("derby-football-report", "winter-soup-recipe")  # whole, off-story entries: stored, filtered, never briefed


@dataclass
class Ctx:
    """What a case's extra check gets: the app, the server, the polled URL and the first report."""

    app: App
    server: FeedServer
    url: str
    report: PollReport
    caplog: pytest.LogCaptureFixture

    def feed(self, url: str | None = None) -> FeedRecord:
        found = self.app.store.get_feed(url or self.url)  # type: ignore[union-attr]
        assert found is not None
        return found

    async def poll(self, url: str | None = None) -> PollReport:
        feed, _ = self.app.store.add_feed(url or self.url)  # type: ignore[union-attr]
        (report,) = await self.app.poll_feeds([feed])
        return report

    def article(self, guid: str | None, link: str | None = None):  # noqa: ANN201 - ArticleRecord | None
        return self.app.store.get_article(identity_key(guid, link, feed_url=self.url))  # type: ignore[union-attr]

    def wait(self) -> float:
        feed = self.feed()
        assert feed.next_poll_at is not None and feed.last_polled_at is not None
        return (feed.next_poll_at - feed.last_polled_at).total_seconds()


Check = Callable[[Ctx], Awaitable[None] | None]


@dataclass(frozen=True)
class Case:
    id: str
    path: str
    status: str  # "ok", "not_modified" or "error"
    reason: str | None = None  # error: in last_error and in the one warning line; ok: in the one warning line
    new: int | None = None  # ok: articles stored by the poll
    setup: Callable[[FeedServer], None] | None = None
    check: Check | None = None
    bug: str | None = None  # a known defect: the case asserts the right outcome and is expected to fail (strict)

    def param(self) -> object:
        marks = [pytest.mark.xfail(strict=True, reason=self.bug)] if self.bug else []
        return pytest.param(self, id=self.id, marks=marks)


def off(i: int, **kw: str) -> dict[str, str]:
    """A whole off-story entry with its own guid and link."""
    return entry(OFF[i % 2], **{"guid": f"h-{i}", "link": f"https://desk.example/n/{i}", "hours_ago": i, **kw})


def put(path: str, body: bytes, **kw: object) -> Callable[[FeedServer], None]:
    return lambda s: s.put(path, body, **kw) and None


def with_pages(path: str, template: str, **kw: object) -> Callable[[FeedServer], None]:
    """A feed whose teaser links ({base}/pages/talks.html?...) lead to a real article page on the server."""
    def setup(s: FeedServer) -> None:
        s.put("/pages/talks.html", page("ushakov-envoys-kremlin.html"), content_type=HTML_TYPE)
        s.put(path, template.replace("{base}", s.base_url).encode("iso-8859-1"), **kw)
    return setup


# -- bodies --------------------------------------------------------------------------------------------------------

def _gzip_truncated() -> bytes:
    data = gzip.compress(rss("Gzip Desk", [off(0), off(1), off(2)]))
    return data[: len(data) // 2]


def _utf16_no_bom() -> bytes:
    text = rss("Sixteen Desk", [off(0)]).decode().replace('encoding="utf-8"', 'encoding="utf-16"')
    return text.encode("utf-16-le")


def _ten_thousand(s: FeedServer) -> None:
    s.put("/pages/talks.html", page("ushakov-envoys-kremlin.html"), content_type=HTML_TYPE)
    items = [{"title": f"Envoys trade drafts overnight, update {i}", "guid": f"tt-{i}",
              "link": s.url(f"/pages/talks.html?n={i}"), "pubDate": format_datetime(T0 - timedelta(minutes=i)),
              "description": f"Negotiators exchanged revised texts (update {i})."} for i in range(10_000)]
    s.put("/h/10k", rss("Ten Thousand Desk", items))


def _huge_titles() -> bytes:
    return rss("Big Titles", [off(i, title=f"Talks {i} " + "ceasefire monitors " * 58_000) for i in range(3)])


SCRIPTY = ("<script>document.write('CAMPAIGN-INJECT')</script><style>.ad{color:red}</style>"
           "<noscript>ENABLE-JS</noscript><iframe src='https://ads.example/x'>AD-FRAME</iframe>")


def _script_laden() -> bytes:
    item = off(0)
    item["content"] = SCRIPTY + item["content"].replace("</p><p>", f"</p>{SCRIPTY}<p>", 3) + SCRIPTY
    return rss("Script Desk", [item])


def _no_dates() -> bytes:
    items = [off(0), off(1)]
    for it in items:
        del it["pubDate"]
    return rss("Undated Desk", items)


def _future() -> bytes:
    item = off(0)
    item["pubDate"] = "Sat, 01 Jan 2101 00:00:00 GMT"
    return rss("Future Desk", [item, off(1)])


def _dup_guids() -> bytes:
    one = entry("istanbul-round-umerov", guid="dup-1", link="https://desk.example/dup-a")
    two = entry("istanbul-round-umerov", guid="dup-1", link="https://desk.example/dup-b", hours_ago=1,
                title="Umerov: Istanbul round ends (corrected)")
    return rss("Dup Desk", [one, two])


RSS091 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old Port Bulletin</title><link>http://oldport.example/</link>
<description>Fictional legacy feed</description><language>en</language>
<item><title>Black Sea corridor on the agenda, aides say</title><link>{base}/pages/talks.html?p=corridor</link>
<description>ODESA (Old Port Bulletin) - Aides said grain corridor guarantees would be discussed in Istanbul.</description></item>
<item><title>Harbour cranes back at work</title><link>{base}/pages/talks.html?p=cranes</link>
<description>Dock workers returned after the overnight alert.</description></item>
</channel></rss>"""

RSS10 = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://digest.example/"><title>Dnipro Digest</title><link>https://digest.example/</link>
<description>Fictional digest</description><items><rdf:Seq><rdf:li rdf:resource="https://digest.example/a"/>
</rdf:Seq></items></channel>
<item rdf:about="https://digest.example/a"><title>Exchange of 150 each confirmed</title>
<link>{base}/pages/talks.html?p=digest</link><dc:date>2026-01-20T08:00:00Z</dc:date>
<description>Both ministries confirmed the exchange.</description></item></rdf:RDF>"""


def _atom_base(s: FeedServer) -> None:
    s.put("/h/atom-base", f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://ledger.example/live/">
<title>Kyiv Ledger live</title><id>urn:ledger:live</id><updated>2026-01-21T12:00:00Z</updated>
<entry><title>Security guarantees: what the coalition offered</title><id>urn:ledger:1</id>
<link href="posts/guarantees-explained"/><updated>2026-01-21T11:00:00Z</updated>
<content type="html">{_esc(story(OFF[0]).html)}</content></entry>
<entry xml:base="https://ledger.example/other/"><title>Second post</title><id>urn:ledger:2</id>
<link href="second"/><updated>2026-01-21T10:00:00Z</updated>
<content type="html">{_esc(story(OFF[1]).html)}</content></entry></feed>""".encode(), content_type="application/atom+xml")


def _esc(html: str) -> str:
    return html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _relative(s: FeedServer) -> None:
    s.put("/h/relative", rss("Relative Desk", [off(0, link="/news/relative-one"), off(1, link="two.html")]))


def _javascript(s: FeedServer) -> None:
    teaser = {"title": "Click here for the full peace plan", "guid": "js-1", "link": "javascript:alert(document.cookie)",
              "description": "Officials said the plan\u2026", "pubDate": format_datetime(T0)}
    s.put("/h/javascript", rss("JS Desk", [teaser]))


MIXED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom"
 xmlns:wire="urn:x-fictional-wire:2" xmlns:georss="http://www.georss.org/georss">
<channel><title>Mixed Desk</title><link>https://mixed.example/</link><description>d</description>
<atom:link href="https://mixed.example/feed" rel="self" type="application/rss+xml"/>
<item><title>Round ends in Geneva</title><guid isPermaLink="false">mx-1</guid>
<link>https://mixed.example/a</link><dc:creator>Oksana Dvornyk</dc:creator><wire:priority>2</wire:priority>
<media:content url="https://mixed.example/a.jpg" medium="image"><media:title>Photo</media:title></media:content>
<georss:point>46.2 6.1</georss:point><atom:updated>2026-01-21T09:00:00Z</atom:updated>
<content:encoded><![CDATA[{story(OFF[0]).html}]]></content:encoded></item></channel></rss>""".encode()


def _cdata() -> bytes:
    html = story(OFF[1]).html.replace("<p>", "<p><b>", 1).replace("</p>", "</b> <a href='https://x.example'>x</a></p>", 1)
    item = {"title": "CDATA desk", "guid": "cd-1", "link": "https://cdata.example/1", "pubDate": format_datetime(T0),
            "content": "<div class='story'>" + html + "<!-- tracking pixel --></div>"}
    return rss("CDATA Desk", [item])


def _bom_mismatch() -> bytes:
    body = rss("BOM Desk", [off(0, title="Zelenskyy\u2019s envoy says \u201cnot yet\u201d")])
    return b"\xef\xbb\xbf" + body.replace(b'encoding="utf-8"', b'encoding="iso-8859-1"')


# -- checks --------------------------------------------------------------------------------------------------------

def _retry_after_honoured(ctx: Ctx) -> None:
    assert ctx.wait() == pytest.approx(7200, abs=5)  # more than the 2 x 15 min backoff of a first failure


def _ten_thousand_bounded(ctx: Ctx) -> None:
    assert ctx.server.hits["/pages/talks.html"] == 3  # only the backfill's three pages fetched
    assert len(ctx.report.briefs) == ctx.report.kept
    keys = {identity_key(f"tt-{i}", None, feed_url=ctx.url) for i in range(0, 10_000, 97)}
    assert ctx.app.store.known_keys(keys) == keys  # type: ignore[union-attr] - the backlog is remembered
    assert ctx.article("tt-0") is not None and ctx.article("tt-3") is None


def _titles_kept_apart(ctx: Ctx) -> None:
    article = ctx.article("h-0", "https://desk.example/n/0")
    assert article is not None and article.title is not None and article.title.startswith("Talks 0 ceasefire")
    assert ctx.report.dropped + ctx.report.kept == 3


def _no_script(ctx: Ctx) -> None:
    text = ctx.article("h-0").text  # type: ignore[union-attr]
    assert story(OFF[0]).paragraphs[1] in text
    for junk in ("CAMPAIGN-INJECT", "color:red", "ENABLE-JS", "<"):  # an iframe's fallback text is text
        assert junk not in text


def _undated(ctx: Ctx) -> None:
    assert [ctx.article(f"h-{i}").published for i in (0, 1)] == [None, None]  # type: ignore[union-attr]


def _future_date(ctx: Ctx) -> None:
    assert ctx.article("h-0").published.year == 2101  # type: ignore[union-attr]


async def _briefed_once(ctx: Ctx) -> None:
    assert (ctx.report.new_items, len(ctx.report.briefs)) == (1, 1)
    assert ctx.article("dup-1") is not None
    again = await ctx.poll()
    assert again.status == "ok" and (again.new_items, again.briefs) == (0, [])


async def _moved(ctx: Ctx) -> None:
    """The subscribed URL now answers 301 to a new home carrying the same items plus one: only that one is new."""
    ctx.server.put("/h/new-home", rss("Moved Desk", [off(5), off(0), off(1)]), etag='"home-1"')
    ctx.server.put("/h/moved", b"", status=301, headers={"Location": "/h/new-home"})
    report = await ctx.poll()
    assert report.status == "ok" and report.new_items == 1
    assert ctx.article("h-5", "https://desk.example/n/5") is not None
    feed = ctx.feed()
    assert (feed.url, feed.etag, feed.failures) == (ctx.url, '"home-1"', 0)  # state kept on the subscribed URL
    assert (await ctx.poll()).status == "not_modified"  # the conditional GET follows the redirect too


async def _304_then_content(ctx: Ctx) -> None:
    assert ctx.feed().etag is None
    ctx.server.put("/h/304", rss("Late Desk", [off(i) for i in range(8)]))
    later = await ctx.poll()
    assert later.status == "ok" and later.new_items == 3  # still the first real poll: backfill holds


def _javascript_kept_as_text(ctx: Ctx) -> None:
    article = ctx.article("js-1")
    assert article is not None and article.text == "Officials said the plan\u2026"
    assert [p for p in ctx.server.hits if p != "/h/javascript"] == []  # nothing else was requested


def _reset(ctx: Ctx) -> None:
    assert ctx.feed().last_ok_at is None


# -- the corpus ----------------------------------------------------------------------------------------------------

CASES: list[Case] = [Case(i, path, "error", reason) for i, path, reason in HOSTILE] + [
    Case("wrong-encoding", "/h/cp1252", "ok", "encoding problem", new=1,
         setup=put("/h/cp1252", cp1252_feed(OFF[0], "https://desk.example/cp"))),
    Case("429-retry-after", "/x/status/429?retry=7200", "error", "HTTP 429", check=_retry_after_honoured),
    Case("503", "/x/status/503", "error", "HTTP 503"),
    Case("truncated-gzip", "/h/gz", "error", "compressed body",
         setup=put("/h/gz", _gzip_truncated(), headers={"Content-Encoding": "gzip"})),
    Case("utf16-no-bom", "/h/utf16", "error", "not an RSS/Atom feed", setup=put("/h/utf16", _utf16_no_bom())),
    Case("10000-entries", "/h/10k", "ok", None, new=3, setup=_ten_thousand, check=_ten_thousand_bounded),
    Case("1mb-titles", "/h/titles", "ok", None, new=3, setup=put("/h/titles", _huge_titles()),
         check=_titles_kept_apart),
    Case("script-style-html", "/h/script", "ok", None, new=1, setup=put("/h/script", _script_laden()),
         check=_no_script),
    Case("missing-dates", "/h/undated", "ok", None, new=2, setup=put("/h/undated", _no_dates()), check=_undated),
    Case("future-dates", "/h/future", "ok", None, new=2, setup=put("/h/future", _future()), check=_future_date),
    Case("duplicate-guids", "/h/dups", "ok", None, new=1, setup=put("/h/dups", _dup_guids()), check=_briefed_once),
    Case("url-becomes-redirect", "/h/moved", "ok", None, new=2,
         setup=put("/h/moved", rss("Moved Desk", [off(0), off(1)])), check=_moved),
    Case("empty-feed", "/h/empty", "ok", None, new=0, setup=put("/h/empty", rss("Empty Desk", []))),
    Case("whitespace-only", "/h/blank", "error", "not an RSS/Atom feed", setup=put("/h/blank", b"  \n\t\r\n  ")),
    Case("rss-0.91", "/h/rss091", "ok", None, new=2, setup=with_pages("/h/rss091", RSS091),
         check=lambda c: c.server.hits["/pages/talks.html"] == 2),  # teasers: their pages are fetched
    Case("rss-1.0", "/h/rss10", "ok", None, new=1,
         setup=with_pages("/h/rss10", RSS10, content_type="application/rdf+xml"),
         check=lambda c: "Senate Palace" in (c.article("https://digest.example/a").text or "")),
    Case("atom-xml-base", "/h/atom-base", "ok", None, new=2, setup=_atom_base,
         check=lambda c: [c.article(f"urn:ledger:{i}").link for i in (1, 2)] == [  # type: ignore[union-attr]
             "https://ledger.example/live/posts/guarantees-explained", "https://ledger.example/other/second"]),
    Case("cdata-html", "/h/cdata", "ok", None, new=1, setup=put("/h/cdata", _cdata()),
         check=lambda c: "<" not in (c.article("cd-1").text or "x<")),  # type: ignore[union-attr]
    Case("relative-links", "/h/relative", "ok", None, new=2, setup=_relative,
         check=lambda c: [c.article("h-0", None).link, c.article("h-1", None).link] == [  # type: ignore[union-attr]
             c.server.url("/news/relative-one"), c.server.url("/h/two.html")]),
    Case("javascript-link", "/h/javascript", "ok", "page javascript:alert(document.cookie): UnsupportedProtocol",
         new=1, setup=_javascript, check=_javascript_kept_as_text),
    Case("mixed-namespaces", "/h/mixed", "ok", None, new=1, setup=put("/h/mixed", MIXED)),
    Case("zero-byte-200", "/h/zero", "error", "not an RSS/Atom feed", setup=put("/h/zero", b"")),
    Case("204", "/h/204", "error", "not an RSS/Atom feed", setup=put("/h/204", b"", status=204)),
    Case("304-without-etag", "/h/304", "not_modified", None, setup=put("/h/304", b"", status=304),
         check=_304_then_content),
    Case("connection-reset", "/x/reset?after=600", "error", "RemoteProtocolError", check=_reset),
    Case("xml-as-text-plain", "/h/plain", "ok", "text/plain is not an XML media type", new=2,
         setup=put("/h/plain", rss("Plain Desk", [off(0), off(1)]), content_type="text/plain")),
    Case("xml-as-octet-stream", "/h/octets", "ok", "application/octet-stream is not an XML media type", new=1,
         setup=put("/h/octets", rss("Octet Desk", [off(0)]), content_type="application/octet-stream")),
    Case("bom-declaration-mismatch", "/h/bom", "ok", None, new=1, setup=put("/h/bom", _bom_mismatch()),
         check=lambda c: c.article("h-0").title == "Zelenskyy\u2019s envoy says \u201cnot yet\u201d"),  # type: ignore[union-attr]
]


def test_the_corpus_has_at_least_30_distinct_cases() -> None:
    assert len(CASES) >= 30 and len({c.id for c in CASES}) == len(CASES)


@pytest.fixture
async def app(tmp_path: Path, models: Models, open_app: OpenApp) -> App:
    return await open_app(settings_for(tmp_path / "hostile.db", []), models=models)


@pytest.mark.parametrize("case", [c.param() for c in CASES])
async def test_hostile_feed(case: Case, app: App, feed_server: FeedServer,
                            caplog: pytest.LogCaptureFixture) -> None:
    gzip_bomb(64)  # built before the clock runs
    if case.setup is not None:
        case.setup(feed_server)
    feed_server.put("/feeds/good", rss("Good Desk", [off(9)]))
    url = feed_server.url(case.path)
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    ctx = Ctx(app, feed_server, url, PollReport(url, "?"), caplog)
    ctx.report = report = await ctx.poll()
    assert time.monotonic() - started < 60
    assert not [r for r in caplog.records if r.exc_info], "a poll must never end in a traceback"

    feed = ctx.feed()
    lines = [r.getMessage() for r in warnings_of(caplog)]
    assert report.status == case.status, (report.error, lines)
    if case.status == "error":
        assert case.reason is not None and case.reason in (report.error or "") and "\n" not in (report.error or "")
        assert len(lines) == 1 and url in lines[0] and report.error in lines[0]
        assert feed.failures == 1 and feed.last_error == report.error and feed.last_ok_at is None
        assert (report.new_items, report.briefs) == (0, [])
    else:
        assert lines == ([] if case.reason is None else [next(m for m in lines if case.reason in m)]), lines
        assert feed.failures == 0 and feed.last_error is None
        # a 304 before any content was seen does not count as the first good poll (the backlog limit holds)
        assert (feed.last_ok_at is None) == (case.status == "not_modified")
        if case.new is not None:
            assert report.new_items == case.new
        assert report.kept + report.dropped == report.new_items
    if case.check is not None:
        result = case.check(ctx)
        if inspect.isawaitable(result):
            await result
        elif result is not None:
            assert result, f"the check of {case.id} failed"

    caplog.clear()  # the bot goes on: a good feed works right after
    good = await ctx.poll(feed_server.url("/feeds/good"))
    assert (good.status, good.new_items, good.error) == ("ok", 1, None)
