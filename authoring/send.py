"""Send an exported issue to one address as a test, over SMTP.

The message is the export's ``.eml`` with four test-only headers changed: the subject
gets a ``[TEST] `` prefix, a To header names the recipient, the Message-ID is fresh
(mail clients hide a second message with a Message-ID they have already seen, so
repeated tests would otherwise vanish) and the Date is the time of sending (the export's
is the issue date at midnight, which sorts a test among last week's mail). Every other
byte is the exported message.

Where it goes (``smtp_settings``): ``--smtp``/``--starttls``/``--ssl``/``--user`` first, then
the ``AUTHORING_SMTP_HOST``, ``_PORT``, ``_USER`` and ``_SECURITY`` variables, then the
publication's ``smtp:`` mapping, then localhost:25. The password is never a setting: it
comes from ``AUTHORING_SMTP_PASSWORD`` or a prompt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Literal, cast

from authoring import model
from authoring.diagnostics import AuthoringError

Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
TEST_PREFIX = "[TEST] "
PASSWORD_ENV = "AUTHORING_SMTP_PASSWORD"
SETTING_ENV = {"host": "AUTHORING_SMTP_HOST", "port": "AUTHORING_SMTP_PORT",
               "user": "AUTHORING_SMTP_USER", "security": "AUTHORING_SMTP_SECURITY"}
"""The variables that set the SMTP server, each over publication.yaml's ``smtp:``."""
DEFAULT_TIMEOUT = 60.0
"""Seconds for the whole SMTP session, connection to QUIT: smtplib's own timeout bounds each
socket read, so a server that trickles a byte at a time would never trip it."""
MAX_TIMEOUT = 86400.0
NAME_LOOKUP_SECONDS = 2.0
"""The longest this machine's name is looked up for EHLO (see client_name)."""


class SendError(AuthoringError):
    """The test email could not be sent; the message says why."""


@dataclass
class SendResult:
    to: str
    subject: str
    host: str
    port: int
    message: bytes
    """Exactly the bytes handed to the server."""


@dataclass
class SmtpSettings:
    """The server a test goes to, and where each part of that was set."""

    host: str = "localhost"
    port: int | None = None
    user: str | None = None
    security: Security = "none"
    source: str = "the default"
    """Where the host was set: "--smtp", "$AUTHORING_SMTP_HOST", "publication.yaml" or "the default"."""

    @property
    def resolved_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


def smtp_settings(publication: model.SmtpSettings | None, env: Mapping[str, str], *,
                  host: str | None = None, port: int | None = None, user: str | None = None,
                  security: Security | None = None) -> SmtpSettings:
    """The settings from the command line (the arguments; None: not given) over the environment
    over the publication's ``smtp:``; SendError naming a malformed variable."""
    settings = SmtpSettings()
    if publication is not None:
        settings = SmtpSettings(host=publication.host, port=publication.port, user=publication.user,
                                security=publication.security, source="publication.yaml")
    if env.get(SETTING_ENV["host"], "").strip():
        settings.host, settings.source = env[SETTING_ENV["host"]].strip(), f"${SETTING_ENV['host']}"
        if not _is_host(settings.host):
            raise SendError(f"${SETTING_ENV['host']}: {settings.host[:60]!r} is not a host name")
    if env.get(SETTING_ENV["port"], "").strip():
        text = env[SETTING_ENV["port"]].strip()
        if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
            raise SendError(f"${SETTING_ENV['port']}: {text[:20]!r} is not a port (1 to 65535)")
        settings.port = int(text)
    if env.get(SETTING_ENV["user"], "").strip():
        settings.user = env[SETTING_ENV["user"]].strip()
        if not _is_host(settings.user):  # the same shape: one word of printable ASCII
            raise SendError(f"${SETTING_ENV['user']}: {settings.user[:60]!r} is not a login name")
    if env.get(SETTING_ENV["security"], "").strip():
        text = env[SETTING_ENV["security"]].strip().lower()
        if text not in DEFAULT_PORTS:
            raise SendError(f"${SETTING_ENV['security']}: {text[:20]!r} is not one of "
                            f"{', '.join(DEFAULT_PORTS)}")
        settings.security = cast(Security, text)
    if host is not None:
        settings.host, settings.source = host, "--smtp"
        settings.port = port  # --smtp HOST without a port means the security's default port
    if user is not None:
        settings.user = user
    if security is not None:
        settings.security = security
    return settings


