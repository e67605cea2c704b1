"""Send an exported issue to one address as a test, over SMTP.

The message is the export's ``.eml`` with three test-only headers changed: the subject
gets a ``[TEST] `` prefix, a To header names the recipient, and the Message-ID is fresh
(mail clients hide a second message with a Message-ID they have already seen, so
repeated tests would otherwise vanish). Every other byte is the exported message.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import make_msgid
from pathlib import Path
from typing import Literal

from authoring.diagnostics import AuthoringError

Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
TEST_PREFIX = "[TEST] "
PASSWORD_ENV = "AUTHORING_SMTP_PASSWORD"
DEFAULT_TIMEOUT = 60.0
"""Seconds for the whole SMTP session, connection to QUIT: smtplib's own timeout bounds each
socket read, so a server that trickles a byte at a time would never trip it."""
MAX_TIMEOUT = 86400.0


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


def build_test_message(path: str | Path, to: str, *, publication_file: Path | None = None):
    """The export of ``path`` and the test message built from it, as bytes."""
    from authoring.export import build_export

    export = build_export(path, publication_file=publication_file)
    domain = export.publication.sender.email.rpartition("@")[2] or None
    message = export.message(subject_prefix=TEST_PREFIX, to=to, message_id=make_msgid(domain=domain))
    return export, message.as_bytes()


def send_issue(path: str | Path, to: str, *, smtp_host: str = "localhost", port: int | None = None,
               security: Security = "none", user: str | None = None, password: str | None = None,
               publication_file: Path | None = None, timeout: float = DEFAULT_TIMEOUT) -> SendResult:
    """Export ``path`` in memory and send it to ``to``; raise SendError with a clear reason."""
    if security not in DEFAULT_PORTS:
        raise ValueError(f"security must be one of {', '.join(DEFAULT_PORTS)}")
    to = parse_address(to)
    port = port or DEFAULT_PORTS[security]
    if user and security == "none" and not is_loopback(smtp_host):
        raise SendError(f"refusing to send the password for '{user}' unencrypted to {smtp_host}: "
                        "use --starttls or --ssl")
    export, data = build_test_message(path, to, publication_file=publication_file)
    sender = export.publication.sender.email
    deliver(data, sender=sender, to=to, host=smtp_host, port=port, security=security, user=user,
            password=password, timeout=timeout)
    return SendResult(to=to, subject=TEST_PREFIX + export.issue.issue.subject, host=smtp_host,
                      port=port, message=data)


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

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._fd = None  # the descriptor's number may be reused once smtplib closes it


class _Watched(smtplib.SMTP):
    """An SMTP connection whose socket the deadline watches from its first byte."""

    _deadline: _Deadline

    def data(self, msg):
        self._deadline.sending = True  # from here a cut-off leaves the message's fate unknown
        return super().data(msg)

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((host, port), self._deadline.left(),
                                        getattr(self, "source_address", None))
        self._deadline.watch(sock)
        return self._secure(sock, host)

    def _secure(self, sock: socket.socket, host: str) -> socket.socket:
        return sock


class _SMTP(_Watched):
    def __init__(self, host: str, port: int, deadline: _Deadline) -> None:
        self._deadline = deadline
        super().__init__(host, port, timeout=deadline.left())


class _SMTPSSL(_Watched, smtplib.SMTP_SSL):
    def __init__(self, host: str, port: int, deadline: _Deadline, context: ssl.SSLContext) -> None:
        self._deadline = deadline
        super().__init__(host, port, timeout=deadline.left(), context=context)

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
