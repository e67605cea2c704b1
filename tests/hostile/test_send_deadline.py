"""One deadline for the whole SMTP session: a server that trickles (a tarpit) ends the send
with "the server is too slow" when the deadline passes, whatever it trickles and when."""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner

from authoring.cli import app
from authoring.send import SendError, deliver
from conftest import ISSUES

DEADLINE = 1.0
SLACK = 2.0
"""The send must end within the deadline and this much more (a loaded machine)."""
TRICKLE_FOR = 8.0
"""A tarpit gives up after this long, so a send without a deadline fails the test, not hangs it."""

Script = Callable[[socketserver.StreamRequestHandler, threading.Event], None]


def trickle(handler: socketserver.StreamRequestHandler, chunks: Iterator[bytes], every: float,
            stop: threading.Event) -> None:
    end = time.monotonic() + TRICKLE_FOR
    for chunk in chunks:
        if stop.wait(every) or time.monotonic() > end:
            return
        try:
            handler.wfile.write(chunk)
            handler.wfile.flush()
        except OSError:  # the client hung up: what the deadline is for
            return


def endless(line: bytes) -> Iterator[bytes]:
    while True:
        yield line


def byte_by_byte(text: bytes) -> Iterator[bytes]:
    while True:
        yield from (text[i:i + 1] for i in range(len(text)))


def answer_until(handler, stop: threading.Event, command: bytes) -> None:
    """A well-behaved server up to ``command``, whose reply then trickles."""
    handler.wfile.write(b"220 fast.example ESMTP\r\n")
    handler.wfile.flush()
    while True:
        line = handler.rfile.readline()
        if not line:
            return
        verb = line.split()[0].upper() if line.split() else b""
        if verb == command:
            trickle(handler, endless(b"250-still thinking\r\n"), 0.1, stop)
            return
        if verb == b"EHLO":
            handler.wfile.write(b"250-fast.example\r\n250 SIZE 10000000\r\n")
        elif verb == b"DATA":
            handler.wfile.write(b"354 go ahead\r\n")
            handler.wfile.flush()
            while handler.rfile.readline() not in (b".\r\n", b""):
                pass
            if command == b".":
                trickle(handler, endless(b"250-still thinking\r\n"), 0.1, stop)
                return
            handler.wfile.write(b"250 queued\r\n")
        elif verb == b"QUIT":
            handler.wfile.write(b"221 bye\r\n")
            handler.wfile.flush()
            return
        else:
            handler.wfile.write(b"250 ok\r\n")
        handler.wfile.flush()


SCRIPTS: dict[str, Script] = {
    "multi-line banner, a line at a time": lambda h, stop: trickle(
        h, endless(b"220-welcome, slowly\r\n"), 0.1, stop),
    "banner a byte at a time": lambda h, stop: trickle(
        h, byte_by_byte(b"220-tarpit\r\n"), 0.02, stop),
    "silent after connecting": lambda h, stop: stop.wait(TRICKLE_FOR),
    "reply to MAIL FROM trickles": lambda h, stop: answer_until(h, stop, b"MAIL"),
    "reply to the message trickles": lambda h, stop: answer_until(h, stop, b"."),
}

SENDING = {"reply to the message trickles"}
"""Tarpits met once the message is being handed over (after DATA)."""


def serve(script: Script):
    stop = threading.Event()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            script(self, stop)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, stop


@pytest.fixture
def tarpit(request):
    server, stop = serve(SCRIPTS[request.param])
    yield server.server_address[1]
    stop.set()
    server.shutdown()
    server.server_close()


def send(port: int, timeout: float, security: str = "none") -> tuple[BaseException | None, float]:
    """deliver() in a thread, so that a send without a deadline fails the test instead of hanging it."""
    outcome: list[BaseException | None] = []

    def run():
        try:
            deliver(b"Subject: x\r\n\r\nbody\r\n", sender="news@example.com", to="a@example.com",
                    host="127.0.0.1", port=port, security=security, user=None, password=None,
                    timeout=timeout)
            outcome.append(None)
        except BaseException as exc:  # what the test looks at
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(TRICKLE_FOR + 5)
    assert outcome, "the send did not end"
    return outcome[0], time.monotonic() - started


@pytest.mark.parametrize("tarpit", list(SCRIPTS), indirect=True)
def test_a_tarpit_ends_at_the_deadline_as_too_slow(tarpit, request):
    error, elapsed = send(tarpit, DEADLINE)
    assert isinstance(error, SendError)
    fate = ("the server did not confirm the message, which may or may not arrive"
            if request.node.callspec.params["tarpit"] in SENDING else "nothing was sent")
    assert str(error) == (f"127.0.0.1:{tarpit}: the server is too slow: the session did not finish "
                          f"within {DEADLINE:g} s (--timeout to allow longer); {fate}")
    assert DEADLINE <= elapsed < DEADLINE + SLACK