def _is_host(value: str) -> bool:
    return value.isascii() and value.isprintable() and " " not in value and len(value) <= 253


def parse_address(value: str) -> str:
    """A single plain address (``name@example.com``); ValueError otherwise."""
    value = value.strip()
    if not value.isascii():  # SMTPUTF8 is rare among servers; smtplib would fail mid-send
        raise ValueError(f"'{value}': only ASCII addresses are supported")
    try:
        address = Address(addr_spec=value)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"'{value}' is not an email address") from exc
    if not address.username or "." not in address.domain or address.addr_spec != value:
        raise ValueError(f"'{value}' is not an email address")
    return value


def build_test_message(path: str | Path, to: str, *, publication_file: Path | None = None,
                       now: Callable[[], dt.datetime] | None = None):
    """The export of ``path`` and the test message built from it, as bytes; its Date is ``now()``
    (default: this moment, in the local time zone)."""
    from authoring.export import build_export

    export = build_export(path, publication_file=publication_file)
    domain = export.publication.sender.email.rpartition("@")[2] or None
    message = export.message(subject_prefix=TEST_PREFIX, to=to, message_id=make_msgid(domain=domain))
    moment = now() if now is not None else dt.datetime.now().astimezone()
    message.replace_header("Date", format_datetime(moment))
    return export, message.as_bytes()


def send_issue(path: str | Path, to: str, *, smtp_host: str | None = None, port: int | None = None,
               security: Security | None = None, user: str | None = None, password: str | None = None,
               publication_file: Path | None = None, timeout: float = DEFAULT_TIMEOUT,
               env: Mapping[str, str] | None = None,
               ask_password: Callable[[str], str] | None = None,
               now: Callable[[], dt.datetime] | None = None) -> SendResult:
    """Export ``path`` in memory and send it to ``to``; raise SendError with a clear reason.

    ``smtp_host``, ``port``, ``security`` and ``user`` are the command line's (None: not
    given); the rest comes from ``env`` (default: os.environ) and the publication's ``smtp:``
    (see smtp_settings). A user's password is ``password``, else $AUTHORING_SMTP_PASSWORD,
    else ``ask_password(user)``."""
    if security is not None and security not in DEFAULT_PORTS:
        raise ValueError(f"security must be one of {', '.join(DEFAULT_PORTS)}")
    to = parse_address(to)
    env = os.environ if env is None else env
    export, data = build_test_message(path, to, publication_file=publication_file, now=now)
    settings = smtp_settings(export.publication.smtp, env, host=smtp_host, port=port, user=user,
                             security=security)
    port = settings.resolved_port
    if settings.user and settings.security == "none" and not is_loopback(settings.host):
        raise SendError(f"refusing to send the password for '{settings.user}' unencrypted to "
                        f"{settings.host}: use --starttls or --ssl (or smtp: security: in "
                        "publication.yaml)")
    if settings.user and password is None:
        password = env.get(PASSWORD_ENV)
        if password is None and ask_password is not None:
            password = ask_password(settings.user)
    sender = export.publication.sender.email
    try:
        deliver(data, sender=sender, to=to, host=settings.host, port=port,
                security=settings.security, user=settings.user, password=password, timeout=timeout)
    except SendError as exc:
        if settings.source == "--smtp" or not str(exc).startswith(_NO_SERVER):
            raise
        origin = ("the default server" if settings.source == "the default"
                  else f"the server {settings.source} names")
        raise SendError(f"{exc}; {settings.host}:{port} is {origin}: give yours with --smtp "
                        f"HOST[:PORT], ${SETTING_ENV['host']} or smtp: in publication.yaml") from None
    return SendResult(to=to, subject=TEST_PREFIX + export.issue.issue.subject, host=settings.host,
                      port=port, message=data)


_NO_SERVER = ("cannot connect to", )
"""How deliver's messages begin when no server answered where the settings point."""


