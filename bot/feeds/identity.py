"""Item identity: canonical links, identity keys and content hashes used to brief each article once."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

# Query parameters that only track the reader; dropped from canonical links.
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_", "at_", "_hs")
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
        "_ga", "_gl", "ref_src", "ref_url", "cmpid", "ocid", "s_cid", "smid", "smtyp", "taid", "ito",
        "cmp", "ncid", "sr_share", "spm", "guccounter",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACE_RE = re.compile(r"\s+")
_TAG_RE = re.compile(r"<[^>]*>")


def canonical_url(url: str) -> str:
    """Return `url` with scheme and host lower-cased, default port, fragment and tracking parameters dropped.

    Remaining query parameters are kept in their original encoding, sorted by name. Strings that are not
    absolute http(s) URLs come back stripped but otherwise unchanged.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{userinfo}@{host}"
    pairs = [p for p in parts.query.split("&") if p and not _is_tracking(p)]
    query = "&".join(sorted(pairs, key=lambda p: p.split("=", 1)[0]))
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def url_key(url: str) -> str:
    """Dedupe key of a link: its canonical form without scheme and a leading "www."."""
    canon = canonical_url(url)
    parts = urlsplit(canon)
    if parts.scheme not in _DEFAULT_PORTS:
        return "url:" + canon
    host = parts.netloc[4:] if parts.netloc.startswith("www.") else parts.netloc
    rest = urlunsplit(("", "", parts.path, parts.query, ""))
    return f"url:{host}{rest}"


def content_hash(title: str | None, text: str | None) -> str:
    """Stable hash of an item's title and text, ignoring markup, case and whitespace."""
    norm = " ".join(_normalise(s) for s in (title, text))
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:32]


def identity_key(
    guid: str | None,
    link: str | None,
    title: str | None = None,
    content: str | None = None,
    feed_url: str = "",
) -> str:
    """The primary identity of a feed entry: guid, else canonical link, else a content hash.

    A guid that is an http(s) URL is treated as a link (so it matches across feeds); any other guid is
    only unique within its feed and is scoped by the feed's canonical URL.
    """
    guid = (guid or "").strip()
    if guid:
        if _is_http(guid):
            return url_key(guid)
        scope = hashlib.sha256(canonical_url(feed_url).encode("utf-8")).hexdigest()[:12]
        return f"guid:{scope}:{guid}"
    link = (link or "").strip()
    if link:
        return url_key(link)
    return "hash:" + content_hash(title, content)


def _is_http(value: str) -> bool:
    low = value[:8].lower()
    return low.startswith("http://") or low.startswith("https://")


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.split("=", 1)[0]).lower()
    return name in _TRACKING_NAMES or name.startswith(_TRACKING_PREFIXES)


def _normalise(text: str | None) -> str:
    if not text:
        return ""
    return _SPACE_RE.sub(" ", _TAG_RE.sub(" ", text)).strip().casefold()