@pytest.mark.parametrize(("tarpit", "security"), [
    ("silent after connecting", "ssl"),  # waits in the handshake
    ("silent after connecting", "starttls"),
    ("multi-line banner, a line at a time", "starttls"),  # before STARTTLS is even sent
], indirect=["tarpit"])
def test_a_tarpit_before_or_during_tls_ends_at_the_deadline(tarpit, security):
    """--ssl waits in the TLS handshake, --starttls in the banner: the same deadline."""
    error, elapsed = send(tarpit, DEADLINE, security)
    assert isinstance(error, SendError) and "the server is too slow" in str(error)
    assert DEADLINE <= elapsed < DEADLINE + SLACK


@pytest.mark.parametrize("tarpit", ["multi-line banner, a line at a time"], indirect=True)
def test_the_command_takes_the_deadline_from_timeout(tarpit):
    started = time.monotonic()
    result = CliRunner().invoke(app, ["send", str(ISSUES / "0321.yaml"), "--to", "a@example.com",
                                      "--smtp", f"127.0.0.1:{tarpit}", "--timeout", "0.5"])
    assert result.exit_code == 1
    assert "the server is too slow: the session did not finish within 0.5 s" in result.stderr
    assert time.monotonic() - started < 0.5 + SLACK + 3  # and the export before it


def test_a_quick_server_is_not_cut_off_later():
    """A session that ends in time stops its watchdog: nothing is left to shut down a later
    connection that gets the same descriptor number."""
    server, stop = serve(lambda h, s: answer_until(h, s, b"NEVER"))
    try:
        error, elapsed = send(server.server_address[1], 30)
        assert error is None and elapsed < 30
        watchdogs = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
        for watchdog in watchdogs:
            watchdog.join(5)
        assert [t for t in watchdogs if t.is_alive()] == []
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("value", "message"), [
    ("nan", "--timeout: give a number of seconds"), ("inf", "is not in the range"),
    ("0", "is not in the range"), ("-1", "is not in the range")])
def test_a_timeout_that_is_no_deadline_is_a_usage_error(value, message):
    result = CliRunner().invoke(app, ["send", str(ISSUES / "0321.yaml"), "--to", "a@example.com",
                                      "--timeout", value])
    assert result.exit_code == 2 and message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def flood(handler, stop: threading.Event) -> None:
    """Continuation lines as fast as the socket takes them: smtplib keeps every one."""
    chunk = b"220-flood\r\n" * 4096
    end = time.monotonic() + TRICKLE_FOR
    while not stop.is_set() and time.monotonic() < end:
        try:
            handler.wfile.write(chunk)
        except OSError:
            return


def test_a_flood_of_reply_lines_is_cut_off_at_a_megabyte():
    server, stop = serve(flood)
    try:
        error, elapsed = send(server.server_address[1], 30)
        assert isinstance(error, SendError)
        assert str(error) == (f"127.0.0.1:{server.server_address[1]} sent over 1024 KB of replies "
                              "without finishing one: not an SMTP server, or a hostile one; nothing "
                              "was sent")
        assert elapsed < 10  # long before the deadline
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def test_a_resolver_that_never_answers_costs_the_name_lookup_and_no_more(monkeypatch):
    """EHLO names this machine; smtplib looks the name up before the first byte, where the
    deadline's watchdog has no socket to cut. A resolver that never answers: the session still
    ends well within its deadline, greeting with the address literal instead."""
    import socket

    from authoring import send as send_module

    monkeypatch.setattr(send_module, "NAME_LOOKUP_SECONDS", 0.3)
    hung = threading.Event()
    monkeypatch.setattr(socket, "getfqdn", lambda name="": hung.wait(TRICKLE_FOR) and "x.example")
    greetings: list[bytes] = []

    def record_ehlo(handler, stop):
        handler.wfile.write(b"220 fast.example ESMTP\r\n")
        handler.wfile.flush()
        while line := handler.rfile.readline():
            verb = line.split()[0].upper() if line.split() else b""
            if verb == b"EHLO":
                greetings.append(line)
            if verb == b"DATA":
                handler.wfile.write(b"354 go ahead\r\n")
                handler.wfile.flush()
                while handler.rfile.readline() not in (b".\r\n", b""):
                    pass
            handler.wfile.write(b"221 bye\r\n" if verb == b"QUIT" else b"250 ok\r\n")
            handler.wfile.flush()

    server, stop = serve(record_ehlo)
    try:
        error, elapsed = send(server.server_address[1], 5)
    finally:
        hung.set()
        stop.set()
        server.shutdown()
        server.server_close()
    assert error is None
    assert greetings == [b"ehlo [127.0.0.1]\r\n"]  # smtplib writes its verbs in lower case
    assert elapsed < 0.3 + SLACK


def test_the_machines_dotted_name_is_the_ehlo_name(monkeypatch):
    """What smtplib would say, when the lookup answers: a name with a dot is used as it is; one
    without is no fully qualified name, and the address literal is said instead."""
    import socket

    from authoring.send import _Deadline, client_name

    deadline = _Deadline(5)
    try:
        monkeypatch.setattr(socket, "getfqdn", lambda name="": "host.example.org")
        assert client_name(deadline) == "host.example.org"
        monkeypatch.setattr(socket, "getfqdn", lambda name="": "host")
        assert client_name(deadline) == "[127.0.0.1]"
    finally:
        deadline.close()