def is_loopback(host: str) -> bool:
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Deadline:
    """One deadline for a whole session: each connection attempt gets the time left, and a
    watchdog shuts the connection down when it passes, whatever read is under way."""

    def __init__(self, seconds: float) -> None:
        if not 0 < seconds <= MAX_TIMEOUT:  # nan too
            raise ValueError(f"the timeout must be more than 0 and at most {MAX_TIMEOUT:g} s")
        self.seconds = seconds
        self.expired = False
        self.sending = False
        """DATA was sent: past this, a cut-off leaves the message's fate unknown."""
        self._end = time.monotonic() + seconds
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    @property
    def over(self) -> bool:
        """The time is up: the watchdog fired, or a read given the time left timed out first."""
        return self.expired or time.monotonic() >= self._end

    def left(self) -> float:
        return max(0.001, self._end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._fd = sock.fileno()
            if self.expired:
                self._shut()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut()

    def _shut(self) -> None:
        """Shut the connection down under whichever socket object now holds it (STARTTLS
        replaces smtplib's): a blocked read then returns at once."""
        if self._fd is None:
            return
        try:
            dup = socket.socket(fileno=os.dup(self._fd))
        except OSError:
            return
        with dup, contextlib.suppress(OSError):
            dup.shutdown(socket.SHUT_RDWR)

    def forget(self) -> None:
        """The connection is being closed: its descriptor's number may be reused at once."""
        with self._lock:
            self._fd = None

    def close(self) -> None:
        self._timer.cancel()
        self.forget()


class _Watched(smtplib.SMTP):
    """An SMTP connection whose socket the deadline watches from its first byte."""

    _deadline: _Deadline

    def getreply(self):
        if self.file is None and self.sock is not None:  # smtplib makes it here too (again after STARTTLS)
            self.file = _Bounded(self.sock.makefile("rb"))
        return super().getreply()

    def data(self, msg):
        self._deadline.sending = True  # from here a cut-off leaves the message's fate unknown
        return super().data(msg)

    def close(self):
        self._deadline.forget()  # before the descriptor's number can be reused
        super().close()

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((host, port), self._deadline.left(),
                                        getattr(self, "source_address", None))
        self._deadline.watch(sock)
        return self._secure(sock, host)

    def _secure(self, sock: socket.socket, host: str) -> socket.socket:
        return sock


MAX_REPLIES = 1 << 20
"""Bytes of server replies one connection may send: a normal session sends under 10 KB, and
smtplib keeps every line of a reply in memory however many continuation lines come."""


class _TooMuch(Exception):
    """The server's replies ran over ``MAX_REPLIES``."""


class _Bounded:
    """smtplib's reading file, counting what the server sends."""

    def __init__(self, raw) -> None:
        self._raw = raw
        self._read = 0

    def readline(self, size: int = -1) -> bytes:
        line = self._raw.readline(size)
        self._read += len(line)
        if self._read > MAX_REPLIES:
            raise _TooMuch()
        return line

    def close(self) -> None:
        self._raw.close()


def client_name(deadline: _Deadline) -> str:
    """The name given in EHLO: this machine's fully qualified name, as smtplib asks for it, but
    looked up within the session's deadline and at most NAME_LOOKUP_SECONDS (smtplib's own
    lookup, before the first byte, is not a socket the deadline can cut: a resolver that does
    not answer held the session past its --timeout). Past that, or without a dot in the name,
    the address literal smtplib falls back to, for loopback."""
    found: list[str] = []
    lookup = threading.Thread(target=lambda: found.append(socket.getfqdn()), daemon=True)
    lookup.start()
    lookup.join(min(deadline.left(), NAME_LOOKUP_SECONDS))
    return found[0] if found and "." in found[0] else "[127.0.0.1]"


class _SMTP(_Watched):
    def __init__(self, host: str, port: int, deadline: _Deadline) -> None:
        self._deadline = deadline
        super().__init__(host, port, timeout=deadline.left(), local_hostname=client_name(deadline))


class _SMTPSSL(_Watched, smtplib.SMTP_SSL):
    def __init__(self, host: str, port: int, deadline: _Deadline, context: ssl.SSLContext) -> None:
        self._deadline = deadline
        super().__init__(host, port, timeout=deadline.left(), context=context,
                         local_hostname=client_name(deadline))

    def _secure(self, sock: socket.socket, host: str) -> socket.socket:
        return self.context.wrap_socket(sock, server_hostname=host)


def deliver(data: bytes, *, sender: str, to: str, host: str, port: int, security: Security,
            user: str | None, password: str | None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Hand ``data`` to the server unchanged, within ``timeout`` seconds for the whole
    session; every failure becomes a SendError."""
    where = f"{host}:{port}"
    deadline = _Deadline(timeout)
    try:
        _session(data, sender=sender, to=to, host=host, port=port, security=security, user=user,
                 password=password, deadline=deadline)
    except SendError:
        raise
    except Exception as exc:
        if deadline.over:
            fate = ("the server did not confirm the message, which may or may not arrive"
                    if deadline.sending else "nothing was sent")
            raise SendError(f"{where}: the server is too slow: the session did not finish within "
                            f"{timeout:g} s (--timeout to allow longer); {fate}") from None
        raise _explain(exc, where=where, sender=sender, to=to, user=user, timeout=timeout) from None
    finally:
        deadline.close()


def _session(data: bytes, *, sender: str, to: str, host: str, port: int, security: Security,
             user: str | None, password: str | None, deadline: _Deadline) -> None:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP = (_SMTPSSL(host, port, deadline, context) if security == "ssl"
                          else _SMTP(host, port, deadline))
    try:
        if security == "starttls":
            smtp.starttls(context=context)
        if user:
            smtp.login(user, password or "")
        try:
            smtp.sendmail(sender, [to], data)
        except smtplib.SMTPServerDisconnected as exc:
            raise _Disconnected(str(exc)) from None
    except BaseException:
        smtp.close()
        raise
    # Accepted: a slow or failing QUIT changes nothing (the watchdog may cut it short).
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


class _Disconnected(Exception):
    """The server hung up while the message was being sent."""


def _explain(exc: Exception, *, where: str, sender: str, to: str, user: str | None,
             timeout: float) -> SendError:
    """The SendError that says what ``exc`` means for the user."""
    if isinstance(exc, _TooMuch):
        return SendError(f"{where} sent over {MAX_REPLIES // 1024} KB of replies without "
                         "finishing one: not an SMTP server, or a hostile one; nothing was sent")
    if isinstance(exc, _Disconnected):
        return SendError(f"{where} closed the connection while the message was being sent "
                         f"({exc or 'no reason given'}): it was not accepted; the server may "
                         "limit message size or have dropped the session, try again or ask "
                         "its administrator")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SendError(f"{where} refused the login for '{user}': {_reply(exc)}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (None, b""))
        return SendError(f"{where} refused the recipient {to}: {_reply_text(code, reply)}")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        if exc.smtp_code == 530:  # "authentication required", reported at MAIL FROM
            return SendError(f"{where} requires a login: {_reply(exc)} (use --user)")
        return SendError(f"{where} refused the sender {sender}: {_reply(exc)} "
                         "(the publication's sender address)")
    if isinstance(exc, smtplib.SMTPDataError):
        return SendError(f"{where} refused the message: {_reply(exc)}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return SendError(f"{where}: {exc} (check --starttls/--ssl and --user)")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return SendError(f"{where} closed the connection ({exc or 'no reason given'}); "
                         "wrong port or wrong --ssl/--starttls?")
    if isinstance(exc, smtplib.SMTPException):
        return SendError(f"{where}: SMTP error: {_reply(exc) or exc}")
    if isinstance(exc, ConnectionRefusedError):
        return SendError(f"cannot connect to {where}: connection refused "
                         "(is an SMTP server listening there?)")
    if isinstance(exc, socket.gaierror):
        return SendError(f"cannot connect to {where}: host '{where.rpartition(':')[0]}' not found")
    if isinstance(exc, TimeoutError):
        return SendError(f"{where} did not answer within {timeout:g} s")
    if isinstance(exc, ssl.SSLError):
        return SendError(f"TLS with {where} failed: {exc.reason or exc} "
                         "(wrong port or wrong --ssl/--starttls?)")
    if isinstance(exc, OSError):
        return SendError(f"cannot connect to {where}: {exc.strerror or exc}")
    if isinstance(exc, UnicodeEncodeError):
        return SendError(f"the sender address {sender!r} is not ASCII; {where} cannot take it")
    raise exc


def _reply(exc: smtplib.SMTPException) -> str:
    code = getattr(exc, "smtp_code", None)
    reply = getattr(exc, "smtp_error", b"")
    return _reply_text(code, reply)


def _reply_text(code: int | None, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(part for part in (str(code) if code else "", text.strip()) if part)
