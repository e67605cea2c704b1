"""Links on export: campaign (UTM) tagging and an optional check that they work.

Tagging is a ``str -> str`` function handed to the renderer as ``RenderOptions.link_url``,
so the HTML and the plain text carry the same tagged addresses. The check probes each
unique address with HEAD (GET when a server refuses HEAD), a few at a time.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import re
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from authoring import codes, markdown, model

# Merge tags inside a longer URL (https://x.ai/unsub?id={{id}}): the ESP rewrites
# those, so we leave them byte for byte as written.
# A %tag% never starts with two hex digits: that is a percent-encoded byte (%EF%BB%BF).
# Tag bodies exclude their own delimiters, so an unclosed {{ or *| costs one short scan,
# not a scan to the end of the text from every opener (quadratic).
_EMBEDDED_MERGE_TAG = re.compile(
    r"\{\{[^{}]*\}\}|\*\|[^|]*\|\*|%(?![0-9A-Fa-f]{2})[A-Za-z_][A-Za-z0-9_.]*%")

LinkUrl = Callable[[str], str]


def host_matches(host: str, domains: Iterable[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    host = host.lower().rstrip(".")
    for domain in domains:
        domain = domain.lower().strip().rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def campaign_params(campaign: model.Campaign, number: int | None) -> dict[str, str]:
    """utm_source / utm_medium / utm_campaign, with ``{number}`` filled in."""
    name = campaign.campaign.replace("{number}", "" if number is None else str(number))
    return {"utm_source": campaign.source, "utm_medium": campaign.medium, "utm_campaign": name}


def tag_url(url: str, params: dict[str, str], domains: Iterable[str],
            skip: Iterable[str] = ()) -> str:
    """``url`` with ``params`` added when it points at one of ``domains``; otherwise unchanged.

    Existing query parameters and the fragment are kept as written; a parameter the URL
    already has is not added again. Merge tags, mailto: links and the addresses in
    ``skip`` (unsubscribe) are never touched.
    """
    stripped = url.strip()
    if (not stripped or stripped in set(skip) or markdown.is_merge_tag(stripped)
            or _EMBEDDED_MERGE_TAG.search(stripped)):
        return url
    if markdown.url_scheme(stripped) not in {"http", "https"}:
        return url
    try:
        parts = urlsplit(stripped)
        host = parts.hostname
        parts.port  # noqa: B018 — raises on a malformed port
    except ValueError:  # e.g. an invalid port: not ours to fix here
        return url
    if not host or not host_matches(host, domains):
        return url
    present = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    missing = {key: value for key, value in params.items() if key.lower() not in present}
    if not missing:
        return url
    # Append rather than re-encode, so the existing query stays exactly as written.
    query = "&".join(q for q in (parts.query, urlencode(missing)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def campaign_tagger(publication: model.Publication, number: int | None) -> LinkUrl | None:
    """The link rewriter for this publication, or None when it sets no campaign."""
    if publication.campaign is None or not publication.domains:
        return None
    params = campaign_params(publication.campaign, number)
    domains = list(publication.domains)
    skip = [publication.unsubscribe_url.strip()] if publication.unsubscribe_url else []

    def tag(url: str) -> str:
        return tag_url(url, params, domains, skip)

    return tag


def is_checkable(url: str) -> bool:
    """http(s) addresses without merge tags: the ones a link check can probe."""
    url = url.strip()
    return (markdown.url_scheme(url) in {"http", "https"} and not markdown.is_merge_tag(url)
            and not _EMBEDDED_MERGE_TAG.search(url))


# ---------------------------------------------------------------- link check

USER_AGENT = "authoring-link-check/0.1 (+newsletter export)"
DEFAULT_TIMEOUT = 5.0
DEFAULT_WORKERS = 8


@dataclass
class BrokenLink:
    url: str
    reason: str
    """What went wrong, e.g. "404 Not Found", "host not found", "timed out"."""


@dataclass
class LinkCheck:
    """The outcome of checking a set of addresses."""

    checked: list[str] = field(default_factory=list)
    broken: list[BrokenLink] = field(default_factory=list)
    offline: bool = False
    """Nothing could be reached and every failure was a lookup or routing failure."""


@dataclass
class _Result:
    url: str
    reason: str | None = None
    network: bool = False
    """The failure says nothing about the link: no DNS, no route to the internet."""


_NO_ROUTE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN}


def _probe(url: str, timeout: float) -> _Result:
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                return _Result(url)
        except urllib.error.HTTPError as exc:
            if method == "HEAD":
                continue  # many servers answer HEAD with 403/404/405 but GET with 200
            return _Result(url, f"{exc.code} {exc.reason}".strip())
        except urllib.error.URLError as exc:
            return _failure(url, exc.reason)
        except TimeoutError:
            return _Result(url, "timed out")
        except (http.client.HTTPException, OSError, ValueError) as exc:
            return _failure(url, exc)
    raise AssertionError("unreachable")


def _failure(url: str, reason: object) -> _Result:
    if isinstance(reason, socket.gaierror):
        return _Result(url, "host not found", network=True)
    if isinstance(reason, TimeoutError):
        return _Result(url, "timed out")
    if isinstance(reason, ConnectionRefusedError):
        return _Result(url, "connection refused")
    if isinstance(reason, ssl.SSLError):
        return _Result(url, f"TLS error: {getattr(reason, 'reason', None) or reason}")
    if isinstance(reason, OSError) and reason.errno in _NO_ROUTE:
        return _Result(url, "no route to host", network=True)
    return _Result(url, str(reason) or type(reason).__name__)


def check_links(urls: Iterable[str], *, timeout: float = DEFAULT_TIMEOUT,
                workers: int = DEFAULT_WORKERS) -> LinkCheck:
    """Probe each unique http(s) address; at most ``workers`` requests at a time."""
    unique = list(dict.fromkeys(u.strip() for u in urls if is_checkable(u)))
    result = LinkCheck(checked=unique)
    if not unique:
        return result
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(unique)))) as pool:
        outcomes = list(pool.map(lambda u: _probe(u, timeout), unique))
    failed = [o for o in outcomes if o.reason is not None]
    if len(failed) == len(outcomes) and all(o.network for o in failed):
        result.offline = True
        return result
    result.broken = [BrokenLink(o.url, o.reason) for o in failed if o.reason is not None]
    return result


# ---------------------------------------------------------------- links that hide where they go

SHORTENERS = frozenset({
    "bit.ly", "bitly.com", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "v.gd", "buff.ly",
    "rebrand.ly", "cutt.ly", "shorturl.at", "t.ly", "rb.gy", "tiny.cc", "bl.ink", "lnkd.in",
    "s.id", "shorte.st", "adf.ly", "amzn.to", "dlvr.it", "ift.tt", "trib.al", "clck.ru", "qr.ae",
    "soo.gd", "tr.im", "x.co", "surl.li", "shorturl.asia", "urlz.fr", "bit.do", "mcaf.ee",
})
"""Services whose address says nothing of where a link goes (what phishing filters flag)."""

_ALLOWED_SCRIPT_MIXES = ({"Latin", "Han", "Hiragana", "Katakana"}, {"Latin", "Han", "Bopomofo"},
                         {"Latin", "Han", "Hangul"})
"""Unicode TR 39's "highly restrictive" level: one script, or these CJK writing systems with
Latin. Anything else in one host (Cyrillic с in a Latin name) is a look-alike."""

_SHOWN_ADDRESS = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?((?:[^\s/:@.<>\"'()\[\]]+\.)+[^\s/:@.<>\"'()\[\]\d]{2,})"
    r"(?::\d+)?(?:[/?#]\S*)?$", re.IGNORECASE)
"""Link text that is an address or a bare domain (``paypal.com``, ``https://x.org/a``)."""


_COMMON_TLDS = frozenset({
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "app", "dev",
    "ai", "io", "xyz", "online", "site", "shop", "store", "blog", "news", "tech", "cloud", "page",
    "link", "click", "live", "top", "club", "space", "email", "zip", "mov", "art", "museum"})
_FILE_EXTENSIONS = frozenset({"py", "md", "js", "ts", "sh", "rb", "pl", "gz", "xz", "rs", "cc",
                              "hh", "so", "el", "ml", "vb", "fs", "ps", "ai"})
"""Two-letter endings of file names more often than of country domains (``setup.py``)."""


def _looks_like_domain(host: str) -> bool:
    tld = host.rpartition(".")[2]
    return (not tld.isascii()) or tld in _COMMON_TLDS or (len(tld) == 2 and tld not in _FILE_EXTENSIONS)


def _shown_hosts(text: str) -> list[str]:
    """The hosts a link's text shows: the whole text as an address or domain (``paypal.com``,
    trailing punctuation aside), or any address with a scheme or ``www.`` inside a sentence."""
    words = " ".join(text.split()).strip(".,;:!?\"'()[]<>«»“”‘’")
    whole = _SHOWN_ADDRESS.match(words)
    if whole and (_looks_like_domain(unicode_host(whole.group(1))) or "://" in words):
        return [unicode_host(whole.group(1))]
    shown = []
    for word in words.split(" ")[:50]:
        word = word.strip(".,;:!?\"'()[]<>«»“”‘’")
        if "://" in word or word.lower().startswith("www."):
            inside = _SHOWN_ADDRESS.match(word)
            if inside:
                shown.append(unicode_host(inside.group(1)))
    return shown


@dataclass(frozen=True)
class Spoof:
    code: str
    message: str


def unicode_host(host: str) -> str:
    """The host as a reader sees it: punycode labels (``xn--...``) decoded, lower case."""
    labels = []
    for label in host.lower().rstrip(".").split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError):  # not valid punycode: shown as written
                label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


