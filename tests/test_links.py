"""Campaign tagging of links, and the link checker against a local HTTP server."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from authoring import links, model

PARAMS = {"utm_source": "the-batch", "utm_medium": "email", "utm_campaign": "the-batch-321"}
DOMAINS = ["deeplearning.ai", "www.deeplearning.ai"]


def tag(url: str, skip=("{{unsubscribe_url}}",)) -> str:
    return links.tag_url(url, PARAMS, DOMAINS, skip)


# ---------------------------------------------------------------- tagging


def test_own_domain_gets_campaign_parameters_in_order():
    assert tag("https://www.deeplearning.ai/courses/") == (
        "https://www.deeplearning.ai/courses/?utm_source=the-batch&utm_medium=email"
        "&utm_campaign=the-batch-321")


@pytest.mark.parametrize("url", [
    "https://ai-dev.deeplearning.ai/",
    "https://DeepLearning.AI/x",
    "https://www.deeplearning.ai:443/x",
    "http://deeplearning.ai./x",
])
def test_subdomains_case_and_ports_count_as_own(url):
    assert dict(parse_qsl(urlsplit(tag(url)).query)) == PARAMS


@pytest.mark.parametrize("url", [
    "https://arxiv.org/abs/2405.01527",
    "https://notdeeplearning.ai/",
    "https://deeplearning.ai.evil.example/",
    "mailto:thebatch@deeplearning.ai",
    "mailto:thebatch@deeplearning.ai?subject=https://www.deeplearning.ai/",
    "tel:+15550100",
    "{{unsubscribe_url}}",
    "*|UNSUB|*",
    "%unsubscribe_url%",
    "https://www.deeplearning.ai/unsubscribe?id={{subscriber_id}}",
    "https://www.deeplearning.ai/prefs?u=*|UNIQID|*",
    "https://www.deeplearning.ai/prefs?u=%recipient.id%",
    "https://www.deeplearning.ai:notaport/x",
    "images/chart.png",
    "",
])
def test_other_links_are_left_exactly_as_written(url):
    assert tag(url) == url


def test_percent_encoded_bytes_are_not_mistaken_for_merge_tags():
    url = "https://www.deeplearning.ai/%EF%BB%BFcaf%C3%A9"
    assert tag(url).startswith(url + "?utm_source=the-batch")


def test_unsubscribe_url_on_own_domain_is_not_tagged():
    unsubscribe = "https://www.deeplearning.ai/unsubscribe"
    assert tag(unsubscribe, skip=[unsubscribe]) == unsubscribe
    assert tag(unsubscribe + "/other", skip=[unsubscribe]) != unsubscribe + "/other"


def test_existing_query_and_fragment_are_kept_verbatim():
    url = "https://www.deeplearning.ai/search?q=small%20models&tags=a,b#results"
    assert tag(url) == ("https://www.deeplearning.ai/search?q=small%20models&tags=a,b"
                        "&utm_source=the-batch&utm_medium=email&utm_campaign=the-batch-321#results")


def test_existing_utm_parameters_are_not_duplicated():
    url = "https://www.deeplearning.ai/?utm_source=partner&x=1"
    tagged = tag(url)
    pairs = parse_qsl(urlsplit(tagged).query)
    assert [k for k, _ in pairs].count("utm_source") == 1
    assert dict(pairs) == {"utm_source": "partner", "x": "1", "utm_medium": "email",
                           "utm_campaign": "the-batch-321"}
    fully_tagged = tag("https://www.deeplearning.ai/")
    assert tag(fully_tagged) == fully_tagged


@given(path=st.lists(st.sampled_from(["a", "b", "/", "-", "_", ".", "~", "%20", "%C3%A9"]),
                    max_size=10).map("".join),
       query=st.lists(st.tuples(st.sampled_from(["q", "utm_source", "page", "utm_medium"]),
                                st.text(alphabet="xyz0", max_size=4)), max_size=4),
       fragment=st.text(alphabet="abc-", max_size=6))
def test_tagging_is_idempotent_and_keeps_every_original_parameter(path, query, fragment):
    url = "https://www.deeplearning.ai/" + path.lstrip("/")
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query)
    if fragment:
        url += "#" + fragment
    tagged = tag(url)
    assert tag(tagged) == tagged
    parts = urlsplit(tagged)
    assert parts.fragment == fragment
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    assert pairs[:len(query)] == [(k, v) for k, v in query]
    assert {k for k, _ in pairs} >= set(PARAMS)


def test_tagger_follows_the_publication_settings():
    pub = model.Publication(name="P", sender=model.Sender(name="P", email="p@deeplearning.ai"),
                            domains=["deeplearning.ai"], unsubscribe_url="https://deeplearning.ai/u",
                            campaign=model.Campaign(source="s", medium="m", campaign="c-{number}-x"))
    tagger = links.campaign_tagger(pub, 7)
    assert tagger("https://deeplearning.ai/a") == (
        "https://deeplearning.ai/a?utm_source=s&utm_medium=m&utm_campaign=c-7-x")
    assert tagger("https://deeplearning.ai/u") == "https://deeplearning.ai/u"
    pub.campaign = None
    assert links.campaign_tagger(pub, 7) is None


# ---------------------------------------------------------------- link check


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args):  # keep test output clean
        pass

    def _answer(self, with_body: bool) -> None:
        server = self.server
        with server.lock:
            server.hits.append((self.command, self.path))
            server.active += 1
            server.max_active = max(server.max_active, server.active)
        try:
            status, location = self._decide()
        finally:
            # Leave the count before the first byte goes out: once the client has its answer it may
            # send its next request, which must not overlap this one in the count.
            with server.lock:
                server.active -= 1
        body = b"hello" if with_body and location is None else b""
        self.send_response(status)
        if location is not None:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command == "GET":
            self.wfile.write(body)

    def _decide(self) -> tuple[int, str | None]:
        """The status (and redirect target) for this path, after any delay it simulates."""
        path = self.path
        if path.startswith("/slow"):
            time.sleep(0.2)
            return 200, None
        if path.startswith("/ok"):
            return 200, None
        if path == "/gone":
            return 404, None
        if path == "/no-head":
            return (405 if self.command == "HEAD" else 200), None
        if path == "/moved":
            return 301, "/ok"
        if path == "/moved-to-gone":
            return 302, "/gone"
        if path == "/hang":
            time.sleep(1.5)
            return 200, None
        return 500, None

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0


@pytest.fixture
def server():
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def base(srv: _Server) -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_broken_links_are_reported_and_working_ones_are_not(server):
    root = base(server)
    dead = f"http://127.0.0.1:{closed_port()}/x"
    result = links.check_links([f"{root}/ok", f"{root}/gone", f"{root}/no-head", f"{root}/moved",
                                f"{root}/moved-to-gone", f"{root}/hang", dead,
                                "mailto:a@b.ai", "{{unsubscribe_url}}"], timeout=0.5)
    assert not result.offline
    assert {b.url: b.reason for b in result.broken} == {
        f"{root}/gone": "404 Not Found",
        f"{root}/moved-to-gone": "404 Not Found",
        f"{root}/hang": "timed out",
        dead: "connection refused",
    }
    assert len(result.checked) == 7  # mailto and merge tags are not probed
    # HEAD first; GET only where HEAD failed
    assert ("HEAD", "/ok") in server.hits
    assert ("HEAD", "/no-head") in server.hits and ("GET", "/no-head") in server.hits
    assert ("GET", "/gone") in server.hits


def test_each_unique_link_is_probed_once_and_concurrency_is_bounded(server):
    root = base(server)
    urls = [f"{root}/slow{i}" for i in range(6)] * 2
    result = links.check_links(urls, workers=2, timeout=5)
    assert result.broken == []
    assert sorted(p for _, p in server.hits) == sorted(f"/slow{i}" for i in range(6))
    assert server.max_active == 2


def test_offline_is_detected_once_instead_of_reporting_every_link(monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    result = links.check_links(["https://www.deeplearning.ai/", "https://arxiv.org/abs/1"])
    assert result.offline
    assert result.broken == []


def test_one_unknown_host_among_reachable_links_is_a_broken_link(server, monkeypatch):
    real = socket.getaddrinfo

    def dns(host, *args, **kwargs):
        if host != "127.0.0.1":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    result = links.check_links([f"{base(server)}/ok", "https://no-such-host.deeplearning.ai/"])
    assert not result.offline
    assert [(b.url, b.reason) for b in result.broken] == [
        ("https://no-such-host.deeplearning.ai/", "host not found")]


def test_embedded_merge_tag_search_is_linear():
    """An unclosed {{ or *| used to make the search scan to the end from every opener."""
    import time

    from authoring.links import _EMBEDDED_MERGE_TAG

    url = "https://www.deeplearning.ai/?" + "{{*|" * 50_000
    start = time.perf_counter()
    assert _EMBEDDED_MERGE_TAG.search(url) is None
    assert time.perf_counter() - start < 5  # hang guard: seconds before, milliseconds now
    assert _EMBEDDED_MERGE_TAG.search("https://x.ai/u?id={{ id }}&l=*|LIST|*").group() == "{{ id }}"


@pytest.mark.parametrize(("url", "text", "codes"), [
    ("https://evil.example/", "paypal.com", ["link-text-other-host"]),
    ("https://www.paypal.com/", "paypal.com", []),  # www. and subdomains are the same site
    ("https://shop.paypal.com/", "paypal.com", []),
    ("https://paypal.com/", "shop.paypal.com", []),
    ("https://paypal.com.evil.example/", "paypal.com", ["link-text-other-host"]),
    ("https://bit.ly/x", "read the paper", ["link-shortener"]),
    ("https://www.bit.ly/x", "read the paper", ["link-shortener"]),
    ("https://notbit.ly/x", "read the paper", []),
    ("mailto:someone@example.org", "paypal.com", []),  # not a web link
    ("*|UNSUB|*", "paypal.com", []),  # a merge tag: the service fills it in
    ("https://example.org/", "v1.2 release notes", []),
    ("https://example.org/", "report.pdf", []),
])
def test_spoofing_names_what_hides_a_links_destination(url, text, codes):
    from authoring.links import spoofing

    assert [s.code for s in spoofing(url, text)] == codes
