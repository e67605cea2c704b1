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

import datetime as dt
import ipaddress
import os
import smtplib
import socket
import ssl
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
DEFAULT_TIMEOUT = 20.0


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


def deliver(data: bytes, *, sender: str, to: str, host: str, port: int, security: Security,
            user: str | None, password: str | None, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Hand ``data`` to the server unchanged; every failure becomes a SendError."""
    where = f"{host}:{port}"
    context = ssl.create_default_context()
    stage = ["connect"]  # how far we got: a hang-up means something else at each step
    try:
        smtp: smtplib.SMTP
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=context)
            if user:
                smtp.login(user, password or "")
            stage[0] = "send"
            smtp.sendmail(sender, [to], data)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"{where} refused the login for '{user}': {_reply(exc)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        code, reply = next(iter(exc.recipients.values()), (None, b""))
        raise SendError(f"{where} refused the recipient {to}: {_reply_text(code, reply)}") from None
    except smtplib.SMTPSenderRefused as exc:
        if exc.smtp_code == 530:  # "authentication required", reported at MAIL FROM
            raise SendError(f"{where} requires a login: {_reply(exc)} (use --user)") from None
        raise SendError(f"{where} refused the sender {sender}: {_reply(exc)} "
                        "(the publication's sender address)") from None
    except smtplib.SMTPDataError as exc:
        raise SendError(f"{where} refused the message: {_reply(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"{where}: {exc} (check --starttls/--ssl and --user)") from None
    except smtplib.SMTPServerDisconnected as exc:
        if stage[0] == "send":
            raise SendError(f"{where} closed the connection while the message was being sent "
                            f"({exc or 'no reason given'}): it was not accepted; the server may "
                            "limit message size or have dropped the session, try again or ask "
                            "its administrator") from None
        raise SendError(f"{where} closed the connection ({exc or 'no reason given'}); "
                        "wrong port or wrong --ssl/--starttls?") from None
    except smtplib.SMTPException as exc:
        raise SendError(f"{where}: SMTP error: {_reply(exc) or exc}") from None
    except ConnectionRefusedError:
        raise SendError(f"cannot connect to {where}: connection refused "
                        "(is an SMTP server listening there?)") from None
    except socket.gaierror:
        raise SendError(f"cannot connect to {where}: host '{host}' not found") from None
    except TimeoutError:
        raise SendError(f"{where} did not answer within {timeout:g} s") from None
    except ssl.SSLError as exc:
        raise SendError(f"TLS with {where} failed: {exc.reason or exc} "
                        "(wrong port or wrong --ssl/--starttls?)") from None
    except OSError as exc:
        raise SendError(f"cannot connect to {where}: {exc.strerror or exc}") from None
    except UnicodeEncodeError:
        raise SendError(f"the sender address {sender!r} is not ASCII; {where} cannot take it") from None


def _reply(exc: smtplib.SMTPException) -> str:
    code = getattr(exc, "smtp_code", None)
    reply = getattr(exc, "smtp_error", b"")
    return _reply_text(code, reply)


def _reply_text(code: int | None, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(part for part in (str(code) if code else "", text.strip()) if part)