def scripts(text: str) -> set[str]:
    """The scripts of the letters in ``text`` (digits, hyphens and dots belong to none)."""
    import unicodedata

    found = set()
    for char in text:
        if not char.isalpha():
            continue
        words = unicodedata.name(char, "UNKNOWN").split()
        first = words[1] if words[0] in ("FULLWIDTH", "HALFWIDTH") and len(words) > 1 else words[0]
        found.add({"CJK": "Han"}.get(first, first.capitalize()))
    return found


def mixes_scripts(host: str) -> bool:
    """Whether the host mixes scripts beyond what TR 39's highly restrictive level allows."""
    found = scripts(unicode_host(host))
    return len(found) > 1 and not any(found <= allowed for allowed in _ALLOWED_SCRIPT_MIXES)


def _same_site(shown: str, real: str) -> bool:
    return shown == real or real.endswith("." + shown) or shown.endswith("." + real)


def spoofing(url: str, text: str) -> list[Spoof]:
    """What makes a link hide where it goes: its text names another host, it goes through a
    shortener, or its host mixes scripts (a look-alike). Merge tags and non-web links pass."""
    if markdown.is_merge_tag(url) or markdown.url_scheme(url.strip()) not in {"http", "https"}:
        return []
    try:
        parts = urlsplit(url.strip())
        raw_host = parts.hostname or ""
    except ValueError:
        return []
    if not raw_host:
        return []
    host = unicode_host(raw_host)
    found = []
    if parts.username is not None:  # https://paypal.com@evil.example: a name before the host
        found.append(Spoof(codes.LINK_TEXT_OTHER_HOST,
                           f"the address puts '{parts.username}@' before its host: it goes to '{host}'"))
    for shown_host in _shown_hosts(text):
        if not _same_site(shown_host.removeprefix("www."), host.removeprefix("www.")):
            found.append(Spoof(codes.LINK_TEXT_OTHER_HOST,
                               f"the link text shows '{shown_host}' but the link goes to '{host}'"))
            break
    if host.removeprefix("www.") in SHORTENERS:
        found.append(Spoof(codes.LINK_SHORTENER,
                           f"'{url}' goes through the shortener {host}: nobody can see where"))
    if mixes_scripts(raw_host):
        mixed = ", ".join(sorted(scripts(host)))
        found.append(Spoof(codes.MIXED_SCRIPT_HOST,
                           f"the host '{host}' ({raw_host}) mixes scripts ({mixed}): a look-alike"))
    return found
